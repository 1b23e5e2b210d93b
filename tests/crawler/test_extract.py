"""Extraction to canonical Markdown: select/remove, structure, links, and stability under the
page noise that must never count as a change."""

from __future__ import annotations

import pytest

from policywatch.crawler.extract import clean_url, extract

URL = "https://market.example/help/policy?x=1"


def md(body: str, select=("#policy",), remove=()) -> str:
    return extract(
        f"<html><body><nav>menu</nav><main id='policy'>{body}</main></body></html>", URL, select, remove
    ).markdown


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<h2>Fees</h2><p>Pay  \n  now.</p>", "## Fees\n\nPay now.\n"),
        ("<p>A&nbsp;B</p>", "A\u00a0B\n"),  # a no-break space stays visible
        ("<p>one<br>two</p>", "one\ntwo\n"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b\n"),
        ("<ol start='3'><li>c</li><li>d</li></ol>", "3. c\n4. d\n"),
        ("<p><strong>must</strong> and <em>may</em></p>", "**must** and *may*\n"),
        (
            "<p>See <a href='/fees?utm_source=mail&amp;id=7'>fees</a></p>",
            "See [fees](https://market.example/fees?id=7)\n",
        ),
        ("<p><a href='javascript:alert(1)'>click</a></p>", "click\n"),
        ("<p><a href='#s2'>below</a></p>", "[below](#s2)\n"),
        (
            "<table><tr><th>Fee</th><th>Rate</th></tr><tr><td>Referral</td><td>15%</td></tr></table>",
            "| Fee | Rate |\n|---|---|\n| Referral | 15% |\n",
        ),
        ("<p>1. not a list</p>", "1\\. not a list\n"),
        ("<p>a * b _c_</p>", "a \\* b \\_c\\_\n"),
        ("<script>evil()</script><style>p{}</style><p>text</p><noscript>x</noscript>", "text\n"),
        ("<p>bell\x07 char</p>", "bell char\n"),
        ("<pre>  code\n line</pre>", "```\n  code\n line\n```\n"),
        ("<blockquote><p>quoted</p></blockquote>", "> quoted\n"),
        ("<div><span>inline <b>bold</b></span></div><div>next</div>", "inline **bold**\n\nnext\n"),
    ],
)
def test_markdown_of_html(html, expected):
    assert md(html) == expected


def test_select_many_in_document_order_and_remove():
    html = (
        "<html><body><div class='b'>second</div><div class='a'>first <span class='x'>gone</span></div>"
        "<div class='b'>third</div></body></html>"
    )
    out = extract(html, URL, (".a", ".b"), (".x",)).markdown
    assert out == "second\n\nfirst\n\nthird\n"


def test_selector_missing_is_reported():
    e = extract("<html><body><p>text</p></body></html>", URL, ("#policy",))
    assert not e.selector_matched and e.markdown == ""


def test_no_select_guesses_main_content():
    e = extract("<html><body><nav>menu</nav><main><p>policy words</p></main><footer>f</footer></body></html>", URL)
    assert e.markdown == "policy words\n"


def test_noise_outside_and_tracking_inside_do_not_change_text():
    def page(n: int) -> str:
        return (
            f"<html><head><script nonce='{n}'>x={n}</script></head><body><div class='banner'>offer {n}</div>"
            f"<main id='policy'><p>Terms <a href='/t?utm_campaign=c{n}&amp;gclid={n}'>link</a></p>"
            f"<p>Second\n{'  ' * n}paragraph</p></main><footer>{n}</footer></body></html>"
        )

    texts = {extract(page(n), URL, ("#policy",)).markdown for n in range(5)}
    assert texts == {"Terms [link](https://market.example/t)\n\nSecond paragraph\n"}


def test_invalid_utf8_and_empty_input():
    assert extract(b"<p>caf\xe9 ok</p>", URL).markdown == "caf\ufffd ok\n"
    assert extract(b"", URL).markdown == ""


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/a?utm_source=x&b=2", "https://market.example/a?b=2"),
        ("data:text/html,hi", None),
        ("  ", None),
        ("mailto:help@market.example", "mailto:help@market.example"),
        ("../x", "https://market.example/x"),
    ],
)
def test_clean_url(href, expected):
    assert clean_url(href, URL) == expected


@pytest.mark.parametrize(
    "href",
    [
        "https://market.example/fees",
        "https://market.example/fees?id=7&utm_source=mail",
        "https://market.example/fees?utm_source=mail",
        "https://market.example/fees?a=b/c",  # urlencode would quote the slash
        "https://market.example/fees?a",
        "https://market.example/fees?",
        "https://market.example/fees#",
        "https://market.example/fees#part-2",
        "https://market.example",
        "https://Market.example/Fees",
        "HTTPS://market.example/fees",
        "http://market.example:8080/a/./b/../c",
        "/help/fees?id=1&gclid=xyz#top",
        "/help/./fees",
        "/help/../fees",
        "//cdn.example/x",
        "fees.html",
        "../fees.html?x=1",
        "?page=2",
        "mailto:help@market.example",
        "javascript:void(0)",
        "/a b/c",
        "/caf%C3%A9",
        "/café",
    ],
)
@pytest.mark.parametrize(
    "base", ["https://market.example/help/policy?x=1", "http://127.0.0.1:8123/d/7", "file:///tmp/x.html"]
)
def test_fast_link_cleaning_agrees_with_urllib(href, base):
    from policywatch.crawler.extract import _clean_url_slow

    clean_url.cache_clear()
    assert clean_url(href, base) == _clean_url_slow(href.strip(), base)
