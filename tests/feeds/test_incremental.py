"""Incremental publish: after a new change only what it affects is rendered again, and the folder
is byte-identical to a full rebuild; a damaged output folder or cache is repaired, not trusted."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest
from support.helpers import tree_digest
from support.published import START, publish_data, write_health, write_history

from policywatch import example
from policywatch.archive.health import HealthEvent, load_health
from policywatch.archive.store import Store


def _add_change(data, doc_id: str, days: int, extra: str):
    store = Store(data)
    latest = store.latest(doc_id)
    return store.add(
        doc_id, latest[1] + f"\n{extra}\n", fetched_at=START + timedelta(days=days), url="u", extractor="t"
    )


def _published(tmp_path):
    """The example history in tmp_path/data, published once to tmp_path/out (and its report)."""
    data = tmp_path / "data"
    write_history(data)
    out = tmp_path / "out"
    return data, out, publish_data(data, out)


@pytest.mark.parametrize("base_url", ["", "https://someone.github.io/watch/"])
def test_incremental_equals_full_rebuild(tmp_path, base_url):
    data = tmp_path / "data"
    write_history(data)
    out = tmp_path / "out"
    first = publish_data(data, out, feed_size=4, base_url=base_url)
    assert first.skipped == 0 and first.rendered > 50
    # each of the 9 pairs (13 records, 4 of them first versions) diffed once: its record derived
    # and its change page rendered from that one comparison
    assert first.changes == 13 and first.diffs == 9, first

    again = publish_data(data, out, feed_size=4, base_url=base_url)
    assert again.rendered == 0 and again.written == 0 and again.diffs == 0, again

    new = _add_change(data, example.FEES.id, 40, "A new fee of $2.00 applies to returns.")
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    inc = publish_data(data, out, feed_size=4, base_url=base_url)
    full = publish_data(data, tmp_path / "full", feed_size=4, base_url=base_url, cache=False)
    assert tree_digest(out) == tree_digest(tmp_path / "full"), "incremental output differs from a full rebuild"

    # the new change, and the one before it: its page now links to the later change
    assert inc.diffs == 2, inc
    # the change and version pages of both, the document's texts pack and page, the pages of its
    # service, tags and topics (all and by significance), the home, filter, documents and status
    # pages, and the current documents of the feeds that list it: the document's, global,
    # substantive, service, tag and topic feeds (Atom + RSS, and the substantive-only ones), plus
    # archive pages where one fills up; the search bundle of the newest changes is written again
    # too, but is not rendered
    lists_it = (
        f"docs/{example.FEES.id}/", "archive/", "feed.", "substantive.", "services/example-marketplace/",
        *(f"tags/{t}/" for t in example.FEES.tags), "topics/fees-payments/", "topics/returns-refunds/",
        "index.html", "recent/", "documents.html", "status.html",
    )  # fmt: skip
    rewritten = [p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.stat().st_mtime_ns != mtimes.get(p)]
    assert [p for p in rewritten if not p.startswith(lists_it)] == []
    # (41 on this history: 16 pages, 25 feed documents, archive pages among them where the new
    # entry fills one up)
    assert inc.rendered <= 41, inc
    assert full.rendered > 3 * inc.rendered and full.diffs == 10
    untouched = out / "docs" / example.HEALTH.id / "index.html"
    assert untouched.stat().st_mtime_ns == mtimes[untouched]
    assert (out / "docs" / example.FEES.id / "changes" / f"{new.id}.html").is_file()


def test_health_change_updates_status_and_document_pages(tmp_path):
    data = tmp_path / "data"
    write_history(data)
    out = tmp_path / "out"
    publish_data(data, out)
    home = out / "index.html"
    home_mtime = home.stat().st_mtime_ns
    health = load_health(data)
    health.documents.pop(example.HEALTH.id)
    health.events.append(HealthEvent(example.HEALTH.id, "resumed", "2026-02-01T09:00:00Z", "", "after 4 failed crawls"))
    (data / "health.json").write_text(health.to_json(), encoding="utf-8")
    inc = publish_data(data, out)
    publish_data(data, tmp_path / "full", cache=False)
    assert tree_digest(out) == tree_digest(tmp_path / "full")
    # the document page, the health feed (Atom and RSS), the status page, and the pages that list
    # the document with its health: all documents, its service's and its tags'
    assert inc.diffs == 0 and inc.rendered <= 8, inc
    assert home.stat().st_mtime_ns == home_mtime, "the home page shows no health: not written again"
    assert "tracking resumed" in (out / "health.atom").read_text(encoding="utf-8")
    page = (out / "docs" / example.HEALTH.id / "index.html").read_text(encoding="utf-8")
    assert "<dd>ok</dd>" in page


def test_damaged_output_and_cache_are_repaired(tmp_path):
    data = tmp_path / "data"
    write_history(data)
    write_health(data)
    out = tmp_path / "out"
    publish_data(data, out)
    reference = tree_digest(out)
    change_page = next((out / "docs" / example.FEES.id / "changes").glob("*.html"))
    change_page.write_text("tampered", encoding="utf-8")
    (out / "feed.rss").unlink()
    (out / "docs" / "gone" / "old.html").parent.mkdir(parents=True)
    (out / "docs" / "gone" / "old.html").write_text("left over", encoding="utf-8")
    report = publish_data(data, out)
    assert report.removed == 1 and not (out / "docs" / "gone").exists()
    assert (out / "feed.rss").is_file() and change_page.read_text(encoding="utf-8") == "tampered"
    publish_data(data, out, full=True)  # a page edited by hand in the output is replaced by --full
    assert tree_digest(out) == reference

    # a damaged or deleted cache only costs a full render
    (data / "publish-cache.db").write_bytes(b"not a database, but garbage of some length" * 100)
    report = publish_data(data, out)
    assert report.skipped == 0 and report.written == 0
    assert tree_digest(out) == reference
    (data / "publish-cache.db").unlink()
    report = publish_data(data, out)
    assert report.skipped == 0 and report.written == 0
    assert publish_data(data, out).rendered == 0


def test_deleted_pages_of_an_unchanged_document_are_written_again(tmp_path):
    # an unchanged document keeps its change, version and text pages without keying each one;
    # a file missing from the output still brings that page back
    data, out, _ = _published(tmp_path)
    reference = tree_digest(out)
    folder = out / "docs" / example.FEES.id
    change = sorted((folder / "changes").glob("*.html"))[-1]
    gone = [change, folder / "versions" / change.name]
    for page in gone:
        page.unlink()
    report = publish_data(data, out)
    assert all(page.is_file() for page in gone)
    assert tree_digest(out) == reference
    assert report.written == len(gone) and report.rendered <= 3, report  # the pages of one change
    assert publish_data(data, out).rendered == 0


def test_options_that_change_feeds_rerender_them(tmp_path):
    data = tmp_path / "data"
    write_history(data)
    out = tmp_path / "out"
    publish_data(data, out, feed_size=50)
    publish_data(data, out, feed_size=2, base_url="https://x.example/site/")
    publish_data(data, tmp_path / "full", feed_size=2, base_url="https://x.example/site/", cache=False)
    assert tree_digest(out) == tree_digest(tmp_path / "full")
    assert "https://x.example/site/docs/" in (out / "feed.atom").read_text(encoding="utf-8")


def test_the_cache_forgets_output_folders_that_are_gone(tmp_path):
    import sqlite3
    from contextlib import closing

    data = tmp_path / "data"
    write_history(data, steps=2)
    publish_data(data, tmp_path / "a")
    publish_data(data, tmp_path / "b")
    with closing(sqlite3.connect(data / "publish-cache.db")) as db:
        assert db.execute("select count(distinct out) from pages").fetchone()[0] == 2
    shutil.rmtree(tmp_path / "a")
    publish_data(data, tmp_path / "b")
    with closing(sqlite3.connect(data / "publish-cache.db")) as db:
        outs = [o for (o,) in db.execute("select distinct out from pages")]
    assert outs == [str((tmp_path / "b").resolve())]


def test_a_publish_diffs_each_new_pair_once(tmp_path, monkeypatch):
    """Deriving a change record and rendering its change page and feed excerpt share one
    comparison (a spy counts the engine's calls from every module that makes them)."""
    from policywatch.archive import changes
    from policywatch.feeds import items, publish

    calls: list[tuple[str, str]] = []
    real = changes.compare

    def counting(old: str, new: str):
        calls.append((old, new))
        return real(old, new)

    for module in (changes, publish, items):
        monkeypatch.setattr(module, "compare", counting)
    data = tmp_path / "data"
    write_history(data)
    report = publish_data(data, tmp_path / "out", feed_size=4)
    assert report.diffs == 9 and len(calls) == 9 and len(set(calls)) == 9


def test_changes_json_takes_new_changes_from_the_file_on_disk_only_when_they_are_newest(tmp_path, monkeypatch):
    # the usual publish puts the new lines in front of the file it wrote last time; a change older
    # than the newest one already there goes among the others, and a file edited since is not
    # trusted: then every document's lines are put together again. Either way the file equals a
    # full rebuild's.
    from policywatch.feeds.aggregate import Aggregates

    answers = []
    spliced = Aggregates._spliced

    def spy(self):
        parts = spliced(self)  # the new lines, then the old file's after its "["
        answers.append(None if parts is None else b"".join(parts))
        return parts

    monkeypatch.setattr(Aggregates, "_spliced", spy)
    data = tmp_path / "data"
    write_history(data)
    out = tmp_path / "out"
    publish_data(data, out)
    assert answers == [None]  # no file before

    def rebuilt() -> bytes:
        full = tmp_path / "full"
        shutil.rmtree(full, ignore_errors=True)
        publish_data(data, full, cache=False)
        return (full / "changes.json").read_bytes()

    _add_change(data, example.FEES.id, 50, "A new fee of $3.00 applies to returns.")
    publish_data(data, out)
    assert answers[-1] is not None and answers[-1] == (out / "changes.json").read_bytes()
    assert (out / "changes.json").read_bytes() == rebuilt()

    _add_change(data, example.PROHIBITED.id, 45, "Live animals may not be listed.")  # older than the fee
    publish_data(data, out)
    assert answers[-1] is None
    assert (out / "changes.json").read_bytes() == rebuilt()
    records = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    assert records[0]["document_id"] == example.FEES.id and records[1]["document_id"] == example.PROHIBITED.id

    # edited by hand: the next change does not keep the edit
    edited = (out / "changes.json").read_text(encoding="utf-8").replace(records[-1]["summary"], "edited", 1)
    (out / "changes.json").write_text(edited, encoding="utf-8")
    _add_change(data, example.FEES.id, 60, "A new fee of $4.00 applies to returns.")
    publish_data(data, out)
    assert answers[-1] is None
    assert (out / "changes.json").read_bytes() == rebuilt()

    # edited by hand to the same size: its modification time tells
    text = (out / "changes.json").read_text(encoding="utf-8")
    summary = json.loads(text)[-1]["summary"]
    same_size = text.replace(summary, "x" * len(summary.encode()), 1)
    assert same_size != text and len(same_size.encode()) == len(text.encode())
    (out / "changes.json").write_text(same_size, encoding="utf-8")
    _add_change(data, example.FEES.id, 70, "A new fee of $5.00 applies to returns.")
    publish_data(data, out)
    assert answers[-1] is None
    assert (out / "changes.json").read_bytes() == rebuilt()


def test_a_document_is_restored_from_the_cache_until_its_records_change_in_the_index(tmp_path):
    # an unchanged document is restored from the publish cache without reading its change records;
    # a record changed in the index by any writer (here by hand, in SQL) gives the document a new
    # generation, so its pages are rendered again, as a full rebuild renders them
    import sqlite3
    from contextlib import closing

    data, out, first = _published(tmp_path)
    assert first.restored == 0
    again = publish_data(data, out)
    assert again.restored == again.documents and again.rendered == 0, again
    with closing(sqlite3.connect(data / "policywatch.db")) as db, db:
        (change_id, to_version) = db.execute(
            "select id, to_version from changes where document_id = ? and kind = 'change' order by detected_at desc",
            [example.FEES.id],
        ).fetchone()
        db.execute("update changes set summary = 'Summary edited in the index' where id = ?", [change_id])
    edited = publish_data(data, out)
    assert edited.restored == edited.documents - 1, edited
    page = out / "docs" / example.FEES.id / "changes" / f"{to_version}.html"
    assert "Summary edited in the index" in page.read_text(encoding="utf-8")
    publish_data(data, tmp_path / "full", cache=False)
    assert tree_digest(out) == tree_digest(tmp_path / "full")


def test_damaged_restore_entries_are_made_again(tmp_path):
    # what the cache keeps to restore a document is derived data: an entry that does not parse,
    # or lacks a field, is made again from the records
    import sqlite3
    from contextlib import closing

    data, out, _ = _published(tmp_path)
    reference = tree_digest(out)
    with closing(sqlite3.connect(data / "publish-cache.db")) as db, db:
        keys = [k for (k,) in db.execute("select key from blobs where key like 'state:%' order by key")]
        assert len(keys) == 4
        db.execute("update blobs set text = '{' where key = ?", [keys[0]])
        db.execute("update blobs set text = '{\"inputs\": 1}' where key = ?", [keys[1]])
        db.execute("update blobs set text = '[]' where key = ?", [keys[2]])
    report = publish_data(data, out)
    assert report.restored == 1 and report.rendered == 0, report
    assert tree_digest(out) == reference
    assert publish_data(data, out).restored == 4
