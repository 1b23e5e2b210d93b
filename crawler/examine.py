"""One page, crawled or archived: was it the policy? Response checks, extraction, then the checks
of the extracted text. Free of Scrapy, so importers use it without starting a crawler."""

from __future__ import annotations

from .checks import SHORT_PAGE_WORDS, Failure, check_response, check_short_page, check_text
from .extract import Extraction, extract


def examine(
    *,
    status: int,
    url: str,
    requested_url: str,
    body: bytes | None,
    text: str | None,
    select: tuple[str, ...] | None,
    remove: tuple[str, ...],
    min_words: int,
    content_type: str = "",
    close_delimited: bool = False,
    note: str = "",
) -> tuple[Extraction | None, Failure | None]:
    """Was this page the policy? Response checks, then extraction, then the checks of its text:
    (the extraction, None) or (None, why not). Crawled and archived pages both come through here."""
    failure = check_response(
        status=status,
        url=url,
        requested_url=requested_url,
        body=body,
        text=text,
        content_type=content_type,
        close_delimited=close_delimited,
    )
    if failure is None and note:
        failure = Failure("selector_missing", note)
    if failure is not None:
        return None, failure
    assert text is not None
    extraction = extract(text, url, select, remove)
    if extraction.words < SHORT_PAGE_WORDS:  # a short text: was it a wall or an error page?
        failure = check_short_page(text, body or b"", status)
    failure = failure or check_text(extraction.markdown, extraction.words, extraction.selector_matched, min_words)
    return (None, failure) if failure else (extraction, None)
