"""The one reading of an HTTP Retry-After header, for the crawler's retries and the Wayback
client alike (free of Scrapy)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime


def retry_after(value: str | bytes | None, now: float) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date, never negative);
    None if absent or unreadable."""
    if not value:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
