"""A fault-injecting HTTP server for the crawler tests: real sockets on a loopback address, each
path answering with a behaviour that writes raw bytes (or misbehaves) on the connection.

Each FaultServer listens on its own 127.0.0.N address, so documents on different servers are
different domains to the crawler and their faults (timeouts, retries, backoff) run side by side.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

Behaviour = Callable[["Exchange"], None]


@dataclass
class Exchange:
    """One request on the wire: what was asked and the socket to answer on."""

    method: str
    path: str
    headers: dict[str, str]
    sock: socket.socket
    hit: int  # how many times this path was asked, this one included

    def send(self, data: bytes) -> bool:
        try:
            self.sock.sendall(data)
            return True
        except OSError:  # the client went away (a cancelled download, a timeout)
            return False

    def head(self, status: int, headers: dict[str, str]) -> bool:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def reset(self) -> None:
        """Close with a TCP RST instead of a FIN: a connection reset by peer."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _bytes(body: str | bytes) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


# ---------------------------------------------------------------- behaviours


def respond(
    body: str | bytes,
    status: int = 200,
    content_type: str | None = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Behaviour:
    """A well-formed answer (any status, any Content-Type, or none)."""
    data = _bytes(body)

    def run(x: Exchange) -> None:
        h = {"Content-Length": str(len(data)), "Connection": "close"}
        if content_type is not None:
            h["Content-Type"] = content_type
        h.update(headers or {})
        if x.head(status, h):
            x.send(data)

    return run


def conditional(body: str | bytes, etag: str, last_modified: str) -> Behaviour:
    """A page with validators that answers 304 to a request presenting them."""
    full = respond(body, headers={"ETag": etag, "Last-Modified": last_modified})

    def run(x: Exchange) -> None:
        if x.headers.get("if-none-match") == etag or x.headers.get("if-modified-since") == last_modified:
            x.head(304, {"ETag": etag, "Connection": "close"})
        else:
            full(x)

    return run


def truncated(body: str | bytes, keep: float = 0.5) -> Behaviour:
    """Promises the whole body in Content-Length, sends part of it, then closes cleanly."""
    data = _bytes(body)

    def run(x: Exchange) -> None:
        if x.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(data))}):
            x.send(data[: int(len(data) * keep)])

    return run


def truncated_chunked(body: str | bytes, keep: float = 0.5) -> Behaviour:
    """Chunked transfer that stops before the final zero-length chunk."""
    data = _bytes(body)[: int(len(_bytes(body)) * keep)]

    def run(x: Exchange) -> None:
        if x.head(200, {"Content-Type": "text/html; charset=utf-8", "Transfer-Encoding": "chunked"}):
            x.send(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    return run


def close_delimited(body: str | bytes, keep: float = 1.0) -> Behaviour:
    """No Content-Length and no chunking: the body ends when the connection closes (HTTP/1.0
    style), so only the page itself can tell that it was cut."""
    data = _bytes(body)

    def run(x: Exchange) -> None:
        if x.head(200, {"Content-Type": "text/html; charset=utf-8", "Connection": "close"}):
            x.send(data[: int(len(data) * keep)])

    return run


def reset_mid_body(body: str | bytes, keep: float = 0.5) -> Behaviour:
    """Sends the headers and part of the body, then resets the connection."""
    data = _bytes(body)

    def run(x: Exchange) -> None:
        if x.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(data))}):
            x.send(data[: int(len(data) * keep)])
            time.sleep(0.05)
            x.reset()

    return run


def stall(seconds: float) -> Behaviour:
    """Accepts the request and says nothing for `seconds` (longer than the crawl's timeout)."""

    def run(x: Exchange) -> None:
        time.sleep(seconds)

    return run


def redirect(location: str, status: int = 302) -> Behaviour:
    def run(x: Exchange) -> None:
        x.head(status, {"Location": location, "Content-Length": "0", "Connection": "close"})

    return run


def huge(size: int, with_length: bool = True, chunk: int = 1 << 20) -> Behaviour:
    """A page of `size` bytes streamed in chunks, with or without a Content-Length."""
    head = b"<!doctype html><html><body><main id='policy'><p>"

    def run(x: Exchange) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8", "Connection": "close"}
        if with_length:
            headers["Content-Length"] = str(size)
        if not x.head(200, headers) or not x.send(head):
            return
        sent = len(head)
        block = b"word " * (chunk // 5)
        while sent < size:
            part = block[: size - sent]
            if not x.send(part):
                return  # the crawler gave up, as it should
            sent += len(part)

    return run


# ---------------------------------------------------------------- the server


class FaultServer:
    """Serves `routes[path]` on 127.0.0.`host`; robots.txt allows everything unless routed."""

    def __init__(self, host: int = 1, port: int = 0):
        robots = respond("User-agent: *\nAllow: /\n", content_type="text/plain")
        self.routes: dict[str, Behaviour] = {"/robots.txt": robots}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                sock.settimeout(30)
                try:
                    raw = _read_head(sock)
                except OSError:
                    return
                if raw is None:
                    return
                line, _, rest = raw.partition("\r\n")
                method, path, _ = [*line.split(" "), "", ""][:3]
                headers = {}
                for h in rest.split("\r\n"):
                    k, sep, v = h.partition(":")
                    if sep:
                        headers[k.strip().lower()] = v.strip()
                path = path.split("?", 1)[0]
                with server.lock:
                    server.hits[path] += 1
                    server.requests.append((path, headers))
                    n = server.hits[path]
                    behaviour = server.routes.get(path) or respond("not found", 404, "text/plain")
                behaviour(Exchange(method, path, headers, sock, n))

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.host = f"127.0.0.{host}"
        self.tcp = Server((self.host, port), Handler)
        self.thread = threading.Thread(target=self.tcp.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.tcp.server_address[1]

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, behaviour: Behaviour) -> None:
        with self.lock:
            self.routes[path] = behaviour

    def close(self) -> None:
        self.tcp.shutdown()
        self.tcp.server_close()


def _read_head(sock: socket.socket) -> str | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    return data.split(b"\r\n\r\n", 1)[0].decode("latin-1")


def trickle(body: str | bytes, interval: float, content_type: str = "text/html; charset=utf-8") -> Behaviour:
    """Promises the whole body, then sends it one byte every `interval` seconds: each read gets
    something before a per-read timeout, so only a deadline on the whole download stops it."""
    data = _bytes(body)

    def run(x: Exchange) -> None:
        if not x.head(200, {"Content-Type": content_type, "Content-Length": str(len(data))}):
            return
        for i in range(len(data)):
            if not x.send(data[i : i + 1]):
                return
            time.sleep(interval)

    return run
