"""The static changelog site: Jinja2 templates (autoescaped), relative links, no script.

Policy text is hostile input: version pages render Markdown with raw HTML disabled, and
markdown-it refuses javascript:/data: link targets.
"""

from __future__ import annotations

import posixpath
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt

SITE_TITLE = "policywatch"


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("feeds", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    return md


def markdown_html(text: str) -> str:
    return _markdown().render(text)


def root_of(page: str) -> str:
    depth = posixpath.dirname(page).count("/") + (1 if posixpath.dirname(page) else 0)
    return "../" * depth


def render_page(template: str, page: str, **context) -> bytes:
    html = environment().get_template(template).render(root=root_of(page), site_title=SITE_TITLE, **context)
    return html.encode("utf-8")
