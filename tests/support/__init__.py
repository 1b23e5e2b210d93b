"""Shared support of the tests (servers, fixture pages, published-site helpers) and the paths
every stage's tests use: the repository and the real corpus beside it."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = Path(os.environ.get("POLICYWATCH_CORPUS") or ROOT.parent / "shared" / "corpus")
