"""The Scrapy spider: one request per tracked document; every response or error becomes one
FetchResult item for the record pipeline. No parsing here: checks and extraction run in the
pipeline, one page at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import scrapy
from scrapy import logformatter
from scrapy.exceptions import IgnoreRequest
from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from archive.sources import Document


@dataclass
class FetchResult:
    """What one fetch gave: a response (status, final URL, decoded text) or a typed failure."""

    document_id: str
    requested_url: str
    at: datetime
    url: str = ""
    status: int | None = None
    body: bytes | None = None
    text: str | None = None
    reason: str | None = None
    detail: str = ""


class QuietLogFormatter(logformatter.LogFormatter):
    """Scrapy logs every dropped or scraped item at WARNING/DEBUG; a policy crawl reports its own
    outcomes, so these stay at DEBUG."""

    def scraped(self, item, response, spider):
        entry = super().scraped(item, response, spider)
        entry["msg"] = "Scraped %(src)s"
        entry["args"] = {"src": getattr(item, "document_id", "?")}
        return entry


def classify_failure(failure) -> tuple[str, str]:
    """Typed reason of a download error."""
    if failure.check(TimeoutError, TCPTimedOutError):
        return "timeout", str(failure.value) or "timed out"
    if failure.check(DNSLookupError, ConnectionRefusedError):
        return "connection", failure.value.__class__.__name__ + (f": {failure.value}" if str(failure.value) else "")
    if failure.check(ResponseNeverReceived, ResponseFailed, ConnectionLost, ConnectionDone):
        reasons = getattr(failure.value, "reasons", None)
        inner = "; ".join(str(r.value) for r in reasons) if reasons else str(failure.value)
        return "connection", f"{failure.value.__class__.__name__}: {inner}"[:300]
    if failure.check(IgnoreRequest):
        message = str(failure.value)
        if "robots.txt" in message.lower() or "Forbidden by robots" in message:
            return "robots", "forbidden by robots.txt"
        if "redirect" in message.lower():
            return "too_many_redirects", message
        if "maxsize" in message.lower() or "larger than" in message.lower():
            return "too_large", message
        return "ignored", message
    name = failure.value.__class__.__name__
    text = str(failure.value)
    if "maxsize" in text.lower() or "Cancelling download" in text or "expected size" in text:
        return "too_large", text[:300]
    return "connection", f"{name}: {text}"[:300]


class PolicySpider(scrapy.Spider):
    name = "policywatch"

    def __init__(self, documents: list[Document], clock: Callable[[], datetime], **kwargs):
        super().__init__(**kwargs)
        self.documents = {d.id: d for d in documents}
        self.clock = clock

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    async def start(self):
        for request in self._requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:  # Scrapy < 2.13
        yield from self._requests()

    def _requests(self) -> Iterator[scrapy.Request]:
        for doc in self.documents.values():
            yield scrapy.Request(
                doc.url,
                callback=self.parse,
                errback=self.failed,
                dont_filter=True,
                meta={"document_id": doc.id, "handle_httpstatus_list": list(range(400, 600))},
            )

    def parse(self, response: scrapy.http.Response):
        doc_id = response.meta["document_id"]
        text = None
        if isinstance(response, scrapy.http.TextResponse):
            text = response.text
        yield FetchResult(
            doc_id, self.documents[doc_id].url, self._now(), response.url, response.status, response.body, text
        )

    def failed(self, failure):
        request = failure.request
        doc_id = request.meta["document_id"]
        reason, detail = classify_failure(failure)
        yield FetchResult(doc_id, self.documents[doc_id].url, self._now(), request.url, reason=reason, detail=detail)
