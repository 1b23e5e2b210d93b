"""A crawl after the extraction rules changed: the raw page behind the latest version, extracted
again with today's rules, equals the new text, so the version is recorded as `technical` (kept
out of the feeds) instead of being announced as a change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from support.helpers import PageServer, write_sources
from support.pages import page, policy_body

from policywatch.archive.index import Index
from policywatch.archive.store import Store
from policywatch.crawler.extract import EXTRACTOR_VERSION, extract

pytestmark = pytest.mark.slow


def test_rule_change_is_technical(server: PageServer, cli, tmp_path):
    data = tmp_path / "data"
    html = page(policy_body(extra="<p>Contact us <a href='/help/contact'><img src='/i.png' alt=''></a></p>"))
    server.set("/terms", html)
    write_sources(
        data / "sources" / "s.yml", [{"id": "terms", "title": "T", "url": server.url("/terms"), "select": "#policy"}]
    )
    # what an older extractor recorded: the same page without the empty link's target
    today = extract(html, server.url("/terms"), ("#policy",)).markdown
    assert "[](http" in today
    older = today.replace(f"[]({server.url('/help/contact')})", "")
    Store(data).add(
        "terms",
        older,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        url=server.url("/terms"),
        extractor="policywatch-md/1",
        raw=html.encode(),
    )
    r = cli("crawl", "--delay", "0", check=True)
    assert "new version  terms" in r.stderr and "(technical: re-extracted under new extraction rules)" in r.stderr
    store = Store(data)
    versions = store.versions("terms")
    assert [v.technical for v in versions] == [False, True] and versions[1].extractor == EXTRACTOR_VERSION
    with Index(store) as index:
        index.refresh()  # a crawl indexes versions only; their change records are derived here (or by publish)
        kinds = [c.kind for c in index.changes("terms", newest_first=False)]
    assert kinds == ["first", "technical"]
    assert "unchanged    terms" in cli("crawl", "--delay", "0", check=True).stderr
