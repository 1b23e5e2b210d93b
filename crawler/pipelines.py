"""The item pipeline: each FetchResult is checked, extracted and handed to the Recorder as it
arrives, so pages stream to disk and are never held for the whole crawl."""

from __future__ import annotations

from .checks import check_body, check_page, check_status, check_text
from .extract import EXTRACTOR_VERSION, extract
from .spider import FetchResult


class RecordPipeline:
    def __init__(self, crawler, recorder, on_outcome, min_words: int):
        self.crawler = crawler
        self.recorder = recorder
        self.on_outcome = on_outcome
        self.min_words = min_words
        self.error: BaseException | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        pipeline = cls(
            crawler, s.get("POLICYWATCH_RECORDER"), s.get("POLICYWATCH_ON_OUTCOME"), s.getint("POLICYWATCH_MIN_WORDS")
        )
        crawler.policywatch_pipeline = pipeline
        return pipeline

    def process_item(self, item: FetchResult):
        if self.error is not None:
            return None
        try:
            outcome = self.handle(item, self.crawler.spider.documents[item.document_id])
        except Exception as e:  # the store failed: stop the crawl and let the run report it
            self.error = e
            _stop(self.crawler)
            return None
        if self.on_outcome:
            self.on_outcome(outcome)
        return None

    def handle(self, item: FetchResult, doc):
        rec = self.recorder
        if item.reason:
            return rec.failed(item.document_id, at=item.at, reason=item.reason, detail=item.detail)
        failure = check_status(item.status or 0) or check_body(item.body, item.text)
        failure = failure or check_page(item.text, item.url, item.requested_url)
        if failure is None:
            extraction = extract(item.text, item.url, doc.select, doc.remove)
            failure = check_text(extraction.markdown, extraction.words, extraction.selector_matched, self.min_words)
        if failure is not None:
            return rec.failed(item.document_id, at=item.at, reason=failure.reason, detail=failure.detail)
        return rec.fetched(
            item.document_id,
            text=extraction.markdown,
            at=item.at,
            url=item.url,
            extractor=EXTRACTOR_VERSION,
            raw=item.body,
            confirm=doc.confirm,
        )


def _stop(crawler) -> None:
    engine = crawler.engine
    if hasattr(engine, "close_spider_async"):  # Scrapy >= 2.14
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(engine.close_spider_async(reason="store error"))
    else:
        engine.close_spider(crawler.spider, "store error")
