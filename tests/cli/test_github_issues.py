"""Broken-page reporting against a local HTTP server that speaks the few GitHub REST calls we use
and records every call it receives."""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest
from support.helpers import LocalServer, reply

from policywatch.archive.health import Health, save_health
from policywatch.github import MARKER


class FakeGitHub(LocalServer):
    """Issues in memory behind real sockets; `calls` lists (method, path) in order."""

    def __init__(self):
        self.issues: list[dict] = []
        self.comments: list[tuple[int, str]] = []
        self.calls: list[tuple[str, str]] = []
        self.authorizations: list[str | None] = []
        self.refuse_titles: str | None = None  # POST of an issue whose title holds this: 422
        self.answer_get: tuple[int, bytes, dict] | None = None  # a canned answer to every GET
        self.moved = False  # GETs answer 307 to the same URL with &moved=1 (a renamed repository)
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, payload) -> None:
                reply(self, status, json.dumps(payload).encode(), "application/json")

            def _body(self) -> dict:
                return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

            def do_GET(self):
                hub.calls.append(("GET", self.path))
                hub.authorizations.append(self.headers.get("Authorization"))
                if hub.answer_get is not None:
                    status, body, headers = hub.answer_get
                    return reply(self, status, body, "application/json", headers)
                if hub.moved and "moved=1" not in self.path:
                    return reply(self, 307, b"", "application/json", {"Location": hub.url + self.path + "&moved=1"})
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
                if hub.refuse_titles and hub.refuse_titles in body["title"]:
                    return self._reply(422, {"message": "Validation Failed"})
                if len(body["title"]) > 256 or len(body["body"]) > 65536:
                    return self._reply(422, {"message": "Validation Failed: too long"})
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
    (tmp_path / "data").mkdir()
    r = cli("report-issues", "--repo", "you/policywatch", "--api-url", "http://127.0.0.1:9")
    assert r.returncode == 1 and "GitHub API unreachable" in r.stderr and "Traceback" not in r.stderr


def broken(data, *docs: tuple[str, str, str]) -> None:
    """health.json with each (doc id, reason, detail) broken."""
    health = Health()
    for doc_id, reason, detail in docs:
        for k in range(3):
            health.failed(doc_id, f"2026-01-0{k + 1}T00:00:00Z", reason, detail, broken_after=3)
    save_health(data, health)


HOSTILE = (
    "page title '@everyone @github/security see [the fix](https://evil.example/x) "
    "![pixel](https://evil.example/p.png) <img src=x> <!-- the rest is hidden'"
)


def test_page_text_is_neutralised_and_lengths_capped(cli, hub, tmp_path, monkeypatch):
    from support.helpers import write_sources

    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    data = tmp_path / "data"
    write_sources(
        data / "sources" / "s.yml",
        [
            {"id": "long-title", "title": "Terms " * 14_000, "url": "https://market.example/a"},
            {"id": "hostile", "title": "Fees @admin <b>x</b>", "url": "https://market.example/b"},
        ],
    )
    broken(data, ("hostile", "bot_wall", HOSTILE), ("long-title", "http_status", "HTTP 503 " + "x" * 80_000))
    r = report(cli, hub, tmp_path)
    assert "2 opened" in r.stderr
    by_doc = {MARKER.search(i["body"]).group(1): i for i in hub.issues}
    hostile = by_doc["hostile"]["body"]
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(hostile)
    # the page's words are shown as code: no mention, link, image or comment survives
    assert "<a " not in html and "<img" not in html and "<!--" not in html.split("-->", 1)[1]
    assert re.search(r"(?<![\w`])@(everyone|github|admin)\b", _outside_code(hostile)) is None
    assert hostile.rstrip().endswith("This issue is closed automatically when tracking resumes.")
    assert "@" not in by_doc["hostile"]["title"].replace("@\u200b", "")
    long = by_doc["long-title"]
    assert len(long["title"]) <= 256 and len(long["body"]) <= 65536


def _outside_code(markdown: str) -> str:
    """The Markdown without its code blocks and code spans (where mentions are not mentions)."""
    lines = [ln for ln in markdown.split("\n") if not ln.startswith("    ")]
    return re.sub(r"`[^`]*`", "", "\n".join(lines))


def test_one_failing_call_does_not_stop_the_others(cli, hub, tmp_path, monkeypatch):
    from support.helpers import write_sources

    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    data = tmp_path / "data"
    write_sources(
        data / "sources" / "s.yml",
        [{"id": d, "title": f"Title {d}", "url": "https://market.example/"} for d in ("aa", "bb", "cc")],
    )
    broken(data, ("aa", "timeout", ""), ("bb", "timeout", ""), ("cc", "timeout", ""))
    hub.refuse_titles = "Title bb"
    r = cli("report-issues", "--repo", "you/policywatch", "--api-url", hub.url)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "2 opened" in r.stderr and "failed bb" in r.stderr and "HTTP 422" in r.stderr
    assert sorted(MARKER.search(i["body"]).group(1) for i in hub.issues) == ["aa", "cc"]


def test_a_cross_origin_redirect_gets_no_token(cli, hub, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    other = FakeGitHub()
    try:
        hub.answer_get = (307, b"", {"Location": other.url + "/repos/you/policywatch/issues?state=open&labels=x"})
        other.answer_get = (200, b"[]", {})
        broken(tmp_path / "data", ("aa", "timeout", ""))
        cli("report-issues", "--repo", "you/policywatch", "--api-url", hub.url)
        assert other.calls, "the redirect was not followed"
        assert other.authorizations == [None], "the token went to another origin"
        # within one origin the token goes along (GitHub redirects renamed repositories)
        hub.answer_get, hub.moved = None, True
        r = cli("report-issues", "--repo", "you/policywatch", "--api-url", hub.url)
        assert r.returncode == 0 and "0 opened" in r.stderr, r.stderr  # found the issue opened before
        assert hub.authorizations[-2:] == ["Bearer secret-token"] * 2
    finally:
        other.close()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((200, b"<html>rate limited</html>", {}), "not JSON"),
        ((200, b"[" * 50_000 + b"]" * 50_000, {}), "not JSON"),
        ((200, b'{"message": "x"}', {}), "not a list of issues"),
        (
            (200, json.dumps([{"state": "open", "body": "<!-- policywatch:document=aa -->"}] * 100).encode(), {}),
            "more than",
        ),
    ],
)
def test_strange_answers_are_clear_errors(cli, hub, tmp_path, monkeypatch, answer, message):
    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    broken(tmp_path / "data", ("aa", "timeout", ""))
    hub.answer_get = answer
    r = cli("report-issues", "--repo", "you/policywatch", "--api-url", hub.url)
    assert r.returncode == 1 and "Traceback" not in r.stderr and message in r.stderr, r.stderr


def test_an_issue_without_a_number_is_skipped(cli, hub, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    broken(tmp_path / "data", ("aa", "timeout", ""))
    hub.answer_get = (200, json.dumps([{"state": "open", "body": "<!-- policywatch:document=aa -->"}]).encode(), {})
    r = cli("report-issues", "--repo", "you/policywatch", "--api-url", hub.url)
    assert "Traceback" not in r.stderr and "without a number" in r.stderr, r.stderr


def test_a_missing_data_folder_closes_no_issue(cli, hub, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    broken(tmp_path / "data", ("aa", "timeout", ""))
    report(cli, hub, tmp_path)
    r = cli("report-issues", "--repo", "you/policywatch", "--api-url", hub.url, data_dir=tmp_path / "dta")
    assert r.returncode == 1 and "no data folder" in r.stderr
    assert [i["state"] for i in hub.issues] == ["open"]
