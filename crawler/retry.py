"""Retries with backoff: Scrapy's RetryMiddleware retries at once; a server that answered 429 or
503, timed out or dropped the connection is given time first (exponential backoff, Retry-After
honoured up to a cap), and a Retry-After beyond the cap is not waited for within this run.
"""

from __future__ import annotations

import asyncio
import time

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response

from .retry_after import retry_after

MAX_WAIT = 60.0  # never wait longer than this for one retry within a run


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("POLICYWATCH_BACKOFF", 1.0)

    def _wait(self, request: Request, asked: float | None = None) -> float | None:
        """How long to wait before the next try; None: give up now."""
        if asked is not None:
            return asked if asked <= MAX_WAIT else None
        tries = request.meta.get("retry_times", 0)
        return min(self.backoff * 2**tries, MAX_WAIT)

    async def process_response(self, request: Request, response: Response, spider=None):  # type: ignore[override]
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = self._wait(request, retry_after(response.headers.get(b"Retry-After"), time.time()))
        if wait is None:
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await asyncio.sleep(wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception, spider=None):  # type: ignore[override]
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self._wait(request) or 0)
        return retry
