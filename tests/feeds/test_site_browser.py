"""The demo site (the Example Marketplace's history) in real Chromium (Playwright), served on
127.0.0.1, on a phone (390×844) and a desktop (1366×900): a reader walks home → document →
change → version and back by clicking; every page is reachable from the home page, none logs a
console error, has a broken link or is wider than the screen; axe-core finds no serious or
critical violation; the side-by-side view, an earlier text, the compare page and search work
under the CSP; screenshots are kept in test-artifacts/."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.browser import VIEWPORTS, Watched, axe_problems, open_details, screenshot, walk
from support.published import chromium, publish_data, serving, write_history

from policywatch import example

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="no Chromium found (make browser installs one)"),
]


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


def test_walk_home_document_change_version_and_back(site, watched):
    page = watched.page
    page.goto(site + "index.html")
    assert page.title() == "policywatch"
    page.locator("ol.changes a.doc", has_text=example.HEALTH.title).first.click()
    assert page.url.endswith(f"docs/{example.HEALTH.id}/index.html")
    assert page.locator("h1").inner_text() == example.HEALTH.title
    page.locator("ol.changes a.summary", has_text="24 hours → 48 hours").click()
    assert "/changes/" in page.url
    # the headline, then the edit: what was removed and added, in words for screen readers too
    assert "24 hours → 48 hours" in page.locator("h1").inner_text()
    assert page.locator(".pw-compact del", has_text="24").count() == 1
    assert page.locator(".pw-compact ins", has_text="48").count() == 1
    label = page.locator(".pw-compact del").first.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '" [removed: "'
    # the side-by-side view is opt-in, near the top
    page.locator("button.pw-toggle", has_text="Side by side").click()
    assert page.locator("table.pw-sbs td del", has_text="24").is_visible()
    assert page.locator("table.pw-sbs td ins", has_text="48").is_visible()
    page.locator("button.pw-toggle").click()
    assert page.locator(".pw-compact").is_visible()
    # the text before the change: an earlier version, put together by site.js
    page.locator("dl.meta a", has_text="the text of").first.click()
    assert "/versions/" in page.url
    page.locator("#text h3").first.wait_for()
    assert "24 hours" in page.locator("#text").inner_text()
    page.go_back()
    page.locator("dl.meta a", has_text="the text of").last.click()
    assert "48 hours" in page.locator("article.policy").inner_text()  # the current text, in the page
    page.locator("p.crumbs a").click()  # back to the document by clicking
    assert page.url.endswith(f"docs/{example.HEALTH.id}/index.html")
    page.locator("header a.brand").click()
    assert page.url == site + "index.html"
    assert watched.errors == []


def test_every_page_is_reachable_and_fits_the_screen(published_site, watched):
    site, out = published_site
    done = walk(watched, site, settle=".fallback")
    every_page = {site + p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert every_page <= set(done.pages), f"pages no link reaches: {sorted(every_page - set(done.pages))}"
    assert len(every_page) > 40
    assert not done.broken, done.broken
    assert not done.missing_anchors
    assert not done.wide, f"pages wider than a {watched.name} screen: {done.wide}"
    assert watched.errors == []


def _pages_to_check(site: str, page) -> list[str]:
    page.goto(site + f"docs/{example.PROHIBITED.id}/index.html")
    # (the section added and removed again is one "unstable" row, linked to the change that added it)
    change = page.locator("ol.changes a.summary", has_text="Batteries").first.get_attribute("href")
    earlier = sorted(Path(p).name for p in page.locator("ol.changes a.summary").evaluate_all("a => a.map(x => x.href)"))
    return [
        "index.html",
        "recent/substantive.html",
        "documents.html",
        "status.html",
        "subscribe.html",
        "search.html?q=fee",
        "services/example-marketplace/index.html",
        "services/example-marketplace/substantive.html",
        "tags/fees/index.html",
        f"docs/{example.HEALTH.id}/index.html",
        posixpath.normpath(f"docs/{example.PROHIBITED.id}/{change}"),
        f"docs/{example.PROHIBITED.id}/versions/{earlier[0]}",
        f"docs/{example.PROHIBITED.id}/versions/{posixpath.basename(change)}",
        f"docs/{example.FEES.id}/compare.html",
    ]


def test_accessibility_with_axe_and_screenshots(site, watched):
    page = watched.page
    problems = {}
    for path in _pages_to_check(site, page):
        page.goto(site + path)
        if page.locator(".fallback").count():
            page.locator(".fallback").first.wait_for(state="detached")
        if path.startswith("search.html"):
            page.locator("#results li").first.wait_for()
        open_details(page)  # check folded parts too
        bad = axe_problems(page)
        if "/changes/" in path:  # and the side-by-side view
            page.locator("button.pw-toggle").click()
            bad += axe_problems(page)
        if bad:
            problems[path] = bad
        name = path.split("?")[0].removesuffix(".html").replace("/", "-")
        screenshot(page, f"demo-{watched.name}-{name}")
    assert not problems
    # the check can fail: an image without a text alternative is a critical violation
    page.evaluate("() => document.querySelector('main').appendChild(document.createElement('img'))")
    assert any("image-alt" in p for p in axe_problems(page))
    assert watched.errors == []


def test_first_screen_of_a_phone_shows_the_headline_and_the_edits(site, browser):
    w = Watched(browser, viewport=VIEWPORTS["phone"])
    try:
        page = w.page
        page.goto(site + f"docs/{example.FEES.id}/index.html")
        page.locator("ol.changes a.summary", has_text="15% → 17%").click()
        fold = VIEWPORTS["phone"]["height"]
        for selector in ("h1.headline", ".pw-compact .pw-edit ins"):
            box = page.locator(selector).first.bounding_box()
            assert box is not None and box["y"] + box["height"] <= fold, f"{selector} is below the first screen"
        edits = page.locator(".pw-compact").bounding_box()
        meta = page.locator("dl.meta").bounding_box()
        assert edits is not None and meta is not None and meta["y"] > edits["y"] + edits["height"], "metadata first"
        page.goto(site + f"docs/{example.FEES.id}/index.html")
        box = page.locator("ol.changes li").first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= fold
        page.emulate_media(media="print")
        assert page.locator("header.site nav").is_hidden()
        assert w.errors == []
    finally:
        w.close()


def test_compare_two_chosen_versions(site, watched):
    page = watched.page
    page.goto(site + f"docs/{example.FEES.id}/compare.html")
    options = page.locator("#a option")
    options.first.wait_for(state="attached")
    values = options.evaluate_all("os => os.map(o => o.value)")
    assert len(values) >= 4
    page.select_option("#a", values[-1])  # the first version
    page.select_option("#b", values[0])  # the newest
    page.locator("form.compare button").click()
    result = page.locator("#result")
    assert "differ between" in result.locator("p.lede").inner_text()
    assert result.locator("del", has_text="15").count() and result.locator("ins", has_text="17").count()
    assert f"a={values[-1]}" in page.url and f"b={values[0]}" in page.url
    page.select_option("#a", values[0])
    page.locator("form.compare button").click()
    assert "the same text" in result.inner_text()
    assert watched.errors == []


def test_search_finds_changes_and_documents(site, watched):
    from playwright.sync_api import expect

    page = watched.page
    page.goto(site + "search.html")
    page.fill("#q", "48 hours")
    page.locator("#results li").first.wait_for()
    links = page.locator("#results li a")
    assert any("Account Health" in t for t in links.all_inner_texts())
    change = page.locator("#results li a", has_text="48 hours").first
    assert page.locator("#results li .snippet mark").count() >= 1  # snippets with the words found
    change.click()
    assert "/changes/" in page.url and "48 hours" in page.content()
    page.goto(site + "search.html?q=prohibited")
    page.locator("#results li").first.wait_for()
    assert "document" in page.locator("#results").text_content()
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
            w.page.goto(base + "some/project/search.html?q=fee")
            w.page.locator("#results li").first.wait_for()
            assert Path(out / "documents.html").is_file()
        assert w.errors == []
    finally:
        w.close()
