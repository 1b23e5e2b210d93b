"""Finding a Chromium for browser pages and browser tests: $POLICYWATCH_CHROMIUM, then PATH,
then Playwright's own install, in that order, so the same code works on a laptop, in Actions
and on a machine where Playwright cannot download its browser.

    python -m policywatch.crawler.browser        # prints the path, or exits 1 saying what was tried
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

ENV_VARS = ("POLICYWATCH_CHROMIUM", "CHROMIUM_PATH", "CHROME_PATH")
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def playwright_chromium() -> Path | None:
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    for pattern in (
        "chromium-*/chrome-linux*/chrome",
        "chromium_headless_shell-*/chrome-linux*/headless_shell",
        "chromium-*/chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
    ):
        found = sorted(root.glob(pattern))
        if found:
            return found[-1]
    return None


def find_chromium() -> Path | None:
    for var in ENV_VARS:
        value = os.environ.get(var)
        if value and Path(value).is_file():
            return Path(value)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return playwright_chromium()


# Navigations refused in this process (the crawl's): the URL of the page that tried to leave ->
# the refusal. A page stopped that way ends on the browser's error page, which the spider then
# reports with this reason instead of as a failed fetch.
REFUSED_NAVIGATIONS: dict[str, tuple[str, str]] = {}


async def blocked_resource(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media never carry policy text; skip them. And
    nothing a public page asks for (a redirect, a refresh, a script's fetch) may reach into this
    machine or its network, nor fall back from https to http (addresses.py)."""
    import asyncio

    from .addresses import refusal
    from .settings import BLOCKED_RESOURCES

    if request.resource_type in BLOCKED_RESOURCES:
        return True
    first = request
    while first.redirected_from is not None:
        first = first.redirected_from
    if first is not request:  # a redirected request: judged against where its chain started
        origin, previous = first.url, request.redirected_from.url
    else:
        try:
            page = request.frame.url
        except Exception:  # a service worker's request has no frame
            page = ""
        origin = previous = page if page.startswith(("http://", "https://")) else request.url
    loop = asyncio.get_running_loop()
    refused = await loop.run_in_executor(None, refusal, origin, request.url, previous, _resolve)
    if refused is not None and request.is_navigation_request():
        REFUSED_NAVIGATIONS[origin] = refused
    return refused is not None


@functools.lru_cache(maxsize=512)
def _resolved(host: str) -> tuple[str, ...]:
    from .addresses import resolve

    return tuple(resolve(host))


def _resolve(host: str) -> list[str]:
    return list(_resolved(host))


def where_we_looked() -> str:
    return (
        f"set {ENV_VARS[0]}=/path/to/chromium, or put one of {', '.join(NAMES)} on PATH, or run "
        "`python -m playwright install chromium` (on Debian: `apt-get install -y chromium`)"
    )


if __name__ == "__main__":
    path = find_chromium()
    if path is None:
        print(f"no Chromium found: {where_we_looked()}", file=sys.stderr)
        sys.exit(1)
    print(path)
