"""Page checks: was this fetch the policy? Every fetch ends `ok` or with a typed reason (REASONS),
and only an `ok` page may become a version. Pure functions of the fetched bytes and texts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

MIN_WORDS = 30  # fewer words than this under the selector is not a policy page
MASS_DELETION_KEEP = 0.2  # a new text keeping less than this share of the last version's words is held
SHORT_PAGE_WORDS = 400  # walls and error pages are short; a policy page is not

REASONS = {
    "http_status": "the server answered with an error status",
    "timeout": "no answer within the timeout",
    "connection": "the connection failed or was reset",
    "truncated": "the page arrived incomplete",
    "too_many_redirects": "a redirect loop or too long a redirect chain",
    "too_large": "the page is larger than the size cap",
    "robots": "robots.txt forbids the page",
    "bot_wall": "a CAPTCHA, robot check or challenge page",
    "login_wall": "a sign-in page or a redirect to one",
    "error_page": "an error page served with status 200",
    "not_html": "the response is not a text page",
    "selector_missing": "the select selector matched nothing",
    "empty": "no text",
    "too_short": "too few words to be the policy",
    "mass_deletion": "the new text keeps only a small part of the last version (held for one crawl)",
    "bad_encoding": "characters that could not be decoded (held for one crawl)",
    "tls": "the server's TLS certificate could not be verified",
    "insecure_redirect": "an https page redirected to plain http",
    "blocked_address": "a redirect or refresh to a loopback, private or link-local address",
    "clock_behind": "the clock is behind the latest recorded version: nothing recorded",
    "corrupt_record": "a recorded version file of this document is damaged",
    "internal_error": "policywatch failed on this page (a bug; the traceback is in the log)",
}


@dataclass(frozen=True)
class Failure:
    reason: str  # one of REASONS
    detail: str = ""


# ---------------------------------------------------------------- walls and error pages

_FLAGS = re.I | re.S
# A page whose title is one of these is a wall whatever else it holds.
BOT_TITLES = re.compile(
    r"^\s*(robot check|just a moment\.*|attention required! \| cloudflare|access denied|"
    r"are you a robot\??|pardon our interruption|security check|human verification|"
    r"checking your browser.*|please verify you are a human|verify you are human|bot verification|"
    r"ddos-guard|access to this page has been denied\.?|one more step)\s*$",
    re.I,
)
# Markup that challenge pages carry; real pages may carry some of it too (Cloudflare injects its
# challenge-platform script into ordinary pages), so it counts only on a short page. Literal
# byte strings, in the cases they are written in: a regex, lower() or `in` over a 300 KB str costs
# milliseconds, `in` over its bytes microseconds.
BOT_MARKERS = [
    ("Amazon captcha", (b"/errors/validateCaptcha", b"Enter the characters you see below")),
    (
        "Cloudflare challenge",
        (
            b"cf_chl_opt",
            b"cf-browser-verification",
            b"cf-challenge",
            b"challenges.cloudflare.com",
            b"cf-turnstile",
            b"/cdn-cgi/challenge-platform/",
        ),
    ),
    (
        "CAPTCHA form",
        (
            b"g-recaptcha",
            b"h-captcha",
            b"px-captcha",
            b"google.com/recaptcha/",
            b"hcaptcha.com/1/api.js",
            b"captcha-delivery",
        ),
    ),
    ("robot check text", (b"re not a robot", b"erify you are human", b"erify that you are human", b"you are a human")),
]
CAPTCHA_FIELD = re.compile(rb"<form[^>]*captcha|<input[^>]+name=[\"']?captcha", re.I)
LOGIN_URL = re.compile(
    r"/(ap/signin|signin|sign-in|sign_in|login|log-in|logon|auth/login|account/login|accounts/ServiceLogin|"
    r"oauth2?/authorize|sso)\b",
    re.I,
)
PASSWORD_FIELD = re.compile(rb"<input[^>]+type=[\"']?password", re.I)
ERROR_TITLES = re.compile(
    r"^\W*(error\b|4\d\d\b|5\d\d\b|page not found|not found|oops|something went wrong|we.re sorry|"
    r"service unavailable|internal server error|bad gateway|gateway time-?out|temporarily unavailable|"
    r"(site|page) (is )?(under|down for) maintenance|maintenance)",
    re.I,
)
TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", _FLAGS)
SEGMENTS = re.compile(r"<(script|style|noscript|template|svg)\b.*?</\1\s*>|<[^>]*>|([^<]+)", _FLAGS)
TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"\w+")


def page_title(html: str) -> str:
    m = TITLE.search(html[:100_000])
    if not m:
        return ""
    return " ".join(TAG.sub("", m.group(1)).replace("&amp;", "&").split())


def visible_words(html: str, enough: int = SHORT_PAGE_WORDS) -> int:
    """The words a reader would see on the whole page, counted up to `enough` (a policy page gets
    there early, so the count stops long before the end of a large page)."""
    n = 0
    for m in SEGMENTS.finditer(html):
        if m.group(2):
            n += len(WORD.findall(m.group(2)))
            if n >= enough:
                break
    return n


def check_title_walls(html: str, url: str, requested_url: str, status: int = 200) -> Failure | None:
    """The cheap wall checks, for every page: the title, a redirect to a sign-in URL, HTTP 401."""
    title = page_title(html)
    if BOT_TITLES.match(title):
        return Failure("bot_wall", f"page title {title!r}")
    path, requested_path = url.split("?", 1)[0], requested_url.split("?", 1)[0]
    if LOGIN_URL.search(path) and not LOGIN_URL.search(requested_path):
        return Failure("login_wall", f"redirected to {url}")
    if status == 401:
        return Failure("login_wall", "HTTP 401: the page asks for credentials")
    return None


def check_short_page(html: str, body: bytes, status: int = 200) -> Failure | None:
    """Walls and error pages told by their markup, which only counts on a short page (a policy page
    is never short, so the pipeline runs this only when the extracted text is)."""
    if visible_words(html) >= SHORT_PAGE_WORDS:
        return None
    for name, needles in BOT_MARKERS:
        if any(n in body for n in needles):
            return Failure("bot_wall", f"{name} on a short page")
    if CAPTCHA_FIELD.search(body):
        return Failure("bot_wall", "CAPTCHA form on a short page")
    if PASSWORD_FIELD.search(body):
        return Failure("login_wall", "a short page with a password field")
    title = page_title(html)
    if 200 <= status < 300 and ERROR_TITLES.match(title):
        return Failure("error_page", f"status {status} but the page says {title!r}")
    return None


def check_walls(
    html: str, url: str, requested_url: str, status: int = 200, body: bytes | None = None
) -> Failure | None:
    """Bot checks, sign-in pages and error pages, whatever the status they came with."""
    if body is None:
        body = html.encode("utf-8", "replace")
    return check_title_walls(html, url, requested_url, status) or check_short_page(html, body, status)


# ---------------------------------------------------------------- responses


def check_status(status: int) -> Failure | None:
    if 200 <= status < 300:
        return None
    return Failure("http_status", f"HTTP {status}")


def check_body(body: bytes | None, text: str | None, content_type: str = "") -> Failure | None:
    if not body or not body.strip():
        return Failure("empty", "an empty response body")
    if text is None:
        return Failure("not_html", f"the response is {content_type or 'not text'}")
    share = binary_share(body, text)
    if share >= BINARY_SHARE:
        label = content_type.split(";", 1)[0].strip() or "no type"
        return Failure("not_html", f"binary content ({share:.0%} control bytes or undecodable) served as {label}")
    return None


# Bytes that never occur in text (WHATWG MIME sniffing's "binary data bytes"); U+FFFD in the
# decoded text counts too. Text pages carry a stray one at most; images, PDFs and archives
# carry them by the thousand.
BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
BINARY_SAMPLE = 65536
BINARY_SHARE = 0.02


def binary_share(body: bytes, text: str) -> float:
    """The share of the page's start that is binary: control bytes (a UTF-16 page's zero bytes
    aside) and characters that could not be decoded."""
    sample = body[:BINARY_SAMPLE]
    controls = 0 if sample.startswith((b"\xff\xfe", b"\xfe\xff")) else len(BINARY_BYTES.findall(sample))
    undecodable = text.count("\ufffd", 0, BINARY_SAMPLE)
    if controls + undecodable < 16:
        return 0.0
    return (controls + undecodable) / max(len(sample), 1)


END_OF_HTML = re.compile(rb"</html\s*>|</body\s*>", re.I)


def check_complete(body: bytes, close_delimited: bool) -> Failure | None:
    """A body that ended with the connection (no length, no chunking) is whole only if the page
    ends; with a Content-Length or chunks the HTTP client already checked it."""
    if close_delimited and re.search(rb"<html", body[:4096], re.I) and not END_OF_HTML.search(body[-65536:]):
        return Failure("truncated", f"the connection closed after {len(body)} bytes, before the page's end")
    return None


def check_response(
    *,
    status: int,
    url: str,
    requested_url: str,
    body: bytes | None,
    text: str | None,
    content_type: str = "",
    close_delimited: bool = False,
) -> Failure | None:
    """Everything that can be told about a fetch before extraction (an error status's page is
    checked for walls in full: a challenge often comes as 403 or 503)."""
    if text is not None and body:
        wall = check_title_walls(text, url, requested_url, status)
        if wall is None and not 200 <= status < 300:
            wall = check_short_page(text, body, status)
        if wall is not None:
            return wall
    failure = check_status(status) or check_body(body, text, content_type)
    if failure is None and body:
        failure = check_complete(body, close_delimited)
    return failure


# ---------------------------------------------------------------- extracted text


def check_text(markdown: str, words: int, selector_matched: bool, min_words: int = MIN_WORDS) -> Failure | None:
    if not selector_matched:
        return Failure("selector_missing", "the select selector matched nothing")
    if not markdown.strip():
        return Failure("empty", "no text under the selection")
    if words < min_words:
        return Failure("too_short", f"{words} words (fewer than {min_words})")
    return None


def kept_share(old: str, new: str) -> float:
    """The share of the old text's words (counted with repeats) that the new text still has."""
    before = Counter(w.lower() for w in WORD.findall(old))
    total = sum(before.values())
    if not total:
        return 1.0
    after = Counter(w.lower() for w in WORD.findall(new))
    return sum(min(n, after[w]) for w, n in before.items()) / total


def check_change(previous: str | None, new: str, keep: float = MASS_DELETION_KEEP) -> Failure | None:
    """A new text that is more likely a broken page than an edit: held until a crawl confirms it."""
    if previous is None:
        return None
    lost = new.count("\ufffd") - previous.count("\ufffd")
    if lost > 0:
        return Failure("bad_encoding", f"{lost} undecodable character(s) that the last version did not have")
    share = kept_share(previous, new)
    if share < keep:
        return Failure("mass_deletion", f"the new text keeps {share:.0%} of the last version's words")
    return None


# ---------------------------------------------------------------- download errors


def _chain(error: BaseException) -> list[BaseException]:
    """The error, its causes, and the reasons Twisted wraps inside ResponseFailed and friends."""
    seen: list[BaseException] = []
    todo = [error]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo.append(e.__cause__)
        todo.append(e.__context__)
        for r in getattr(e, "reasons", None) or ():
            todo.append(getattr(r, "value", r))
    return seen


def classify_error(error: BaseException) -> Failure:
    """The typed reason of a download error (Scrapy, Twisted or Playwright), by class name so
    this module needs none of them."""
    chain = _chain(error)
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain if str(e))
    first = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    lowered = text.lower()
    response = getattr(error, "response", None)
    if type(error).__name__ == "HttpError" and response is not None:  # a status Scrapy filtered out
        return Failure("http_status", f"HTTP {response.status}")
    refused = next((e for e in chain if getattr(e, "policywatch_reason", None)), None)
    if refused is not None:  # a redirect we refused (redirects.py)
        return Failure(refused.policywatch_reason, _short(str(refused)))
    if names & {"VerificationError", "CertificateError"} or any(
        s in lowered for s in ("certificate verify failed", "certificate_verify_failed", "err_cert_", "ssl routines")
    ):
        return Failure("tls", _short(f"the TLS certificate could not be verified ({first})"))
    if "robots.txt" in lowered:
        return Failure("robots", "forbidden by robots.txt")
    if "max redirections" in lowered or "err_too_many_redirects" in lowered:
        return Failure("too_many_redirects", "more redirects than allowed (a loop?)")
    if "max size" in lowered or "maxsize" in lowered or "larger than download" in lowered:
        m = re.search(r"(\d+) bytes which is larger than download max size \((\d+)\)", text)
        detail = f"{m.group(1)} bytes, over the cap of {m.group(2)}" if m else "over the size cap"
        return Failure("too_large", detail)
    if names & {"DownloadCancelledError", "CancelledError"}:
        return Failure("too_large", "the download was cancelled past the size cap")
    if names & {"TimeoutError", "TCPTimedOutError", "DownloadTimeoutError"} or "timeout" in lowered:
        return Failure("timeout", _short(first))
    if names & {"ResponseDataLossError", "_DataLoss", "PotentialDataLoss"}:
        if "ConnectionLost" in names or "reset" in lowered:
            return Failure("connection", "the connection was reset before the body was complete")
        return Failure("truncated", "the connection closed before the promised body was complete")
    if "err_connection_reset" in lowered or "ConnectionLost" in names:
        return Failure("connection", _short(f"the connection was reset ({first})"))
    return Failure("connection", _short(first))


def describe(error: BaseException) -> str:
    """An unexpected exception in one line, for health.json: its type and message, shortened."""
    return _short(f"{type(error).__name__}: {error}")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."
