"""The demo: serve the Example Marketplace on 127.0.0.1, crawl it after each step of its history
with the real crawler (one `policywatch crawl` subprocess per step, as Scrapy runs once per
process), then publish the site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from policywatch.archive.errors import PolicywatchError

from . import example
from .pipeline import publish_site
from .servers import ExampleSite

MARKER = ".policywatch-demo"
SERVICE = "Example Marketplace"


@dataclass
class DemoReport:
    steps: int
    records: int
    expected: int
    out: Path
    data_dir: Path


def write_sources(site: ExampleSite, path: Path) -> None:
    lines = [f"service: {SERVICE}", "documents:"]
    for page in example.PAGES:
        lines += [
            f"  - id: {page.id}",
            f"    title: {page.title}",
            f"    url: {site.url(page.path)}",
            '    select: "#policy"',
            f"    tags: [{', '.join(page.tags)}]",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def prepare(work: Path) -> Path:
    """A fresh demo folder (only ever deletes a folder an earlier demo made)."""
    if work.exists():
        if not (work / MARKER).exists() and any(work.iterdir()):
            raise PolicywatchError(f"{work} exists and is not a demo folder; pass --work with a new folder")
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / MARKER).write_text("made by `policywatch demo`; deleted by the next demo run\n", encoding="utf-8")
    return work / "data"


def run_demo(work: Path, out: Path, progress: Callable[[str], None], base_url: str = "") -> DemoReport:
    data_dir = prepare(work)
    with ExampleSite() as site:
        sources = data_dir / "sources" / "example-marketplace.yml"
        write_sources(site, sources)
        for step in range(site.n_steps):
            site.step = step
            expected = ", ".join(f"{d} {k}" for d, k in sorted(example.EXPECTED[step].items()))
            progress(f"step {step + 1}/{site.n_steps}: crawling (expect: {expected})")
            started = time.time()
            # Scrapy's reactor runs once per process: every crawl is its own process
            cmd = [sys.executable, "-m", "policywatch", "--data-dir", str(data_dir), "crawl", "--delay", "0"]
            result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
            for line in result.stderr.strip().splitlines():
                progress(f"  {line}")
            if result.returncode != 0:
                raise PolicywatchError(f"demo crawl of step {step + 1} failed (exit {result.returncode})")
            # version ids have one-second resolution: keep the steps' crawls in distinct seconds
            time.sleep(max(0.0, 1.05 - (time.time() - started)))
    report = publish_site(data_dir, out, base_url=base_url)
    progress(f"published {report.files} files to {out}")
    return DemoReport(len(example.EXPECTED), report.changes, example.EXPECTED_RECORDS, out, data_dir)
