"""Browser pages: a policy written by JavaScript is tracked with `render: browser` (real headless
Chromium through scrapy-playwright) and missed, never recorded, with `render: http`; images are
blocked; the browser is closed when the crawl ends; no browser gives a clear error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from support.helpers import PageServer, next_second, write_sources
from support.pages import CLAUSES

from policywatch.crawler.browser import find_chromium

pytestmark = pytest.mark.slow

SCRIPT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Terms</title></head><body>
<nav>Home</nav><main id="policy"></main><img src="/pixel.png" alt="">
<script>
const clauses = {clauses};
function write() {{
  const main = document.getElementById("policy");
  main.innerHTML = "<h1>Seller Agreement</h1>" + clauses.map(c => "<p>" + c + "</p>").join("");
}}
{trigger}
</script></body></html>"""


def script_page(clauses: list[str], late_ms: int = 0) -> str:
    trigger = f"setTimeout(write, {late_ms});" if late_ms else "write();"
    return SCRIPT_PAGE.format(clauses=json.dumps(clauses), trigger=trigger)


def run_cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180):
    argv = [sys.executable, "-m", "policywatch", "--data-dir", str(tmp_path / "data"), *args]
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, cwd=tmp_path, env={**os.environ, **(env or {})}
    )


def processes_with(tag: str) -> list[int]:
    """Live processes whose environment carries `tag` (the crawl's Chromium inherits it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if tag.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.fixture
def chromium():
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium found (make browser installs one)")
    return path


def test_javascript_policy_needs_the_browser(server: PageServer, tmp_path, chromium):
    data = tmp_path / "data"
    server.set("/terms", script_page(CLAUSES))
    server.set("/late", script_page(CLAUSES, late_ms=700))
    server.set("/pixel.png", b"\x89PNG\r\n", content_type="image/png")
    write_sources(
        data / "sources" / "js.yml",
        [
            {"id": "js-browser", "title": "JS", "url": server.url("/terms"), "select": "#policy", "render": "browser"},
            {"id": "js-http", "title": "JS", "url": server.url("/terms"), "select": "#policy"},
            {
                "id": "js-late",
                "title": "JS late",
                "url": server.url("/late"),
                "select": "#policy",
                "render": "browser",
                "wait_for": "#policy p",
            },
            {
                "id": "js-never",
                "title": "JS never",
                "url": server.url("/late"),
                "select": "#policy",
                "render": "browser",
                "wait_for": "#policy table",
            },
        ],
    )
    tag = f"POLICYWATCH_TEST_TAG={uuid.uuid4().hex}"
    r = run_cli(tmp_path, "crawl", "--delay", "0", "--timeout", "5", env={"POLICYWATCH_TEST_TAG": tag})
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert "new version  js-browser" in r.stderr
    assert "new version  js-late" in r.stderr
    assert "failed       js-http  empty" in r.stderr  # the page without its script's text
    assert "failed       js-never  selector_missing: wait_for '#policy table' did not appear within 5s" in r.stderr
    text = next((data / "versions" / "js-browser").glob("*.md")).read_text(encoding="utf-8")
    assert "# Seller Agreement" in text and CLAUSES[2] in text
    assert (
        next((data / "versions" / "js-late").glob("*.md"))
        .read_text(encoding="utf-8")
        .endswith(text.split("---\n", 2)[2])
    )
    assert not (data / "versions" / "js-http").exists()
    assert server.hits["/pixel.png"] == 0, "images must be blocked in the browser"
    assert processes_with(tag) == [], "the crawl left Chromium running"

    # the same text again, re-rendered: unchanged; an edit made by the script: a new version
    next_second()
    server.set("/terms", script_page([*CLAUSES[:3], "Sellers must answer buyers within 48 hours.", *CLAUSES[4:]]))
    r = run_cli(tmp_path, "crawl", "--delay", "0", "--only", "js-browser", "--only", "js-late")
    assert "new version  js-browser" in r.stderr and "unchanged    js-late" in r.stderr, r.stderr


def test_no_browser_is_a_clear_error_and_plain_crawls_do_not_need_one(server: PageServer, tmp_path):
    data = tmp_path / "data"
    server.set("/plain", "<html><body><main>" + "".join(f"<p>{c}</p>" for c in CLAUSES) + "</main></body></html>")
    write_sources(
        data / "sources" / "s.yml",
        [
            {"id": "plain", "title": "P", "url": server.url("/plain")},
            {"id": "needs-js", "title": "J", "url": server.url("/plain"), "render": "browser"},
        ],
    )
    nowhere = {
        "PATH": str(Path(sys.executable).parent),  # python only: no chromium on PATH
        "POLICYWATCH_CHROMIUM": "",
        "CHROMIUM_PATH": "",
        "CHROME_PATH": "",
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-browsers"),
    }
    r = run_cli(tmp_path, "crawl", "--delay", "0", env=nowhere)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert "needs-js" in r.stderr and "need Chromium" in r.stderr and "POLICYWATCH_CHROMIUM" in r.stderr
    assert not (data / "versions").exists(), "nothing is crawled when the run cannot complete"
    r = run_cli(tmp_path, "crawl", "--delay", "0", "--only", "plain", env=nowhere)
    assert r.returncode == 0 and "new version  plain" in r.stderr, r.stderr
