"""The item pipeline: each FetchResult is checked, extracted and handed to the Recorder as it
arrives, so pages stream to disk and are never held for the whole crawl. Whatever goes wrong
with one page fails that document alone (a typed reason, the traceback kept for the log); only
a store that cannot be written stops the crawl."""

from __future__ import annotations

import traceback

from policywatch.archive.errors import CorruptRecordError, StoreError
from policywatch.archive.record import Outcome, Recorder

from .checks import check_change, describe
from .decode import decode_page
from .examine import examine
from .extract import EXTRACTOR_VERSION, extract
from .failpoints import failpoint
from .spider import FetchResult


def vet(previous: str | None, new: str) -> tuple[str, str] | None:
    """The Recorder's hook: a new text that looks like a broken page rather than an edit."""
    failure = check_change(previous, new)
    return (failure.reason, failure.detail) if failure else None


def reextractor(recorder: Recorder, doc):
    """The Recorder's hook for versions recorded under older extraction rules: their raw page,
    extracted with today's rules and the document's current selectors."""

    def again(version) -> str | None:
        snapshot = recorder.store.snapshot_of(version)
        if snapshot is None:
            return None
        raw = snapshot.read_bytes()
        return extract(decode_page(raw, ""), version.url or doc.url, doc.select, doc.remove).markdown

    return again


def judge(
    item: FetchResult, doc, recorder: Recorder, min_words: int, failpoints: frozenset[str] = frozenset()
) -> Outcome:
    """One fetch → one outcome: checks first, then extraction, then the record. `failpoints`
    ("stage:doc-id") raise inside a stage, for the tests of crash isolation."""
    at = item.at
    if item.reason:
        outcome = recorder.failed(item.document_id, at=at, reason=item.reason, detail=item.detail)
        outcome.trace = item.trace
        return outcome
    failpoint(failpoints, "check", item.document_id)
    if item.status == 304:
        if item.conditional:
            return recorder.unchanged(item.document_id, at=at)
        return recorder.failed(item.document_id, at=at, reason="http_status", detail="HTTP 304 to a plain request")
    extraction, failure = examine(
        status=item.status or 0,
        url=item.url,
        requested_url=item.requested_url,
        body=item.body,
        text=item.text,
        select=doc.select,
        remove=doc.remove,
        min_words=min_words,
        content_type=item.content_type,
        close_delimited=item.close_delimited,
        note=item.note,
    )
    if failure is not None:
        return recorder.failed(item.document_id, at=at, reason=failure.reason, detail=failure.detail)
    failpoint(failpoints, "extract", item.document_id)

    def vetted(previous: str | None, new: str) -> tuple[str, str] | None:
        failpoint(failpoints, "record", item.document_id)  # inside the record stage
        return vet(previous, new)

    return recorder.fetched(
        item.document_id,
        text=extraction.markdown,
        at=at,
        url=item.url,
        extractor=EXTRACTOR_VERSION,
        raw=item.body,
        confirm=doc.confirm,
        vet=vetted,
        reextract=reextractor(recorder, doc),
    )


class RecordPipeline:
    def __init__(self, crawler, recorder, on_outcome, min_words: int, failpoints: frozenset[str] = frozenset()):
        self.crawler = crawler
        self.recorder = recorder
        self.on_outcome = on_outcome
        self.min_words = min_words
        self.failpoints = failpoints
        self.error: BaseException | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        pipeline = cls(
            crawler,
            s.get("POLICYWATCH_RECORDER"),
            s.get("POLICYWATCH_ON_OUTCOME"),
            s.getint("POLICYWATCH_MIN_WORDS"),
            s.get("POLICYWATCH_FAILPOINTS") or frozenset(),
        )
        crawler.policywatch_pipeline = pipeline
        return pipeline

    def process_item(self, item: FetchResult):
        if self.error is not None:
            return None
        doc_id = item.document_id
        try:
            outcome = judge(item, self.crawler.spider.documents[doc_id], self.recorder, self.min_words, self.failpoints)
        except CorruptRecordError as e:  # this document's record is damaged: the others are fine
            detail = f"{e}; restore the file (git checkout) or remove it"
            outcome = self.recorder.failed(doc_id, at=item.at, reason="corrupt_record", detail=detail)
        except StoreError as e:  # the data folder cannot be written: stop the crawl, the run reports it
            self.error = e
            _stop(self.crawler)
            return None
        except Exception as e:  # a bug or a page that breaks a stage: this document fails, the crawl goes on
            outcome = self.recorder.failed(doc_id, at=item.at, reason="internal_error", detail=describe(e))
            outcome.trace = traceback.format_exc()
        outcome.http_status, outcome.url = item.status, item.url or item.requested_url
        outcome.etag, outcome.last_modified = item.etag, item.last_modified
        if self.on_outcome:
            self.on_outcome(outcome)
        return None


def _stop(crawler) -> None:
    engine = crawler.engine
    if hasattr(engine, "close_spider_async"):  # Scrapy >= 2.14
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(engine.close_spider_async(reason="store error"))
    else:
        engine.close_spider(crawler.spider, "store error")
