"""Scrapy settings: polite by default (robots.txt, one request at a time per domain with a delay,
AutoThrottle, an identifying User-Agent), no listening sockets, quiet logs."""

from __future__ import annotations

from typing import Any

VERSION = "0.1.0"
CONTACT_URL = "https://github.com/policywatch/policywatch"
DEFAULT_DELAY = 1.0  # seconds between requests to one domain
MAX_PAGE_BYTES = 20 * 1024 * 1024


def user_agent(contact: str = CONTACT_URL) -> str:
    return f"policywatch/{VERSION} (+{contact}; policy change tracker)"


def crawl_settings(
    *,
    delay: float = DEFAULT_DELAY,
    contact: str = CONTACT_URL,
    timeout: float = 30.0,
    retries: int = 2,
    max_bytes: int = MAX_PAGE_BYTES,
    verbose: bool = False,
    obey_robots: bool = True,
) -> dict[str, Any]:
    return {
        "BOT_NAME": "policywatch",
        "USER_AGENT": user_agent(contact),
        "ROBOTSTXT_OBEY": obey_robots,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": delay,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "AUTOTHROTTLE_ENABLED": delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.01),
        "AUTOTHROTTLE_MAX_DELAY": max(delay * 10, 10.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": timeout,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": retries,
        "RETRY_HTTP_CODES": [408, 429, 500, 502, 503, 504, 522, 524],
        "REDIRECT_MAX_TIMES": 5,
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,  # no listening sockets during a crawl
        "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
        "LOG_LEVEL": "INFO" if verbose else "ERROR",
        "LOG_FORMATTER": "crawler.spider.QuietLogFormatter",
        "ITEM_PIPELINES": {"crawler.pipelines.RecordPipeline": 100},
        "HTTPCACHE_ENABLED": False,
        "MEMUSAGE_ENABLED": False,
        "STATS_DUMP": verbose,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en",
        },
    }
