"""A polite client of the Internet Archive's Wayback Machine: the CDX API lists a URL's captures
(collapsed by digest), and `id_` URLs give each capture's original bytes, without the toolbar.

Polite: one request at a time, `delay` seconds apart, an identifying User-Agent, and 429/5xx
answers retried after Retry-After (or a growing pause). Any CDX server of the same API works
(`base`), which is how the tests point it at a local one.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit

from policywatch.archive.errors import ImportSourceError

from ..retry_after import retry_after
from ..settings import MAX_PAGE_BYTES, user_agent

DEFAULT_API = "https://web.archive.org"
DEFAULT_DELAY = 4.0  # the Wayback Machine throttles clients that ask faster than ~15 a minute
RETRY_STATUSES = (429, 500, 502, 503, 504)
TRANSIENT = (TimeoutError, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
MAX_RETRY_WAIT = 120.0
CDX_FIELDS = ("timestamp", "original", "digest", "statuscode", "mimetype")
_ID_URL = re.compile(r"/web/(\d{14})id_/")


@dataclass(frozen=True)
class Capture:
    """One row of the CDX API."""

    timestamp: str  # YYYYMMDDhhmmss, UTC
    original: str
    digest: str = ""
    statuscode: str = ""
    mimetype: str = ""
    problem: str = ""  # why this row cannot be imported (an impossible timestamp, not an http(s) URL)

    @property
    def at(self) -> datetime:
        return parse_timestamp(self.timestamp)


@dataclass(frozen=True)
class Fetched:
    """A capture's original bytes (its time may differ from the CDX row's after a redirect)."""

    capture: Capture
    at: datetime
    url: str
    body: bytes
    content_type: str | None


class CaptureError(Exception):
    """One capture could not be fetched (HTTP error, too large): skip it, go on with the rest."""


class SlowAnswer(CaptureError):
    """An answer still arriving at the deadline (a server trickling bytes beats any per-read
    timeout, while the import holds the data folder's lock)."""


def parse_timestamp(ts: str) -> datetime:
    digits = (ts + "0" * 14)[:14]
    return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def cdx_bound(value: str) -> str:
    """--from/--to (YYYY, YYYY-MM, YYYY-MM-DD, or up to 14 digits of a Wayback timestamp) → the
    CDX API's digits; ValueError naming the value if it is not a date."""
    digits = re.sub(r"[-:T ]", "", value.strip().removesuffix("Z"))
    if not re.fullmatch(r"\d{4}(?:\d\d){0,5}", digits):
        raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM-DD or a Wayback timestamp YYYYMMDDhhmmss)")
    try:
        parse_timestamp(digits + "0101000000"[len(digits) - 4 :])
    except ValueError:
        raise ValueError(f"{value!r} is not a valid date") from None
    return digits


class Wayback:
    """The CDX and `id_` endpoints of one Wayback Machine (or a server speaking the same API)."""

    def __init__(
        self,
        base: str = DEFAULT_API,
        *,
        delay: float = DEFAULT_DELAY,
        timeout: float = 30.0,
        deadline: float | None = None,
        retries: int = 2,
        agent: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.base = base.rstrip("/")
        self.delay, self.timeout, self.retries = delay, timeout, retries
        # `timeout` bounds each read; `deadline` a whole answer (real time, whatever `clock` says)
        self.deadline = deadline if deadline is not None else 4 * timeout
        self.agent = agent or user_agent()
        self.sleep, self.clock = sleep, clock
        self._last: float | None = None
        self.requests = 0

    def captures(self, url: str, since: str | None = None, until: str | None = None) -> list[Capture]:
        """Every capture of `url` (adjacent duplicates collapsed by digest), oldest first."""
        params = {"url": url, "output": "json", "fl": ",".join(CDX_FIELDS), "collapse": "digest"}
        if since:
            params["from"] = since
        if until:
            params["to"] = until
        endpoint = f"{self.base}/cdx/search/cdx?{urlencode(params)}"
        try:
            status, body, _, _ = self._get(endpoint)
        except CaptureError as e:
            raise ImportSourceError(f"the CDX API at {self.base}: {e}") from None
        if status != 200:
            raise ImportSourceError(f"the CDX API at {self.base} answered HTTP {status} for {url}: {_excerpt(body)}")
        return sorted(_parse_cdx(body, self.base), key=lambda c: c.timestamp)

    def fetch(self, capture: Capture) -> Fetched:
        """The original bytes of one capture; CaptureError if the archive will not give them."""
        endpoint = f"{self.base}/web/{capture.timestamp}id_/{capture.original}"
        status, body, content_type, final = self._get(endpoint)
        if status != 200:
            raise CaptureError(f"HTTP {status} from {endpoint}")
        m = _ID_URL.search(final)
        try:
            at = parse_timestamp(m.group(1)) if m else capture.at
        except ValueError:
            at = capture.at
        return Fetched(capture, at, capture.original, body, content_type)

    # ---- one polite request
    def _get(self, url: str) -> tuple[int, bytes, str | None, str]:
        attempt, pause = 0, self.delay
        while True:
            self._wait(pause)
            try:
                status, body, content_type, final, retry_after = self._once(url)
            except OSError as e:
                # a time-out or a dropped connection may pass; no route, no DNS or a refusal will not
                reason = getattr(e, "reason", e)
                if attempt >= self.retries or not isinstance(reason, TRANSIENT):
                    raise ImportSourceError(
                        f"cannot reach the Wayback Machine at {self.base} ({getattr(e, 'reason', e)}): is this "
                        "machine online? (--wayback-url points at another server speaking the CDX API)"
                    ) from e
                retry_after = None
            else:
                if status not in RETRY_STATUSES or attempt >= self.retries:
                    return status, body, content_type, final
            attempt += 1
            # never sooner than the delay; after a refusal, as long as the server asks or longer each time
            backoff = retry_after if retry_after is not None else self.delay * 2**attempt
            pause = min(max(self.delay, backoff), MAX_RETRY_WAIT)

    def _wait(self, seconds: float) -> None:
        if self._last is not None:
            pause = seconds - (self.clock() - self._last)
            if pause > 0:
                self.sleep(pause)

    def _once(self, url: str) -> tuple[int, bytes, str | None, str, float | None]:
        request = urllib.request.Request(url, headers={"User-Agent": self.agent, "Accept": "*/*"})
        self.requests += 1
        deadline = time.monotonic() + self.deadline
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = self._read(response, url, deadline)
                return response.status, body, response.headers.get("Content-Type"), response.geturl(), None
        except urllib.error.HTTPError as e:
            with e:
                body = e.read(64 * 1024)
                retry = retry_after(e.headers.get("Retry-After"), time.time())
                return e.code, body, e.headers.get("Content-Type"), url, retry
        except http.client.HTTPException as e:  # a broken answer: retried like a dropped connection
            raise ConnectionResetError(f"{type(e).__name__}: {e}") from e
        finally:
            self._last = self.clock()

    def _read(self, response, url: str, deadline: float) -> bytes:
        """The body, in pieces, checking the size cap and the deadline after each."""
        parts: list[bytes] = []
        size = 0
        while True:
            part = response.read1(65536)
            if not part:
                return b"".join(parts)
            parts.append(part)
            size += len(part)
            if size > MAX_PAGE_BYTES:
                raise CaptureError(f"larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB: {url}")
            if time.monotonic() > deadline:
                raise SlowAnswer(f"the answer did not finish within {self.deadline:g} s ({size} bytes so far): {url}")


def _excerpt(body: bytes) -> str:
    text = " ".join(body[:300].decode("utf-8", "replace").split())
    return text or "(empty answer)"


def _parse_cdx(body: bytes, base: str) -> list[Capture]:
    """CDX JSON: a header row naming the fields, then one row per capture (or nothing at all).
    A row that cannot be imported (an impossible timestamp, an original that is not an http(s)
    URL) comes back with its `problem`, to be skipped and named."""
    if not body.strip():
        return []
    try:
        rows = json.loads(body)
    except RecursionError:
        raise ImportSourceError(f"the CDX API at {base} answered JSON nested too deeply to be rows") from None
    except ValueError:
        raise ImportSourceError(f"the CDX API at {base} did not answer JSON: {_excerpt(body)}") from None
    if not isinstance(rows, list) or any(not isinstance(r, list) for r in rows):
        raise ImportSourceError(f"the CDX API at {base} answered JSON that is not a list of rows")
    if not rows:
        return []
    header = [str(h) for h in rows[0]]
    missing = [f for f in ("timestamp", "original") if f not in header]
    if missing:
        raise ImportSourceError(f"the CDX API at {base} answered rows without {', '.join(missing)}")
    out = []
    for row in rows[1:]:
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in zip(header, row, strict=False)}
        capture = {f: " ".join(fields.get(f, "").split()) if f != "original" else fields.get(f, "") for f in CDX_FIELDS}
        capture["original"], problem = _original(capture["original"])
        if not _timestamp_ok(capture["timestamp"]):
            problem = f"{capture['timestamp'][:40]!r} is not a Wayback timestamp (YYYYMMDDhhmmss)"
        out.append(Capture(**capture, problem=problem))
    return out


def _timestamp_ok(ts: str) -> bool:
    if not re.fullmatch(r"\d{4,14}", ts):
        return False
    try:
        parse_timestamp(ts)
    except ValueError:
        return False
    return True


def _original(url: str) -> tuple[str, str]:
    """A capture's URL made safe to put in a request and a link (spaces and other unsafe
    characters escaped), and the problem if it is not an http(s) URL (javascript:, data:)."""
    safe = quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~")
    try:
        parts = urlsplit(safe)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return safe, f"{url[:80]!r} is not an http(s) URL"
    return safe, ""
