"""Real servers on 127.0.0.1 that receive alerts: an SMTP server (aiosmtpd) keeping every e-mail,
and a webhook server keeping every JSON post, whose answer a test sets per request (a status, a
delay) to play a service that fails, recovers or hangs."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler

from .helpers import LocalServer, reply


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """aiosmtpd on a free port; `messages` are the e-mails received, parsed."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                server.messages.append(msg)  # type: ignore[arg-type]
                server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def url(self, to: str = "seller@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}/?from=policywatch@example.com&to={to}"

    def close(self) -> None:
        self.controller.stop()


def parts(msg: EmailMessage) -> dict[str, str]:
    """{content type: decoded text} of an e-mail's text parts."""
    return {p.get_content_type(): p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"}


class Post:
    def __init__(self, path: str, headers: dict[str, str], body: dict, status: int):
        self.path, self.headers, self.body, self.status = path, headers, body, status

    @property
    def key(self) -> str:
        return self.headers.get("X-Policywatch-Key", "")


class HookServer(LocalServer):
    """Keeps every POST (its JSON body and headers) and answers `answer(n)` for the n-th one:
    a status, or (status, seconds to wait first)."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.answer: Callable[[int], int | tuple[int, float]] = lambda n: 200
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with server.lock:
                    n = len(server.posts) + 1
                    answer = server.answer(n)
                status, delay = answer if isinstance(answer, tuple) else (answer, 0.0)
                with server.lock:
                    server.posts.append(Post(self.path, dict(self.headers), json.loads(data or b"{}"), status))
                if delay:
                    time.sleep(delay)
                reply(self, status, b"{}", "application/json")

            def log_message(self, *args):
                pass

        self.serve(Handler)

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def delivered(self, path: str | None = None) -> list[str]:
        """The keys of the posts answered 2xx (to `path`), in order of arrival."""
        with self.lock:
            return [p.key for p in self.posts if 200 <= p.status < 300 and (path is None or p.path == path)]

    def wait_for(self, n: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.posts) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {n} posts, got {len(self.posts)}")
            time.sleep(0.02)
