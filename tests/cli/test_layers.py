"""The import floors of DESIGN.md: policywatch → crawler, feeds → archive → diffs. `diffs` imports
nothing of ours, only `crawler` imports Scrapy or Playwright, no module imports another that
imports it back (no circles, inside a floor either), and heavy imports wait for the command that
needs them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
# each floor's folder in the repository and its installed name
FLOORS = {"policywatch": "policywatch", "crawler": "crawler", "feeds": "feeds", "archive": "archive", "diffs": "diffs"}
ALLOWED = {
    "diffs": set(),
    "archive": {"diffs"},
    "feeds": {"archive", "diffs"},
    "crawler": {"archive", "diffs"},
    "policywatch": {"crawler", "feeds", "archive", "diffs"},
}
BROWSER_OR_CRAWL = ("scrapy", "twisted", "playwright", "scrapy_playwright")


def module_name(path: Path) -> str:
    """The installed name of a source file: crawler/spider.py -> policywatch.crawler.spider."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts if parts[0] == "policywatch" else ["policywatch", *parts])


def modules() -> dict[str, Path]:
    return {module_name(p): p for floor in FLOORS for p in sorted((ROOT / floor).rglob("*.py"))}


def imported(path: Path, name: str) -> list[str]:
    """The modules a source file imports (absolute names; `from . import x` resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            out.append(stem)
            out.extend(f"{stem}.{a.name}" for a in node.names)  # `from pkg import module`
    return out


def floor_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "policywatch":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED and parts[1] != "policywatch" else "policywatch"


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: {m for m in imported(path, name) if m in mods and m != name} for name, path in mods.items()}


@pytest.mark.parametrize("floor", sorted(ALLOWED))
def test_floors_import_only_downwards(floor):
    edges = graph()
    wrong = [
        (a, b)
        for a, targets in edges.items()
        if floor_of(a) == floor
        for b in targets
        if floor_of(b) not in (floor, *ALLOWED[floor])
    ]
    assert not wrong, f"{floor} imports above its floor: {wrong}"


def test_no_import_circles():
    edges = graph()
    # a package's __init__ that hands on its modules' names imports downwards into its own package;
    # a module importing its package's __init__ back would close a circle and counts
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_circle_finder_finds_a_circle(tmp_path, monkeypatch):
    (tmp_path / "diffs").mkdir()
    (tmp_path / "diffs" / "a.py").write_text("from . import b\n")
    (tmp_path / "diffs" / "b.py").write_text("from .a import x\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "FLOORS", {"diffs": "diffs"})
    with pytest.raises(AssertionError, match=r"policywatch\.diffs\.a -> policywatch\.diffs\.b"):
        test_no_import_circles()


@pytest.mark.parametrize("floor", ["diffs", "archive", "feeds"])
def test_only_the_crawler_imports_scrapy_or_playwright(floor):
    mods = modules()
    wrong = [
        (name, m)
        for name, path in mods.items()
        if floor_of(name) == floor
        for m in imported(path, name)
        if m.split(".")[0] in BROWSER_OR_CRAWL
    ]
    assert not wrong


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("policywatch.diffs", {"archive", "crawler", "feeds", "scrapy", "sqlite_utils", "jinja2"}),
        ("policywatch.archive.index", {"crawler", "feeds", "scrapy", "twisted"}),
        ("policywatch.feeds.publish", {"crawler", "scrapy", "twisted", "playwright"}),
        ("policywatch.crawler.extract", {"feeds", "scrapy", "twisted"}),
        ("policywatch.cli", {"scrapy", "twisted", "playwright", "feedgen", "jinja2", "crawler", "feeds"}),
    ],
)
def test_importing_a_floor_loads_nothing_above_it(module, absent):
    code = f"import sys, {module}; print(sorted({{'.'.join(m.split('.')[:2]) for m in sys.modules}}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = {n.removeprefix("policywatch.") for n in ast.literal_eval(out)}
    assert not (loaded & absent), f"importing {module} loaded {sorted(loaded & absent)}"


def test_installed_names_are_policywatch_only():
    code = "import policywatch.diffs, policywatch.crawler.extract, policywatch.feeds.publish, sys; print('ok')"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    for bare in ("diffs", "archive", "crawler", "feeds"):
        r = subprocess.run([sys.executable, "-c", f"import {bare}"], capture_output=True, cwd="/", text=True)
        assert r.returncode != 0, f"`import {bare}` works outside the repository: a top-level name leaked"
