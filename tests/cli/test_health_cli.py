"""Health through the command line: consecutive failures make a document broken (an event in
health.json, a line in the crawl's output, `status` shows it), a good fetch resumes it; a held
mass deletion is recorded when the next crawl confirms it."""

from __future__ import annotations

import json

import pytest
from support.faults import FaultServer, respond
from support.helpers import next_second, tree_digest, write_sources
from support.pages import AMAZON_ROBOT_CHECK, page, policy_body

pytestmark = pytest.mark.slow

CRAWL = ("crawl", "--delay", "0", "--backoff", "0", "--broken-after", "2")


def test_broken_then_resumed_and_status(cli, tmp_path):
    data = tmp_path / "data"
    site = FaultServer(host=70)
    try:
        site.route("/terms", respond(page(policy_body("24 hours"))))
        site.route("/fees", respond(page(policy_body("1 day"))))
        write_sources(
            data / "sources" / "s.yml",
            [
                {"id": "terms", "title": "T", "url": site.url("/terms"), "select": "#policy"},
                {"id": "fees", "title": "F", "url": site.url("/fees"), "select": "#policy"},
            ],
        )
        cli(*CRAWL, check=True)
        site.route("/terms", respond(AMAZON_ROBOT_CHECK))
        next_second()
        first = cli(*CRAWL, check=True)
        assert "failed       terms  bot_wall: page title 'Robot Check'" in first.stderr
        assert "health" not in first.stderr  # one failure is not broken yet
        status = cli("status", check=True)
        row = next(ln for ln in status.stdout.splitlines() if ln.startswith("terms"))
        assert "failing" in row and " 1 " in row and "bot_wall: page title 'Robot Check'" in row

        next_second()
        second = cli(*CRAWL, check=True)
        assert "health       terms  broken (bot_wall)" in second.stderr
        status = cli("status", "--failing", check=True)
        lines = status.stdout.splitlines()
        assert lines[0].split() == [
            "document",
            "versions",
            "last",
            "version",
            "health",
            "failures",
            "failing",
            "since",
            "last",
            "reason",
        ]
        assert len(lines) == 2 and lines[1].split()[:5] == ["terms", "1", lines[1].split()[2], "broken", "2"]
        assert "1 broken, 0 failing" in status.stderr
        health = json.loads((data / "health.json").read_text(encoding="utf-8"))
        assert health["documents"]["terms"]["broken"] is True
        assert [(e["document_id"], e["event"], e["reason"]) for e in health["events"]] == [
            ("terms", "broken", "bot_wall")
        ]

        # still broken: no second "broken" event, health.json only changes by its counters
        next_second()
        cli(*CRAWL, check=True)
        health = json.loads((data / "health.json").read_text(encoding="utf-8"))
        assert len(health["events"]) == 1 and health["documents"]["terms"]["failures"] == 3

        site.route("/terms", respond(page(policy_body("24 hours"))))
        next_second()
        back = cli(*CRAWL, check=True)
        assert "unchanged    terms" in back.stderr and "health       terms  resumed" in back.stderr
        health = json.loads((data / "health.json").read_text(encoding="utf-8"))
        assert health["documents"] == {}
        assert [e["event"] for e in health["events"]] == ["broken", "resumed"]
        assert health["events"][1]["detail"] == "after 3 failed crawls"

        # an unchanged crawl leaves health.json (and all of the record) byte-identical
        record = tree_digest(data, ("policywatch.db", ".lock"))
        next_second()
        cli(*CRAWL, check=True)
        assert tree_digest(data, ("policywatch.db", ".lock")) == record
    finally:
        site.close()


def test_mass_deletion_is_recorded_when_the_next_crawl_confirms_it(cli, tmp_path):
    data = tmp_path / "data"
    site = FaultServer(host=71)
    stub = page(
        policy_body()[:40] + "<p>" + "This agreement was replaced; the new terms are on the help pages. " * 4 + "</p>"
    )
    try:
        site.route("/terms", respond(page(policy_body())))
        write_sources(
            data / "sources" / "s.yml", [{"id": "terms", "title": "T", "url": site.url("/terms"), "select": "#policy"}]
        )
        cli(*CRAWL, check=True)
        site.route("/terms", respond(stub))
        next_second()
        held = cli(*CRAWL, check=True)
        assert "failed       terms  mass_deletion: the new text keeps" in held.stderr
        next_second()
        confirmed = cli(*CRAWL, check=True)
        assert "new version  terms" in confirmed.stderr
        versions = sorted((data / "versions" / "terms").glob("*.md"))
        assert len(versions) == 2 and "was replaced" in versions[1].read_text(encoding="utf-8")
        assert not (data / "pending" / "terms.json").exists()
        assert json.loads((data / "health.json").read_text(encoding="utf-8"))["documents"] == {}
    finally:
        site.close()
