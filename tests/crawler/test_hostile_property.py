"""Property: whatever page arrives (deep, wide, lying about its encoding, full of control
characters, with huge attributes, cut anywhere), decoding, the page checks and extraction end in
a typed result, never an exception. Generated with Hypothesis, a modest and fixed set of
examples (derandomized) so the suite stays fast and repeatable; bench/hostile_bench.py runs
10,000 such pages."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from support.hostile import html_strategy, strategy

from policywatch.crawler.checks import REASONS, check_change, check_walls
from policywatch.crawler.decode import decode_page
from policywatch.crawler.examine import examine
from policywatch.crawler.extract import extract

PROPERTY = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def judge(body: bytes, content_type: str, url: str, select=None):
    text = decode_page(body, content_type)
    assert isinstance(text, str)
    extraction, failure = examine(
        status=200,
        url=url,
        requested_url=url,
        body=body,
        text=text,
        select=select,
        remove=("script", "[hidden]"),
        min_words=30,
        content_type=content_type,
    )
    assert (extraction is None) != (failure is None)
    if failure is not None:
        assert failure.reason in REASONS and isinstance(failure.detail, str)
        return None
    assert extraction.markdown == "" or extraction.markdown.endswith("\n")
    assert not any(c in extraction.markdown for c in "\x00\x01\x07\x0b\x1b\x7f")
    return extraction.markdown


@PROPERTY
@given(strategy())
def test_generated_hostile_pages_end_in_a_typed_result(page):
    markdown = judge(page.body, page.content_type, page.url)
    judge(page.body, page.content_type, page.url, select=("main", "#policy", "td > p"))
    if markdown is not None:
        held = check_change("Sellers must ship every order within two days. " * 20, markdown)
        assert held is None or held.reason in REASONS


@PROPERTY
@given(html_strategy())
def test_hypothesis_markup_ends_in_a_typed_result(html):
    page = f"<html><head><title>{html[:200]}</title></head><body><main>{html}</main></body></html>"
    judge(page.encode("utf-8", "surrogatepass"), "text/html; charset=utf-8", "https://market.example/p")
    wall = check_walls(page, "https://market.example/p", "https://market.example/p")
    assert wall is None or wall.reason in REASONS
    assert isinstance(extract(page, "https://market.example/p").markdown, str)
