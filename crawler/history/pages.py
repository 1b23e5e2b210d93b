"""Archived pages (an HTML file of a folder, a Wayback Machine capture) through the same checks
and extraction as a crawled page, so an imported version and a crawled one compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from policywatch.archive.sources import Document

from ..checks import MIN_WORDS, Failure
from ..decode import decode_page
from ..examine import examine
from ..extract import EXTRACTOR_VERSION


@dataclass(frozen=True)
class ArchivedPage:
    """The canonical text of an archived page, or why it is not the policy."""

    text: str = ""
    failure: Failure | None = None
    extractor: str = EXTRACTOR_VERSION


def extract_archived(
    body: bytes,
    url: str,
    document: Document,
    content_type: str | None = None,
    min_words: int = MIN_WORDS,
) -> ArchivedPage:
    """Check and extract one archived page with `document`'s select/remove rules."""
    html = decode_page(body, content_type or "") if body and body.strip() else None
    extraction, failure = examine(
        status=200,
        url=url,
        requested_url=url,
        body=body,
        text=html,
        select=document.select,
        remove=document.remove,
        min_words=min_words,
        content_type=content_type or "",
    )
    if failure is not None:
        return ArchivedPage(failure=failure)
    return ArchivedPage(extraction.markdown)
