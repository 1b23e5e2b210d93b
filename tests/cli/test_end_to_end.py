"""The whole pipeline through the command line: a real local HTTP server, real Scrapy crawls in
subprocesses, real files and SQLite, then publish."""

from __future__ import annotations

import json
import socket

import feedparser
import pytest
from support.helpers import PageServer, next_second, policy_page, policy_text, tree_digest, write_sources

pytestmark = pytest.mark.slow

CONTRACT = (
    "id",
    "document_id",
    "detected_at",
    "from_version",
    "to_version",
    "kind",
    "significance",
    "summary",
    "stats",
    "facts",
    "url",
)
NOT_THE_RECORD = ("policywatch.db", ".lock")  # the derived index and the lock file (data/.gitignore)


def test_crawl_change_unchanged_publish(server, cli, tmp_path):
    data = tmp_path / "data"
    server.set("/terms", lambda n: policy_page(policy_text("You must reply to buyers within 24 hours."), n))
    write_sources(
        data / "sources" / "market.yml",
        [
            {
                "id": "market-terms",
                "title": "Market Terms",
                "url": server.url("/terms"),
                "select": "#policy",
                "tags": ["agreement"],
            }
        ],
    )

    first = cli("crawl", "--delay", "0", check=True)
    assert "new version  market-terms" in first.stderr
    next_second()
    server.set("/terms", lambda n: policy_page(policy_text("You must reply to buyers within 48 hours."), n))
    second = cli("crawl", "--delay", "0", check=True)
    assert "new version  market-terms" in second.stderr
    record = tree_digest(data, NOT_THE_RECORD)
    next_second()
    third = cli("crawl", "--delay", "0", check=True)  # same text, fresh page noise
    assert "unchanged    market-terms" in third.stderr
    assert tree_digest(data, NOT_THE_RECORD) == record, "an unchanged crawl modified the data folder"
    assert len(list((data / "versions" / "market-terms").glob("*.md"))) == 2
    assert len(list((data / "snapshots" / "market-terms").glob("*.html"))) == 2

    cli("publish", "--out", str(tmp_path / "site"), check=True)
    cli("publish", "--out", str(tmp_path / "site2"), check=True)
    assert tree_digest(tmp_path / "site") == tree_digest(tmp_path / "site2"), "publish is not reproducible"

    changes = json.loads((tmp_path / "site" / "changes.json").read_text(encoding="utf-8"))
    assert [c["kind"] for c in changes] == ["change", "first"]
    for c in changes:
        assert all(k in c for k in CONTRACT), c
        assert c["significance"] in ("cosmetic", "minor", "substantive")
        assert c["detected_at"].endswith("Z") and len(c["detected_at"]) == 20
        assert (tmp_path / "site" / c["url"]).is_file()
    change = changes[0]
    assert change["from_version"] == changes[1]["to_version"] and change["significance"] == "substantive"
    # (a duration after "within" is a deadline, as a seller names it)
    assert {"kind": "deadline", "before": "24 hours", "after": "48 hours"}.items() <= change["facts"][0].items()
    assert "24 hours → 48 hours" in change["summary"]

    for feed in ("feed.atom", "feed.rss", "docs/market-terms/feed.atom", "docs/market-terms/feed.rss"):
        parsed = feedparser.parse((tmp_path / "site" / feed).read_bytes())
        assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
        assert len(parsed.entries) == 2
        # the site's feeds name the document first; a document's own feed names the change alone
        own = feed.startswith("docs/")
        assert parsed.entries[0].title.startswith("Market Terms: ") is not own, feed
        assert parsed.entries[0].title.endswith("24 hours → 48 hours (longer)")
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'rel="alternate" type="application/atom+xml"' in home and "<script" not in home


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_failed_fetches_record_nothing_false(server, cli, tmp_path):
    data = tmp_path / "data"
    other = PageServer()
    good = policy_text("Fees are due within 30 days.")
    for path in ("/error", "/empty"):
        server.set(path, policy_page(good))
    other.set("/gone", policy_page(good))
    write_sources(
        data / "sources" / "market.yml",
        [
            {"id": "error-page", "title": "E", "url": server.url("/error"), "select": "#policy"},
            {"id": "empty-page", "title": "M", "url": server.url("/empty"), "select": "#policy"},
            {"id": "gone-page", "title": "G", "url": other.url("/gone"), "select": "#policy"},
        ],
    )
    cli("crawl", "--delay", "0", check=True)
    versions = tree_digest(data / "versions")
    assert len(versions) == 3

    server.set("/error", "<h1>Internal error</h1>", status=500)
    server.set("/empty", "")
    other.close()
    next_second()
    r = cli("crawl", "--delay", "0", "--backoff", "0.1")
    assert r.returncode == 0, r.stderr  # page failures are recorded, not fatal
    assert "failed       error-page  http_status: HTTP 500" in r.stderr
    assert "failed       empty-page  empty" in r.stderr
    assert "failed       gone-page  connection" in r.stderr
    assert "3 failed" in r.stderr and "Traceback" not in r.stderr
    assert tree_digest(data / "versions") == versions, "a failed fetch became a version"
    health = json.loads((data / "health.json").read_text(encoding="utf-8"))["documents"]
    assert {d: h["last_reason"] for d, h in health.items()} == {
        "error-page": "http_status",
        "empty-page": "empty",
        "gone-page": "connection",
    }
    assert server.hits["/error"] == 1 + 3  # the first crawl, then the 500 tried three times

    status = cli("status", check=True).stdout
    assert "error-page" in status and "failing" in status


def test_unreachable_first_crawl_exits_0_with_nothing_recorded(cli, tmp_path):
    data = tmp_path / "data"
    write_sources(
        data / "sources" / "x.yml", [{"id": "nowhere", "title": "N", "url": f"http://127.0.0.1:{_closed_port()}/p"}]
    )
    r = cli("crawl", "--delay", "0", "--backoff", "0.1")
    assert r.returncode == 0 and "failed       nowhere  connection" in r.stderr
    assert not (data / "versions").exists()
