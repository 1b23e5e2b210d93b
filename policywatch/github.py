"""Broken-page reporting on GitHub: one open issue per broken document, updated while it stays
broken and closed when tracking resumes. Stateless and idempotent: each run compares
data/health.json with the open issues that carry our label and a marker naming the document,
so running it twice never duplicates an issue."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from policywatch.archive.errors import PolicywatchError
from policywatch.archive.health import Health

LABEL = "policywatch-broken"
MARKER = re.compile(r"<!-- policywatch:document=([a-z0-9-]+) -->")
MAX_TITLE = 256  # GitHub refuses longer issue titles (422)
MAX_DETAIL = 2000  # the last failure's detail, cut: the body stays far below GitHub's 65,536
MAX_PAGES = 50  # 5,000 open issues with our label: more means the API is answering in circles


class GitHubError(PolicywatchError):
    """The GitHub API refused or could not be reached."""


@dataclass
class ReportResult:
    opened: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document, why): the others went on
    problems: list[str] = field(default_factory=list)  # issues we could not use (no number, ...)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class _TokenStaysHome(urllib.request.HTTPRedirectHandler):
    """urllib copies every header to a redirect's target, the token too: it is sent as an
    "unredirected" header instead, and given again only to a redirect within the same origin."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        token = req.unredirected_hdrs.get("Authorization")
        if new is not None and token and _origin(req.full_url) == _origin(new.full_url):
            new.add_unredirected_header("Authorization", token)
        return new


_opener = urllib.request.build_opener(_TokenStaysHome)


class GitHub:
    """The few REST calls we need, over urllib (the token comes from the workflow)."""

    def __init__(self, repo: str, token: str, api_url: str = "https://api.github.com"):
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
            raise GitHubError(f"--repo must be OWNER/NAME, got {repo!r}")
        self.base = f"{api_url.rstrip('/')}/repos/{repo}"
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "policywatch",
                **({"Content-Type": "application/json"} if data else {}),
            },
        )
        request.add_unredirected_header("Authorization", f"Bearer {self.token}")
        try:
            with _opener.open(request, timeout=30) as response:
                payload = response.read(16 * 1024 * 1024)
        except urllib.error.HTTPError as e:
            raise GitHubError(f"GitHub API {method} {path}: HTTP {e.code} {e.reason}") from e
        except (urllib.error.URLError, OSError) as e:
            raise GitHubError(f"GitHub API unreachable ({self.base}): {getattr(e, 'reason', e)}") from e
        if not payload:
            return None
        try:
            return json.loads(payload)
        except (ValueError, RecursionError):
            excerpt = " ".join(payload[:200].decode("utf-8", "replace").split())
            raise GitHubError(f"GitHub API {method} {path}: the answer is not JSON: {excerpt}") from None

    def open_issues(self, label: str) -> list[dict]:
        issues: list[dict] = []
        for page in range(1, MAX_PAGES + 1):
            query = urlencode({"state": "open", "labels": label, "per_page": 100, "page": page})
            batch = self.call("GET", f"/issues?{query}")
            if not isinstance(batch, list) or not all(isinstance(i, dict) for i in batch):
                raise GitHubError(
                    f"GitHub API GET /issues: the answer is not a list of issues ({type(batch).__name__})"
                )
            issues.extend(i for i in batch if "pull_request" not in i)
            if len(batch) < 100:
                return issues
        raise GitHubError(
            f"GitHub API GET /issues: more than {MAX_PAGES * 100} open issues labelled {label!r}; stopped "
            "(does the API answer the same page again and again?)"
        )


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def inline(text: str, limit: int) -> str:
    """Text for a line of an issue (a title, a name): one line, Markdown escaped, no mention
    (@ gets a zero-width space), no HTML, at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", text).replace("@", "@\u200b")


def code_block(text: str, limit: int = MAX_DETAIL) -> str:
    """Text shown as it is, as an indented code block: no mention, link, image, HTML or comment
    inside one is interpreted, and no line of it can end the block."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    lines = text.replace("\r", "").split("\n") or [""]
    return "\n".join("    " + line for line in lines)


def _title(title: str) -> str:
    prefix = "Tracking broken: "
    text = " ".join(title.split()).replace("@", "@\u200b")
    room = MAX_TITLE - len(prefix)
    return prefix + (text if len(text) <= room else text[: room - 1] + "…")


def _body(doc_id: str, title: str, h, site_url: str) -> str:
    link = f"\n\nDocument page: {site_url.rstrip('/')}/docs/{doc_id}/index.html" if site_url else ""
    detail = f"\n\n{code_block(h.last_detail)}" if h.last_detail else ""
    return (
        f"<!-- policywatch:document={doc_id} -->\n"
        f"policywatch cannot track **{inline(title, 300)}** (`{doc_id}`): {h.failures} consecutive failed crawls "
        f"since {h.failing_since}.\n\nLast failure ({h.last_failure}): `{h.last_reason}`"
        + detail
        + link
        + "\n\nThis issue is closed automatically when tracking resumes."
    )


def report(gh: GitHub, health: Health, titles: dict[str, str], label: str = LABEL, site_url: str = "") -> ReportResult:
    """Open, update and close issues; a call that fails is noted in the result and the others
    go on (one refused issue must not leave the other broken documents unreported)."""
    result = ReportResult()
    existing: dict[str, dict] = {}
    for issue in gh.open_issues(label):
        m = MARKER.search(str(issue.get("body") or ""))
        if not m:
            continue
        if not isinstance(issue.get("number"), int):
            result.problems.append(f"an open issue of {m.group(1)} came without a number: left alone")
            continue
        if m.group(1) not in existing:
            existing[m.group(1)] = issue
    broken = {d: h for d, h in sorted(health.documents.items()) if h.broken}
    for doc_id, h in broken.items():
        title = titles.get(doc_id, doc_id)
        body = _body(doc_id, title, h, site_url)
        issue = existing.get(doc_id)
        try:
            if issue is None:
                gh.call("POST", "/issues", {"title": _title(title), "body": body, "labels": [label]})
                result.opened.append(doc_id)
            elif issue.get("body") != body:
                gh.call("PATCH", f"/issues/{issue['number']}", {"body": body})
                result.updated.append(doc_id)
        except GitHubError as e:
            result.failed.append((doc_id, str(e)))
    for doc_id, issue in sorted(existing.items()):
        if doc_id not in broken:
            resumed = next(
                (e.at for e in reversed(health.events) if e.document_id == doc_id and e.event == "resumed"), None
            )
            note = f"Tracking resumed{f' at {resumed}' if resumed else ''}: the page is fetched fine again."
            try:
                gh.call("POST", f"/issues/{issue['number']}/comments", {"body": note})
                gh.call("PATCH", f"/issues/{issue['number']}", {"state": "closed", "state_reason": "completed"})
                result.closed.append(doc_id)
            except GitHubError as e:
                result.failed.append((doc_id, str(e)))
    return result
