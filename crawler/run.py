"""Run one crawl in this process: Scrapy's CrawlerProcess (once per process: tests and the demo
start crawls through the CLI in a subprocess)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from archive.errors import CrawlError
from archive.record import Outcome, Recorder
from archive.sources import Document

from .checks import MIN_WORDS
from .settings import DEFAULT_DELAY, crawl_settings


def crawl(
    documents: list[Document],
    recorder: Recorder,
    *,
    clock: Callable[[], datetime],
    on_outcome: Callable[[Outcome], None] | None = None,
    delay: float = DEFAULT_DELAY,
    timeout: float = 30.0,
    min_words: int = MIN_WORDS,
    verbose: bool = False,
) -> list[Outcome]:
    """Fetch every document once; each page is checked, extracted and recorded as it arrives."""
    if not documents:
        return []
    if any(d.render == "browser" for d in documents):
        raise CrawlError("render: browser documents need the browser crawler, which this build lacks")
    from scrapy.crawler import CrawlerProcess

    from .spider import PolicySpider

    settings = crawl_settings(delay=delay, timeout=timeout, verbose=verbose)
    settings.update(
        {"POLICYWATCH_RECORDER": recorder, "POLICYWATCH_ON_OUTCOME": on_outcome, "POLICYWATCH_MIN_WORDS": min_words}
    )
    settings["LOG_INSTALL_ROOT_HANDLER"] = verbose
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PolicySpider)
    process.crawl(crawler, documents=documents, clock=clock)
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
