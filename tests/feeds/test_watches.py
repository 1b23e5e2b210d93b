"""Keyword watches in the published site: a feed and a page per watch, listing exactly the changes
that added or removed matching text, byte-identical when published again, listed in feeds.opml;
and `publish` with a broken notify.yml still publishes the rest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
import yaml
from support.helpers import tree_digest
from support.published import infos, write_history

from policywatch import example
from policywatch.archive.health import load_health
from policywatch.archive.index import Index
from policywatch.archive.notify_config import load_notify
from policywatch.archive.store import Store
from policywatch.feeds.publish import publish

WATCHES = {
    "watches": [
        {"name": "lithium", "title": "Lithium batteries", "keywords": ["lithium"]},
        {"name": "deadlines", "patterns": [r"within \d+ (?:hours|days)"]},
        {"name": "arbitration", "keywords": ["arbitration"]},
    ]
}


def publish_with_watches(data: Path, out: Path, full: bool = False):
    (data / "notify.yml").write_text(yaml.safe_dump(WATCHES), encoding="utf-8")
    watches = load_notify(data / "notify.yml").watches
    with Index(Store(data)) as index:
        index.refresh()
        return publish(
            index, infos(), load_health(data), out, cache_path=data / "publish-cache.db", full=full, watches=watches
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    data = tmp_path_factory.mktemp("data")
    write_history(data)
    out = tmp_path_factory.mktemp("site") / "out"
    publish_with_watches(data, out)
    return data, out


def entry_links(out: Path, feed: str) -> list[str]:
    parsed = feedparser.parse((out / feed).read_bytes())
    assert not parsed.bozo
    return [e.link for e in parsed.entries]


def test_a_watch_lists_the_changes_that_added_or_removed_its_words(site):
    _, out = site
    links = entry_links(out, "watches/lithium/feed.atom")
    # the batteries section added, then removed by the revert; nothing else says lithium
    assert [link.rsplit("/", 1)[-1] for link in links] == ["20260110T090000Z.html", "20260107T090000Z.html"]
    page = (out / "watches" / "lithium" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Watch: Lithium batteries</h1>" in page
    assert "Loose <mark>lithium</mark> batteries" in page
    assert page.count('<span class="badge">added</span>') == 1 and page.count('<span class="badge">removed</span>') == 1
    assert 'href="../../docs/example-prohibited-items/changes/20260107T090000Z.html"' in page


def test_patterns_and_watches_with_no_match(site):
    _, out = site
    links = entry_links(out, "watches/deadlines/feed.atom")
    assert [link.split("/docs/")[-1] for link in links] == [f"{example.HEALTH.id}/changes/20260106T090000Z.html"]
    assert not entry_links(out, "watches/arbitration/feed.atom")
    assert "No change has added or removed matching text yet." in (out / "watches/arbitration/index.html").read_text()


def test_watch_feeds_are_in_the_opml_and_rebuilds_are_byte_identical(site, tmp_path):
    data, out = site
    opml = (out / "feeds.opml").read_text(encoding="utf-8")
    for name in ("lithium", "deadlines", "arbitration"):
        assert f"watches/{name}/feed.atom" in opml
    before = tree_digest(out)
    report = publish_with_watches(data, out)
    assert tree_digest(out) == before and report.diffs == 0  # what each change added was kept
    other = tmp_path / "full"
    publish_with_watches(data, other, full=True)
    assert tree_digest(other) == before


def test_publish_with_a_broken_notify_file_publishes_the_rest(tmp_path):
    data = tmp_path / "data"
    write_history(data, 3)
    (data / "notify.yml").write_text("watches:\n  - name: x\n", encoding="utf-8")
    argv = [sys.executable, "-m", "policywatch", "--data-dir", str(data), "publish", "--out", str(tmp_path / "site")]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "warning: keyword watches not published" in r.stderr and "watch 'x': a watch needs keywords" in r.stderr
    assert (tmp_path / "site" / "changes.json").exists() and not (tmp_path / "site" / "watches").exists()


@pytest.mark.slow
def test_watch_pages_are_valid_html(site):
    from support.published import vnu_jar, vnu_messages

    if vnu_jar() is None:
        pytest.skip("vnu.jar is not installed (make checkers installs it with npm)")
    _, out = site
    messages = vnu_messages(sorted((out / "watches").rglob("*.html")))
    assert [m for m in messages if m["type"] in ("error", "non-document-error")] == []
