"""`policywatch validate --live`: each document fetched twice by the real crawler (here from a
local server); a good page passes, and a page whose text changes between fetches, a missing
selector, a too-short text and an HTTP error are each reported, and nothing touches the data folder."""

from __future__ import annotations

import pytest
from support.helpers import policy_page, policy_text, write_sources

pytestmark = pytest.mark.slow


def test_live_validation_reports_each_document(server, cli, tmp_path):
    server.set("/good", lambda n: policy_page(policy_text("Fees are due within 30 days."), noise=n))
    server.set("/flaky", lambda n: policy_page(policy_text(f"Offer number {n} applies to new sellers."), noise=n))
    server.set("/moved", policy_page(policy_text("Text")).replace("id='policy'", "id='other'"))
    server.set("/short", policy_page("<p>Coming soon.</p>"))
    server.set("/error", "<h1>Oops</h1>", status=500)
    data = tmp_path / "data"
    docs = ["good", "flaky", "moved", "short", "error"]
    write_sources(
        data / "sources" / "live.yml",
        [{"id": f"live-{d}", "title": d, "url": server.url(f"/{d}"), "select": "#policy", "tags": ["t"]} for d in docs],
    )

    r = cli("validate", "--live", "--delay", "0")
    assert r.returncode == 1, r.stderr
    verdicts = {line.split()[1]: line.split()[0] for line in r.stdout.splitlines()}
    assert verdicts == {
        "live-good": "ok",
        "live-flaky": "unstable",
        "live-moved": "failed",
        "live-short": "failed",
        "live-error": "failed",
    }
    assert "selector_missing" in r.stdout and "too_short" in r.stdout and "HTTP 500" in r.stdout
    assert "the two fetches differ" in r.stdout and "live: 1 of 5 document(s) pass" in r.stderr
    assert server.hits["/good"] == 2
    assert sorted(p.name for p in data.iterdir()) == ["sources"]  # nothing written to the real data folder

    ok = cli("validate", "--live", "--delay", "0", "--only", "live-good")
    assert ok.returncode == 0 and ok.stdout.startswith("ok ")
