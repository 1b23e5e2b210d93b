"""One bad document never stops a run: a page that breaks a stage, an exception anywhere in
fetch, check, extract or record, a damaged version file, a stray folder in versions/, a clock
running backwards. The others are recorded and published; the bad one gets a typed reason in
health.json (and, for an exception, its traceback in the log). Real crawls through the CLI."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from support.helpers import next_second, policy_page, policy_text, write_sources

pytestmark = pytest.mark.slow

CRAWL = ("crawl", "--delay", "0", "--retries", "0")
DEEP = "".join(f"<div>clause {i} <b><ul><li><blockquote>" for i in range(100))
DEEP += "the deepest words" + "</blockquote></li></ul></b></div>" * 100


def good(words: str) -> str:
    return policy_page(policy_text(words))


def documents(server, names: list[str]) -> list[dict]:
    return [{"id": n, "title": n.title(), "url": server.url(f"/{n}"), "select": "#policy"} for n in names]


def health(data) -> dict:
    return json.loads((data / "health.json").read_text(encoding="utf-8"))["documents"]


def published_ids(site) -> set[str]:
    return {r["document_id"] for r in json.loads((site / "changes.json").read_text(encoding="utf-8"))}


def test_a_500_deep_page_among_good_ones_stops_nothing(cli, server, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    other = type(server)()  # a second host: a crawl used to stop for every host
    try:
        for name in ("terms", "fees"):
            server.set(f"/{name}", good(f"The {name} apply from day 1."))
        other.set("/returns", good("Returns are accepted within 30 days."))
        server.set("/deep", policy_page(policy_text("A page that nests four hundred tags.") + DEEP))
        assert len(DEEP) < 8_000
        write_sources(
            data / "sources" / "s.yml",
            [*documents(server, ["terms", "fees", "deep"]), *documents(other, ["returns"])],
        )
        r = cli("run", *CRAWL[1:], "--out", str(site))
    finally:
        other.close()
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("new version") == 4, r.stderr
    assert published_ids(site) == {"terms", "fees", "deep", "returns"}
    deep = next((data / "versions" / "deep").glob("*.md")).read_text(encoding="utf-8")
    assert "clause 99" in deep and "the deepest words" in deep


STAGES = ("fetch", "check", "extract", "record")


def test_an_exception_in_any_stage_fails_only_its_document(cli, server, tmp_path, monkeypatch):
    data, site = tmp_path / "data", tmp_path / "site"
    names = ["terms", *(f"poisoned-at-{s}" for s in STAGES), "fees"]
    for name in names:
        server.set(f"/{name}", good(f"The {name} apply from day 1."))
    write_sources(data / "sources" / "s.yml", documents(server, names))
    # failpoints: a real exception raised inside the stage, for the named document only
    monkeypatch.setenv("POLICYWATCH_FAILPOINTS", ",".join(f"{s}:poisoned-at-{s}" for s in STAGES))
    r = cli("run", *CRAWL[1:], "--out", str(site))
    assert r.returncode == 0, r.stderr
    assert published_ids(site) == {"terms", "fees"}
    failing = health(data)
    assert set(failing) == {f"poisoned-at-{s}" for s in STAGES}
    for stage in STAGES:
        h = failing[f"poisoned-at-{stage}"]
        assert h["last_reason"] == "internal_error" and f"failpoint {stage}" in h["last_detail"], h
        assert f"failed       poisoned-at-{stage}  internal_error: FailpointError: failpoint {stage}" in r.stderr
    # the traceback of each is in the log
    assert r.stderr.count("Traceback (most recent call last)") == len(STAGES), r.stderr
    # nothing was left half-recorded: the next run records them whole
    assert not list((data / "snapshots").glob("poisoned-*")) and not list((data / "versions").glob("poisoned-*"))
    monkeypatch.delenv("POLICYWATCH_FAILPOINTS")
    next_second()
    again = cli(*CRAWL, check=True)
    assert again.stderr.count("new version") == len(STAGES) and "health" not in again.stderr
    assert not (data / "health.json").exists() or health(data) == {}


def test_a_damaged_version_file_fails_only_its_document(cli, server, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    for name in ("terms", "fees"):
        server.set(f"/{name}", good(f"The {name} apply from day 1."))
    write_sources(data / "sources" / "s.yml", documents(server, ["terms", "fees"]))
    cli(*CRAWL, check=True)
    damaged = next((data / "versions" / "terms").glob("*.md"))
    damaged.write_bytes(damaged.read_bytes()[:-40])  # a truncated file (a full disk, a bad copy)
    for name in ("terms", "fees"):
        server.set(f"/{name}", good(f"The {name} apply from day 2."))
    next_second()
    r = cli(*CRAWL)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert "new version  fees" in r.stderr
    assert f"failed       terms  corrupt_record: version file {damaged}" in r.stderr
    assert health(data)["terms"]["last_reason"] == "corrupt_record"
    assert len(list((data / "versions" / "terms").glob("*.md"))) == 1  # nothing recorded over it

    p = cli("publish", "--out", str(site))
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    assert f"warning: version file {damaged}" in p.stderr and "sha256" in p.stderr
    assert published_ids(site) == {"fees"}
    assert len([r for r in json.loads((site / "changes.json").read_text()) if r["document_id"] == "fees"]) == 2
    rebuilt = cli("index", "--rebuild")
    assert rebuilt.returncode == 0 and f"warning: version file {damaged}" in rebuilt.stderr, rebuilt.stderr


def test_a_stray_folder_in_versions_stops_nothing(cli, server, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    server.set("/terms", good("The terms apply from day 1."))
    write_sources(data / "sources" / "s.yml", documents(server, ["terms"]))
    cli(*CRAWL, check=True)
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "2024-01-01.md").write_text("# Evil\n\nA version.\n", encoding="utf-8")
    # an id with a trailing newline passed the id check (`$` matches before a final newline)
    r = cli("import", "dir", str(archive), "--doc", "evil\n")
    assert r.returncode == 2 and "--doc" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in (data / "versions").iterdir()) == ["terms"]
    # such a folder made by hand (or by an older policywatch) is named and left alone
    shutil.copytree(data / "versions" / "terms", data / "versions" / "evil\n")
    p = cli("publish", "--out", str(site))
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    assert "warning:" in p.stderr and "'evil\\n'" in p.stderr
    assert published_ids(site) == {"terms"}
    rebuilt = cli("index", "--rebuild")
    assert rebuilt.returncode == 0 and "'evil\\n'" in rebuilt.stderr, rebuilt.stderr


def test_a_clock_running_backwards_records_nothing_before_the_latest_version(cli, server, tmp_path, monkeypatch):
    data, site = tmp_path / "data", tmp_path / "site"
    server.set("/terms", good("The terms apply from day 1."))
    write_sources(data / "sources" / "s.yml", documents(server, ["terms"]))
    monkeypatch.setenv("POLICYWATCH_NOW", "2026-03-02T09:00:00Z")
    cli(*CRAWL, check=True)
    server.set("/terms", good("The terms apply from day 2."))
    monkeypatch.setenv("POLICYWATCH_NOW", "2026-03-01T09:00:00Z")  # a day behind
    r = cli(*CRAWL)
    assert r.returncode == 0, r.stderr
    assert "failed       terms  clock_behind: the clock says 2026-03-01T09:00:00Z" in r.stderr
    assert [p.name for p in (data / "versions" / "terms").iterdir()] == ["20260302T090000Z.md"]
    assert health(data)["terms"]["last_reason"] == "clock_behind"
    monkeypatch.setenv("POLICYWATCH_NOW", "2026-03-03T09:00:00Z")
    cli(*CRAWL, check=True)
    assert sorted(p.name for p in (data / "versions" / "terms").iterdir()) == [
        "20260302T090000Z.md",
        "20260303T090000Z.md",
    ]
    cli("publish", "--out", str(site), check=True)
    records = json.loads((site / "changes.json").read_text(encoding="utf-8"))
    assert [r["kind"] for r in records] == ["change", "first"]


def test_publish_never_empties_a_site_because_its_input_is_missing(cli, server, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    server.set("/terms", good("The terms apply from day 1."))
    write_sources(data / "sources" / "s.yml", documents(server, ["terms"]))
    cli("run", *CRAWL[1:], "--out", str(site), check=True)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    typo = tmp_path / "dta"
    r = cli("publish", "--out", str(site), data_dir=typo)
    assert r.returncode == 1 and f"no data folder at {typo}" in r.stderr, r.stderr
    assert not typo.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("publish", "--out", str(site), data_dir=empty)
    assert r.returncode == 1 and "holds no recorded versions" in r.stderr and "refusing" in r.stderr, r.stderr
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    # a new, empty site may still be published from an empty record
    fresh = tmp_path / "fresh"
    assert cli("publish", "--out", str(fresh), data_dir=empty).returncode == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "must be an object with 'documents' and 'events'"),
        ('{"documents": {"terms": {"failures": 1}}, "events": []}', "document 'terms'"),
        (
            '{"documents": {"terms": {"failures": 1, "failing_since": "yesterday", "last_reason": "timeout"}},'
            ' "events": []}',
            "'yesterday' is not an ISO 8601 time",
        ),
        ('{"documents": {}, "events": [{"document_id": "t", "event": "broken", "at": "2026-13-01"}]}', "2026-13-01"),
        ("{", "is not JSON"),
    ],
)
def test_a_malformed_health_file_is_a_clear_error(cli, server, tmp_path, content, message):
    data, site = tmp_path / "data", tmp_path / "site"
    server.set("/terms", good("The terms apply from day 1."))
    write_sources(data / "sources" / "s.yml", documents(server, ["terms"]))
    cli(*CRAWL, check=True)
    (data / "health.json").write_text(content, encoding="utf-8")
    for args in ((*CRAWL,), ("publish", "--out", str(site)), ("status",)):
        r = cli(*args)
        assert r.returncode == 1 and "Traceback" not in r.stderr, (args, r.stderr)
        assert "health.json" in r.stderr and message in r.stderr, (args, r.stderr)
    assert (data / "health.json").read_text(encoding="utf-8") == content  # left for the operator to fix


def test_a_corrupt_index_is_rebuilt(cli, server, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    server.set("/terms", good("The terms apply from day 1."))
    write_sources(data / "sources" / "s.yml", documents(server, ["terms"]))
    cli(*CRAWL, check=True)
    for suffix in ("-wal", "-shm"):
        (data / f"policywatch.db{suffix}").unlink(missing_ok=True)
    (data / "policywatch.db").write_bytes(os.urandom(8192))
    r = cli("publish", "--out", str(site))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert "policywatch.db" in r.stderr and "rebuilt" in r.stderr
    assert published_ids(site) == {"terms"}
    assert cli(*CRAWL).returncode == 0
