"""`policywatch import dir`: dated file names, Markdown and HTML (extracted with the document's
rules), technical/ re-extractions, idempotence, dry runs, and clear errors that write nothing."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from support.helpers import policy_page, policy_text, tree_digest, write_sources

from policywatch.archive.index import Index
from policywatch.archive.store import Store
from policywatch.crawler.history.folder import parse_dated_name

NOT_THE_RECORD = ("policywatch.db", ".lock")


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("001_20220908T113859Z", "2022-09-08T11:38:59"),
        ("20220908T113859Z", "2022-09-08T11:38:59"),
        ("2022-09-08T11:38:59Z", "2022-09-08T11:38:59"),
        ("2022-09-08T11-38-59Z", "2022-09-08T11:38:59"),
        ("2022-09-08T13:38:59+02:00", "2022-09-08T11:38:59"),
        ("20220908T133859+0200", "2022-09-08T11:38:59"),
        ("2022-09-08T11:38:59.250Z", "2022-09-08T11:38:59"),  # versions have one-second resolution
        ("2022-09-08T11:38", "2022-09-08T11:38:00"),
        ("2022-09-08", "2022-09-08T00:00:00"),
        ("terms", None),
        ("2022-13-08", None),
        ("v1_2022-09-08", None),
        ("2022-09-08T25:00:00Z", None),
    ],
)
def test_dated_names(stem, expected):
    at = parse_dated_name(stem)
    if expected is None:
        assert at is None
    else:
        assert at == datetime.fromisoformat(expected).replace(tzinfo=UTC)


A = "# Terms\n\nYou must reply to buyers within 24 hours.\n\nClause two stays the same for every seller here.\n"
B = A.replace("24 hours", "48 hours")
C = A.replace("24 hours", "72 hours")


def sources(tmp_path, url: str = "https://market.example/terms") -> None:
    write_sources(
        tmp_path / "data" / "sources" / "market.yml",
        [{"id": "market-terms", "title": "Market Terms", "url": url, "select": "#policy", "remove": [".ad"]}],
    )


def test_markdown_html_and_technical_files(cli, tmp_path):
    sources(tmp_path)
    archive = tmp_path / "archive"
    (archive / "technical").mkdir(parents=True)
    (archive / "2021-03-01T09:00:00Z.md").write_text(A, encoding="utf-8")
    (archive / "2021-06-01T09:00:00Z.md").write_text(A, encoding="utf-8")  # same text again: not a version
    (archive / "2021-09-01.md").write_text(B, encoding="utf-8")
    html = policy_page(policy_text("You must reply to buyers within 72 hours.") + "<p class='ad'>Buy now</p>", 7)
    (archive / "2022-01-15T12:00:00+01:00.html").write_text(html, encoding="utf-8")
    (archive / "technical" / "2022-02-01T00:00:00Z.md").write_text("Terms\n=====\n\nreflowed\n", encoding="utf-8")
    (archive / "meta.json").write_text("{}", encoding="utf-8")

    r = cli("import", "dir", str(archive), "--doc", "market-terms", check=True)
    assert "unchanged" in r.stderr and "2021-06-01T09:00:00Z.md" in r.stderr
    assert "imported 4 version(s) of market-terms (5 in the archive)" in r.stderr
    assert "not versions: meta.json" in r.stderr

    store = Store(tmp_path / "data")
    versions = store.versions("market-terms")
    assert [v.id for v in versions] == ["20210301T090000Z", "20210901T000000Z", "20220115T110000Z", "20220201T000000Z"]
    assert [v.technical for v in versions] == [False, False, False, True]
    assert {v.source for v in versions} == {"import"}
    assert {v.url for v in versions} == {"https://market.example/terms"}
    html_version = versions[2]
    text = store.read(html_version)
    assert "72 hours" in text and "Buy now" not in text and "Offer 7" not in text  # the document's rules
    assert html_version.extractor.startswith("policywatch-md/")
    assert store.snapshot_of(html_version).read_bytes() == html.encode()  # the raw page kept as evidence
    assert store.snapshot_of(versions[0]) is None

    with Index(store) as index:
        index.refresh()  # imports index versions; change records are derived by publish or `index`
        kinds = [c.kind for c in index.changes("market-terms", newest_first=False)]
    assert kinds == ["first", "change", "change", "technical"]

    record = tree_digest(tmp_path / "data", NOT_THE_RECORD)
    again = cli("import", "dir", str(archive), "--doc", "market-terms", check=True)
    assert "imported 0 version(s) of market-terms (5 in the archive): 4 already present, 1 unchanged" in again.stderr
    assert tree_digest(tmp_path / "data", NOT_THE_RECORD) == record


def test_dry_run_writes_nothing(cli, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "001_20240101T000000Z.md").write_text(A, encoding="utf-8")
    (archive / "002_20240201T000000Z.md").write_text(B, encoding="utf-8")
    r = cli("import", "dir", str(archive), "--doc", "market-terms", "--dry-run", check=True)
    assert r.stderr.count("would add") == 3  # two lines and the summary
    assert not (tmp_path / "data").exists()


def test_importing_older_and_newer_history_merges_in_time_order(cli, tmp_path):
    """A later import may fill in versions between (and before) ones already recorded."""
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    (first / "2022-01-01T00:00:00Z.md").write_text(A, encoding="utf-8")
    (first / "2024-01-01T00:00:00Z.md").write_text(C, encoding="utf-8")
    cli("import", "dir", str(first), "--doc", "market-terms", check=True)
    (later / "2020-01-01T00:00:00Z.md").write_text(C, encoding="utf-8")
    (later / "2023-01-01T00:00:00Z.md").write_text(B, encoding="utf-8")
    (later / "2023-06-01T00:00:00Z.md").write_text(B, encoding="utf-8")  # B again: not a version
    r = cli("import", "dir", str(later), "--doc", "market-terms", check=True)
    assert "imported 2 version(s)" in r.stderr and "1 unchanged" in r.stderr
    store = Store(tmp_path / "data")
    with Index(store) as index:
        index.refresh()  # imports index versions; change records are derived by publish or `index`
        records = [(c.to_version[:8], c.kind, c.reverts_to) for c in index.changes("market-terms", newest_first=False)]
    assert records == [
        ("20200101", "first", None),
        ("20220101", "change", None),
        ("20230101", "change", None),
        ("20240101", "revert", "20200101T000000Z"),
    ]


@pytest.mark.parametrize(
    ("files", "args", "code", "message"),
    [
        ({"terms.md": A}, (), 1, "have no date in their name"),
        ({"2024-01-01.md": b"\xff\xfe bad"}, (), 1, "is not UTF-8 text"),
        ({"2024-01-01.html": policy_page("<p>hi</p>")}, (), 2, "needs its extraction rules"),
        ({"2024-01-01.md": A}, ("--doc", "Market_Terms"), 2, "lowercase letters"),
        ({"meta.json": "{}"}, (), 1, "holds no dated .md or .html files"),
    ],
)
def test_bad_archives_are_named_and_nothing_is_written(cli, tmp_path, files, args, code, message):
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, body in files.items():
        (archive / name).write_bytes(body if isinstance(body, bytes) else body.encode())
    doc = [] if "--doc" in args else ["--doc", "market-terms"]
    r = cli("import", "dir", str(archive), *doc, *args)
    assert r.returncode == code and message in r.stderr, r.stderr
    assert not (tmp_path / "data" / "versions").exists()


def test_an_html_file_that_is_not_the_policy_stops_the_import(cli, tmp_path):
    sources(tmp_path)
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "2024-01-01.html").write_text(policy_page(policy_text("Reply within 24 hours.")), encoding="utf-8")
    (archive / "2024-02-01.html").write_text("<html><body><p>Moved.</p></body></html>", encoding="utf-8")
    r = cli("import", "dir", str(archive), "--doc", "market-terms")
    assert r.returncode == 1
    assert "2024-02-01.html: selector_missing" in r.stderr and "nothing was written" in r.stderr
    assert not (tmp_path / "data" / "versions").exists()


def test_future_dates_are_refused_per_file(cli, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "2024-01-01.md").write_text(A, encoding="utf-8")
    (archive / "2999-01-01.md").write_text(B, encoding="utf-8")
    r = cli("import", "dir", str(archive), "--doc", "market-terms", check=True)
    assert "skipped" in r.stderr and "in the future" in r.stderr
    assert [v.id for v in Store(tmp_path / "data").versions("market-terms")] == ["20240101T000000Z"]


@pytest.mark.parametrize("doc", ["github-terms-of-service", "replicate-terms-of-service"])
def test_real_raw_pages_with_their_noise(corpus, cli, tmp_path, doc):
    """The corpus's raw pages of a document, its version pages and its noise pages (HTML changed,
    text did not) in one dated folder: every version page is a version, no noise page is."""
    src = corpus / "dev_html" / doc
    meta = json.loads((src / "meta.json").read_text(encoding="utf-8"))
    (period,) = json.loads((src / "declaration.json").read_text(encoding="utf-8"))["periods"]
    pages = tmp_path / "pages"
    pages.mkdir()
    for v in meta["versions"]:
        shutil.copy(src / v["file"], pages / v["file"])
    for n in meta["noise_snapshots"]:
        shutil.copy(src / n["file"], pages / f"{n['date']}.html".replace(":", "-"))
    write_sources(
        tmp_path / "data" / "sources" / "corpus.yml",
        [{"id": doc, "title": doc, "url": period["fetch"], "select": period["select"]}],
    )
    r = cli("import", "dir", str(pages), "--doc", doc, check=True)
    n_versions, n_noise = len(meta["versions"]), len(meta["noise_snapshots"])
    assert f"imported {n_versions} version(s) of {doc} ({n_versions + n_noise} in the archive)" in r.stderr
    assert f"{n_noise} unchanged" in r.stderr
    ids = [v.id for v in Store(tmp_path / "data").versions(doc)]
    assert ids == [v["file"].split("_", 1)[1].removesuffix(".html") for v in meta["versions"]]
