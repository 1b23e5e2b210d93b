"""Hostile pages through the page checks and extraction, one attack per test: deep nesting,
backtick runs that would close a code fence, binary bodies labelled as HTML. Each ends in a typed
result (an extraction or a typed failure), never an exception."""

from __future__ import annotations

import random
import re

import pytest
from markdown_it import MarkdownIt

from policywatch.crawler.examine import examine
from policywatch.crawler.extract import MAX_DEPTH, extract

URL = "https://market.example/help/policy"
WORDS = "Sellers must ship every order within two business days and answer buyers within a day. " * 4


def nested(tags: list[str], depth: int, inner: str = "the innermost words") -> str:
    opened = "".join(f"<{tags[i % len(tags)]}>level {i} " for i in range(depth))
    closed = "".join(f"</{tags[(depth - 1 - i) % len(tags)]}>" for i in range(depth))
    head = "<!doctype html><html><head><title>Terms</title></head>"
    return f"{head}<body><main><p>{WORDS}</p>{opened}{inner}{closed}</main></body></html>"


@pytest.mark.parametrize(
    "tags",
    [
        ["div", "b", "ul", "li", "blockquote"],
        ["div"],
        ["b"],
        ["blockquote"],
        ["ul", "li"],
        ["span"],
        ["table", "tr", "td"],
    ],
)
@pytest.mark.parametrize("depth", [400, 3000, 100_000])
def test_deep_nesting_is_extracted_not_a_crash(tags, depth):
    html = nested(tags, depth)
    result = extract(html, URL)
    assert "Sellers must ship" in result.markdown
    # what lies below the depth limit is kept as text, so the words still count
    assert re.search(r"\blevel (1[5-9]\d|[2-9]\d\d)\b", result.markdown)
    if depth < 2000:  # libxml2 itself stops nesting at 2,048 levels (huge_tree); the rest is cut
        assert "the innermost words" in result.markdown
    # the nesting of the Markdown stays bounded too (what the site and the diff engine read)
    assert max(len(line) - len(line.lstrip("> ")) for line in result.markdown.splitlines()) <= 4 * MAX_DEPTH
    MarkdownIt().render(result.markdown)


def test_a_5kb_page_of_400_nested_tags_passes_the_checks():
    html = nested(["div", "b", "ul", "blockquote"], 400)
    assert len(html) < 12_000
    extraction, failure = examine(
        status=200, url=URL, requested_url=URL, body=html.encode(), text=html, select=None, remove=(), min_words=30
    )
    assert failure is None and extraction is not None and "Sellers must ship" in extraction.markdown


@pytest.mark.parametrize("run", [3, 4, 5, 9])
def test_backtick_runs_in_pre_stay_inside_their_fence(run):
    ticks = "`" * run
    html = (
        f"<main><h1>Terms</h1><pre>{ticks}\n# Fake heading\n{ticks}</pre><p>{WORDS}</p>"
        f"<pre>~~~\n## Another fake\n</pre></main>"
    )
    markdown = extract(html, URL).markdown
    tokens = MarkdownIt().parse(markdown)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Terms"], markdown
    fences = [t.content for t in tokens if t.type == "fence"]
    assert fences == [f"{ticks}\n# Fake heading\n{ticks}\n", "~~~\n## Another fake\n"]


def _binary(seed: int, size: int = 40_000) -> bytes:
    return random.Random(seed).randbytes(size)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _binary(7, 20_000)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (_binary(1), "text/html"),
        (_binary(2), "text/html; charset=utf-8"),
        (_binary(3), "text/html; charset=iso-8859-1"),
        (b"<html><body><main><p>" + _binary(4) + b"</p></main></body></html>", "text/html; charset=utf-8"),
        (PNG, "text/html"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + _binary(5), "text/html"),
    ],
)
def test_binary_bodies_labelled_html_are_not_html(body, content_type):
    from policywatch.crawler.decode import decode_page

    text = decode_page(body, content_type)
    extraction, failure = examine(
        status=200,
        url=URL,
        requested_url=URL,
        body=body,
        text=text,
        select=None,
        remove=(),
        min_words=1,
        content_type=content_type,
    )
    assert extraction is None and failure is not None and failure.reason == "not_html", failure


@pytest.mark.parametrize(
    "page",
    [
        # real text pages with a few odd bytes stay pages
        f"<html><body><main><p>{WORDS}</p><p>a stray \x00 and \x07 or two</p></main></body></html>",
        f"<html><body><main><p>{WORDS} résumé, Zürich, 15 €, 東京</p></main></body></html>",
    ],
)
def test_text_pages_with_odd_bytes_are_still_pages(page):
    body = page.encode("utf-8")
    extraction, failure = examine(
        status=200,
        url=URL,
        requested_url=URL,
        body=body,
        text=page,
        select=None,
        remove=(),
        min_words=30,
        content_type="text/html; charset=utf-8",
    )
    assert failure is None and extraction is not None


@pytest.mark.parametrize("control", ["\x01", "\x0b", "\x1f", "\x0c"])
def test_text_after_a_removed_element_may_hold_control_characters(control):
    """libxml2 keeps control characters in text, and lxml refuses to set such text again: the
    text that follows a removed element (a `remove` selector, a script) once raised ValueError."""
    html = (
        f"<main><p>{WORDS}</p><div class='ad'>BUY-NOW</div>{control}after the ad<script>x()</script>{control}end</main>"
    )
    result = extract(html, URL, None, (".ad",))
    assert "after the ad" in result.markdown and "BUY-NOW" not in result.markdown
    deep = nested(["div"], 150, inner=f"<span class='ad'>x</span>{control}deep words")
    assert "deep words" in extract(deep, URL, None, (".ad",)).markdown
