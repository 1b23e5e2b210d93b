"""Helpers for the tests: a real HTTP server on 127.0.0.1 whose pages a test switches at will,
fixture pages, sources files and folder digests."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Page:
    """What a path answers: a status, headers and a body (or a callable of the request number)."""

    def __init__(
        self,
        body: bytes | str | Callable[[int], bytes | str] = b"",
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ):
        self.body, self.status, self.content_type = body, status, content_type
        self.headers = headers or {}


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str, headers=None) -> None:
    """Answer the request `handler` is serving, with a Content-Length."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) for one request handler class, serving
    from a thread until close()."""

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class PageServer(LocalServer):
    """A threaded HTTP server on 127.0.0.1 serving `pages[path]`; robots.txt allows all."""

    def __init__(self):
        self.pages: dict[str, Page] = {"/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain")}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                with server.lock:
                    server.hits[path] += 1
                    n = server.hits[path]
                    page = server.pages.get(path)
                if page is None:
                    page = Page(b"not found", 404, "text/plain")
                body = page.body(n) if callable(page.body) else page.body
                data = body.encode("utf-8") if isinstance(body, str) else body
                reply(self, page.status, data, page.content_type, page.headers)

            def log_message(self, *args):
                pass

        self.serve(Handler)

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body, status: int = 200, **kw) -> None:
        with self.lock:
            self.pages[path] = Page(body, status, **kw)


def policy_page(body_html: str, noise: int = 0) -> str:
    """A policy inside <main id="policy">, with page chrome that differs per `noise`."""
    return (
        f"<!doctype html><html><head><title>Policy</title><script>var n={noise};</script></head><body>"
        f"<nav><a href='/?utm_source=x&n={noise}'>Home</a></nav><div class='banner'>Offer {noise}</div>"
        f"<main id='policy'>{body_html}</main><footer>Generated {noise}</footer></body></html>"
    )


LOREM = (
    "Sellers must follow these rules when they list products, answer buyers and ship orders. "
    "We review accounts regularly and may suspend selling privileges when the rules are not met. "
)


def policy_text(*paragraphs: str) -> str:
    return "<h1>Seller Policy</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs) + f"<p>{LOREM}</p>"


def write_sources(path: Path, documents: list[dict], service: str = "Test Market") -> Path:
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"service": service, "documents": documents}, sort_keys=False), encoding="utf-8")
    return path


def tree_digest(folder: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """{relative path: sha256} of every file under folder (names in `exclude` left out)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and not any(rel == e or rel.startswith(e) for e in exclude):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def next_second() -> None:
    """Version ids have one-second resolution: start the next crawl in a new second."""
    time.sleep(1.0 - (time.time() % 1.0) + 0.01)


def feed_entry_ids(site: Path, feed: str) -> list[str]:
    """Entry ids of an Atom feed and of every archive page its prev-archive links chain back to,
    each once (RFC 5005 lets the subscription document repeat entries of the newest archive page)."""
    import posixpath

    import feedparser

    ids: list[str] = []
    current = feed
    while current:
        parsed = feedparser.parse((site / current).read_bytes())
        assert not parsed.bozo, (current, parsed.get("bozo_exception"))
        ids.extend(e.id for e in parsed.entries)
        prev = [link["href"] for link in parsed.feed.get("links", []) if link.get("rel") == "prev-archive"]
        current = posixpath.normpath(posixpath.join(posixpath.dirname(current), prev[0])) if prev else ""
    return list(dict.fromkeys(ids))
