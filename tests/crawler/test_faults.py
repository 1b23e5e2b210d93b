"""Faults: every document already has a version, then its page fails in one of many ways (one
crawl for all of them, each on its own loopback address), then a good page comes back. A failed
fetch never becomes a version, gets its typed reason in health.json, and a later good fetch
records correctly. Real sockets, real Scrapy crawls through the CLI."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from support.faults import (
    FaultServer,
    close_delimited,
    huge,
    redirect,
    reset_mid_body,
    respond,
    stall,
    truncated,
    truncated_chunked,
)
from support.helpers import next_second, tree_digest, write_sources
from support.pages import (
    AMAZON_CAPTCHA_PLAIN_TITLE,
    AMAZON_ROBOT_CHECK,
    CLOUDFLARE_BLOCKED,
    CLOUDFLARE_CHALLENGE,
    GENERIC_CAPTCHA,
    SIGN_IN,
    SIGN_IN_AT_SAME_URL,
    SOFT_404,
    SOFT_500,
    page,
    policy_body,
)

from policywatch.crawler.checks import REASONS

pytestmark = pytest.mark.slow

UTF8 = "text/html; charset=utf-8"
ACCENTED = "<p>Les vendeurs résidant à Zürich — et ailleurs — paient 15 € par mois.</p>"
GOOD_A = page(policy_body("24 hours", ACCENTED))
GOOD_B = page(policy_body("48 hours", ACCENTED))
# what is left of the page when a template breaks: the heading, one clause, some chrome
STUB = (
    "<h1>Seller Agreement</h1><p>Sellers must ship every order within two business days of the order "
    "date.</p><p>Related help topics: shipping settings, returns, account health dashboard, fee "
    "calculator, contact seller support, and the seller forums.</p>"
)
CRAWL = ("crawl", "--delay", "0", "--timeout", "1.5", "--backoff", "0.2")


@dataclass
class Fault:
    id: str
    behaviour: object  # what /p does in the fault crawl (None: nothing listens)
    reason: str | None  # the typed reason expected; None: the page is fine (unchanged)
    detail: str = ""  # a regex the failure's detail must match
    hits: int = 1  # requests to /p in the fault crawl (3: two retries)
    robots: str | None = None  # robots.txt during the fault crawl


def _latin1_labelled_as_utf8() -> bytes:
    return GOOD_A.replace("charset='utf-8'", "charset='utf-8'").encode("cp1252", "replace")


FAULTS = [
    Fault("http-404", respond("<h1>Not Found</h1>", 404), "http_status", "HTTP 404"),
    Fault("http-410", respond("gone", 410, "text/plain"), "http_status", "HTTP 410"),
    Fault("http-500", respond("<h1>Internal Server Error</h1>", 500), "http_status", "HTTP 500", hits=3),
    Fault("http-503", respond("busy", 503, headers={"Retry-After": "1"}), "http_status", "HTTP 503", hits=3),
    Fault("http-429", respond("slow down", 429), "http_status", "HTTP 429", hits=3),
    Fault("http-300", respond("choices", 300), "http_status", "HTTP 300"),
    Fault("timeout", stall(6), "timeout", "longer than 1.5 seconds", hits=3),
    Fault("refused", None, "connection", "", hits=0),
    Fault("reset-mid-body", reset_mid_body(GOOD_B), "connection", "reset", hits=3),
    Fault("truncated-length", truncated(GOOD_B), "truncated", "before the promised body", hits=3),
    Fault("truncated-chunked", truncated_chunked(GOOD_B), "truncated", "before the promised body", hits=3),
    Fault("truncated-close", close_delimited(GOOD_B, keep=0.6), "truncated", "before the page's end"),
    Fault("redirect-loop", redirect("/p"), "too_many_redirects", "redirects", hits=6),
    Fault("too-large-50mb", huge(50 << 20), "too_large", "52428800 bytes"),
    Fault("too-large-streamed", huge(50 << 20, with_length=False), "too_large", "size cap"),
    Fault("bot-wall-amazon", respond(AMAZON_ROBOT_CHECK), "bot_wall", "Robot Check"),
    Fault("bot-wall-amazon-untitled", respond(AMAZON_CAPTCHA_PLAIN_TITLE), "bot_wall", "Amazon captcha"),
    Fault("bot-wall-cloudflare", respond(CLOUDFLARE_CHALLENGE, 403), "bot_wall", "Just a moment"),
    Fault("bot-wall-cloudflare-503", respond(CLOUDFLARE_BLOCKED, 503), "bot_wall", "Cloudflare", hits=3),
    Fault("bot-wall-captcha", respond(GENERIC_CAPTCHA), "bot_wall", "CAPTCHA form"),
    Fault("login-redirect", redirect("/ap/signin?openid.return_to=%2Fp"), "login_wall", "redirected to .*/ap/signin"),
    Fault("login-page", respond(SIGN_IN_AT_SAME_URL), "login_wall", "password field"),
    Fault("http-401", respond("<h1>Unauthorized</h1>", 401), "login_wall", "HTTP 401"),
    Fault("error-page-200", respond(SOFT_404), "error_page", "404 - Page Not Found"),
    Fault("error-page-oops", respond(SOFT_500), "error_page", "Something went wrong"),
    Fault("empty-body", respond(b""), "empty", "empty response body"),
    Fault("not-html", respond(b"%PDF-1.7 binary", content_type="application/pdf"), "not_html", "application/pdf"),
    Fault("selector-missing", respond(GOOD_B.replace("id='policy'", "id='content'")), "selector_missing", ""),
    Fault("too-short", respond(page("<p>Policy moved.</p>")), "too_short", "2 words"),
    Fault("mass-deletion", respond(page(STUB)), "mass_deletion", r"keeps \d+%.*held"),
    Fault(
        "invalid-utf8",
        respond(GOOD_A.replace("Zürich", "Z\udcff\udcfeich").encode("utf-8", "surrogateescape")),
        "bad_encoding",
        "undecodable",
    ),
    Fault("robots-disallow", respond(GOOD_B), "robots", "robots.txt", hits=0, robots="User-agent: *\nDisallow: /p\n"),
    # charset mistakes must not become changes: the same text, decoded right, is unchanged
    Fault(
        "charset-wrong-label",
        respond(GOOD_A.replace("charset='utf-8'", ""), content_type="text/html; charset=iso-8859-1"),
        None,
    ),
    Fault("charset-missing", respond(GOOD_A.replace("<meta charset='utf-8'>", ""), content_type="text/html"), None),
    Fault("charset-latin1-labelled-utf8", respond(_latin1_labelled_as_utf8()), None),
]


def test_every_fault_records_nothing_and_is_reported(cli, tmp_path):
    assert len({f.id for f in FAULTS}) == len(FAULTS) >= 18
    assert {f.reason for f in FAULTS} - {None} <= REASONS.keys()
    data = tmp_path / "data"
    servers, docs = {}, []
    for n, fault in enumerate(FAULTS):
        # "refused" has a server for crawls 1 and 3 only; nothing listens on its port in crawl 2
        servers[fault.id] = s = FaultServer(host=20 + n)
        s.route("/p", respond(GOOD_A))
        s.route("/ap/signin", respond(SIGN_IN))
        docs.append({"id": fault.id, "title": fault.id, "url": s.url("/p"), "select": "#policy"})
    write_sources(data / "sources" / "faults.yml", docs)
    try:
        # 1: a good page everywhere
        first = cli(*CRAWL, check=True)
        assert first.stderr.count("new version") == len(FAULTS), first.stderr
        record = tree_digest(data, ("policywatch.db", ".lock", "health.json"))

        # 2: the faults
        for fault in FAULTS:
            s = servers[fault.id]
            s.hits.clear()
            if fault.behaviour is None:
                s.close()
                continue
            s.route("/p", fault.behaviour)
            if fault.robots:
                s.route("/robots.txt", respond(fault.robots, content_type="text/plain"))
        next_second()
        second = cli(*CRAWL, timeout=180)
        assert second.returncode == 0, second.stderr
        assert "Traceback" not in second.stderr
        assert "new version" not in second.stderr, second.stderr
        assert tree_digest(data, ("policywatch.db", ".lock", "health.json", "pending")) == record, (
            "a fault became a version"
        )
        health = json.loads((data / "health.json").read_text(encoding="utf-8"))["documents"]
        lines = {m.group(1): m.group(0) for m in re.finditer(r"^\S+ +(\S+)(?: .*)?$", second.stderr, re.M)}
        for fault in FAULTS:
            line = lines.get(fault.id, "")
            if fault.reason is None:
                assert line.startswith("unchanged"), (fault.id, line)
                assert fault.id not in health, (fault.id, health.get(fault.id))
                continue
            assert line.startswith(f"failed       {fault.id}  {fault.reason}: "), (fault.id, line)
            assert re.search(fault.detail, line), (fault.id, fault.detail, line)
            h = health[fault.id]
            assert (h["last_reason"], h["failures"], h["broken"]) == (fault.reason, 1, False), (fault.id, h)
            assert h["failing_since"] == h["last_failure"]
            assert servers[fault.id].hits["/p"] == fault.hits, (fault.id, dict(servers[fault.id].hits))
        assert len(health) == sum(f.reason is not None for f in FAULTS)
        held = json.loads((data / "pending" / "mass-deletion.json").read_text(encoding="utf-8"))
        assert held["held"] == "mass_deletion" and held["seen"] == 1

        # 3: good pages again, with a real edit: recorded once, from the version before the fault
        for fault in FAULTS:
            if fault.behaviour is None:
                old = servers[fault.id]
                servers[fault.id] = FaultServer(host=int(old.host.rsplit(".", 1)[1]), port=old.port)
            servers[fault.id].route("/p", respond(GOOD_B))
            servers[fault.id].route("/robots.txt", respond("User-agent: *\nAllow: /\n", content_type="text/plain"))
        next_second()
        third = cli(*CRAWL, check=True)
        assert third.stderr.count("new version") == len(FAULTS), third.stderr
        for fault in FAULTS:
            versions = sorted((data / "versions" / fault.id).glob("*.md"))
            assert len(versions) == 2, fault.id
            assert "within 48 hours" in versions[1].read_text(encoding="utf-8"), fault.id
            assert "Zürich" in versions[1].read_text(encoding="utf-8"), fault.id
        health_after = json.loads((data / "health.json").read_text(encoding="utf-8"))
        assert health_after["documents"] == {}, "a good fetch must clear the failure count"
        assert not (data / "pending").exists() or not any((data / "pending").iterdir())
        assert "resumed" not in third.stderr  # one failure is not "broken", so nothing resumes
    finally:
        for s in servers.values():
            s.close()
