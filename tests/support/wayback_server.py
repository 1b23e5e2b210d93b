"""A local stand-in for the Wayback Machine: the CDX API (JSON output, from/to, fl, collapse=digest)
and `id_` originals, on 127.0.0.1. Captures can answer 429 a number of times first, or redirect
to a neighbouring timestamp, as the real one does."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from support.helpers import LocalServer, reply


@dataclass
class Snap:
    timestamp: str
    original: str
    body: bytes = b""
    status: int = 200
    mimetype: str = "text/html"
    digest: str = ""
    content_type: str = "text/html; charset=utf-8"
    busy: int = 0  # answer 429 this many times first
    redirect_to: str | None = None  # a timestamp: the id_ URL redirects there
    listed: bool = True  # False: only reachable through a redirect


class WaybackServer(LocalServer):
    def __init__(self, snaps: list[Snap], cdx_override: tuple[int, bytes] | None = None):
        self.snaps = {s.timestamp: s for s in snaps}
        self.cdx_override = cdx_override
        self.hits: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                parts = urlsplit(self.path)
                with server.lock:
                    server.agents.add(self.headers.get("User-Agent", ""))
                if parts.path == "/cdx/search/cdx":
                    with server.lock:
                        server.hits["cdx"] += 1
                    status, body = server.cdx_override or (200, server.cdx(parse_qs(parts.query)))
                    return self.answer(status, body, "application/json")
                if parts.path.startswith("/web/") and "id_/" in parts.path:
                    ts = parts.path[len("/web/") :].split("id_/", 1)[0]
                    with server.lock:
                        server.hits[ts] += 1
                        n = server.hits[ts]
                    snap = server.snaps.get(ts)
                    if snap is None:
                        return self.answer(404, b"not in the archive", "text/plain")
                    if n <= snap.busy:
                        return self.answer(429, b"slow down", "text/plain", {"Retry-After": "1"})
                    if snap.redirect_to:
                        target = f"/web/{snap.redirect_to}id_/" + parts.path.split("id_/", 1)[1]
                        return self.answer(302, b"", "text/plain", {"Location": target})
                    return self.answer(snap.status, snap.body, snap.content_type)
                return self.answer(404, b"unknown endpoint", "text/plain")

            def answer(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
                reply(self, status, body, content_type, headers)

            def log_message(self, *args):
                pass

        self.serve(Handler)

    @property
    def url(self) -> str:
        return self.base

    def cdx(self, query: dict[str, list[str]]) -> bytes:
        """Rows of the listed captures of `url`, as the CDX API gives them."""
        url = query["url"][0]
        fields = query.get("fl", ["timestamp,original,mimetype,statuscode,digest"])[0].split(",")
        since, until = query.get("from", [""])[0], query.get("to", [""])[0]
        rows, last_digest = [], None
        listed = [s for s in self.snaps.values() if s.original == url and s.listed]
        for s in sorted(listed, key=lambda s: s.timestamp):
            if since and s.timestamp[: len(since)] < since:
                continue
            if until and s.timestamp[: len(until)] > until:
                continue
            digest = s.digest or s.timestamp
            if "digest" in query.get("collapse", []) and digest == last_digest:
                continue  # collapse=digest drops adjacent repeats
            last_digest = digest
            values = {
                "timestamp": s.timestamp,
                "original": s.original,
                "mimetype": s.mimetype,
                "statuscode": str(s.status),
                "digest": digest,
            }
            rows.append([values[f] for f in fields])
        return json.dumps([fields, *rows] if rows else []).encode()
