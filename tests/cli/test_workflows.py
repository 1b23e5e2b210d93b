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


def make_fork(tmp_path: Path, server, extra: dict[str, str] | None = None) -> tuple[Path, Path]:
    """A fork with two pages to track (and `extra` files: path → text), pushed to a bare origin."""
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
    for rel, text in (extra or {}).items():
        (fork / rel).write_text(text, encoding="utf-8")
    git(fork, "add", "-A")
    git(fork, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "fork")
    git(fork, "remote", "add", "origin", str(origin))
    git(fork, "push", "--quiet", "-u", "origin", "main")
    return origin, fork


@pytest.mark.slow
def test_track_steps_commit_exactly_what_changed(server, tmp_path):
    origin, fork = make_fork(tmp_path, server)
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


def step(workflow: str, job: str, name: str) -> dict:
    data = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    return next(s for s in data["jobs"][job]["steps"] if s.get("name") == name)


@pytest.mark.parametrize(
    ("workflow", "job", "before"), [("track.yml", "track", "Track"), ("track-sharded.yml", "merge", "Publish")]
)
def test_notify_steps_get_the_secrets_as_env_after_publishing_and_before_the_commit(workflow, job, before):
    data = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    names = [s.get("name") for s in data["jobs"][job]["steps"]]
    assert names.index(before) < names.index("Notify") < names.index("Commit data")
    notify = step(workflow, job, "Notify")
    assert notify["run"].startswith("policywatch notify")
    assert notify["continue-on-error"] is True  # a failed delivery never stops the commit or the site
    secrets = {k: v for k, v in notify["env"].items() if k.startswith("NOTIFY_")}
    assert secrets and all(v == f"${{{{ secrets.{k} }}}}" for k, v in secrets.items())
    # the crawl, which reads hostile pages, never sees them
    for other in data["jobs"][job]["steps"]:
        if other.get("name") != "Notify":
            assert "secrets.NOTIFY" not in str(other)
    if workflow == "track.yml":
        assert "--no-notify" in step_script(workflow, job, "Track")


@pytest.mark.slow
def test_track_steps_notify_once_and_commit_the_delivery_state(server, tmp_path):
    from support.receivers import HookServer

    hooks = HookServer()
    notify_yml = "subscriptions:\n  - name: team\n    urls: [NOTIFY_WEBHOOK_URL]\n    significance: minor\n"
    origin, fork = make_fork(tmp_path, server, {"data/notify.yml": notify_yml})
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "BASE_URL": "https://you.github.io/t/"}
    # the Notify step's env, as Actions fills it from the repository's secrets (one set, two not)
    env |= {k: "" for k in step("track.yml", "track", "Notify")["env"] if k.startswith("NOTIFY_")}
    env["NOTIFY_WEBHOOK_URL"] = hooks.url()
    steps = [step("track.yml", "track", name) for name in ("Track", "Notify", "Commit data")]

    def run_job() -> str:
        out = ""
        for s in steps:
            r = subprocess.run(
                ["bash", "-e", "-c", s["run"]], cwd=fork, env=env, capture_output=True, text=True, timeout=300
            )
            assert r.returncode == 0 or s.get("continue-on-error"), r.stdout + r.stderr
            out += r.stdout + r.stderr
        return out

    try:
        run_job()
        assert [p.key for p in hooks.posts] == ["welcome"]
        assert "data/notify-state/team.json" in git(fork, "ls-files")
        assert git(origin, "log", "-1", "--format=%s", "main") == "Policy changes: market-fees market-terms\n"

        out = run_job()
        assert "nothing to commit" in out and len(hooks.posts) == 1

        server.set("/fees", lambda n: policy_page(policy_text("The fees apply from day 2."), n))
        run_job()
        assert [p.key.split("/")[:2] for p in hooks.posts] == [["welcome"], ["alert", "market-fees"]]
        assert "https://you.github.io/t/docs/market-fees/changes/" in hooks.posts[1].body["message"]
        files = git(fork, "show", "--name-only", "--format=", "HEAD").split()
        assert "data/notify-state/team.json" in files  # committed with the version it tells of

        hooks.answer = lambda n: 500  # the service is down: kept, retried, and the job goes on
        server.set("/terms", lambda n: policy_page(policy_text("The terms apply from day 2."), n))
        out = run_job()
        assert "failed      team  alert/market-terms/" in out
        assert git(origin, "log", "-1", "--format=%s", "main") == "Policy changes: market-terms\n"
        hooks.answer = lambda n: 200
        env["POLICYWATCH_NOW"] = "2099-01-01T00:00:00Z"  # past the retry's backoff
        out = run_job()
        assert "committed: Notification state updated" in out
        delivered = [p.key.split("/")[:2] for p in hooks.posts if p.status == 200]
        assert delivered == [["welcome"], ["alert", "market-fees"], ["alert", "market-terms"]]
    finally:
        hooks.close()
