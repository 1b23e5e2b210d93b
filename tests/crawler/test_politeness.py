"""Politeness and efficiency on real crawls: robots.txt obeyed (and a per-document override with
its reason), an identifying User-Agent with the contact URL, a delay between two requests to one
domain, and conditional requests (a 304 is "unchanged" and leaves the record untouched)."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import subprocess
import sys
import time

import pytest
from support.faults import FaultServer, conditional, respond
from support.helpers import next_second, tree_digest, write_sources
from support.pages import page, policy_body

pytestmark = pytest.mark.slow

NOT_THE_RECORD = ("policywatch.db", ".lock")


def test_robots_user_agent_and_delay(cli, tmp_path):
    data = tmp_path / "data"
    site = FaultServer(host=60)
    stamps: list[float] = []

    def timed(behaviour):
        def run(x):
            stamps.append(time.monotonic())
            behaviour(x)

        return run

    try:
        site.route("/robots.txt", respond("User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
        for path in ("/a", "/b", "/private/c1", "/private/c2", "/private/c3", "/private/d"):
            site.route(path, timed(respond(page(policy_body(path)))))
        write_sources(
            data / "sources" / "s.yml",
            [
                {"id": "doc-a", "title": "A", "url": site.url("/a")},
                {"id": "doc-b", "title": "B", "url": site.url("/b")},
                # three behind robots.txt: every request waiting for robots.txt must see it
                *({"id": f"doc-c{n}", "title": "C", "url": site.url(f"/private/c{n}")} for n in (1, 2, 3)),
                {
                    "id": "doc-d",
                    "title": "D",
                    "url": site.url("/private/d"),
                    "ignore_robots": "public legal page the site owner asked us to track",
                },
            ],
        )
        r = cli("crawl", "--delay", "0.5", "--contact", "mailto:ops@example.test", check=True)
        assert r.stderr.count("robots: forbidden by robots.txt") == 3, r.stderr
        assert "robots.txt  doc-d  not obeyed: public legal page the site owner asked us to track" in r.stderr
        assert "new version  doc-d" in r.stderr and "new version  doc-a" in r.stderr
        assert [site.hits[f"/private/c{n}"] for n in (1, 2, 3)] == [0, 0, 0] and site.hits["/private/d"] == 1
        assert site.hits["/robots.txt"] == 1  # asked once per crawl and domain
        agents = {h.get("user-agent", "") for _, h in site.requests}
        assert len(agents) == 1 and re.fullmatch(r"policywatch/\S+ \(\+mailto:ops@example\.test; .*\)", agents.pop())
        # one domain: one request at a time, at least the delay apart
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        assert len(stamps) == 3 and min(gaps) >= 0.45, gaps
    finally:
        site.close()


def test_ignore_robots_needs_a_reason(cli, tmp_path):
    data = tmp_path / "data"
    write_sources(
        data / "sources" / "s.yml", [{"id": "x", "title": "X", "url": "https://x.test/", "ignore_robots": True}]
    )
    r = cli("validate")
    assert r.returncode == 2 and "'ignore_robots'" in r.stderr and "reason" in r.stderr


def test_conditional_requests(cli, tmp_path):
    data = tmp_path / "data"
    site = FaultServer(host=61)
    lm = "Wed, 01 Oct 2025 10:00:00 GMT"
    try:
        site.route("/terms", conditional(page(policy_body("24 hours")), '"v1"', lm))
        site.route("/plain", respond(page(policy_body("1 day"))))
        sources = data / "sources" / "s.yml"
        docs = [
            {"id": "terms", "title": "T", "url": site.url("/terms"), "select": "#policy"},
            {"id": "plain", "title": "P", "url": site.url("/plain"), "select": "#policy"},
        ]
        write_sources(sources, docs)
        assert "new version  terms" in cli("crawl", "--delay", "0", check=True).stderr
        first_request = dict(site.requests)["/terms"]
        assert "if-none-match" not in first_request
        record = tree_digest(data, NOT_THE_RECORD)

        next_second()
        site.requests.clear()
        r = cli("crawl", "--delay", "0", check=True)
        asked = dict(site.requests)
        assert asked["/terms"].get("if-none-match") == '"v1"' and asked["/terms"].get("if-modified-since") == lm
        assert "if-none-match" not in asked["/plain"]  # no validators from that server: a full fetch
        assert "unchanged    terms  (HTTP 304)" in r.stderr and "unchanged    plain" in r.stderr
        assert tree_digest(data, NOT_THE_RECORD) == record, "a 304 changed the record"

        # the page changes (new ETag): fetched in full and recorded
        next_second()
        site.route("/terms", conditional(page(policy_body("48 hours")), '"v2"', lm.replace("10:00", "11:00")))
        assert "new version  terms" in cli("crawl", "--delay", "0", check=True).stderr

        # the document's selection changes: validators from the old selection must not be used
        next_second()
        site.requests.clear()
        docs[0]["remove"] = ["h1"]
        write_sources(sources, docs)
        r = cli("crawl", "--delay", "0", check=True)
        assert "if-none-match" not in dict(site.requests)["/terms"]
        assert "new version  terms" in r.stderr  # the heading is gone from the text

        # --no-conditional always fetches in full
        next_second()
        site.requests.clear()
        cli("crawl", "--delay", "0", "--no-conditional", check=True)
        assert "if-none-match" not in dict(site.requests)["/terms"]
    finally:
        site.close()


def _listening_inodes() -> set[str]:
    """Socket inodes in the LISTEN state (TCP and TCP6) on this machine."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":  # LISTEN
                    inodes.add(fields[9])
    return inodes


def test_a_crawl_opens_no_listening_socket(tmp_path):
    """Scrapy's telnet console and its remote-control HTTP server (which runs Python code sent to
    it) both listen on a port: a crawl of hostile pages must offer nothing to connect to."""
    data = tmp_path / "data"
    site = FaultServer(host=61)
    try:
        site.route("/slow", lambda x: (time.sleep(3), respond(page(policy_body("slow")))(x)))
        write_sources(data / "sources" / "s.yml", [{"id": "slow", "title": "S", "url": site.url("/slow")}])
        argv = [sys.executable, "-m", "policywatch", "--data-dir", str(data), "crawl", "--delay", "0"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
        listening: set[str] = set()
        try:
            deadline = time.monotonic() + 2.5
            while time.monotonic() < deadline and proc.poll() is None:
                fds = f"/proc/{proc.pid}/fd"
                with contextlib.suppress(OSError):
                    sockets = {os.readlink(f"{fds}/{fd}")[8:-1] for fd in os.listdir(fds)}
                    listening |= sockets & _listening_inodes()
                time.sleep(0.1)
        finally:
            _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "new version" in err
        assert listening == set(), "the crawl listened on a socket"
    finally:
        site.close()
