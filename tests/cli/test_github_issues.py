"""Broken-page reporting against a local HTTP server that speaks the few GitHub REST calls we use
and records every call it receives."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest
from support.helpers import LocalServer, reply

from policywatch.archive.health import Health, save_health


class FakeGitHub(LocalServer):
    """Issues in memory behind real sockets; `calls` lists (method, path) in order."""

    def __init__(self):
        self.issues: list[dict] = []
        self.comments: list[tuple[int, str]] = []
        self.calls: list[tuple[str, str]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, payload) -> None:
                reply(self, status, json.dumps(payload).encode(), "application/json")

            def _body(self) -> dict:
                return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

            def do_GET(self):
                hub.calls.append(("GET", self.path))
                assert self.headers["Authorization"] == "Bearer secret-token"
                query = parse_qs(urlsplit(self.path).query)
                assert query["labels"] == ["policywatch-broken"] and query["state"] == ["open"]
                page = int(query.get("page", ["1"])[0])
                open_ = [i for i in hub.issues if i["state"] == "open"]
                self._reply(200, open_[(page - 1) * 100 : page * 100])

            def do_POST(self):
                hub.calls.append(("POST", self.path))
                body = self._body()
                if self.path.endswith("/comments"):
                    hub.comments.append((int(self.path.split("/")[-2]), body["body"]))
                    return self._reply(201, {})
                issue = {"number": len(hub.issues) + 1, "state": "open", **body}
                hub.issues.append(issue)
                self._reply(201, issue)

            def do_PATCH(self):
                hub.calls.append(("PATCH", self.path))
                issue = hub.issues[int(self.path.split("/")[-1]) - 1]
                issue.update(self._body())
                self._reply(200, issue)

            def log_message(self, *args):
                pass

        self.serve(Handler)
        self.url = self.base


@pytest.fixture
def hub():
    h = FakeGitHub()
    yield h
    h.close()


def report(cli, hub, tmp_path):
    return cli("report-issues", "--repo", "you/policywatch", "--api-url", hub.url, check=True)


def test_open_update_close_never_duplicate(cli, hub, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    data = tmp_path / "data"
    health = Health()
    for k in range(3):
        health.failed("amazon-us-fees", f"2026-01-0{k + 1}T00:00:00Z", "bot_wall", "Robot Check", broken_after=3)
    health.failed("ebay-terms", "2026-01-03T00:00:00Z", "timeout", broken_after=3)  # failing, not broken
    save_health(data, health)

    out = report(cli, hub, tmp_path)
    assert "1 opened" in out.stderr
    assert [i["state"] for i in hub.issues] == ["open"]
    assert "amazon-us-fees" in hub.issues[0]["body"] and "bot_wall" in hub.issues[0]["body"]
    assert hub.issues[0]["labels"] == ["policywatch-broken"]

    report(cli, hub, tmp_path)  # nothing new: no second issue, no edit
    assert len(hub.issues) == 1 and [c for c in hub.calls if c[0] != "GET"] == [
        ("POST", "/repos/you/policywatch/issues")
    ]

    health.failed("amazon-us-fees", "2026-01-04T00:00:00Z", "http_status", "HTTP 503", broken_after=3)
    save_health(data, health)
    assert "1 updated" in report(cli, hub, tmp_path).stderr
    assert "HTTP 503" in hub.issues[0]["body"] and len(hub.issues) == 1

    health.ok("amazon-us-fees", "2026-01-05T00:00:00Z")
    save_health(data, health)
    assert "1 closed" in report(cli, hub, tmp_path).stderr
    assert hub.issues[0]["state"] == "closed" and "2026-01-05T00:00:00Z" in hub.comments[-1][1]

    calls = len(hub.calls)
    report(cli, hub, tmp_path)
    assert [c[0] for c in hub.calls[calls:]] == ["GET"]


def test_missing_token_and_unreachable_api_are_clear(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    r = cli("report-issues", "--repo", "you/policywatch")
    assert r.returncode == 2 and "GITHUB_TOKEN" in r.stderr
    monkeypatch.setenv("GITHUB_TOKEN", "x")
    r = cli("report-issues", "--repo", "you/policywatch", "--api-url", "http://127.0.0.1:9")
    assert r.returncode == 1 and "GitHub API unreachable" in r.stderr and "Traceback" not in r.stderr
