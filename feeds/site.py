"""The static changelog site: Jinja2 templates (autoescaped), relative links, no inline script.

Policy text is hostile input: version pages render Markdown with raw HTML disabled, markdown-it
refuses javascript:/data: link targets, images become text (no request leaves the page), and
control characters HTML forbids are dropped from every page.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache, lru_cache
from html import escape

from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt

from .paths import html_safe

SITE_TITLE = "policywatch"
CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'self'"
)
# The search page runs Pagefind, whose search engine is WebAssembly: compiling it needs
# 'wasm-unsafe-eval' (it allows WebAssembly only, not eval() of JavaScript), and its search runs in
# a worker loaded from the site (worker-src 'self'). Only that page gets them.
CSP_SEARCH = CSP.replace("script-src 'self';", "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self';")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# the two forms nearly every time takes, read without strptime (a page of 50 changes shows 100)
UTC_TIMES = (
    re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z"),
    re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z"),
)


@lru_cache(maxsize=65536)
def _parse(value: str) -> datetime | None:
    """An ISO 8601 UTC time ("2026-01-06T09:00:00Z") or a version id ("20260106T090000Z", "..._2")."""
    v = value.split("_", 1)[0]
    m = UTC_TIMES[0].fullmatch(v) or UTC_TIMES[1].fullmatch(v)
    if m:
        try:
            return datetime(*map(int, m.groups()))  # type: ignore[misc]
        except ValueError:
            pass
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"):
        try:
            return datetime.strptime(v, fmt)
        except ValueError:
            continue
    return None


def when(value: str | None) -> str:
    """A readable time with its zone: "6 Jan 2026, 09:00 UTC" (every time we keep is UTC)."""
    if not value:
        return ""
    t = _parse(value)
    if t is None:
        return value
    return f"{t.day} {MONTHS[t.month - 1]} {t.year}, {t.hour:02d}:{t.minute:02d} UTC"


def day(value: str | None) -> str:
    """A readable date: "6 Jan 2026"."""
    if not value:
        return ""
    t = _parse(value)
    return f"{t.day} {MONTHS[t.month - 1]} {t.year}" if t else value


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("policywatch.feeds", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.globals.update(site_title=SITE_TITLE, csp=CSP, csp_search=CSP_SEARCH)
    env.filters.update(when=when, day=day)
    return env


def _image_as_text(renderer, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = "".join(child.content for child in token.children or [])
    return f'<span class="img-alt">[image{": " + escape(alt) if alt else ""}]</span>'


def _link_open(renderer, tokens, idx, options, env) -> str:
    # links out of policy text are the service's, not ours: no referrer, no ranking credit
    token = tokens[idx]
    token.attrSet("rel", "nofollow noopener noreferrer")
    return renderer.renderToken(tokens, idx, options, env)


def outline(levels: list[int]) -> list[int]:
    """Heading levels for a page whose own <h1> names the document: the policy's headings sit
    below it, none more than one level deeper than the one before (a policy that jumps from ##
    to #### would leave a gap in the page's outline)."""
    out = []
    above: list[tuple[int, int]] = []  # (level in the policy, level on the page) of the headings above
    for level in levels:
        while above and above[-1][0] >= level:
            above.pop()
        page = min(above[-1][1] + 1 if above else 2, 6)
        above.append((level, page))
        out.append(page)
    return out


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.add_render_rule("image", _image_as_text)
    md.add_render_rule("link_open", _link_open)
    return md


def markdown_html(text: str) -> str:
    md = _markdown()
    tokens = md.parse(text)
    opens = [t for t in tokens if t.type == "heading_open"]
    closes = [t for t in tokens if t.type == "heading_close"]
    for opening, closing, level in zip(opens, closes, outline([int(t.tag[1]) for t in opens]), strict=True):
        opening.tag = closing.tag = f"h{level}"
    return md.renderer.render(tokens, md.options, {})


def root_of(page: str) -> str:
    return "../" * page.count("/")


def render_page(template: str, page: str, **context) -> bytes:
    html = environment().get_template(template).render(root=root_of(page), page=page, **context)
    return html_safe(html).encode("utf-8")
