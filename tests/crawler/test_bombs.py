"""Attacks that already held when issue 19 was filed, kept here so they keep holding: gzip and
brotli bombs (a small body that inflates past the size cap), a page trickling a byte at a time
(the timeout is on the whole download), an endless body, a YAML bomb and odd ids in the sources."""

from __future__ import annotations

import gzip
import json
import time

import pytest
import yaml
from support.faults import Exchange, FaultServer, respond, trickle
from support.helpers import policy_page, policy_text, write_sources

from policywatch.archive.errors import SourcesError
from policywatch.archive.sources import load_sources

pytestmark = pytest.mark.slow

GOOD = policy_page(policy_text("Sellers must answer buyers within two days."))


def _bomb(encoding: str, size: int = 200 << 20) -> bytes:
    """A page of `size` bytes of spaces, compressed (a few hundred kilobytes)."""
    page = b"<html><body><main><p>" + b" " * size + b"</p></main></body></html>"
    if encoding == "gzip":
        return gzip.compress(page, compresslevel=9)
    import brotli

    return brotli.compress(page, quality=5)


def compressed(encoding: str):
    data = _bomb(encoding)

    def run(x: Exchange) -> None:
        headers = {"Content-Type": "text/html", "Content-Encoding": encoding, "Content-Length": str(len(data))}
        if x.head(200, {**headers, "Connection": "close"}):
            x.send(data)

    return run


def endless(x: Exchange) -> None:
    """A body that never ends (no length, no end of chunks)."""
    if not x.head(200, {"Content-Type": "text/html", "Connection": "close"}):
        return
    block = b"<p>" + b"more words " * 10_000 + b"</p>"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and x.send(block):
        pass


def test_bombs_trickles_and_endless_bodies_are_stopped(cli, tmp_path):
    data = tmp_path / "data"
    server = FaultServer(host=95)
    try:
        server.route("/good", respond(GOOD))
        server.route("/gzip", compressed("gzip"))
        server.route("/brotli", compressed("br"))
        server.route("/trickle", trickle(GOOD, interval=0.05))
        server.route("/endless", endless)
        names = ("good", "gzip", "brotli", "trickle", "endless")
        write_sources(data / "sources" / "s.yml", [{"id": n, "title": n, "url": server.url(f"/{n}")} for n in names])
        started = time.monotonic()
        r = cli("crawl", "--delay", "0", "--retries", "0", "--timeout", "3", timeout=120)
        took = time.monotonic() - started
    finally:
        server.close()
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert took < 60, took
    failing = json.loads((data / "health.json").read_text(encoding="utf-8"))["documents"]
    reasons = {doc: h["last_reason"] for doc, h in failing.items()}
    assert reasons == {"gzip": "too_large", "brotli": "too_large", "trickle": "timeout", "endless": "too_large"}, (
        reasons,
        r.stderr,
    )
    assert [p.name for p in (data / "versions").iterdir()] == ["good"]


def test_a_yaml_bomb_is_refused_quickly(tmp_path, cli):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    lines += ["service: Bomb", "documents: *a9"]
    path = tmp_path / "data" / "sources" / "bomb.yml"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    r = cli("validate", timeout=60)
    assert r.returncode == 2 and "bomb.yml" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(
    "doc_id", ["../etc", "a/b", "A-Doc", "doc\nx", "-doc", "doc-", "doc--x", ".git", "", "x" * 121, "café"]
)
def test_odd_ids_are_refused(tmp_path, doc_id):
    path = tmp_path / "s.yml"
    doc = {"id": doc_id, "title": "T", "url": "https://market.example/"}
    path.write_text(yaml.safe_dump({"service": "S", "documents": [doc]}), encoding="utf-8")
    with pytest.raises(SourcesError):
        load_sources(path)
