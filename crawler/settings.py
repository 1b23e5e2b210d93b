"""Scrapy settings: polite by default (robots.txt, one request at a time per domain with a delay,
AutoThrottle, an identifying User-Agent with a contact URL), no listening sockets, quiet logs."""

from __future__ import annotations

from typing import Any

VERSION = "0.1.0"
CONTACT_URL = "https://github.com/policywatch/policywatch"
DEFAULT_DELAY = 1.0  # seconds between requests to one domain
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 2.0  # first retry waits this long, the next twice as long, ...
MAX_PAGE_BYTES = 20 * 1024 * 1024
BROWSER_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
)
BLOCKED_RESOURCES = ("image", "font", "media")


def user_agent(contact: str = CONTACT_URL) -> str:
    return f"policywatch/{VERSION} (+{contact}; policy change tracker)"


def crawl_settings(
    *,
    delay: float = DEFAULT_DELAY,
    contact: str = CONTACT_URL,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    max_bytes: int = MAX_PAGE_BYTES,
    verbose: bool = False,
    obey_robots: bool = True,
    per_domain: int = 1,
) -> dict[str, Any]:
    return {
        "BOT_NAME": "policywatch",
        "USER_AGENT": user_agent(contact),
        "ROBOTSTXT_OBEY": obey_robots,
        "CONCURRENT_REQUESTS": max(16, per_domain),
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain,
        "CONCURRENT_ITEMS": 1,  # one item per response: no pool of 100 tasks for each page
        "DOWNLOAD_DELAY": delay,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "AUTOTHROTTLE_ENABLED": delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.01),
        "AUTOTHROTTLE_MAX_DELAY": max(delay * 10, 10.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": timeout,
        "RETRY_ENABLED": retries > 0,
        "RETRY_TIMES": retries,
        "RETRY_HTTP_CODES": [408, 429, 500, 502, 503, 504, 522, 524],
        "POLICYWATCH_BACKOFF": backoff,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "policywatch.crawler.retry.BackoffRetryMiddleware": 550,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "policywatch.crawler.robots.RobotsMiddleware": 100,
            # redirects and meta refresh never lead from a public page into this machine's network,
            # nor from https to http (addresses.py)
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "policywatch.crawler.redirects.SafeMetaRefreshMiddleware": 580,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
            "policywatch.crawler.redirects.SafeRedirectMiddleware": 600,
        },
        "DOWNLOAD_VERIFY_CERTIFICATES": True,  # Scrapy's default accepts any certificate
        "REDIRECT_MAX_TIMES": 5,
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_FAIL_ON_DATALOSS": True,
        "COOKIES_ENABLED": False,
        # no listening sockets during a crawl: neither the telnet console nor Scrapy 2.19's remote
        # control (an HTTP server that runs Python code sent to it, its token in a file)
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "EXTENSIONS": {
            "scrapy.extensions.telnet.TelnetConsole": None,
            "scrapy.extensions.remote_control.RemoteControl": None,
        },
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "LOG_LEVEL": "INFO" if verbose else "ERROR",
        "LOG_FORMATTER": "policywatch.crawler.spider.QuietLogFormatter",
        "ITEM_PIPELINES": {"policywatch.crawler.pipelines.RecordPipeline": 100},
        "HTTPCACHE_ENABLED": False,
        "MEMUSAGE_ENABLED": False,
        "STATS_DUMP": verbose,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en",
        },
    }


def browser_settings(chromium: str, timeout: float) -> dict[str, Any]:
    """scrapy-playwright for `render: browser` documents: one headless Chromium for the crawl,
    images, fonts and media blocked. Plain requests still go through Scrapy's own handler."""
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": chromium, "headless": True, "args": list(BROWSER_ARGS)},
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout * 1000,
        "PLAYWRIGHT_ABORT_REQUEST": "policywatch.crawler.browser.blocked_resource",
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
    }
