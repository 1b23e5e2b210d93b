"""Page checks: was this fetch the policy? Every fetch ends `ok` or with a typed reason, and only
an `ok` page may become a version.

Reasons: http_status, timeout, connection, too_many_redirects, too_large, robots, bot_wall,
login_wall, selector_missing, empty, too_short, mass_deletion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_WORDS = 30  # fewer words than this under the selector is not a policy page
MASS_DELETION_KEEP = 0.2  # a new text keeping less than this share of the last version's words is held

TRANSIENT = ("timeout", "connection")
BOT_WALL = [
    re.compile(p, re.I | re.S)
    for p in (
        r"<title>\s*Robot Check\s*</title>",  # Amazon
        r"Enter the characters you see below.{0,400}Sorry, we just need to make sure you.re not a robot",
        r"/errors/validateCaptcha",  # Amazon's captcha form
        r"cf-browser-verification|cf_chl_opt|challenge-platform|<title>\s*Just a moment\.\.\.\s*</title>",
        r"Attention Required! \| Cloudflare",
        r"class=\"g-recaptcha\"|www\.google\.com/recaptcha/|hcaptcha\.com/1/api\.js|class=\"h-captcha\"",
        r"<form[^>]*captcha",
        r"Access to this page has been denied.{0,200}(PerimeterX|px-captcha)|px-captcha",
        r"<title>\s*(Access Denied|Are you a robot\?|Pardon Our Interruption)\s*</title>",
    )
]
LOGIN_URL = re.compile(
    r"/(ap/signin|signin|sign-in|sign_in|login|log-in|auth/login|account/login|"
    r"accounts/ServiceLogin|oauth2?/authorize)\b",
    re.I,
)
PASSWORD_FIELD = re.compile(r"<input[^>]+type=[\"']?password", re.I)


@dataclass(frozen=True)
class Failure:
    reason: str
    detail: str = ""

    @property
    def transient(self) -> bool:
        return self.reason in TRANSIENT or (self.reason == "http_status" and _is_transient_status(self.detail))


def _is_transient_status(detail: str) -> bool:
    m = re.search(r"\d{3}", detail)
    return bool(m) and (m.group(0) == "429" or m.group(0).startswith("5"))


def check_status(status: int) -> Failure | None:
    if 200 <= status < 300:
        return None
    return Failure("http_status", f"HTTP {status}")


def check_body(body: bytes | None, text: str | None) -> Failure | None:
    if not body or not body.strip():
        return Failure("empty", "an empty response body")
    if text is None:
        return Failure("not_html", "the response is not a text page")
    return None


def check_page(html: str, url: str, requested_url: str) -> Failure | None:
    """Walls that answer 200: bot checks and sign-in pages."""
    head = html[:200_000]
    for pattern in BOT_WALL:
        if pattern.search(head):
            return Failure("bot_wall", f"matched {pattern.pattern[:60]!r}")
    if LOGIN_URL.search(url.split("?", 1)[0]) and not LOGIN_URL.search(requested_url.split("?", 1)[0]):
        return Failure("login_wall", f"redirected to {url}")
    if PASSWORD_FIELD.search(head) and len(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", head))) < 400:
        return Failure("login_wall", "a short page with a password field")
    return None


def check_text(markdown: str, words: int, selector_matched: bool, min_words: int = MIN_WORDS) -> Failure | None:
    if not selector_matched:
        return Failure("selector_missing", "the select selector matched nothing")
    if not markdown.strip():
        return Failure("empty", "no text under the selection")
    if words < min_words:
        return Failure("too_short", f"{words} words (fewer than {min_words})")
    return None
