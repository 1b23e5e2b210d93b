"""`validate --live`: every source fetched twice by the real crawler into a scratch data folder;
a source passes when both fetches pass the page checks (selector found, text long enough) and
give the same canonical text. Nothing is written to the real data folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from policywatch.archive.errors import CrawlError
from policywatch.archive.health import load_health
from policywatch.archive.sources import Document
from policywatch.archive.store import Store
from policywatch.diffs import compare


@dataclass(frozen=True)
class LiveResult:
    document_id: str
    ok: bool
    verdict: str  # ok | failed | unstable
    detail: str


def _crawl(data: Path, sources: Path, only: list[str], delay: float, progress: Callable[[str], None]) -> None:
    # Scrapy's reactor runs once per process: each fetch round is its own process
    cmd = [
        sys.executable,
        "-m",
        "policywatch",
        "--data-dir",
        str(data),
        "crawl",
        "--sources",
        str(sources),
        "--no-conditional",
        "--broken-after",
        "99",
        "--delay",
        str(delay),
    ]
    for doc_id in only:
        cmd += ["--only", doc_id]
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    for line in result.stderr.splitlines():
        progress(f"  {line}")
    if result.returncode != 0:
        raise CrawlError(f"the live crawl could not run (exit {result.returncode})")


def _state(data: Path, doc_id: str) -> tuple[int, str]:
    """(versions recorded, the failure of the last fetch or "") of one document."""
    h = load_health(data).documents.get(doc_id)
    return len(Store(data).version_paths(doc_id)), (f"{h.last_reason} {h.last_detail}".strip() if h else "")


def judge(data: Path, doc: Document, first: tuple[int, str]) -> LiveResult:
    _, failed_first = first
    _, failed_second = _state(data, doc.id)
    if failed_first or failed_second:
        detail = "; ".join(f"fetch {n}: {why}" for n, why in ((1, failed_first), (2, failed_second)) if why)
        return LiveResult(doc.id, False, "failed", detail)
    store = Store(data)
    pending = data / "pending" / f"{doc.id}.json"
    if pending.exists():
        return LiveResult(doc.id, False, "unstable", "the second fetch's text was held as a suspect change")
    versions = store.versions(doc.id)
    if len(versions) > 1:
        cmp = compare(store.read(versions[0]), store.read(versions[-1]))
        return LiveResult(doc.id, False, "unstable", f"the two fetches differ: {cmp.summary}")
    words = len(store.read(versions[0]).split())
    return LiveResult(doc.id, True, "ok", f"{words} words, the same text twice")


def validate_live(
    documents: list[Document],
    sources: Path,
    *,
    delay: float = 1.0,
    progress: Callable[[str], None] = lambda line: None,
) -> list[LiveResult]:
    only = [d.id for d in documents]
    with tempfile.TemporaryDirectory(prefix="policywatch-live-") as tmp:
        data = Path(tmp) / "data"
        progress("fetch 1 of 2")
        _crawl(data, sources, only, delay, progress)
        first = {d.id: _state(data, d.id) for d in documents}
        progress("fetch 2 of 2")
        _crawl(data, sources, only, delay, progress)
        return [judge(data, d, first[d.id]) for d in documents]
