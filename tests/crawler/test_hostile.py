"""Hostile policy pages: a page with <script>, on* attributes, javascript: links, an SVG with
script, control characters and a 2 MB single line is crawled twice (it changes in between) and
published. In Chromium no dialog opens and no script runs on any page; the feeds stay valid."""

from __future__ import annotations

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html
from support.helpers import PageServer, next_second, policy_page, write_sources
from support.published import chromium, run_cli, serving, vnu_check, vnu_jar

pytestmark = pytest.mark.slow

ATTACKS = (
    "<h1>Hostile <script>window.__pwned = 'h1'; alert('h1')</script>Seller Terms</h1>"
    "<p>Pay your fees within {days} days.<img src='x' onerror=\"window.__pwned='img'; alert('img')\"> "
    "<a href=\"javascript:alert('link')\">a javascript link</a> <a href=\"JaVaScRiPt:alert('case')\">another</a> "
    "<a href=\"data:text/html,<script>alert('data')</script>\">a data link</a></p>"
    "<svg xmlns='http://www.w3.org/2000/svg' onload=\"alert('svg-onload')\"><script>alert('svg')</script>"
    "<a href=\"javascript:alert('svg-link')\"><text>an svg link</text></a></svg>"
    "<p onclick=\"alert('p')\">Control\x01 characters\x02 here\x0b and\x1f there, "
    "&lt;script&gt;alert('escaped')&lt;/script&gt; as text, "
    "&lt;img src=x onerror=alert('text')&gt; too, and [markdown](javascript:alert('md')) "
    "and <b onmouseover=\"alert('b')\">bold</b>.</p>"
    "<iframe src=\"javascript:alert('iframe')\"></iframe>"
    "<p>{long}</p>"
)
INSPECT = """() => ({
    pwned: window.__pwned || null,
    handlers: [...document.querySelectorAll('*')].flatMap(
        el => [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name)),
    scripts: [...document.scripts].map(s => s.src),
    js: [...document.querySelectorAll('[href],[src]')]
        .map(el => el.getAttribute('href') || el.getAttribute('src'))
        .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u)),
    frames: document.querySelectorAll('iframe, object, embed, svg script').length,
})"""
LONG = "Sellers must keep every listing accurate and complete at all times. " * 30_000  # ~2 MB, one line


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    server = PageServer()
    try:
        for path in ("/terms", "/svg"):
            server.set(path, policy_page(ATTACKS.format(days=10, long=LONG)))
        title = "Hostile <script>alert('title')</script> Terms"
        write_sources(
            data / "sources" / "hostile.yml",
            [
                {"id": "hostile-terms", "title": title, "url": server.url("/terms"), "select": "#policy"},
                {"id": "hostile-svg", "title": "SVG terms", "url": server.url("/svg"), "select": "#policy"},
            ],
            service="Evil <img src=x onerror=alert('service')> Market",
        )
        run_cli(root, data, "crawl", "--delay", "0")
        next_second()
        server.set("/terms", policy_page(ATTACKS.format(days=20, long=LONG.replace("accurate", "true", 1))))
        run_cli(root, data, "crawl", "--delay", "0")
    finally:
        server.close()
    out = root / "site"
    out.mkdir()
    with serving(out) as base:
        run_cli(root, data, "publish", "--out", str(out), "--base-url", base, "--feed-size", "1")
        yield base, out


def test_the_hostile_pages_were_recorded_and_published(hostile_site):
    _, out = hostile_site
    change = sorted((out / "docs" / "hostile-terms" / "changes").glob("*.html"))[-1]  # the second version
    text = change.read_text(encoding="utf-8")
    assert "<del>10</del><ins>20</ins> days" in text
    assert len(list((out / "docs" / "hostile-terms" / "versions").glob("*.html"))) == 2


@pytest.mark.skipif(chromium() is None, reason="no Chromium found (make browser installs one)")
def test_no_script_runs_in_chromium(hostile_site):
    from playwright.sync_api import sync_playwright

    base, out = hostile_site
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert len(pages) > 10
    events: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page()
        page.on("dialog", lambda d: (events.append(f"dialog {d.message}"), d.dismiss()))
        page.on("console", lambda m: events.append(f"console {m.type}: {m.text}"))
        page.on("pageerror", lambda e: events.append(f"pageerror {e}"))
        page.on("popup", lambda pop: events.append(f"popup {pop.url}"))
        for path in [*pages, "search.html?q=script", "search.html?q=onerror"]:
            page.goto(base + path)
            page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
            for link in page.locator("main a").all()[:40]:  # hovering and clicking is what a reader does
                link.hover()
            found = page.evaluate(INSPECT)
            assert found["pwned"] is None, path
            assert found["handlers"] == [], path
            # the site's own scripts only: site.js (compare, earlier texts), search.js and Pagefind's
            mine = [s.removeprefix(base) for s in found["scripts"] if s.startswith(base)]
            assert len(mine) == len(found["scripts"]), (path, found["scripts"])
            assert all(m in ("site.js", "search.js") or m.startswith("pagefind/") for m in mine), (path, mine)
            assert found["js"] == [] and found["frames"] == 0, (path, found)
        search = base + "search.html?q=hostile"
        page.goto(search)
        page.locator("#results li").first.wait_for()
        assert "<script>" in page.locator("#results").text_content()  # shown as text, not run
        browser.close()
    assert events == []


def test_feeds_stay_valid_and_carry_no_markup(hostile_site):
    _, out = hostile_site
    feeds = sorted(p for p in out.rglob("*") if p.suffix in (".atom", ".rss"))
    assert len(feeds) > 8
    for path in feeds:
        raw = path.read_bytes()
        parsed = feedparser.parse(raw)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        root = etree.fromstring(raw)
        for node in root.iter(
            "{http://www.w3.org/2005/Atom}content", "{http://purl.org/rss/1.0/modules/content/}encoded"
        ):
            fragment = lxml_html.fragment_fromstring(node.text or "<p></p>", create_parent="div")
            assert not fragment.xpath("//script|//iframe|//svg|//img"), path
            assert not [a for el in fragment.iter() for a in el.attrib if a.startswith("on")], path
            assert not [h for h in fragment.xpath("//@href") if h.strip().lower().startswith("javascript")], path
        assert b"\x01" not in raw and b"\x0b" not in raw


@pytest.mark.skipif(vnu_jar() is None, reason="vnu.jar is not installed (make checkers installs it with npm)")
def test_hostile_pages_are_still_valid_html(hostile_site):
    _, out = hostile_site
    errors, unexplained = vnu_check(sorted(out.rglob("*.html")))
    assert errors == [] and unexplained == [], (errors + unexplained)[:5]
