"""Real Chromium (Playwright) on a published site: a page that records console errors, a walk of
every page reachable by links from the home page (broken links, pages wider than the screen,
console errors), axe-core's serious and critical violations, and screenshots in test-artifacts/."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag

from .published import ROOT, chromium

ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@contextlib.contextmanager
def launched() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


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

    def overflow(self) -> int:
        """How far the page is wider than the screen, in CSS pixels."""
        return self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@dataclass
class Walk:
    pages: list[str] = field(default_factory=list)  # HTML pages visited (URLs without fragment)
    other: list[str] = field(default_factory=list)  # other files linked (feeds, JSON, ...)
    broken: list[str] = field(default_factory=list)
    wide: list[str] = field(default_factory=list)  # pages wider than the screen
    missing_anchors: list[str] = field(default_factory=list)


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
    return [h for h in hrefs if h.startswith(base)]


def walk(watched: Watched, base: str, start: str = "index.html", settle: str = "") -> Walk:
    """Visit every page reachable from `start` by links (a script-built part, `settle`, is waited
    for where a page has it); HTML pages are loaded in the browser, other files requested."""
    page = watched.page
    done = Walk()
    todo = [base + start]
    seen: set[str] = set()
    while todo:
        url = todo.pop()
        plain = urldefrag(url).url
        if plain in seen:
            continue
        seen.add(plain)
        # a page with a query (compare.html?a=...&b=...) is the same page as without it: loaded
        # once without, and only requested with one
        if "?" not in plain and plain.endswith((".html", "/")):
            response = page.goto(plain)
            if response is None or response.status != 200:
                done.broken.append(plain)
                continue
            if settle and page.locator(settle).count():
                page.locator(settle).first.wait_for(state="detached", timeout=10_000)
            done.pages.append(plain)
            wide = watched.overflow()
            if wide > 1:
                done.wide.append(f"{plain} ({wide}px)")
            for link in _links(page, base):
                target, anchor = urldefrag(link)
                if anchor and target == plain and page.locator(f"[id='{anchor}']").count() == 0:
                    done.missing_anchors.append(link)
                todo.append(link)
        else:
            response = page.request.get(plain)
            if response.status != 200:
                done.broken.append(plain)
            done.other.append(plain)
    return done


def axe_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_details(page) -> None:
    page.locator("details").evaluate_all("els => els.forEach(e => e.open = true)")
