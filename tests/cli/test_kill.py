"""kill -9 at any moment: a crawl in a subprocess is killed at seeded points (during start-up,
between pages, in the middle of writing files); every version file left must parse, the index
must rebuild, and a rerun must record each change that was still due exactly once."""

from __future__ import annotations

import hashlib
import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from support.helpers import PageServer, next_second, write_sources
from support.pages import CLAUSES

from policywatch.archive.store import Store, parse_version_file

pytestmark = pytest.mark.slow

N_DOCS = 24
SEEDS = range(10)
FILLER = "<div class='related' hidden>" + "Related help topics and navigation. " * 4000 + "</div>"  # ~150 KB


def body(doc: int, round_: int) -> str:
    clauses = [f"{c} (document {doc})" for c in CLAUSES]
    clauses[3] = f"Sellers must answer buyer messages within {round_ + 1} days (document {doc})."
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>T</title></head><body>"
        + "<main id='policy'><h1>Terms</h1>"
        + "".join(f"<p>{c}</p>" for c in clauses)
        + f"</main>{FILLER}</body></html>"
    )


def crawl_argv(data) -> list[str]:
    return [sys.executable, "-m", "policywatch", "--data-dir", str(data), "crawl", "--delay", "0", "--backoff", "0"]


def killed_crawl(data, seed: int) -> str:
    """Start a crawl and kill -9 it after a seeded number of outcome lines plus a seeded pause."""
    rng = random.Random(seed)
    after_lines = 0 if seed == 0 else rng.randint(1, N_DOCS - 4)  # seed 0: during start-up
    pause = rng.uniform(0, 0.05) if after_lines else rng.uniform(0.2, 1.2)
    proc = subprocess.Popen(crawl_argv(data), stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
    seen = []
    assert proc.stderr is not None
    for line in proc.stderr:
        seen.append(line)
        outcomes = sum(ln.startswith(("new version", "unchanged", "failed", "pending")) for ln in seen)
        if outcomes >= after_lines:
            break
    time.sleep(pause)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    return f"seed {seed}: killed after {after_lines} outcome(s) + {pause * 1000:.0f} ms (exit {proc.returncode})"


def check_record(data) -> None:
    store = Store(data)
    for doc_id in store.document_ids():
        shas = []
        for path in store.version_paths(doc_id):
            version, text = parse_version_file(path)  # raises if a file is half-written or damaged
            assert version.sha256 == hashlib.sha256(text.encode()).hexdigest()
            assert store.snapshot_of(version) is not None, f"{path} lost its raw page"
            shas.append(version.sha256)
        assert all(a != b for a, b in itertools.pairwise(shas)), f"{doc_id}: the same text recorded twice"


def test_kill_dash_nine_at_any_moment(server: PageServer, cli, tmp_path):
    data = tmp_path / "data"
    round_ = 0

    def slow(doc: int):
        def answer(n: int) -> str:
            time.sleep(0.015)  # a real server's latency: the crawl takes long enough to be hit mid-way
            return body(doc, round_)

        return answer

    docs = []
    for d in range(N_DOCS):
        server.set(f"/p{d}", slow(d))
        docs.append(
            {"id": f"doc-{d:02d}", "title": f"Doc {d}", "url": server.url(f"/p{d}"), "select": "#policy"}
            | ({"confirm": 2} if d % 8 == 0 else {})
        )
    write_sources(data / "sources" / "s.yml", docs)
    plain = [d["id"] for d in docs if "confirm" not in d]
    cli("crawl", "--delay", "0", check=True)
    cli("crawl", "--delay", "0", check=True)  # the confirm: 2 documents need a second look
    assert all(len(Store(data).version_paths(d["id"])) == 1 for d in docs)

    report = []
    for seed in SEEDS:
        round_ = seed + 1
        next_second()
        line = killed_crawl(data, seed)
        check_record(data)
        temps = len(list(data.rglob(".*.tmp")))
        orphans = sum(
            not (data / "versions" / p.parent.name / f"{p.stem}.md").exists() for p in data.glob("snapshots/*/*")
        )
        report.append(f"{line}; left {temps} temp file(s), {orphans} snapshot(s) without their version")
        assert cli("index", check=True).returncode == 0
        next_second()
        rerun = cli("crawl", "--delay", "0", check=True)
        assert "Traceback" not in rerun.stderr
        check_record(data)
        store = Store(data)
        for doc_id in plain:
            texts = [store.read(v) for v in store.versions(doc_id)]
            assert len(texts) == round_ + 1, (doc_id, seed, len(texts))  # each round's change once
            assert f"within {round_ + 1} days" in texts[-1]
        counts = Counter(ln.split()[0] for ln in rerun.stderr.splitlines())
        assert counts["new"] + counts["unchanged"] + counts["pending"] == N_DOCS, rerun.stderr
    assert cli("index", "--rebuild", check=True).returncode == 0
    assert not list(data.rglob(".*.tmp")), "a rerun must clear temp files a killed run left"
    print("\n".join(["", *report]))


def test_two_runs_never_interleave(server: PageServer, cli, tmp_path):
    data = tmp_path / "data"

    def slow(n: int) -> str:
        time.sleep(2.5)
        return body(0, 0)

    server.set("/slow", slow)
    write_sources(data / "sources" / "s.yml", [{"id": "slow", "title": "S", "url": server.url("/slow")}])
    first = subprocess.Popen(crawl_argv(data), stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    deadline = time.monotonic() + 30
    while not server.hits["/slow"] and time.monotonic() < deadline:  # fetching: the lock is held
        time.sleep(0.05)
    assert server.hits["/slow"] == 1
    busy = cli("crawl", "--delay", "0")
    assert busy.returncode == 1 and "another policywatch run is using" in busy.stderr and "--wait" in busy.stderr
    assert "Traceback" not in busy.stderr
    waited = cli("crawl", "--delay", "0", "--wait", "60", check=True)  # waits for the first, then runs
    first_err = first.stderr.read()
    first.stderr.close()
    assert first.wait(timeout=60) == 0 and "new version  slow" in first_err
    assert "unchanged    slow" in waited.stderr
    assert len(Store(data).version_paths("slow")) == 1
