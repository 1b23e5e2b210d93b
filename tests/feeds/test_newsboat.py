"""A real feed reader reads the feeds: newsboat (Debian's package, installed by `make checkers`)
loads the global feed from a local server and lists the expected entries, with links that
resolve to the change pages; and it shows an entry's removed text as removed."""

from __future__ import annotations

import html
import sqlite3
import subprocess
import urllib.request

import pytest
from support.published import all_published, feed_entries, newsboat, publish_data, serving, write_history

from policywatch import example

pytestmark = pytest.mark.slow


def read_with_newsboat(url: str, home) -> list[tuple[str, str]]:
    """(title, link) of each article newsboat stores after reloading the feed at `url`."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "urls").write_text(url + "\n", encoding="utf-8")
    cache = home / "cache.db"
    r = subprocess.run(
        [newsboat(), "-u", str(home / "urls"), "-c", str(cache), "-C", "/dev/null", "-x", "reload", "print-unread"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(cache) as db:
        rows = db.execute("select title, url from rss_item where feedurl = ? order by pubDate desc", [url]).fetchall()
    assert r.stdout.strip() == f"{len(rows)} unread articles", r.stdout
    return rows


@pytest.mark.skipif(newsboat() is None, reason="newsboat is not installed (make checkers installs it with apt-get)")
@pytest.mark.parametrize(("feed_size", "feed"), [(50, "feed.atom"), (50, "feed.rss"), (5, "feed.atom")])
def test_newsboat_lists_the_feed_entries(tmp_path, feed_size, feed):
    data = tmp_path / "data"
    write_history(data)
    out = tmp_path / "site"
    out.mkdir()
    with serving(out) as base:
        publish_data(data, out, base_url=base, feed_size=feed_size)
        published = all_published(out / "changes.json")
        articles = read_with_newsboat(base + feed, tmp_path / "home")
        assert len(published) == 12
        # a flip-flop's records are one entry, dated by its last record, linked to its first
        entries = feed_entries(published)
        by_id = {r["id"]: r for r in published}
        latest = {r["flip_flop"] or r["id"]: r["detected_at"] for r in published}
        assert len(articles) == min(feed_size, len(entries)) == min(feed_size, 11)
        newest = sorted(entries, key=lambda i: (latest[i], i), reverse=True)[: len(articles)]
        assert {url for _, url in articles} == {by_id[i]["url"] for i in newest}
        for title, url in articles:
            assert ": " in title
            with urllib.request.urlopen(url) as page:
                # (the page escapes the quotes a summary may hold)
                assert page.status == 200 and title.split(": ", 1)[1][:20] in html.unescape(page.read().decode())


def show_first_article(url: str, home) -> str:
    """The newest article of the feed at `url` as newsboat shows it: newsboat runs on a terminal
    (a pty), opens the feed and its first article, and hands the text it rendered to a pager
    that copies it to a file."""
    import os
    import pty
    import select
    import time

    home.mkdir(parents=True, exist_ok=True)
    shown = home / "article.txt"
    (home / "urls").write_text(url + "\n", encoding="utf-8")
    (home / "config").write_text(f'pager "cp %f {shown}"\n', encoding="utf-8")
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "xterm", "COLUMNS": "160"}
    argv = [newsboat(), "-u", str(home / "urls"), "-c", str(home / "cache.db"), "-C", str(home / "config")]
    subprocess.run([*argv, "-x", "reload"], env=env, capture_output=True, timeout=120, check=True)
    pid, fd = pty.fork()
    if pid == 0:  # the child: newsboat on the terminal
        os.execve(argv[0], argv, env)

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    os.read(fd, 65536)
                except OSError:
                    return

    try:
        settle(2)
        os.write(fd, b"\r")  # open the feed
        settle(1.5)
        os.write(fd, b"\r")  # open its first article: the pager copies what newsboat rendered
        deadline = time.monotonic() + 20
        while not shown.exists() and time.monotonic() < deadline:
            settle(0.3)
        for _ in range(4):
            os.write(fd, b"q")
            settle(0.3)
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    return shown.read_text(encoding="utf-8")


@pytest.mark.skipif(newsboat() is None, reason="newsboat is not installed (make checkers installs it with apt-get)")
def test_newsboat_shows_removed_text_as_removed(tmp_path):
    """A feed reader that drops styles still says what was removed and what was added."""
    data = tmp_path / "data"
    write_history(data)
    out = tmp_path / "site"
    out.mkdir()
    with serving(out) as base:
        publish_data(data, out, base_url=base)
        text = show_first_article(base + f"docs/{example.HEALTH.id}/feed.atom", tmp_path / "home")
    assert "Title: Respond to buyer messages within 24 hours → 48 hours (longer)" in text
    assert "[removed: 24][added: 48] hours" in text
