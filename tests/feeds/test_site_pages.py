"""What the published pages and data files tell a reader and an integration: changes.json with the
document's title, service and absolute page URL; OPML with typed, absolute feed URLs; substantive
feeds per document, service and tag; lists paged so every change is reachable; readable times;
earlier and later changes; tracking as it really is (imported, never crawled, last checked);
each document's language; the stored raw page beside the live one."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree
from support.published import SERVICE, START, infos, publish_data, write_history

from policywatch import example
from policywatch.archive.errors import SourcesError
from policywatch.archive.index import Index
from policywatch.archive.sources import load_sources
from policywatch.archive.store import Store
from policywatch.feeds.items import DocInfo

BASE = "https://someone.github.io/watch/"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    write_history(data)
    out = tmp_path_factory.mktemp("site") / "out"
    publish_data(data, out, base_url=BASE, feed_size=3)
    return out


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def test_changes_json_names_the_document_and_links_absolutely(site):
    records = json.loads((site / "changes.json").read_text(encoding="utf-8"))
    contract = {"id", "document_id", "detected_at", "from_version", "to_version", "kind", "significance"}
    contract |= {"summary", "stats", "facts", "url", "reverts_to", "source"}
    for r in records:
        assert contract <= set(r), r
        assert r["title"] == infos()[r["document_id"]].title and r["service"] == SERVICE
        assert r["url"] == f"{BASE}docs/{r['document_id']}/changes/{r['to_version']}.html"


def test_opml_types_each_feed_and_links_absolutely(site):
    outlines = list(etree.parse(str(site / "feeds.opml")).getroot().iter("outline"))
    by_url = {o.get("xmlUrl"): o.get("type") for o in outlines}
    assert by_url[f"{BASE}feed.atom"] == "atom" and by_url[f"{BASE}feed.rss"] == "rss"
    for folder in (f"docs/{example.FEES.id}", "services/example-marketplace", "tags/fees"):
        assert by_url[f"{BASE}{folder}/substantive.atom"] == "atom"
        assert f"{BASE}{folder}/substantive.rss" not in by_url  # Atom only
    assert all(u.startswith(BASE) for u in by_url)
    assert (site / "feeds.opml").read_bytes().startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def test_substantive_feeds_hold_only_substantive_changes(site):
    records = {r["id"]: r for r in json.loads((site / "changes.json").read_text(encoding="utf-8"))}
    for path in ("docs/example-fee-schedule/substantive.atom", "services/example-marketplace/substantive.atom"):
        entries = feedparser.parse((site / path).read_bytes()).entries
        assert entries, path
        for e in entries:
            assert records[e.id.removeprefix("tag:policywatch,2026:")]["significance"] == "substantive"
    ids = {e.id for e in feedparser.parse((site / "docs/example-fee-schedule/feed.atom").read_bytes()).entries}
    subst = {e.id for e in feedparser.parse((site / "docs/example-fee-schedule/substantive.atom").read_bytes()).entries}
    assert subst < ids  # the whitespace-only change is in one, not the other


def test_service_pages_by_significance(site):
    root = page(site / "services/example-marketplace/substantive.html")
    assert "substantive changes" in root.xpath("//h1")[0].text_content()
    listed = root.xpath("//ol[@class='changes']//p[@class='when']")
    assert listed and all("substantive" in p.text_content() for p in listed)


def test_the_home_page_filters_by_each_dimension_once(site):
    labels = [
        s.text_content() for s in page(site / "index.html").xpath("//nav[@class='filters']//span[@class='label']")
    ]
    assert labels == ["Significance:", "Service:", "Topic:", "Tag:"]


def test_change_pages_link_earlier_and_later_changes_and_read_times(site):
    folder = site / "docs" / example.FEES.id / "changes"
    pages = sorted(folder.glob("*.html"))
    first, middle, last = page(pages[0]), page(pages[1]), page(pages[-1])
    assert not first.xpath("//a[@rel='prev']") and first.xpath("//a[@rel='next']")
    assert middle.xpath("//a[@rel='prev']") and middle.xpath("//a[@rel='next']")
    assert last.xpath("//a[@rel='prev']") and not last.xpath("//a[@rel='next']")
    assert middle.xpath("//a[@rel='next']")[0].get("href") == pages[2].name
    text = middle.xpath("//main")[0].text_content()
    assert "6 Jan 2026, 09:00 UTC" in text
    assert not re.search(r"\d{8}T\d{6}Z|\d{4}-\d\d-\d\dT\d\d:\d\d", text), "a raw time in the text"
    compare = middle.xpath("//a[contains(@href, 'compare.html?a=')]")
    assert compare and (site / "docs" / example.FEES.id / "compare.html").is_file()


def test_every_list_is_paged_so_every_change_is_reachable(tmp_path):
    data = tmp_path / "data"
    store = Store(data)
    text = "# Terms\n\nPay within 1 days.\n"
    for k in range(120):
        store.add("terms", text, fetched_at=START + timedelta(days=k), url="u", extractor="t")
        text = text.replace(f"within {k + 1} days", f"within {k + 2} days")
    out = tmp_path / "out"
    publish_data(data, out, documents={})
    records = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    assert len(records) == 120
    reached: set[str] = set()
    todo, seen = ["index.html"], set()
    while todo:  # follow the pager links from the home page
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        root = page(out / current)
        reached |= {a.get("href") for a in root.xpath("//ol[@class='changes']//a[@class='summary']")}
        todo += [a.get("href") for a in root.xpath("//nav[@class='pager']//a")]
    assert seen == {"index.html", "index-1.html", "index-2.html"}
    assert reached == {f"docs/terms/changes/{r['to_version']}.html" for r in records}


def test_tracking_says_what_really_happened(tmp_path):
    data = tmp_path / "data"
    store = Store(data)
    store.add("imported", "# A\n\nOne.\n", fetched_at=START, url="u", extractor="t", source="import")
    store.add("crawled", "# B\n\nTwo.\n", fetched_at=START, url="u", extractor="t")
    out = tmp_path / "out"
    publish_data(data, out, documents={})
    status = page(out / "status.html").xpath("//main")[0].text_content()
    assert "1 document fetched fine on their last check" in status
    assert "1 never crawled (their history was imported)" in status
    doc = page(out / "docs/imported/index.html").xpath("//p[@class='tracking']")[0].text_content()
    assert doc == "Never crawled: its history was imported."
    # a crawl's fetch log says when the document was last checked, and what it gave
    with Index(store) as index:
        index.log_fetch([{"document_id": "imported", "at": "2026-02-01T10:30:00Z", "outcome": "unchanged"}])
    publish_data(data, out, documents={})
    doc = page(out / "docs/imported/index.html").xpath("//p[@class='tracking']")[0].text_content()
    assert doc == "Last checked 1 Feb 2026, 10:30 UTC: no change."
    assert "Last check: 1 Feb 2026, 10:30 UTC." in page(out / "status.html").text_content()


def test_each_document_has_its_language(tmp_path):
    data = tmp_path / "data"
    store = Store(data)
    french = (
        "# Conditions\n\nLes vendeurs doivent répondre dans les 24 heures et ne pas vendre des articles interdits.\n"
    )
    for k, days in enumerate((24, 48)):
        store.add(
            "fr-terms", french.replace("24", str(days)), fetched_at=START + timedelta(days=k), url="u", extractor="t"
        )
        store.add(
            "declared", french.replace("24", str(days)), fetched_at=START + timedelta(days=k), url="u", extractor="t"
        )
    out = tmp_path / "out"
    documents = {"declared": DocInfo("declared", "Declared", "S", "https://s.example/", (), "fr-CA")}
    publish_data(data, out, documents=documents)
    for doc, lang in (("fr-terms", "fr"), ("declared", "fr-CA")):
        change = sorted((out / "docs" / doc / "changes").glob("*.html"))[-1]
        assert page(change).xpath("//div[@id='edits-body']")[0].get("lang") == lang
        versions = sorted((out / "docs" / doc / "versions").glob("*.html"))
        assert page(versions[-1]).xpath("//article[@class='policy']")[0].get("lang") == lang


def test_the_sources_key_lang_is_checked(tmp_path):
    sources = tmp_path / "s.yml"
    good = "service: S\ndocuments:\n  - id: a\n    title: A\n    url: https://a.example/\n    lang: pt-BR\n"
    sources.write_text(good, encoding="utf-8")
    assert load_sources(sources)[0].lang == "pt-BR"
    sources.write_text(good.replace("pt-BR", "Portuguese"), encoding="utf-8")
    with pytest.raises(SourcesError) as e:
        load_sources(sources)
    assert "lang" in str(e.value) and "Portuguese" in str(e.value)


@pytest.mark.parametrize("raw_url", ["", "https://github.com/you/tracker/blob/HEAD/data/snapshots/"])
def test_the_stored_raw_page_is_linked_beside_the_live_page(tmp_path, raw_url):
    data = tmp_path / "data"
    store = Store(data)
    html = b"<html><body><main>Pay within 10 days. <script>alert(1)</script></main></body></html>"
    v = store.add(
        "terms", "# T\n\nPay within 10 days.\n", fetched_at=START, url="https://t.example/", extractor="t", raw=html
    )
    out = tmp_path / "out"
    from policywatch.archive.health import load_health
    from policywatch.feeds.publish import publish

    with Index(store) as index:
        index.refresh()
        publish(index, {}, load_health(data), out, raw_url=raw_url)
    root = page(out / "docs/terms/versions" / f"{v.id}.html")
    links = {a.text_content(): a.get("href") for a in root.xpath("//dl[@class='meta']//a")}
    assert links["the live page"] == "https://t.example/"
    if raw_url:
        assert links["the stored copy"] == f"{raw_url}terms/{v.id}.html"
        assert not (out / "docs/terms/raw").exists()
    else:
        assert links["the stored copy"] == f"../raw/{v.id}.html.txt"
        assert (out / "docs/terms/raw" / f"{v.id}.html.txt").read_bytes() == html  # as text, never rendered


def test_each_topic_has_a_page_and_a_feed_of_its_substantive_changes(site):
    records = [r for r in json.loads((site / "changes.json").read_text(encoding="utf-8")) if r["kind"] != "technical"]
    topics = {t for r in records for t in r["topics"]}
    assert "fees-payments" in topics and "account-health" in topics
    for topic in topics:
        # changes of wording only: a first version is no change to a workflow, a flip-flop is unstable
        want = {
            r["id"]
            for r in records
            if topic in r["topics"]
            and r["significance"] == "substantive"
            and r["kind"] in ("change", "revert")
            and not r["flip_flop"]
        }
        feed = feedparser.parse((site / "topics" / topic / "feed.atom").read_bytes())
        got = {e.id.removeprefix("tag:policywatch,2026:") for e in feed.entries}
        assert got <= want and (got or not want), topic  # the newest --feed-size of them
        assert (site / "topics" / topic / "index.html").is_file()
    home = page(site / "index.html")
    assert home.xpath("//nav[@class='filters']//a[contains(@href, 'topics/fees-payments/')]")


@pytest.mark.parametrize(
    ("levels", "shown"),
    [
        ([1, 2, 2, 3], [2, 3, 3, 4]),  # below the page's own <h1>
        ([2, 4, 4, 2], [2, 3, 3, 2]),  # a policy that skips a level keeps no gap in the outline
        ([3, 1, 2], [2, 2, 3]),
        ([1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 6]),
    ],
)
def test_policy_headings_keep_the_page_outline(levels, shown):
    from policywatch.feeds.site import outline

    assert outline(levels) == shown


def _unpacked(pack: dict, version: dict) -> str:
    return "".join(pack["pieces"][n] for first, count in version["runs"] for n in range(first, first + count))


def test_a_texts_pack_gives_every_version_back_and_shares_unchanged_sentences():
    from policywatch.archive.changes import ChangeRecord
    from policywatch.archive.store import Version
    from policywatch.feeds.publish import texts_pack

    long = "A first sentence. A second one: with a colon; and more! Really? " * 40
    tail = "- an item\n- another\n\n| a | b |\n|---|---|\n"
    texts = {
        "v1": f"# Terms\n\n{long}\n\n{tail}| 1 | 2 |",
        "v2": f"# Terms\n\n{long.replace('second', 'third', 1)}\n\n{tail}| 1 | 3 |\n",
        "v3": "no newline at the end. and no space after the last stop.",
        "v4": "\n\n\ntrailing\n\n\n",
    }
    versions = [Version("d", vid, START, "h", "u", "t") for vid in texts]
    records = {v: ChangeRecord("d", v, None, "first", "2026-01-01T00:00:00Z", "substantive", "", {}, []) for v in texts}
    pack = json.loads(texts_pack("d", versions, records, texts.__getitem__))
    for version in pack["versions"]:
        assert _unpacked(pack, version) == texts[version["id"]]
    # the long paragraph's 160 sentences are kept once, with the one edited sentence beside them
    assert len(pack["pieces"]) < 30


def test_the_published_texts_packs_give_every_version_back(tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    write_history(data)
    publish_data(data, site)
    store = Store(data)
    for doc in example.PAGES:
        pack = json.loads((site / "docs" / doc.id / "texts.json").read_text(encoding="utf-8"))
        by_id = {v.id: v for v in store.versions(doc.id)}
        assert {v["id"] for v in pack["versions"]} == set(by_id)
        for version in pack["versions"]:
            assert _unpacked(pack, version) == store.read(by_id[version["id"]])
