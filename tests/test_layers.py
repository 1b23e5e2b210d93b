"""The import floors of DESIGN.md: policywatch → crawler, feeds → archive → diffs. `diffs`
imports nothing of ours, only `crawler` imports Scrapy or Playwright, and heavy imports wait
for the command that needs them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"policywatch", "crawler", "feeds", "archive", "diffs"}
ALLOWED = {
    "diffs": set(),
    "archive": {"diffs"},
    "feeds": {"archive", "diffs"},
    "crawler": {"archive", "diffs"},
    "policywatch": {"crawler", "feeds", "archive", "diffs"},
}
BROWSER_OR_CRAWL = ("scrapy", "twisted", "playwright", "scrapy_playwright")


def imports_of(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield path.relative_to(ROOT), name.split(".")[0]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_downwards(package):
    wrong = [(str(p), n) for p, n in imports_of(package) if n in OURS - {package} - ALLOWED[package]]
    assert not wrong, f"{package} imports above its floor: {wrong}"


@pytest.mark.parametrize("package", ["diffs", "archive", "feeds"])
def test_only_the_crawler_imports_scrapy_or_playwright(package):
    wrong = [(str(p), n) for p, n in imports_of(package) if n in BROWSER_OR_CRAWL]
    assert not wrong


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("diffs", {"archive", "crawler", "feeds", "policywatch", "scrapy", "sqlite_utils", "jinja2"}),
        ("archive.index", {"crawler", "feeds", "policywatch", "scrapy", "twisted"}),
        ("feeds.publish", {"crawler", "policywatch", "scrapy", "twisted", "playwright"}),
        ("crawler.extract", {"feeds", "policywatch", "scrapy", "twisted"}),
        ("policywatch.cli", {"scrapy", "twisted", "playwright", "feedgen", "jinja2"}),
    ],
)
def test_importing_a_floor_loads_nothing_above_it(module, absent):
    code = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(ast.literal_eval(out))
    assert not (loaded & absent), f"importing {module} loaded {sorted(loaded & absent)}"
