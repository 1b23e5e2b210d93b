"""Imported history merges with crawled versions: a real crawl first, then an archive older than
it, then another crawl. Time order, kinds, sources on the version pages and feeds all agree."""

from __future__ import annotations

import json

import feedparser
import pytest
from support.helpers import next_second, policy_page, policy_text, write_sources

from policywatch.archive.changes import chain
from policywatch.archive.store import Store, Version
from policywatch.crawler.extract import extract

pytestmark = pytest.mark.slow


def test_archive_older_than_the_crawl(server, cli, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    server.set("/terms", lambda n: policy_page(policy_text("You must reply to buyers within 72 hours."), n))
    write_sources(
        data / "sources" / "market.yml",
        [{"id": "market-terms", "title": "Market Terms", "url": server.url("/terms"), "select": "#policy"}],
    )
    cli("crawl", "--delay", "0", check=True)  # today's text, first seen today

    archive = tmp_path / "archive"
    (archive / "technical").mkdir(parents=True)
    (archive / "2023-01-01T08:00:00Z.md").write_text(
        "# Seller Policy\n\nYou must reply to buyers within 24 hours.\n", encoding="utf-8"
    )
    page = policy_page(policy_text("You must reply to buyers within 48 hours."), 1)
    (archive / "2024-01-01T08:00:00Z.html").write_text(page, encoding="utf-8")
    # a re-extraction of the 2024 page after the extraction rules changed (here: a heading's case)
    refiltered = extract(page, server.url("/terms"), ("#policy",)).markdown.replace(
        "# Seller Policy", "# Seller policy"
    )
    (archive / "technical" / "2024-06-01T08:00:00Z.md").write_text(refiltered, encoding="utf-8")
    # the archive already held today's text in 2025: the change happened then, not at the crawl
    page = policy_page(policy_text("You must reply to buyers within 72 hours."), 2)
    (archive / "2025-01-01T08:00:00Z.html").write_text(page, encoding="utf-8")
    r = cli("import", "dir", str(archive), "--doc", "market-terms", check=True)
    assert "imported 4 version(s)" in r.stderr

    store = Store(data)
    versions = store.versions("market-terms")
    assert [v.source for v in versions] == ["import", "import", "import", "import", "crawl"]
    assert [v.id[:8] for v in versions[:4]] == ["20230101", "20240101", "20240601", "20250101"]
    assert store.read(versions[3]) == store.read(versions[4])
    assert [link.kind for link in chain(versions)] == ["first", "change", "technical", "change", "technical"]

    cli("publish", "--out", str(site), check=True)
    changes = json.loads((site / "changes.json").read_text(encoding="utf-8"))
    assert [(c["kind"], c["source"]) for c in reversed(changes)] == [
        ("first", "import"),
        ("change", "import"),
        ("technical", "import"),
        ("change", "import"),
        ("technical", "crawl"),
    ]
    assert changes[1]["detected_at"] == "2025-01-01T08:00:00Z" and "48 hours → 72 hours" in changes[1]["summary"]
    feed = feedparser.parse((site / "docs" / "market-terms" / "feed.atom").read_bytes())
    assert len(feed.entries) == 3
    for v in versions:
        page_html = (site / "docs" / "market-terms" / "versions" / f"{v.id}.html").read_text(encoding="utf-8")
        assert f"</time> ({v.source}" in page_html  # "Fetched <time> (import)", "(crawl)"

    next_second()
    server.set("/terms", lambda n: policy_page(policy_text("You must reply to buyers within 96 hours."), n))
    cli("crawl", "--delay", "0", check=True)
    cli("publish", "--out", str(site), check=True)
    changes = json.loads((site / "changes.json").read_text(encoding="utf-8"))
    latest = changes[0]
    assert (latest["kind"], latest["source"], latest["from_version"]) == ("change", "crawl", versions[4].id)
    assert "72 hours → 96 hours" in latest["summary"]
    assert len(feedparser.parse((site / "feed.atom").read_bytes()).entries) == 4


def test_chain_rules_for_imported_history():
    """Kinds are decided against published texts: a re-extraction dated before the first version
    does not start the history, and what it holds is never 'reverted' to."""

    def v(vid: str, sha: str, technical: bool = False) -> Version:
        from datetime import UTC, datetime

        return Version("d", vid, datetime(2024, 1, int(vid), tzinfo=UTC), sha, "", "", "import", technical)

    versions = [v("1", "t", True), v("2", "a"), v("3", "t"), v("4", "b", True), v("5", "t"), v("6", "a")]
    links = chain(versions)
    assert [(link.kind, link.previous.id if link.previous else None) for link in links] == [
        ("technical", None),
        ("first", None),
        ("change", "2"),  # "t" was only ever a re-extraction's text: a change, not a revert
        ("technical", "3"),
        ("technical", "4"),  # back to the last published text after a re-extraction: not a change
        ("revert", "5"),
    ]
    assert links[5].reverts_to == "2"
