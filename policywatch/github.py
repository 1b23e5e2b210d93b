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
from urllib.parse import urlencode

from policywatch.archive.errors import PolicywatchError
from policywatch.archive.health import Health

LABEL = "policywatch-broken"
MARKER = re.compile(r"<!-- policywatch:document=([a-z0-9-]+) -->")


class GitHubError(PolicywatchError):
    """The GitHub API refused or could not be reached."""


@dataclass
class ReportResult:
    opened: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


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
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "policywatch",
                **({"Content-Type": "application/json"} if data else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read()
        except urllib.error.HTTPError as e:
            raise GitHubError(f"GitHub API {method} {path}: HTTP {e.code} {e.reason}") from e
        except (urllib.error.URLError, OSError) as e:
            raise GitHubError(f"GitHub API unreachable ({self.base}): {getattr(e, 'reason', e)}") from e
        return json.loads(payload) if payload else None

    def open_issues(self, label: str) -> list[dict]:
        issues, page = [], 1
        while True:
            query = urlencode({"state": "open", "labels": label, "per_page": 100, "page": page})
            batch = self.call("GET", f"/issues?{query}")
            issues.extend(i for i in batch if "pull_request" not in i)
            if len(batch) < 100:
                return issues
            page += 1


def _body(doc_id: str, title: str, h, site_url: str) -> str:
    link = f"\n\nDocument page: {site_url.rstrip('/')}/docs/{doc_id}/index.html" if site_url else ""
    return (
        f"<!-- policywatch:document={doc_id} -->\n"
        f"policywatch cannot track **{title}** (`{doc_id}`): {h.failures} consecutive failed crawls since "
        f"{h.failing_since}.\n\nLast failure ({h.last_failure}): `{h.last_reason}` {h.last_detail}".rstrip()
        + link
        + "\n\nThis issue is closed automatically when tracking resumes."
    )


def report(gh: GitHub, health: Health, titles: dict[str, str], label: str = LABEL, site_url: str = "") -> ReportResult:
    result = ReportResult()
    existing: dict[str, dict] = {}
    for issue in gh.open_issues(label):
        m = MARKER.search(issue.get("body") or "")
        if m and m.group(1) not in existing:
            existing[m.group(1)] = issue
    broken = {d: h for d, h in sorted(health.documents.items()) if h.broken}
    for doc_id, h in broken.items():
        title = titles.get(doc_id, doc_id)
        body = _body(doc_id, title, h, site_url)
        issue = existing.get(doc_id)
        if issue is None:
            gh.call("POST", "/issues", {"title": f"Tracking broken: {title}", "body": body, "labels": [label]})
            result.opened.append(doc_id)
        elif issue.get("body") != body:
            gh.call("PATCH", f"/issues/{issue['number']}", {"body": body})
            result.updated.append(doc_id)
    for doc_id, issue in sorted(existing.items()):
        if doc_id not in broken:
            resumed = next(
                (e.at for e in reversed(health.events) if e.document_id == doc_id and e.event == "resumed"), None
            )
            note = f"Tracking resumed{f' at {resumed}' if resumed else ''}: the page is fetched fine again."
            gh.call("POST", f"/issues/{issue['number']}/comments", {"body": note})
            gh.call("PATCH", f"/issues/{issue['number']}", {"state": "closed", "state_reason": "completed"})
            result.closed.append(doc_id)
    return result
