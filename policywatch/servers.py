"""Small HTTP servers on 127.0.0.1: the Example Marketplace site of the demo, and a static file
server for previewing a published site (`policywatch serve`)."""

from __future__ import annotations

import functools
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from . import example


class ExampleSite:
    """Serves the Example Marketplace at one step of its history; `step` can change any time."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.step = 0
        self.hits: Counter[str] = Counter()
        self._steps = example.steps()
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                body, status, ctype = site._answer(path)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _answer(self, path: str) -> tuple[str, int, str]:
        if path == "/robots.txt":
            return "User-agent: *\nAllow: /\n", 200, "text/plain; charset=utf-8"
        with self._lock:
            pages = {p.path: p for p in self._steps[self.step].values()}
            if path not in pages:
                return "not found\n", 404, "text/plain; charset=utf-8"
            self.hits[path] += 1
            return example.page_html(pages[path], self.hits[path]), 200, "text/html; charset=utf-8"

    @property
    def n_steps(self) -> int:
        return len(self._steps)

    def url(self, path: str = "/") -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def __enter__(self) -> ExampleSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".atom": "application/atom+xml; charset=utf-8",
        ".rss": "application/rss+xml; charset=utf-8",
        # OPML as XML, which a browser shows as a tree (text/x-opml is offered for download, and
        # without a charset read as Latin-1)
        ".opml": "text/xml; charset=utf-8",
        ".md": "text/markdown; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
        ".json": "application/json; charset=utf-8",
    }

    def log_message(self, *args) -> None:
        pass


def static_server(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server for a published folder (not started: call serve_forever)."""
    handler = functools.partial(_QuietFiles, directory=str(folder))
    return ThreadingHTTPServer((host, port), handler)
