"""The GitHub Actions workflows: valid against the workflow schema and actionlint, and the shell
steps of track.yml, taken from the YAML itself, commit data/ exactly when something changed."""

from __future__ import annotations

import os
import re
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
    crawl, merge, commit = data["jobs"]["crawl"], data["jobs"]["merge"], data["jobs"]["commit"]
    assert len(crawl["strategy"]["matrix"]["shard"]) >= 2
    assert "--shard" in step_script("track-sharded.yml", "crawl", "Crawl one shard")
    assert merge["needs"] == "crawl" and commit["needs"] == "merge"
    assert step_script("track-sharded.yml", "merge", "Merge the shards").startswith("policywatch merge")
    # the same commit job as track.yml: one script, run by both, on the data the crawl uploaded
    track = yaml.safe_load((ROOT / ".github" / "workflows" / "track.yml").read_text(encoding="utf-8"))
    assert commit["steps"] == track["jobs"]["commit"]["steps"]
    assert _upload(data, "merge", "recorded") == _upload(track, "crawl", "recorded")
    assert data["concurrency"]["group"] == track["concurrency"]["group"]


def _upload(workflow: dict, job: str, name: str) -> dict:
    steps = workflow["jobs"][job]["steps"]
    return next(
        s["with"]
        for s in steps
        if s.get("uses", "").startswith("actions/upload-artifact@") and s["with"]["name"] == name
    )


ACTION_PIN = re.compile(r"^\s*-?\s*uses: (?P<action>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40}) # v\d+\.\d+\.\d+\s*$")


def test_third_party_actions_are_pinned_by_commit():
    files = [*WORKFLOWS, ROOT / ".github" / "actions" / "setup" / "action.yml"]
    pinned = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" not in line or "uses: ./" in line:
                continue
            assert ACTION_PIN.match(line), f"{path.name}: not pinned by commit with its version: {line.strip()}"
            pinned += 1
    assert pinned >= 10


READS_PAGES = re.compile(r"\bpolicywatch (run|crawl|merge|publish|validate)\b")


@pytest.mark.parametrize("workflow", ["track.yml", "track-sharded.yml", "validate-live.yml", "ci.yml"])
def test_jobs_that_read_pages_hold_no_write_permission_and_no_credentials(workflow):
    data = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    top = data.get("permissions", {})
    assert top == {"contents": "read"}, top
    for name, job in data["jobs"].items():
        steps = job.get("steps", [])
        scripts = " ".join(s.get("run", "") for s in steps)
        permissions = job.get("permissions", top)
        writes = {k for k, v in permissions.items() if v == "write"}
        reads_pages = (
            bool(READS_PAGES.search(scripts))
            or any(s.get("with", {}).get("browser") == "true" for s in steps)
            or "make test" in scripts
        )
        if reads_pages:
            assert not writes, (workflow, name, permissions)
            checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
            assert checkouts and all(s.get("with", {}).get("persist-credentials") is False for s in checkouts), name
            assert "secrets." not in yaml.safe_dump(job), (workflow, name)
        if writes:
            assert not reads_pages, (workflow, name)
    if workflow.startswith("track"):
        assert data["jobs"]["commit"]["permissions"] == {"contents": "write", "issues": "write"}


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


def make_origin(tmp_path: Path, server) -> tuple[Path, Path]:
    """A bare origin holding a tracking repository of two documents served by `server`, and
    a clone for "someone else" (a maintainer editing the sources meanwhile)."""
    origin, seed = tmp_path / "origin.git", tmp_path / "seed"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(seed)], check=True)
    (seed / "data").mkdir()
    shutil.copy(ROOT / "data" / ".gitignore", seed / "data" / ".gitignore")
    (seed / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "commit-data.sh", seed / "scripts" / "commit-data.sh")
    for name in ("terms", "fees"):
        server.set(f"/{name}", lambda n, name=name: policy_page(policy_text(f"The {name} apply from day 1."), n))
    write_sources(
        seed / "data" / "sources" / "market.yml",
        [
            {"id": "market-terms", "title": "Terms", "url": server.url("/terms"), "select": "#policy", "tags": ["t"]},
            {"id": "market-fees", "title": "Fees", "url": server.url("/fees"), "select": "#policy", "tags": ["f"]},
        ],
    )
    git(seed, "add", "-A")
    git(seed, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "fork")
    git(seed, "remote", "add", "origin", str(origin))
    git(seed, "push", "--quiet", "-u", "origin", "main")
    return origin, seed


def clone(origin: Path, where: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(origin), str(where)], check=True)
    return where


def uploaded(workflow: str, job: str, name: str) -> list[str]:
    data = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    return _upload(data, job, name)["path"].split()


def hand_over(crawl: Path, artifact: Path, patterns: list[str]) -> None:
    """What upload-artifact and download-artifact do between the jobs: the files the patterns
    take (a `!` leaves out), relative to their common folder (data/)."""
    import fnmatch

    if artifact.exists():
        shutil.rmtree(artifact)
    keep = [p for p in patterns if not p.startswith("!")]
    drop = [p[1:] for p in patterns if p.startswith("!")]
    for path in sorted(crawl.rglob("*")):
        rel = path.relative_to(crawl).as_posix()
        if not path.is_file() or any(part.startswith(".") for part in rel.split("/")):
            continue  # upload-artifact leaves hidden files out
        if any(rel.startswith(k) for k in keep) and not any(fnmatch.fnmatch(rel, d) for d in drop):
            target = artifact / rel.removeprefix("data/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def run_steps(folder: Path, env: dict, *scripts: str) -> str:
    out = ""
    for script in scripts:
        r = subprocess.run(
            ["bash", "-e", "-c", script], cwd=folder, env=env, capture_output=True, text=True, timeout=300
        )
        assert r.returncode == 0, r.stdout + r.stderr
        out += r.stdout + r.stderr
    return out


@pytest.mark.slow
def test_track_jobs_commit_exactly_what_changed(server, tmp_path):
    origin, _ = make_origin(tmp_path, server)
    artifact = tmp_path / "recorded"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "BASE_URL": "", "RECORDED": str(artifact)}
    env.pop("GITHUB_REF_NAME", None)
    track = step_script("track.yml", "crawl", "Track")
    commit = step_script("track.yml", "commit", "Commit data")
    patterns = uploaded("track.yml", "crawl", "recorded")

    def run_jobs(n: int) -> str:
        crawl = clone(origin, tmp_path / f"crawl-{n}")  # each job starts from a fresh checkout
        run_steps(crawl, env, track)
        assert (crawl / "_site" / "changes.json").exists()
        hand_over(crawl, artifact, patterns)
        return run_steps(clone(origin, tmp_path / f"commit-{n}"), env, commit)

    out = run_jobs(1)
    assert "committed: Policy changes: market-fees market-terms" in out
    assert git(origin, "log", "--format=%s", "main").splitlines()[0] == "Policy changes: market-fees market-terms"
    files = git(origin, "ls-tree", "-r", "--name-only", "main").split()
    assert not [f for f in files if "_site" in f or "policywatch.db" in f or "publish-cache" in f]

    out = run_jobs(2)
    assert "nothing to commit" in out
    assert len(git(origin, "log", "--format=%s", "main").splitlines()) == 2

    server.set("/fees", lambda n: policy_page(policy_text("The fees apply from day 2."), n))
    out = run_jobs(3)
    assert "committed: Policy changes: market-fees" in out
    files = git(origin, "show", "--name-only", "--format=", "main").split()
    assert files and all(f.split("/")[2] == "market-fees" for f in files), files
    assert len(git(origin, "log", "--format=%s", "main").splitlines()) == 3


@pytest.mark.slow
def test_commit_survives_a_push_made_while_the_crawl_ran(server, tmp_path):
    """Someone pushes (an edit of the sources) while the job crawls: the data commit is rebased
    onto it and pushed; nothing recorded is lost, and the edit stays."""
    origin, seed = make_origin(tmp_path, server)
    artifact = tmp_path / "recorded"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "BASE_URL": "", "RECORDED": str(artifact)}
    env.pop("GITHUB_REF_NAME", None)
    crawl = clone(origin, tmp_path / "crawl")
    commit_job = clone(origin, tmp_path / "commit")  # checked out before the other push
    run_steps(crawl, env, step_script("track.yml", "crawl", "Track"))
    hand_over(crawl, artifact, uploaded("track.yml", "crawl", "recorded"))

    sources = seed / "data" / "sources" / "market.yml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("title: Fees", "title: Fee schedule"))
    git(seed, "-c", "user.name=m", "-c", "user.email=m@m", "commit", "--quiet", "-am", "Rename the fee schedule")
    git(seed, "push", "--quiet", "origin", "main")

    out = run_steps(commit_job, env, step_script("track.yml", "commit", "Commit data"))
    assert "push refused" in out and "committed: Policy changes: market-fees market-terms" in out
    log = git(origin, "log", "--format=%s", "main").splitlines()
    assert log[:2] == ["Policy changes: market-fees market-terms", "Rename the fee schedule"]
    tree = git(origin, "ls-tree", "-r", "--name-only", "main").split()
    assert len([f for f in tree if f.startswith("data/versions/")]) == 2
    assert "title: Fee schedule" in git(origin, "show", "main:data/sources/market.yml")


def test_commit_refuses_a_folder_that_is_not_recorded_data(tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(repo)], check=True)
    (repo / "data" / "versions" / "doc").mkdir(parents=True)
    (repo / "data" / "versions" / "doc" / "20260101T000000Z.md").write_text("x\n")
    stray = tmp_path / "flattened"
    (stray / "doc").mkdir(parents=True)  # the layout of an artifact whose root was data/versions
    r = subprocess.run(
        ["bash", str(ROOT / "scripts" / "commit-data.sh"), str(stray)], cwd=repo, capture_output=True, text=True
    )
    assert r.returncode == 1 and "not a data folder" in r.stderr
    assert (repo / "data" / "versions" / "doc" / "20260101T000000Z.md").exists()


def step(workflow: str, job: str, name: str) -> dict:
    data = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    return next(s for s in data["jobs"][job]["steps"] if s.get("name") == name)


@pytest.mark.parametrize(("workflow", "before"), [("track.yml", "crawl"), ("track-sharded.yml", "merge")])
def test_alerts_are_sent_by_the_commit_job_with_their_secrets_before_the_commit(workflow, before):
    data = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    names = [s.get("name") for s in data["jobs"]["commit"]["steps"]]
    assert names.index("Take what the crawl recorded") < names.index("Notify") < names.index("Commit data")
    notify = step(workflow, "commit", "Notify")
    assert notify["run"] == 'policywatch --data-dir "$RECORDED" notify --base-url "$BASE_URL"'
    assert notify["continue-on-error"] is True  # a failed delivery never stops the commit
    secrets = {k: v for k, v in notify["env"].items() if k.startswith("NOTIFY_")}
    assert secrets and all(v == f"${{{{ secrets.{k} }}}}" for k, v in secrets.items())
    # links in the alerts: the Pages URL the job before found
    assert data["jobs"][before]["outputs"]["base_url"] == "${{ steps.pages.outputs.base_url }}"
    # the jobs that read pages never notify (and never see a secret: see the test above)
    for name, job in data["jobs"].items():
        if name != "commit":
            assert "notify" not in " ".join(s.get("run", "") for s in job["steps"]).replace("--no-notify", "")
    if workflow == "track.yml":
        assert "--no-notify" in step_script(workflow, "crawl", "Track")


@pytest.mark.slow
def test_track_jobs_notify_once_and_commit_the_delivery_state(server, tmp_path):
    from support.receivers import HookServer

    hooks = HookServer()
    origin, seed = make_origin(tmp_path, server)
    notify_yml = "subscriptions:\n  - name: team\n    urls: [NOTIFY_WEBHOOK_URL]\n    significance: minor\n"
    (seed / "data" / "notify.yml").write_text(notify_yml, encoding="utf-8")
    git(seed, "add", "-A")
    git(seed, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "alerts")
    git(seed, "push", "--quiet", "origin", "main")
    artifact = tmp_path / "recorded"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "RECORDED": str(artifact)}
    env.pop("GITHUB_REF_NAME", None)
    # the commit job's Notify step, with its env as Actions fills it (one secret set, two not)
    env |= {k: "" for k in step("track.yml", "commit", "Notify")["env"] if k.startswith("NOTIFY_")}
    env |= {"NOTIFY_WEBHOOK_URL": hooks.url(), "BASE_URL": "https://you.github.io/t/"}
    track = step_script("track.yml", "crawl", "Track")
    commit_steps = [step("track.yml", "commit", name) for name in ("Notify", "Commit data")]
    patterns = uploaded("track.yml", "crawl", "recorded")

    def run_jobs(n: int) -> str:
        crawl = clone(origin, tmp_path / f"crawl-{n}")
        run_steps(crawl, env, track)
        hand_over(crawl, artifact, patterns)
        folder, out = clone(origin, tmp_path / f"commit-{n}"), ""
        for s in commit_steps:
            r = subprocess.run(
                ["bash", "-e", "-c", s["run"]], cwd=folder, env=env, capture_output=True, text=True, timeout=300
            )
            assert r.returncode == 0 or s.get("continue-on-error"), r.stdout + r.stderr
            out += r.stdout + r.stderr
        return out

    try:
        run_jobs(1)
        assert [p.key for p in hooks.posts] == ["welcome"]
        assert "data/notify-state/team.json" in git(origin, "ls-tree", "-r", "--name-only", "main")

        out = run_jobs(2)
        assert "nothing to commit" in out and len(hooks.posts) == 1

        server.set("/fees", lambda n: policy_page(policy_text("The fees apply from day 2."), n))
        run_jobs(3)
        assert [p.key.split("/")[:2] for p in hooks.posts] == [["welcome"], ["alert", "market-fees"]]
        assert "https://you.github.io/t/docs/market-fees/changes/" in hooks.posts[1].body["message"]
        files = git(origin, "show", "--name-only", "--format=", "main").split()
        assert "data/notify-state/team.json" in files  # committed with the version it tells of

        hooks.answer = lambda n: 500  # the service is down: kept, retried, and the commit goes on
        server.set("/terms", lambda n: policy_page(policy_text("The terms apply from day 2."), n))
        out = run_jobs(4)
        assert "failed      team  alert/market-terms/" in out
        assert git(origin, "log", "-1", "--format=%s", "main") == "Policy changes: market-terms\n"
        hooks.answer = lambda n: 200
        env["POLICYWATCH_NOW"] = "2099-01-01T00:00:00Z"  # past the retry's backoff
        out = run_jobs(5)
        assert "committed: Notification state updated" in out
        delivered = [p.key.split("/")[:2] for p in hooks.posts if p.status == 200]
        assert delivered == [["welcome"], ["alert", "market-fees"], ["alert", "market-terms"]]
    finally:
        hooks.close()
