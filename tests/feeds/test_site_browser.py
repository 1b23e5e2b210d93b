"""The changelog site in real Chromium (Playwright), served on 127.0.0.1: a reader walks home →
document → change → version and back by clicking, no page logs a console error, no internal
link is broken, axe-core finds no serious or critical violation, search works under the CSP,
and screenshots of the home and a change page are kept in test-artifacts/."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from support.published import ROOT, chromium, publish_data, serving, write_history

from policywatch import example

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="no Chromium found (make browser installs one)"),
]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def published_site(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("data")
    write_history(data)
    out = tmp_path_factory.mktemp("site") / "out"
    out.mkdir()
    with serving(out) as base:
        publish_data(data, out, base_url=base, feed_size=4)
        yield base, out


@pytest.fixture(scope="module")
def site(published_site) -> str:
    return published_site[0]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield b
        b.close()


class Watched:
    """A page whose console errors, page errors and dialogs are recorded."""

    def __init__(self, browser, **context):
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"{self.page.url}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.page.url}: {e}"))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.close()


def test_walk_home_document_change_version_and_back(site, watched):
    page = watched.page
    page.goto(site + "index.html")
    assert page.title() == "policywatch"
    home_link = page.locator("ol.changes a.doc", has_text=example.HEALTH.title).first
    home_link.click()
    assert page.url.endswith(f"docs/{example.HEALTH.id}/index.html")
    assert page.locator("h1").inner_text() == example.HEALTH.title
    page.locator("ol.changes a.summary", has_text="24 hours → 48 hours").click()
    assert "/changes/" in page.url
    assert page.locator("del.pw-del", has_text="24").count() >= 1
    assert page.locator("ins.pw-ins", has_text="48").count() >= 1
    page.locator("dl.meta a", has_text="version").last.click()
    assert "/versions/" in page.url
    assert "48 hours" in page.locator("article.policy").inner_text()
    page.go_back()
    assert "/changes/" in page.url
    page.go_forward()
    page.locator("p.crumbs a").click()  # back to the document by clicking
    assert page.url.endswith(f"docs/{example.HEALTH.id}/index.html")
    page.locator("header a.brand").click()
    assert page.url == site + "index.html"
    assert watched.errors == []


def _internal_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
    return [h for h in hrefs if h.startswith(base)]


def test_no_broken_internal_link_and_no_console_error(published_site, watched):
    site, out = published_site
    page = watched.page
    todo = [site + "index.html"]
    seen: set[str] = set()
    html_pages = 0
    missing_anchors = []
    while todo:
        url = todo.pop()
        plain = urldefrag(url).url
        if plain in seen:
            continue
        seen.add(plain)
        if plain.endswith(".html") or plain.endswith("/"):
            response = page.goto(plain)
            assert response is not None and response.status == 200, plain
            html_pages += 1
            for link in _internal_links(page, site):
                target, anchor = urldefrag(link)
                if anchor and target == plain and page.locator(f"[id='{anchor}']").count() == 0:
                    missing_anchors.append(link)
                todo.append(link)
        else:
            response = page.request.get(plain)
            assert response.status == 200, f"broken link: {plain}"
    every_page = {site + p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert every_page <= seen, f"pages no link reaches: {sorted(every_page - seen)}"
    assert html_pages == len(every_page) > 40
    assert not missing_anchors
    assert watched.errors == []


AXE_PAGES = [
    "index.html",
    "recent/substantive.html",
    "documents.html",
    "status.html",
    "search.html?q=fee",
    "services/example-marketplace/index.html",
    "tags/fees/index.html",
    f"docs/{example.HEALTH.id}/index.html",
]


def test_accessibility_with_axe(site, watched):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = watched.page
    page.goto(site + f"docs/{example.PROHIBITED.id}/index.html")
    # (the section added and removed again is one "unstable" row, linked to the change that added it)
    change = page.locator("ol.changes a.summary", has_text="Batteries").first.get_attribute("href")
    version = f"docs/{example.PROHIBITED.id}/versions/{posixpath.basename(change)}"
    problems = {}
    for path in [*AXE_PAGES, f"docs/{example.PROHIBITED.id}/{change}", version]:
        page.goto(site + path)
        page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")  # check folded parts too
        results = axe.run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if bad:
            problems[path] = bad
    assert not problems
    # the check can fail: an image without a text alternative is a critical violation
    page.evaluate("() => document.querySelector('main').appendChild(document.createElement('img'))")
    assert "image-alt" in {v["id"] for v in axe.run(page).response["violations"] if v["impact"] == "critical"}
    assert watched.errors == []


def test_screenshots_and_small_screens(site, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    try:
        w.page.goto(site + "index.html")
        w.page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
        w.page.goto(site + f"docs/{example.FEES.id}/index.html")
        w.page.locator("ol.changes a.summary", has_text="15% → 17%").click()
        w.page.screenshot(path=str(ARTIFACTS / "change.png"), full_page=True)
        change_url = w.page.url
    finally:
        w.close()
    for name in ("home.png", "change.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
    phone = Watched(browser, viewport={"width": 360, "height": 740})
    try:
        for url in (site + "index.html", change_url, site + "documents.html"):
            phone.page.goto(url)
            overflow = phone.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{url} scrolls sideways on a 360px screen ({overflow}px)"
        phone.page.emulate_media(media="print")
        assert phone.page.locator("header.site nav").is_hidden()
        assert phone.errors == []
    finally:
        phone.close()


def test_search_finds_changes_and_documents(site, watched):
    from playwright.sync_api import expect

    page = watched.page
    page.goto(site + "search.html")
    page.fill("#q", "48 hours")
    page.locator("#results li").first.wait_for()
    first = page.locator("#results li a").first
    assert "Account Health" in first.inner_text()
    first.click()
    assert "/changes/" in page.url and "48 hours" in page.content()
    page.goto(site + "search.html?q=prohibited")
    page.locator("#results li").first.wait_for()
    assert "document" in page.locator("#results li").first.text_content()
    page.goto(site + "search.html?q=zzzznothing")
    expect(page.locator("#search-status")).to_have_text("Nothing found.")
    assert watched.errors == []


def test_site_works_under_a_project_path(tmp_path, browser):
    """Relative links: the same files served under /some/project/ work unchanged."""
    data = tmp_path / "data"
    write_history(data, steps=2)
    root = tmp_path / "root"
    out = root / "some" / "project"
    out.mkdir(parents=True)
    publish_data(data, out)
    w = Watched(browser)
    try:
        with serving(root) as base:
            w.page.goto(base + "some/project/index.html")
            w.page.locator("ol.changes a.summary").first.click()
            assert urlsplit(w.page.url).path.startswith("/some/project/docs/")
            w.page.locator("header a", has_text="Documents").click()
            assert w.page.url == base + "some/project/documents.html"
            assert Path(out / "documents.html").is_file()
        assert w.errors == []
    finally:
        w.close()
