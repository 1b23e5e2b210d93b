"""The record on disk and the index derived from it: version files, change kinds, incremental
refresh, and clear errors for damaged files."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from policywatch.archive.changes import chain
from policywatch.archive.errors import LockedError, StoreError
from policywatch.archive.files import data_lock
from policywatch.archive.index import Index
from policywatch.archive.record import Recorder
from policywatch.archive.store import Store, parse_version_file

T0 = datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC)
A = "# Terms\n\nYou must reply within 24 hours.\n"
B = "# Terms\n\nYou must reply within 48 hours.\n"
C = "# Terms\n\nYou must reply within 72 hours.\n"


def record(store: Store, texts: list[str]) -> list:
    rec = Recorder(store)
    out = [
        rec.fetched("doc-a", text=t, at=T0 + timedelta(hours=k), url="https://a.test/", extractor="x")
        for k, t in enumerate(texts)
    ]
    rec.close()
    return out


def test_versions_only_when_text_changes(tmp_path):
    store = Store(tmp_path)
    outcomes = record(store, [A, A, B, B, A])
    assert [o.status for o in outcomes] == ["new", "unchanged", "new", "unchanged", "new"]
    versions = store.versions("doc-a")
    assert [v.id for v in versions] == ["20260105T100000Z", "20260105T120000Z", "20260105T140000Z"]
    assert [link.kind for link in chain(versions)] == ["first", "change", "revert"]
    assert chain(versions)[2].reverts_to == "20260105T100000Z"


def test_version_file_round_trip_and_sha_check(tmp_path):
    store = Store(tmp_path)
    (o,) = record(store, [A])
    path = store.path_of(o.version)
    version, text = parse_version_file(path)
    assert text == A and version == o.version
    path.write_bytes(path.read_bytes().replace(b"24 hours", b"25 hours"))
    with pytest.raises(StoreError, match="does not match its sha256"):
        parse_version_file(path)


@pytest.mark.parametrize(
    "damage", [b"no front matter\n", b"---\ndocument: doc-a\n", b"---\nwho: x\n---\nt\n", b"\xff\xfe"]
)
def test_damaged_version_files_are_named_and_left_out(tmp_path, damage):
    path = tmp_path / "versions" / "doc-a" / "20260105T100000Z.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    with pytest.raises(StoreError, match=r"20260105T100000Z\.md"):
        parse_version_file(path)
    # the index leaves the damaged file out and names it, so one file never stops a publish
    index = Index(Store(tmp_path))
    report = index.refresh()
    assert len(report.problems) == 1 and "20260105T100000Z.md" in report.problems[0]
    assert index.versions("doc-a") == [] and path.read_bytes() == damage


def test_two_versions_in_one_second_keep_their_order(tmp_path):
    store = Store(tmp_path)
    rec = Recorder(store)
    for t in (A, B, C):
        rec.fetched("doc-a", text=t, at=T0, url="u", extractor="x")
    assert [store.read(v) for v in store.versions("doc-a")] == [A, B, C]


def test_index_refresh_is_incremental(tmp_path):
    store = Store(tmp_path)
    record(store, [A, B])
    with Index(store) as index:
        first = index.refresh()
        assert (first.versions_read, first.changes_derived) == (2, 2)
        again = index.refresh()
        assert (again.versions_read, again.changes_derived) == (0, 0)
    record(store, [B, C])  # B is unchanged; C is new
    with Index(store) as index:
        third = index.refresh()
        assert (third.versions_read, third.changes_derived) == (1, 1)
        kinds = [(c.kind, c.significance) for c in index.changes(newest_first=False)]
        assert kinds == [("first", "substantive"), ("change", "substantive"), ("change", "substantive")]
        latest = next(index.changes())
        assert latest.facts[0]["before"] == "48 hours" and latest.facts[0]["after"] == "72 hours"


def test_index_follows_removed_and_misplaced_version_files(tmp_path):
    store = Store(tmp_path)
    record(store, [A, B, C])
    with Index(store) as index:
        index.refresh()
        middle = store.versions("doc-a")[1]
        (store.versions_dir / "doc-a" / f"{middle.id}.md").unlink()
        report = index.refresh()
        assert (report.versions_removed, report.versions_read) == (1, 0)
        records = list(index.changes("doc-a", newest_first=False))
        assert [r.from_version for r in records] == [None, store.versions("doc-a")[0].id]
        assert records[1].facts[0]["before"] == "24 hours" and records[1].facts[0]["after"] == "72 hours"
        assert index.changes_by_document()["doc-a"] == [replace(r, stats={}) for r in records]
    # a version file copied into another document's folder is named, and nothing is recorded for it
    other = store.versions_dir / "doc-b"
    other.mkdir()
    source = store.versions_dir / "doc-a" / f"{store.versions('doc-a')[0].id}.md"
    (other / source.name).write_bytes(source.read_bytes())
    with Index(store) as index:
        (problem,) = index.refresh().problems
        assert re.search(r"doc-b.*names document 'doc-a'", problem)
        assert index.versions("doc-b") == []


def test_index_can_be_deleted_and_rebuilt(tmp_path):
    store = Store(tmp_path)
    record(store, [A, B, A])
    with Index(store) as index:
        index.refresh()
        before = [(c.id, c.kind, c.summary) for c in index.changes()]
    (tmp_path / "policywatch.db").unlink()
    with Index(store) as index:
        index.refresh()
        assert [(c.id, c.kind, c.summary) for c in index.changes()] == before
    assert [k for _, k, _ in before] == ["revert", "change", "first"]


def test_confirm_needs_agreeing_crawls(tmp_path):
    store = Store(tmp_path)
    rec = Recorder(store)
    at = [T0 + timedelta(minutes=k) for k in range(6)]
    assert rec.fetched("d", text=A, at=at[0], url="u", extractor="x", confirm=2).status == "pending"
    assert rec.fetched("d", text=A, at=at[1], url="u", extractor="x", confirm=2).status == "new"
    assert rec.fetched("d", text=B, at=at[2], url="u", extractor="x", confirm=2).status == "pending"
    assert rec.fetched("d", text=C, at=at[3], url="u", extractor="x", confirm=2).status == "pending"
    new = rec.fetched("d", text=C, at=at[4], url="u", extractor="x", confirm=2)
    assert new.status == "new" and new.version.fetched_at == at[3]  # dated when first seen
    assert [store.read(v) for v in store.versions("d")] == [A, C]
    assert not (tmp_path / "pending" / "d.json").exists()


def test_health_counts_failures_and_reports_broken_then_resumed(tmp_path):
    store = Store(tmp_path)
    rec = Recorder(store, broken_after=2)
    events = [
        rec.failed("d", at=T0 + timedelta(hours=k), reason="http_status", detail="HTTP 500").health_event
        for k in range(3)
    ]
    assert [e.event if e else None for e in events] == [None, "broken", None]
    assert rec.health.documents["d"].failures == 3
    resumed = rec.fetched("d", text=A, at=T0 + timedelta(hours=4), url="u", extractor="x").health_event
    assert resumed.event == "resumed" and "d" not in rec.health.documents
    rec.close()
    assert (tmp_path / "health.json").exists()


def test_lock_excludes_a_second_run(tmp_path):
    with (
        data_lock(tmp_path),
        pytest.raises(LockedError, match="another policywatch run"),
        data_lock(tmp_path, wait=0.3),
    ):
        pass
    with data_lock(tmp_path):  # released
        pass


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "https://a.example/\nsha256: 0", "a b"]
)
def test_a_version_url_is_one_line_and_http(tmp_path, url):
    """The url becomes a line of the front matter and the "Raw page" link of the site."""
    with pytest.raises(ValueError, match="not an http"):
        Store(tmp_path).add("doc-a", A, fetched_at=T0, url=url, extractor="x")
    assert not (tmp_path / "versions").exists() and not (tmp_path / "snapshots").exists()
