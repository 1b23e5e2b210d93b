"""The Scrapy spider: one request per tracked document (through Chromium for `render: browser`);
every response or error becomes one FetchResult item for the record pipeline. No parsing here:
checks and extraction run in the pipeline, one page at a time."""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import scrapy
from scrapy import logformatter

from policywatch.archive.sources import Document

from .addresses import refusal
from .browser import REFUSED_NAVIGATIONS
from .checks import classify_error, describe
from .decode import decode_page
from .extract import EXTRACTOR_VERSION
from .failpoints import failpoint

SETTLE_MAX = 5.0  # seconds a browser page without wait_for may take to reach network idle
GENERIC_TYPES = ("application/octet-stream", "binary/octet-stream", "application/unknown")
TEXT_TYPES = ("text/", "application/xhtml", "application/xml")


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
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    close_delimited: bool = False  # the body ended with the connection (no length, no chunks)
    conditional: bool = False  # the request carried validators, so 304 means "unchanged"
    note: str = ""  # a browser page's wait_for selector never appeared: a failure unless a wall explains it
    trace: str = ""  # an internal_error's traceback, for the log


def fingerprint(doc: Document) -> str:
    """What decides a document's text besides the page: a 304 only means "unchanged" when this is
    the same as at the fetch that gave the validators."""
    parts = [doc.url, doc.select, doc.remove, doc.render, doc.wait_for, EXTRACTOR_VERSION]
    return hashlib.sha256(json.dumps(parts, default=list).encode()).hexdigest()[:16]


class QuietLogFormatter(logformatter.LogFormatter):
    """Scrapy logs every scraped item; a policy crawl reports its own outcomes, so these stay quiet."""

    def scraped(self, item, response, spider):
        entry = super().scraped(item, response, spider)
        entry["msg"] = "Scraped %(src)s"
        entry["args"] = {"src": getattr(item, "document_id", "?")}
        return entry


async def wait_for_selector(page, selector: str, timeout_ms: float) -> bool:
    """A page method for browser documents: wait until `selector` is in the DOM; False if it
    never came (the page is still read, so a wall or a missing selector gets its own reason)."""
    try:
        await page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
        return True
    except Exception as e:  # Playwright's TimeoutError; its class lives in a private module
        if "Timeout" not in type(e).__name__:
            raise
        return False


async def settle(page, timeout_ms: float) -> bool:
    """Without wait_for: give scripts that fetch the text a moment (network idle, capped)."""
    try:
        await page.wait_for_load_state("networkidle", timeout=timeout_ms)
        return True
    except Exception as e:
        if "Timeout" not in type(e).__name__:
            raise
        return False


class PolicySpider(scrapy.Spider):
    name = "policywatch"

    def __init__(
        self,
        documents: list[Document],
        clock: Callable[[], datetime],
        validators: dict[str, tuple[str, str]] | None = None,
        timeout: float = 30.0,
        failpoints: frozenset[str] = frozenset(),
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.documents = {d.id: d for d in documents}
        self.failpoints = failpoints
        self.clock = clock
        self.validators = validators or {}
        self.wait_ms = timeout * 1000  # a browser page's wait_for may take as long as a fetch
        self.settle_ms = min(timeout, SETTLE_MAX) * 1000

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    async def start(self):
        # one request per document; a document whose request cannot even be made is a failure
        # item of its own (start() may yield items), never the end of the others' requests
        for doc in self.documents.values():
            try:
                request = self._request(doc)
            except Exception as e:
                yield self._internal_error(doc.id, doc.url, e)
            else:
                yield request

    def _internal_error(self, doc_id: str, url: str, error: Exception) -> FetchResult:
        return FetchResult(
            doc_id, url, self._now(), url, reason="internal_error", detail=describe(error), trace=traceback.format_exc()
        )

    def _request(self, doc: Document) -> scrapy.Request:
        meta: dict = {"document_id": doc.id, "handle_httpstatus_list": [304, *range(400, 600)]}
        headers: dict[str, str] = {}
        if doc.ignore_robots:
            meta["dont_obey_robotstxt"] = True
        if doc.render == "browser":
            from scrapy_playwright.page import PageMethod

            method = (
                PageMethod(wait_for_selector, doc.wait_for, self.wait_ms)
                if doc.wait_for
                else PageMethod(settle, self.settle_ms)
            )
            meta.update(
                playwright=True,
                playwright_page_methods=[method],
                playwright_page_goto_kwargs={"wait_until": "load"},
            )
        elif doc.id in self.validators:
            etag, last_modified = self.validators[doc.id]
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            meta["conditional"] = bool(headers)
        return scrapy.Request(
            doc.url, callback=self.parse, errback=self.failed, dont_filter=True, meta=meta, headers=headers
        )

    # parse and failed return lists, not generators: Scrapy re-reads a generator callback's
    # source on every response (to warn about `return` values), a millisecond per page.
    def parse(self, response: scrapy.http.Response) -> list[FetchResult]:
        doc_id = response.meta["document_id"]
        try:
            return [self._result(response, doc_id)]
        except Exception as e:
            return [self._internal_error(doc_id, self.documents[doc_id].url, e)]

    def _result(self, response: scrapy.http.Response, doc_id: str) -> FetchResult:
        failpoint(self.failpoints, "fetch", doc_id)
        doc = self.documents[doc_id]
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        body = response.body
        note = ""
        if "playwright" in response.flags:
            # the browser already decoded the page; keep the rendered DOM, as UTF-8 (a download,
            # such as a PDF, comes back as a plain Response: not a page)
            text: str | None = response.text if isinstance(response, scrapy.http.TextResponse) else None
            body = text.encode("utf-8") if text is not None else body
            methods = response.meta.get("playwright_page_methods") or ()
            if doc.wait_for and methods and methods[0].result is False:
                note = f"wait_for {doc.wait_for!r} did not appear within {self.wait_ms / 1000:g}s"
        elif _is_text(content_type, body):
            text = decode_page(body, content_type)
        else:
            text = None
        if not response.url.startswith(("http://", "https://")):
            # the browser's error page: the page navigated (a refresh, a script) and was stopped
            # by blocked_resource, or the navigation failed
            reason, detail = REFUSED_NAVIGATIONS.pop(doc.url, ("connection", ""))
            detail = detail or f"the page navigated away and the browser ended on {response.url}"
            return FetchResult(doc_id, doc.url, self._now(), response.url, reason=reason, detail=detail)
        if response.url != doc.url:
            # the browser follows redirects itself, and a page may have navigated anywhere: where
            # it ended must be a place the document may lead (addresses.py)
            refused = refusal(doc.url, response.url, _previous(response))
            if refused is not None:
                return FetchResult(doc_id, doc.url, self._now(), response.url, reason=refused[0], detail=refused[1])
        etag = response.headers.get(b"ETag", b"").decode("latin-1")
        last_modified = response.headers.get(b"Last-Modified", b"").decode("latin-1")
        if response.status == 304 and doc_id in self.validators:  # still the validators we sent
            etag = etag or self.validators[doc_id][0]
            last_modified = last_modified or self.validators[doc_id][1]
        return FetchResult(
            doc_id,
            doc.url,
            self._now(),
            url=response.url,
            status=response.status,
            body=body,
            text=text,
            content_type=content_type,
            etag=etag,
            last_modified=last_modified,
            close_delimited="partial" in response.flags or "dataloss" in response.flags,
            conditional=bool(response.meta.get("conditional")),
            note=note,
        )

    def failed(self, failure) -> list[FetchResult]:
        request = failure.request
        doc_id = request.meta["document_id"]
        url = self.documents[doc_id].url
        try:
            problem = classify_error(failure.value)
        except Exception as e:
            return [self._internal_error(doc_id, url, e)]
        return [FetchResult(doc_id, url, self._now(), request.url, reason=problem.reason, detail=problem.detail)]


def _previous(response: scrapy.http.Response) -> str:
    """The URL a response was redirected from (Scrapy's chain; a browser page's is not known)."""
    chain = response.meta.get("redirect_urls") or []
    return chain[-1] if chain else ""


def _is_text(content_type: str, body: bytes) -> bool:
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype and ctype not in GENERIC_TYPES:
        return ctype.startswith(TEXT_TYPES) or ctype.endswith("+xml")
    # no type, or "some bytes": sniff for markup, as a browser would
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
