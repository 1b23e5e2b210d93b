"""Feeds: every feed document parses (feedparser without bozo, lxml), ids are stable across
rebuilds, archive pages chain back to the first entry and never change once full, entries carry
what a subscriber needs, technical records stay out, feeds.opml lists every feed."""

from __future__ import annotations

import json
import posixpath
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from support.helpers import tree_digest
from support.published import START, all_published, feed_entries, publish_data, write_history

from policywatch import example
from policywatch.archive.store import Store

ATOM = "{http://www.w3.org/2005/Atom}"
FH_ARCHIVE = "{http://purl.org/syndication/history/1.0}archive"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    write_history(data)
    out = tmp_path_factory.mktemp("site") / "out"
    publish_data(data, out, feed_size=3)
    return out


def feed_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.suffix in (".atom", ".rss"))


def test_every_feed_document_parses(site):
    files = feed_files(site)
    assert len(files) > 20  # global, substantive, health, service, tags, documents and archives
    for path in files:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        root = etree.fromstring(path.read_bytes())  # lxml: well-formed XML, no recovery
        assert root.tag in (f"{ATOM}feed", "rss"), path


def _chain(site: Path, start: str) -> tuple[list[str], list[str]]:
    """Follow prev-archive links from a subscription document: (entry ids in order, pages)."""
    ids: list[str] = []
    pages = []
    current = start
    while current:
        pages.append(current)
        root = etree.parse(str(site / current)).getroot()
        if current != start:
            assert root.find(FH_ARCHIVE) is not None, f"{current} is not marked <fh:archive/>"
            links = {el.get("rel"): el.get("href") for el in root.iter(f"{ATOM}link")}
            assert posixpath.normpath(posixpath.join(posixpath.dirname(current), links["current"])) == start
        else:
            assert root.find(FH_ARCHIVE) is None
        ids.extend(e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry"))
        prev = [el.get("href") for el in root.iter(f"{ATOM}link") if el.get("rel") == "prev-archive"]
        current = posixpath.normpath(posixpath.join(posixpath.dirname(current), prev[0])) if prev else ""
    return ids, pages


def test_archives_chain_back_to_the_first_entry(site):
    published = all_published(site / "changes.json")
    assert len(published) == 12
    # the prohibited-items section removed and restored three days later is one flip-flop entry
    entries = feed_entries(published)
    assert len(entries) == 11
    ids, pages = _chain(site, "feed.atom")
    expected = {f"tag:policywatch,2026:{i}" for i in entries}
    assert set(ids) == expected, "following prev-archive does not reach every entry"
    assert pages == [
        "feed.atom",
        "archive/feed-3.atom",
        "archive/feed-2.atom",
        "archive/feed-1.atom",
    ]
    oldest = min(published, key=lambda r: (r["detected_at"], r["id"]))
    assert ids[-1] == f"tag:policywatch,2026:{oldest['id']}"
    current = feedparser.parse((site / "feed.atom").read_bytes())
    assert len(current.entries) == 3  # the newest --feed-size entries
    dates = [e.updated for e in current.entries]
    assert dates == sorted(dates, reverse=True)
    # the RSS twins chain the same way
    rss = etree.parse(str(site / "feed.rss")).getroot()
    prev = [el.get("href") for el in rss.iter(f"{ATOM}link") if el.get("rel") == "prev-archive"]
    assert prev == ["archive/feed-3.rss"] and (site / "archive/feed-3.rss").is_file()


def test_entries_carry_title_content_link_and_categories(site):
    parsed = feedparser.parse((site / "docs" / example.HEALTH.id / "feed.atom").read_bytes())
    change = next(e for e in parsed.entries if "48 hours" in e.title)
    # a document's own feed names the change alone; the others name the document first
    assert change.title == "Respond to buyer messages within 24 hours → 48 hours (longer)"
    titles = {
        e.title
        for p in [site / "feed.atom", *site.glob("archive/feed-*.atom")]
        for e in feedparser.parse(p.read_bytes()).entries
    }
    assert f"{example.HEALTH.title}: {change.title}" in titles
    html = change.content[0].value
    assert "24 hours" in html and "48 hours" in html
    assert 'style="background:' in html and "<del" in html and "<ins" in html  # inline-styled excerpt
    # marked in words too, for readers that drop styles
    assert "[removed: 24]" in html and "[added: 48]" in html
    terms = {(t.scheme.rsplit(":", 1)[-1], t.term) for t in change.tags}
    # the service, the document's tag, the significance, and the topic of its changed words
    want = {("service", "Example Marketplace"), ("tag", "account-health"), ("significance", "substantive")}
    assert terms == {*want, ("topic", "account-health")}
    # the link is relative to the feed and reaches the change page
    target = posixpath.normpath(posixpath.join(f"docs/{example.HEALTH.id}", change.link))
    assert (site / target).is_file() and "/changes/" in target
    assert change.id.startswith("tag:policywatch,2026:example-account-health/")
    assert change.updated.startswith("2026-01-06T09:00:00")


def test_technical_records_stay_out_of_feeds(site):
    records = json.loads((site / "changes.json").read_text(encoding="utf-8"))
    technical = [r for r in records if r["kind"] == "technical"]
    assert len(technical) == 1
    tid = f"tag:policywatch,2026:{technical[0]['id']}"
    for path in feed_files(site):
        assert tid.encode() not in path.read_bytes(), path


def test_slices_hold_the_right_entries(site):
    def ids(path: str) -> set[str]:
        found, _ = _chain(site, path)
        return {i.removeprefix("tag:policywatch,2026:") for i in found}

    everything, _ = _chain(site, "feed.atom")
    newest_first = list(dict.fromkeys(i.removeprefix("tag:policywatch,2026:") for i in everything))

    def newest(path: str, expected: set[str]) -> set[str]:
        """A service's, tag's or topic's feed: the newest entries (feed_size 3) of `expected`,
        with no archive pages behind it (its page lists every change)."""
        found, pages = _chain(site, path)
        assert pages == [path], pages
        assert len(expected) >= 3, "the slice should fill a feed document"
        assert [i.removeprefix("tag:policywatch,2026:") for i in found] == [i for i in newest_first if i in expected][
            :3
        ]
        return expected

    published = all_published(site / "changes.json")
    # substantive changes of wording: no first version, no flip-flop
    substantive = {
        r["id"] for r in published if r["significance"] == "substantive" and r["kind"] != "first" and not r["flip_flop"]
    }
    assert ids("substantive.atom") == substantive and len(substantive) == 3
    newest("services/example-marketplace/feed.atom", set(feed_entries(published)))
    fees = [r for r in published if r["document_id"] == example.FEES.id]
    newest("tags/fees/feed.atom", set(feed_entries(fees)))
    # a topic's feed holds the substantive changes that touch it (a first version is no change
    # to a workflow; a flip-flop is unstable)
    touching = [r["id"] for r in published if "fees-payments" in r["topics"] and r["id"] in substantive]
    assert ids("topics/fees-payments/feed.atom") == set(touching) and touching
    health = feedparser.parse((site / "health.atom").read_bytes())
    assert [e.title for e in health.entries] == [
        f"{example.HEALTH.title}: tracking is broken: http_status (HTTP 503)",
        f"{example.AGREEMENT.title}: tracking resumed (after 3 failed crawls)",
        f"{example.AGREEMENT.title}: tracking is broken: bot_wall (captcha page)",
    ]
    assert all(e.link.endswith("status.html") for e in health.entries)


def test_opml_lists_every_feed(site):
    root = etree.parse(str(site / "feeds.opml")).getroot()
    listed = {o.get("xmlUrl") for o in root.iter("outline")}
    subscriptions = {p.relative_to(site).as_posix() for p in feed_files(site) if "archive" not in p.parts}
    assert listed == subscriptions
    assert "health.atom" in listed and "substantive.rss" in listed and "tags/conduct/feed.atom" in listed
    assert "topics/returns-refunds/feed.atom" in listed and "topics/other/feed.atom" in listed


def test_the_subscribe_page_says_how_much_each_feed_keeps(site):
    text = " ".join(etree.parse(str(site / "subscribe.html"), etree.HTMLParser()).getroot().itertext())
    assert "Each feed holds its newest 3 changes" in text  # publish_data(feed_size=3)
    assert "archive pages with every earlier change" in text and "the other feeds keep the newest only" in text
    # and so they do: the site-wide and document feeds have archive pages, the others none
    archives = {p.parent.parent.relative_to(site).as_posix() for p in site.rglob("archive/*.atom")}
    assert "." in archives and any(a.startswith("docs/") for a in archives)
    assert not any(a.startswith(("services/", "tags/", "topics/")) for a in archives)


def test_ids_are_stable_and_rebuilds_byte_identical(tmp_path):
    data = tmp_path / "data"
    write_history(data)
    publish_data(data, tmp_path / "a", cache=False)
    publish_data(data, tmp_path / "b", cache=False)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    before = {e.id for e in feedparser.parse((tmp_path / "a" / "feed.atom").read_bytes()).entries}
    # a new change elsewhere does not change the ids of the entries already published
    store = Store(data)
    latest = store.latest(example.PROHIBITED.id)
    store.add(
        example.PROHIBITED.id,
        latest[1] + "\nA new paragraph about drones.\n",
        fetched_at=START + timedelta(days=30),
        url="u",
        extractor="test",
    )
    publish_data(data, tmp_path / "a", cache=False)
    after = {e.id for e in feedparser.parse((tmp_path / "a" / "feed.atom").read_bytes()).entries}
    assert before < after and len(after - before) == 1


def test_full_archive_pages_never_change(tmp_path):
    data = tmp_path / "data"
    write_history(data, steps=3)  # 7 published records: 2 full pages of 3, 1 entry left over
    out = tmp_path / "out"
    publish_data(data, out, feed_size=3)
    archives = {k: v for k, v in tree_digest(out / "archive").items() if k.startswith("feed-")}
    assert sorted(archives) == ["feed-1.atom", "feed-1.rss", "feed-2.atom", "feed-2.rss"]
    store = Store(data)
    for k in range(2):  # two more changes: page 3 fills, pages 1-2 stay byte for byte
        latest = store.latest(example.HEALTH.id)
        store.add(
            example.HEALTH.id,
            latest[1] + f"\nNew rule {k}.\n",
            fetched_at=START + timedelta(days=20 + k),
            url="u",
            extractor="test",
        )
        publish_data(data, out, feed_size=3)
    now = tree_digest(out / "archive")
    assert {k: now[k] for k in archives} == archives
    assert "feed-3.atom" in now


def test_xml_illegal_characters_are_stripped(tmp_path):
    data = tmp_path / "data"
    store = Store(data)
    store.add("ctrl", "# Terms\n\nPay within 10 days.\n", fetched_at=START, url="u", extractor="t")
    store.add(
        "ctrl",
        "# Terms\x0b\n\nPay within 20\x01 days.\x1f\ufffe\n",
        fetched_at=START + timedelta(days=1),
        url="u",
        extractor="t",
    )
    out = tmp_path / "out"
    publish_data(data, out, documents={})
    for path in feed_files(out):
        data_bytes = path.read_bytes()
        assert not feedparser.parse(data_bytes).bozo, path
        etree.fromstring(data_bytes)
        assert b"\x01" not in data_bytes and b"\x1f" not in data_bytes
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "\x01" not in text and "\x0b" not in text, page


def test_badges_say_first_version_technical_and_unstable(site):
    import lxml.html

    def badges(doc_id: str) -> list[list[str]]:
        page = lxml.html.parse(str(site / "docs" / doc_id / "index.html")).getroot()
        return [[b.text_content() for b in li.xpath(".//span[contains(@class, 'badge')]")] for li in page.xpath("//li")]

    fees = badges(example.FEES.id)
    assert fees[-1] == ["first version recorded"]  # the oldest row
    assert ["technical"] in fees  # a re-extraction never reads "substantive + technical"
    assert not [b for b in fees if "technical" in b and len(b) > 1]
    # the section removed and restored within the window: one "unstable" row
    assert [b for b in badges(example.PROHIBITED.id) if b[0] == "unstable"] == [["unstable"]]
    entry = next(
        e
        for e in feedparser.parse((site / "docs" / example.PROHIBITED.id / "feed.atom").read_bytes()).entries
        if "Unstable" in e.title
    )
    assert entry.title.startswith("Unstable: 2 changes back and forth (")  # a document's feed: no title
    assert "what flips: " in entry.title and ("status", "unstable") in {
        (t.scheme.rsplit(":", 1)[-1], t.term) for t in entry.tags
    }
