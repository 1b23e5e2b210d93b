"""Generated hostile pages: deep and wide trees, odd and lying encodings, control characters,
huge attributes, markup that imitates walls, fences and Markdown. One plain-`random` generator
(the bench draws 10,000 of them fast) and Hypothesis strategies built on it for the property
test, so both feed the page checks the same kinds of pages."""

from __future__ import annotations

import codecs
import random
from dataclasses import dataclass

TAGS = (
    "div", "p", "b", "i", "em", "strong", "span", "a", "ul", "ol", "li", "blockquote", "table", "tr", "td", "th",
    "thead", "pre", "code", "h1", "h2", "h6", "br", "hr", "img", "main", "article", "section", "dl", "dt", "dd",
    "details", "summary", "form", "input", "select", "option", "textarea", "script", "style", "svg", "math",
    "iframe", "template", "noscript", "title", "meta", "base", "caption", "figure", "label", "x-custom", "font",
)  # fmt: skip
WORDS = (
    "seller", "must", "ship", "within", "24", "hours", "fee", "15%", "refund", "policy", "account", "suspend",
    "Robot Check", "Just a moment...", "captcha", "password", "404", "Something went wrong", "```", "````",
    "# heading", "> quote", "- item", "1. one", "|", "[link](javascript:x)", "<!--", "-->", "]]>", "&amp;", "&#0;",
    "&#x110000;", "&nbsp;", "\u202e", "\u200b", "\ufeff", "\ufffd", "é", "東京", "😀", "\x00", "\x07", "\x1b[2J",
    "\x85", "\x9b", "\r\n", "\t", "\\", "*", "_",
)  # fmt: skip
CHARSETS = (
    "utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "shift_jis", "euc-kr", "koi8-r", "ascii",
    "utf-7", "x-unknown", "", "utf-8\x00", "iso-8859-1; q=", "../../etc/passwd",
)  # fmt: skip
ATTRIBUTES = ("href", "src", "class", "id", "style", "onclick", "hidden", "start", "alt", "http-equiv", "content")


@dataclass(frozen=True)
class HostilePage:
    body: bytes
    content_type: str
    url: str = "https://market.example/policy"


def _text(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.6:
            out.append(rng.choice(WORDS))
        elif roll < 0.8:
            out.append(chr(rng.randrange(0, 0x250)))
        elif roll < 0.95:
            out.append(chr(rng.randrange(0x250, 0x30000)))
        else:
            out.append(chr(rng.randrange(0xE000, 0x110000)))
    return " ".join(out).replace("\ud800", "")


def _attributes(rng: random.Random, huge: list[int]) -> str:
    attrs = []
    for _ in range(rng.randrange(0, 4)):
        name = rng.choice(ATTRIBUTES)
        value = _text(rng, rng.randrange(0, 6))
        if huge[0] > 0 and rng.random() < 0.3:
            huge[0] -= 1
            value = rng.choice(("x", "javascript:", "\"'<>", "é")) * rng.randrange(10_000, 300_000)
        quote = rng.choice(("'", '"', ""))
        attrs.append(f" {name}={quote}{value}{quote}")
    return "".join(attrs)


def _tree(rng: random.Random, depth: int, width: int, huge: list[int], budget: list[int]) -> str:
    if budget[0] <= 0 or depth <= 0:
        return _text(rng, rng.randrange(0, 5))
    parts = []
    for _ in range(rng.randrange(1, width + 1)):
        budget[0] -= 1
        if budget[0] <= 0:
            break
        tag = rng.choice(TAGS)
        inner = _tree(rng, depth - 1, max(1, width // 2), huge, budget)
        close = "" if rng.random() < 0.1 else f"</{tag}>"  # unclosed tags, as real pages have
        parts.append(f"<{tag}{_attributes(rng, huge)}>{_text(rng, rng.randrange(0, 4))}{inner}{close}")
    return "".join(parts)


def hostile_page(rng: random.Random) -> HostilePage:
    """One page: a random tree, then some of the attacks on top of it."""
    huge = [3 if rng.random() < 0.1 else 0]  # up to three huge attributes on a page
    body = _tree(rng, rng.randrange(1, 6), rng.randrange(1, 8), huge, [rng.randrange(5, 200)])
    roll = rng.random()
    if roll < 0.15:  # deep: a chain of nested tags far below any real page
        tags = [rng.choice(TAGS) for _ in range(rng.randrange(1, 5))]
        n = rng.randrange(100, 3000)
        body += "".join(f"<{tags[i % len(tags)]}>{rng.choice(WORDS)} " for i in range(n))
        body += "".join(f"</{tags[(n - 1 - i) % len(tags)]}>" for i in range(n) if rng.random() < 0.9)
    elif roll < 0.25:  # wide: thousands of siblings
        tag = rng.choice(TAGS)
        body += f"<{tag}>{rng.choice(WORDS)}</{tag}>" * rng.randrange(1000, 8000)
    elif roll < 0.3:  # one enormous text node
        body += rng.choice(WORDS) * rng.randrange(10_000, 300_000)
    title = rng.choice(("Terms", "Robot Check", "404 Not Found", "", "<b>x</b>", _text(rng, 3)))
    head = f"<head><title>{title}</title>"
    charset = rng.choice(CHARSETS)
    if rng.random() < 0.3:
        head += f"<meta charset='{rng.choice(CHARSETS)}'>"
    html = f"<!doctype html><html>{head}</head><body>{body}</body></html>"
    if rng.random() < 0.1:
        html = html[: rng.randrange(0, len(html) + 1)]  # cut anywhere
    encoding = charset if _known(charset) else "utf-8"
    data = html.encode(encoding, "replace") if encoding != "utf-7" else html.encode("utf-7")
    if rng.random() < 0.1:
        data = rng.choice((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) + data
    if rng.random() < 0.1:  # binary garbage spliced in
        at = rng.randrange(0, len(data) + 1)
        data = data[:at] + rng.randbytes(rng.randrange(1, 5000)) + data[at:]
    label = rng.choice(("text/html", "text/html; charset=", "application/octet-stream", "", "text/plain"))
    content_type = label + (rng.choice(CHARSETS) if label.endswith("=") else "")
    url = rng.choice(("https://market.example/policy", "http://127.0.0.1:8000/p", "https://xn--e1afmkfd.xn--p1ai/"))
    return HostilePage(data, content_type, url)


def _known(charset: str) -> bool:
    try:
        codecs.lookup(charset)
    except (LookupError, ValueError):
        return False
    return True


def strategy():
    """Hypothesis: pages from the generator above, its seed drawn (and shrunk) by Hypothesis."""
    from hypothesis import strategies as st

    return st.integers(min_value=0, max_value=2**32 - 1).map(lambda seed: hostile_page(random.Random(seed)))


def html_strategy():
    """Hypothesis: markup built from Hypothesis' own text, for what a seeded generator misses."""
    from hypothesis import strategies as st

    text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
    tag = st.sampled_from(TAGS)
    leaf = text.map(lambda t: t.replace("<", "&lt;"))

    def element(children):
        return st.tuples(tag, st.sampled_from(ATTRIBUTES), text, st.lists(children, max_size=4)).map(
            lambda t: f"<{t[0]} {t[1]}='{t[2]}'>{''.join(t[3])}</{t[0]}>"
        )

    return st.recursive(leaf, element, max_leaves=40)
