"""`policywatch serve` previews a published folder on 127.0.0.1 with the right content types."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from support.published import publish_data, write_history


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_previews_the_site(tmp_path):
    data = tmp_path / "data"
    write_history(data, steps=2)
    out = tmp_path / "site"
    publish_data(data, out)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "policywatch", "serve", "--dir", str(out), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        base = f"http://127.0.0.1:{port}/"
        for path, kind in (
            ("index.html", "text/html"),
            ("feed.atom", "application/atom+xml; charset=utf-8"),
            ("feed.rss", "application/rss+xml; charset=utf-8"),
            ("feeds.opml", "text/xml; charset=utf-8"),
            ("changes.json", "application/json"),
        ):
            for _ in range(50):
                try:
                    with urllib.request.urlopen(base + path) as r:
                        assert r.status == 200 and r.headers["Content-Type"].startswith(kind), path
                        break
                except ConnectionError:
                    time.sleep(0.1)
            else:
                raise AssertionError(f"{path} was not served")
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_serve_refuses_a_missing_folder(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "policywatch", "serve", "--dir", str(tmp_path / "nope")], capture_output=True, text=True
    )
    assert r.returncode == 2 and "does not exist" in r.stderr
