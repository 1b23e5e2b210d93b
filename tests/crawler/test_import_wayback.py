"""`policywatch import wayback` against a local server speaking the CDX and `id_` formats: only
real changes recorded, errors and walls skipped, politeness, resuming, and clear failures."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from support.helpers import policy_page, policy_text, write_sources
from support.wayback_server import Snap, WaybackServer

from policywatch.archive.changes import chain
from policywatch.archive.store import Store
from policywatch.crawler.history.wayback import Wayback, cdx_bound
from policywatch.importing import import_wayback

ORIGINAL = "https://market.example/terms"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def page(hours: int, noise: int) -> bytes:
    return policy_page(policy_text(f"You must reply to buyers within {hours} hours."), noise).encode()


def snaps() -> list[Snap]:
    cafe = policy_page(policy_text("You must reply within 96 hours at the café.")).encode("cp1252")
    return [
        Snap("20210101000000", ORIGINAL, page(24, 1), digest="d1"),
        Snap("20210301000000", ORIGINAL, page(24, 2), digest="d2"),  # new page noise, same text
        Snap("20210401000000", ORIGINAL, b"gone", status=404, digest="d3"),
        Snap("20210501000000", ORIGINAL, page(48, 3), digest="d4", busy=1),  # 429 once, then the page
        Snap(
            "20210601000000",
            ORIGINAL,
            b"<html><head><title>Robot Check</title></head><body>no</body></html>",
            digest="d5",
        ),
        Snap("20210701000000", ORIGINAL, b"%PDF-1.4", mimetype="application/pdf", digest="d6"),
        Snap("20210801000000", ORIGINAL, page(24, 4), digest="d7"),  # back to the first text
        Snap("20210901000000", ORIGINAL, page(24, 4), digest="d7"),  # same digest: collapsed by the CDX API
        Snap("20220101000000", ORIGINAL, digest="d8", redirect_to="20220102030405"),
        Snap(
            "20220102030405",
            ORIGINAL,
            cafe,
            content_type="text/html; charset=windows-1252",
            listed=False,
        ),
        Snap("20230101000000", ORIGINAL, page(120, 5), digest="d9"),
    ]


@pytest.fixture
def wayback():
    server = WaybackServer(snaps())
    yield server
    server.close()


@pytest.fixture
def declared(tmp_path):
    write_sources(
        tmp_path / "data" / "sources" / "market.yml",
        [{"id": "market-terms", "title": "Market Terms", "url": ORIGINAL, "select": "#policy"}],
    )
    return tmp_path / "data"


def test_captures_become_versions_only_when_the_text_changed(wayback, declared, cli):
    args = ("import", "wayback", "--doc", "market-terms", "--wayback-url", wayback.url, "--delay", "0", "--to", "2022")
    r = cli(*args, check=True)
    err = r.stderr
    assert "8 capture(s) listed" in err  # 20210901 collapsed, 20230101 after --to
    assert "HTTP 404 answer" in err and "bot_wall" in err and "application/pdf, not HTML" in err
    assert "unchanged" in err and "capture 20210301000000" in err

    store = Store(declared)
    versions = store.versions("market-terms")
    assert [v.id for v in versions] == ["20210101T000000Z", "20210501T000000Z", "20210801T000000Z", "20220102T030405Z"]
    assert [link.kind for link in chain(versions)] == ["first", "change", "revert", "change"]
    assert {v.source for v in versions} == {"wayback"} and {v.url for v in versions} == {ORIGINAL}
    assert "96 hours at the café" in store.read(versions[3])  # decoded with the capture's charset
    assert "Offer" not in store.read(versions[0])  # extracted with the document's select
    assert store.snapshot_of(versions[1]).read_bytes() == page(48, 3)
    assert "wayback capture 20220102030405" in versions[3].note
    assert wayback.hits["20210501000000"] == 2  # retried after the 429
    assert all(a.startswith("policywatch/") for a in wayback.agents)

    again = cli(*args, check=True)
    assert "imported 0 version(s)" in again.stderr
    assert len(Store(declared).versions("market-terms")) == 4
    assert wayback.hits["20210101000000"] == 1  # recorded captures are not fetched again


def test_politeness_one_request_at_a_time_with_a_pause(wayback, declared):
    clock = [0.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(round(seconds, 3))
        clock[0] += seconds

    client = Wayback(wayback.url, delay=0.5, sleep=sleep, clock=lambda: clock[0])
    run = import_wayback(declared, "market-terms", None, now=NOW, client=client, dry_run=True)
    assert run.report.count("new") == 5 and not (declared / "versions").exists()
    # cdx + 8 captures fetched (404 and PDF rows are never fetched) + one retry after the 429
    assert client.requests == 1 + 7 + 1
    assert pauses.count(1.0) == 1  # the 429's Retry-After (longer than the delay)
    assert pauses.count(0.5) == client.requests - 2  # every other request waited the delay


@pytest.mark.parametrize(
    ("value", "digits"),
    [("2021", "2021"), ("2021-06", "202106"), ("2021-06-30", "20210630"), ("20210630123000", "20210630123000")],
)
def test_date_bounds(value, digits):
    assert cdx_bound(value) == digits


@pytest.mark.parametrize("value", ["21", "2021-13-01", "June 2021", "2021-06-3"])
def test_bad_date_bounds(value, cli, declared):
    r = cli("import", "wayback", "--doc", "market-terms", "--from", value, "--wayback-url", "http://127.0.0.1:9")
    assert r.returncode == 2 and "--from" in r.stderr, r.stderr


def test_unreachable_archive_says_so(cli, declared):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    r = cli("import", "wayback", "--doc", "market-terms", "--wayback-url", f"http://127.0.0.1:{port}", "--delay", "0")
    assert r.returncode == 1
    assert f"cannot reach the Wayback Machine at http://127.0.0.1:{port}" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (declared / "versions").exists()


@pytest.mark.parametrize(
    ("answer", "message"),
    [((200, b"<html>maintenance</html>"), "did not answer JSON"), ((500, b"oops"), "answered HTTP 500")],
)
def test_a_broken_cdx_api_is_an_error(cli, declared, answer, message):
    server = WaybackServer([], cdx_override=answer)
    try:
        r = cli("import", "wayback", "--doc", "market-terms", "--wayback-url", server.url, "--delay", "0")
    finally:
        server.close()
    assert r.returncode == 1 and message in r.stderr, r.stderr


def test_an_undeclared_document_is_a_usage_error(cli, wayback):
    r = cli("import", "wayback", ORIGINAL, "--doc", "market-terms", "--wayback-url", wayback.url)
    assert r.returncode == 2 and "needs its extraction rules" in r.stderr
    assert wayback.hits["cdx"] == 0
