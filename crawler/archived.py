"""Archived pages (an HTML file of a folder, a Wayback Machine capture) through the same checks
and extraction as a crawled page, so an imported version and a crawled one compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from w3lib.encoding import html_to_unicode

from archive.sources import Document

from .checks import MIN_WORDS, Failure, check_body, check_page, check_text
from .extract import EXTRACTOR_VERSION, extract


@dataclass(frozen=True)
class ArchivedPage:
    """The canonical text of an archived page, or why it is not the policy."""

    text: str = ""
    failure: Failure | None = None
    extractor: str = EXTRACTOR_VERSION


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes → text the way the crawler's responses are decoded (header charset, BOM, <meta>)."""
    return html_to_unicode(content_type, body)[1]


def extract_archived(
    body: bytes,
    url: str,
    document: Document,
    content_type: str | None = None,
    min_words: int = MIN_WORDS,
) -> ArchivedPage:
    """Check and extract one archived page with `document`'s select/remove rules."""
    failure = check_body(body, "" if body else None)
    if failure is not None:
        return ArchivedPage(failure=failure)
    html = decode_html(body, content_type)
    failure = check_page(html, url, url)
    if failure is not None:
        return ArchivedPage(failure=failure)
    extraction = extract(html, url, document.select, document.remove)
    failure = check_text(extraction.markdown, extraction.words, extraction.selector_matched, min_words)
    if failure is not None:
        return ArchivedPage(failure=failure)
    return ArchivedPage(extraction.markdown)
