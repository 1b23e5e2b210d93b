"""Shared fixtures: the page server, the CLI run in a subprocess (Scrapy's reactor runs once per
process), and the corpus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import CORPUS
from support.helpers import PageServer


@pytest.fixture
def server():
    s = PageServer()
    yield s
    s.close()


@pytest.fixture
def cli(tmp_path):
    """Run `python -m policywatch ARGS` in a subprocess with --data-dir tmp_path/data."""

    def run(*args: str, data_dir: Path | None = None, check: bool = False, timeout: float = 120):
        argv = [sys.executable, "-m", "policywatch", "--data-dir", str(data_dir or tmp_path / "data"), *args]
        r = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, cwd=tmp_path, env={**os.environ, "NO_COLOR": "1"}
        )
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(args)} exited {r.returncode}\n{r.stdout}\n{r.stderr}")
        return r

    return run


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "dev").is_dir():
        if os.environ.get("POLICYWATCH_REQUIRE_CORPUS") == "1":
            pytest.fail(f"POLICYWATCH_REQUIRE_CORPUS=1 but the corpus is missing at {CORPUS}")
        pytest.skip(f"corpus not found at {CORPUS} (set POLICYWATCH_CORPUS)")
    return CORPUS
