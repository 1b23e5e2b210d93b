"""The GitHub Actions workflows: valid against the workflow schema and actionlint, and the shell
steps of track.yml, taken from the YAML itself, commit data/ exactly when something changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.helpers import policy_page, policy_text, write_sources

ROOT = Path(__file__).resolve().parent.parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def test_there_are_workflows():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "track.yml", "track-sharded.yml", "validate-live.yml"}


def test_the_sharded_variant_crawls_shards_then_merges_commits_and_publishes():
    data = yaml.safe_load((ROOT / ".github" / "workflows" / "track-sharded.yml").read_text(encoding="utf-8"))
    crawl, merge = data["jobs"]["crawl"], data["jobs"]["merge"]
    assert len(crawl["strategy"]["matrix"]["shard"]) >= 2
    assert "--shard" in step_script("track-sharded.yml", "crawl", "Crawl one shard")
    assert merge["needs"] == "crawl"
    assert step_script("track-sharded.yml", "merge", "Merge the shards").startswith("policywatch merge")
    # the same commit step as track.yml: one script, run by both
    assert step_script("track-sharded.yml", "merge", "Commit data") == step_script("track.yml", "track", "Commit data")
    assert (
        data["concurrency"]["group"]
        == yaml.safe_load((ROOT / ".github" / "workflows" / "track.yml").read_text(encoding="utf-8"))["concurrency"][
            "group"
        ]
    )


def test_workflows_match_the_schema():
    r = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_actionlint():
    r = subprocess.run([BIN / "actionlint", *WORKFLOWS], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def step_script(workflow: str, job: str, name: str) -> str:
    data = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    for step in data["jobs"][job]["steps"]:
        if step.get("name") == name:
            return step["run"]
    raise KeyError(f"{workflow}: job {job} has no step named {name!r}")


def test_track_runs_on_schedule_without_overlap():
    data = yaml.safe_load((ROOT / ".github" / "workflows" / "track.yml").read_text(encoding="utf-8"))
    triggers = data[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"].split()[1] == "*/6" and "workflow_dispatch" in triggers
    assert data["concurrency"]["cancel-in-progress"] is False
    assert data["permissions"] == {"contents": "read"}
    uses = [s.get("uses", "") for job in data["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
def test_track_steps_commit_exactly_what_changed(server, tmp_path):
    origin, fork = tmp_path / "origin.git", tmp_path / "fork"
    subprocess.run(["git", "init", "--quiet", "--bare", str(origin)], check=True)
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(fork)], check=True)
    (fork / "data").mkdir()
    shutil.copy(ROOT / "data" / ".gitignore", fork / "data" / ".gitignore")
    (fork / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "commit-data.sh", fork / "scripts" / "commit-data.sh")
    for name in ("terms", "fees"):
        server.set(f"/{name}", lambda n, name=name: policy_page(policy_text(f"The {name} apply from day 1."), n))
    write_sources(
        fork / "data" / "sources" / "market.yml",
        [
            {"id": "market-terms", "title": "Terms", "url": server.url("/terms"), "select": "#policy", "tags": ["t"]},
            {"id": "market-fees", "title": "Fees", "url": server.url("/fees"), "select": "#policy", "tags": ["f"]},
        ],
    )
    git(fork, "add", "-A")
    git(fork, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "fork")
    git(fork, "remote", "add", "origin", str(origin))
    git(fork, "push", "--quiet", "-u", "origin", "main")

    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "BASE_URL": ""}
    track = step_script("track.yml", "track", "Track")
    commit = step_script("track.yml", "track", "Commit data")

    def run_job() -> str:
        for script in (track, commit):
            r = subprocess.run(
                ["bash", "-e", "-c", script], cwd=fork, env=env, capture_output=True, text=True, timeout=300
            )
            assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout

    out = run_job()
    assert "committed: Policy changes: market-fees market-terms" in out
    assert git(origin, "log", "--format=%s", "main").splitlines()[0] == "Policy changes: market-fees market-terms"
    assert (fork / "_site" / "changes.json").exists() and "_site" not in git(fork, "ls-files")
    assert "policywatch.db" not in git(fork, "ls-files")

    out = run_job()
    assert "nothing to commit" in out
    assert len(git(origin, "log", "--format=%s", "main").splitlines()) == 2

    server.set("/fees", lambda n: policy_page(policy_text("The fees apply from day 2."), n))
    out = run_job()
    assert "committed: Policy changes: market-fees" in out
    files = git(fork, "show", "--name-only", "--format=", "HEAD").split()
    assert files and all(f.split("/")[2] == "market-fees" for f in files), files
    assert len(git(origin, "log", "--format=%s", "main").splitlines()) == 3
