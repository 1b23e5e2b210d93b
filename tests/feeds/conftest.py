"""The browser fixtures of the site tests: one Chromium per test module, and a page at each of
the two viewports (phone, desktop) that records console errors."""

from __future__ import annotations

import pytest
from support.browser import VIEWPORTS, Watched, launched
from support.published import chromium


@pytest.fixture(scope="module")
def browser():
    if chromium() is None:
        pytest.skip("no Chromium found (make browser installs one)")
    with launched() as b:
        yield b


@pytest.fixture(params=sorted(VIEWPORTS))
def watched(browser, request):
    w = Watched(browser, viewport=VIEWPORTS[request.param])
    w.name = request.param
    yield w
    w.close()
