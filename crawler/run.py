"""Run one crawl in this process: Scrapy's CrawlerProcess (once per process: tests and the demo
start crawls through the CLI in a subprocess), with Chromium only when a document needs it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from policywatch.archive.errors import CrawlError
from policywatch.archive.record import Outcome, Recorder
from policywatch.archive.sources import Document

from .browser import find_chromium, where_we_looked
from .checks import MIN_WORDS
from .settings import (
    CONTACT_URL,
    DEFAULT_BACKOFF,
    DEFAULT_DELAY,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_PAGE_BYTES,
    browser_settings,
    crawl_settings,
)


@dataclass(frozen=True)
class CrawlOptions:
    """How politely and patiently to fetch; the defaults are the polite ones."""

    delay: float = DEFAULT_DELAY
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    contact: str = CONTACT_URL
    obey_robots: bool = True
    per_domain: int = 1
    max_bytes: int = MAX_PAGE_BYTES
    min_words: int = MIN_WORDS
    verbose: bool = False
    validators: dict[str, tuple[str, str]] = field(default_factory=dict)  # doc id -> (ETag, Last-Modified)
    failpoints: frozenset[str] = frozenset()  # "stage:doc-id": raise inside that stage (crash isolation tests)


def crawl(
    documents: list[Document],
    recorder: Recorder,
    *,
    clock: Callable[[], datetime],
    on_outcome: Callable[[Outcome], None] | None = None,
    options: CrawlOptions | None = None,
) -> list[Outcome]:
    """Fetch every document once; each page is checked, extracted and recorded as it arrives."""
    options = options or CrawlOptions()
    if not documents:
        return []
    settings = crawl_settings(
        delay=options.delay,
        contact=options.contact,
        timeout=options.timeout,
        retries=options.retries,
        backoff=options.backoff,
        max_bytes=options.max_bytes,
        verbose=options.verbose,
        obey_robots=options.obey_robots,
        per_domain=options.per_domain,
    )
    if any(d.render == "browser" for d in documents):
        chromium = find_chromium()
        if chromium is None:
            names = ", ".join(d.id for d in documents if d.render == "browser")
            raise CrawlError(
                f"render: browser documents ({names}) need Chromium, and none was found: {where_we_looked()}"
            )
        settings.update(browser_settings(str(chromium), options.timeout))
    from scrapy.crawler import CrawlerProcess

    from .spider import PolicySpider

    settings.update(
        {
            "POLICYWATCH_RECORDER": recorder,
            "POLICYWATCH_ON_OUTCOME": on_outcome,
            "POLICYWATCH_MIN_WORDS": options.min_words,
            "POLICYWATCH_FAILPOINTS": options.failpoints,
            "LOG_INSTALL_ROOT_HANDLER": options.verbose,
        }
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PolicySpider)
    process.crawl(
        crawler,
        documents=documents,
        clock=clock,
        validators=options.validators,
        timeout=options.timeout,
        failpoints=options.failpoints,
    )
    process.start()
    error = getattr(getattr(crawler, "policywatch_pipeline", None), "error", None)
    if error is not None:
        raise error
    seen = {o.document_id for o in recorder.outcomes}
    lost = [d.id for d in documents if d.id not in seen]
    for doc_id in lost:  # a request Scrapy dropped without a callback still counts as a failure
        outcome = recorder.failed(doc_id, at=clock(), reason="connection", detail="no response")
        if on_outcome:
            on_outcome(outcome)
    return recorder.outcomes
