"""The package stands alone: the wheel holds `policywatch` as its only top-level package (with the
registry, the scaffold, templates and static files as package data), and a fresh venv with only
that wheel (its dependencies reached from this venv) runs `init`, `validate` and `run` against a
local server and publishes a site."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from support import ROOT
from support.helpers import policy_page, policy_text, write_sources


def build_wheel(tmp: Path) -> Path:
    """The wheel of the committed tree plus the work tree's edits (a copy, so no build folder
    lands in the repository)."""
    src = tmp / "src"
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for rel in tracked.decode().split("\0"):
        if not rel or (not (ROOT / rel).exists() and not (ROOT / rel).is_symlink()):
            continue
        dest = src / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest, follow_symlinks=False)
    out = tmp / "dist"
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return next(out.glob("policywatch-*.whl"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.mark.slow
def test_the_wheel_installs_policywatch_alone(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert top == {"policywatch"}
    for part in ("crawler", "diffs", "feeds", "archive", "cli"):
        assert f"policywatch/{part}/__init__.py" in names, part
    assert any(n.startswith("policywatch/registry/") and n.endswith(".yml") for n in names)
    assert "policywatch/scaffold/workflows/track.yml" in names
    assert "policywatch/feeds/templates/change.html" in names and "policywatch/feeds/static/style.css" in names


@pytest.mark.slow
def test_a_fresh_venv_with_the_wheel_inits_validates_runs_and_publishes(wheel, tmp_path, server):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    subprocess.run([*pip, str(wheel)], check=True, timeout=300)
    # the dependencies from this venv, after the fresh venv's own packages (this venv's editable
    # policywatch is a .pth hook, which a path added this way does not run)
    fresh_site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (fresh_site / "zz-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    exe = venv / "bin" / "policywatch"
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "POLICYWATCH_DATA_DIR")}
    env["NO_COLOR"] = "1"

    def run(*args: str, cwd: Path = work) -> subprocess.CompletedProcess:
        r = subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, f"{args}: {r.stdout}\n{r.stderr}"
        return r

    where = run("--version")
    assert "policywatch" in where.stdout
    code = "import policywatch, sys; print(policywatch.__file__)"
    origin = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=work, capture_output=True, text=True)
    assert origin.stdout.startswith(str(venv)), origin.stdout + origin.stderr  # the wheel's, not the checkout's

    run("init", "tracker")
    tracker = work / "tracker"
    assert "ok: " in run("validate", cwd=tracker).stderr
    # the registry's pages are on the internet: point the sources at a local server instead
    for f in (tracker / "data" / "sources").glob("*.yml"):
        f.unlink()
    server.set("/terms", lambda n: policy_page(policy_text("Returns are accepted within 30 days."), n))
    write_sources(
        tracker / "data" / "sources" / "market.yml",
        [{"id": "market-terms", "title": "Terms", "url": server.url("/terms"), "select": "#policy", "tags": ["t"]}],
    )
    assert "ok: 1 documents" in run("validate", cwd=tracker).stderr
    r = run("run", "--delay", "0", "--out", "_site", cwd=tracker)
    assert "new version  market-terms" in r.stderr
    site = tracker / "_site"
    records = json.loads((site / "changes.json").read_text(encoding="utf-8"))
    assert [(c["document_id"], c["kind"]) for c in records] == [("market-terms", "first")]
    assert (site / "index.html").is_file() and (site / "feed.atom").is_file() and (site / "style.css").is_file()
