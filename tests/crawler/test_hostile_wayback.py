"""A hostile or broken Wayback Machine (or a server posing as one): answers that trickle, rows
with impossible timestamps, JSON nested too deep, captures whose URL has a space or is not
http(s). Each ends in a clear message or a skipped capture, never a hang or a traceback."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from support.faults import FaultServer, respond, trickle
from support.helpers import policy_page, policy_text, write_sources
from support.wayback_server import Snap, WaybackServer

from policywatch.archive.errors import ImportSourceError
from policywatch.archive.store import Store
from policywatch.crawler.history.wayback import Wayback
from policywatch.importing import import_wayback

ORIGINAL = "https://market.example/terms"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FIELDS = ["timestamp", "original", "digest", "statuscode", "mimetype"]


def page(hours: int) -> bytes:
    return policy_page(policy_text(f"You must reply to buyers within {hours} hours.")).encode()


def cdx(*rows: list[str]) -> bytes:
    return json.dumps([FIELDS, *rows]).encode()


@pytest.fixture
def declared(tmp_path):
    write_sources(
        tmp_path / "data" / "sources" / "market.yml",
        [{"id": "market-terms", "title": "Market Terms", "url": ORIGINAL, "select": "#policy"}],
    )
    return tmp_path / "data"


def test_a_trickling_answer_is_cut_at_a_deadline(declared):
    server = FaultServer(host=90)
    try:
        server.route("/cdx/search/cdx", respond(cdx(["20210101000000", ORIGINAL, "d1", "200", "text/html"])))
        server.route(f"/web/20210101000000id_/{ORIGINAL}", trickle(page(24), interval=0.2))
        client = Wayback(server.url(""), delay=0, timeout=1.0, deadline=2.0)
        started = time.monotonic()
        run = import_wayback(declared, "market-terms", None, now=NOW, client=client)
        took = time.monotonic() - started
        assert took < 6, f"took {took:.1f}s"
        (event,) = run.report.events
        assert event.status == "skipped" and "did not finish within 2 s" in event.detail, event

        # the CDX listing itself trickling: a clear error, the lock released
        server.route("/cdx/search/cdx", trickle(cdx(["20210101000000", ORIGINAL, "d1", "200", "text/html"]), 0.2))
        with pytest.raises(ImportSourceError, match="did not finish within 2 s"):
            import_wayback(declared, "market-terms", None, now=NOW, client=client)
    finally:
        server.close()


def run_import(cli, answer: bytes, *extra: str, snaps: list[Snap] = ()):
    server = WaybackServer(list(snaps), cdx_override=(200, answer))
    try:
        return cli("import", "wayback", *extra, "--doc", "market-terms", "--wayback-url", server.url, "--delay", "0")
    finally:
        server.close()


def test_rows_with_impossible_timestamps_are_skipped_and_named(cli, declared):
    snaps = [Snap("20210101000000", ORIGINAL, page(24)), Snap("20210501000000", ORIGINAL, page(48))]
    answer = cdx(
        ["20210101000000", ORIGINAL, "d1", "200", "text/html"],
        ["20211340000000", ORIGINAL, "d2", "200", "text/html"],  # month 13
        ["2021010100000x", ORIGINAL, "d3", "200", "text/html"],
        ["20210501000000", ORIGINAL, "d4", "200", "text/html"],
    )
    r = run_import(cli, answer, snaps=snaps)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert "'20211340000000' is not a Wayback timestamp" in r.stderr
    assert "'2021010100000x' is not a Wayback timestamp" in r.stderr
    assert [v.id for v in Store(declared).versions("market-terms")] == ["20210101T000000Z", "20210501T000000Z"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"rows": []}', "not a list of rows"),
        (json.dumps([FIELDS, ["20210101000000", ORIGINAL, {"a": [1]}, "200", "text/html"]]).encode(), None),
    ],
)
def test_malformed_cdx_json_is_a_clear_error(cli, declared, answer, message):
    r = run_import(cli, answer)
    assert "Traceback" not in r.stderr, r.stderr
    if message:
        assert r.returncode == 1 and message in r.stderr, r.stderr


def test_a_capture_url_with_a_space_is_fetched(cli, declared):
    spaced = "https://market.example/terms of service"
    snaps = [Snap("20210101000000", spaced, page(24))]
    r = run_import(cli, cdx(["20210101000000", spaced, "d1", "200", "text/html"]), spaced, snaps=snaps)
    assert r.returncode == 0 and "is this machine online" not in r.stderr, r.stderr
    (version,) = Store(declared).versions("market-terms")
    assert version.url == "https://market.example/terms%20of%20service"


@pytest.mark.parametrize(
    "original",
    ["javascript:alert(document.domain)", "JavaScript://%0aalert(1)", "data:text/html,<script>alert(1)</script>"],
)
def test_a_capture_whose_url_is_not_http_is_skipped(cli, declared, original):
    snaps = [Snap("20210101000000", original, page(24)), Snap("20210501000000", ORIGINAL, page(48))]
    answer = cdx(
        ["20210101000000", original, "d1", "200", "text/html"],
        ["20210501000000", ORIGINAL, "d2", "200", "text/html"],
    )
    r = run_import(cli, answer, snaps=snaps)
    assert r.returncode == 0 and "not an http(s) URL" in r.stderr, r.stderr
    versions = Store(declared).versions("market-terms")
    assert [v.url for v in versions] == [ORIGINAL]
    assert not any("javascript" in p.read_text().lower() for p in (declared / "versions").rglob("*.md"))
