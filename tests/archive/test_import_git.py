"""`policywatch import git`: a small repository built here with dated commits (a change, a
refilter, a flip back, a rename, a delete and re-add), then the whole corpus turned into one git
repository in the layout of Open Terms Archive's *-versions datasets."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.corpus_git import corpus_repository
from support.helpers import tree_digest
from support.import_expect import check_document, table

from policywatch.archive.index import Index
from policywatch.archive.store import Store
from policywatch.cli import cli

IDENTITY = {
    "GIT_AUTHOR_NAME": "Archivist",
    "GIT_AUTHOR_EMAIL": "archivist@example.invalid",
    "GIT_COMMITTER_NAME": "Archivist",
    "GIT_COMMITTER_EMAIL": "archivist@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
BODY = "\n\n".join(f"Clause {n}. Sellers must keep records of order {n} for seven years." for n in range(1, 30))
T1 = f"# Market Terms\n\nYou must reply to buyers within 24 hours.\n\n{BODY}\n"
T2 = T1.replace("24 hours", "48 hours")
T2_REFILTERED = T2.replace("# Market Terms", "Market Terms\n============")
T3 = T2_REFILTERED.replace("seven years", "ten years", 1)
T4 = T1.replace("Clause 3.", "Clause 3 (new).")


def git(repo: Path, *args: str, at: str | None = None) -> str:
    env = {**os.environ, **IDENTITY}
    if at:
        when = datetime.fromisoformat(at)
        env["GIT_COMMITTER_DATE"] = when.isoformat()
        env["GIT_AUTHOR_DATE"] = (when - timedelta(days=3)).isoformat()  # the import uses the commit date
    r = subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True)
    return r.stdout


def commit(repo: Path, message: str, at: str, files: dict[str, str | None]) -> None:
    for name, text in files.items():
        path = repo / name
        if text is None:
            git(repo, "rm", "-q", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message, at=at)


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = tmp_path / "history"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Start tracking Market Terms", "2023-01-10T09:00:00+00:00", {"terms.md": T1, "other.md": "x\n"})
    commit(repo, "Update Market Terms", "2023-02-01T10:00:00+00:00", {"terms.md": T2})
    commit(repo, "Update Other", "2023-02-05T10:00:00+00:00", {"other.md": "y\n"})
    commit(repo, "Refilter Market Terms", "2023-03-01T10:00:00+00:00", {"terms.md": T2_REFILTERED})
    commit(repo, "Update Market Terms", "2023-04-01T12:00:00+02:00", {"terms.md": T3})
    commit(repo, "Update Market Terms", "2023-05-01T10:00:00+00:00", {"terms.md": T1})
    git(repo, "mv", "terms.md", "policy-terms.md")
    commit(repo, "Rename and update Market Terms", "2023-06-01T10:00:00+00:00", {"policy-terms.md": T4})
    commit(repo, "Stop tracking", "2023-07-01T10:00:00+00:00", {"policy-terms.md": None})
    commit(repo, "Resume tracking", "2023-08-01T10:00:00+00:00", {"policy-terms.md": T4})
    commit(
        repo,
        "Apply technical or declaration upgrade on Market Terms",
        "2023-09-01T10:00:00+00:00",
        {"policy-terms.md": T4 + "\n"},
    )
    return repo


def test_every_commit_of_the_file_with_its_commit_date(repo, cli, tmp_path):
    data = tmp_path / "data"
    r = cli("import", "git", str(repo), "--path", "policy-terms.md", "--doc", "market-terms", check=True)
    assert "deleted policy-terms.md" in r.stderr and "unchanged" in r.stderr

    store = Store(data)
    versions = store.versions("market-terms")
    # 2023-04-01T12:00:00+02:00 is 10:00 UTC; the re-add of 2023-08-01 repeats the text before it
    assert [v.id for v in versions] == [
        "20230110T090000Z",
        "20230201T100000Z",
        "20230301T100000Z",
        "20230401T100000Z",
        "20230501T100000Z",
        "20230601T100000Z",
        "20230901T100000Z",
    ]
    assert [store.read(v) for v in versions[:6]] == [T1, T2, T2_REFILTERED, T3, T1, T4]
    assert all(v.source == "git" for v in versions)
    assert [v.technical for v in versions] == [False, False, True, False, False, False, True]
    assert versions[0].note.startswith("git ") and "Start tracking Market Terms" in versions[0].note

    with Index(store) as index:
        index.refresh()  # imports index versions; change records are derived by publish or `index`
        records = list(index.changes("market-terms", newest_first=False))
    assert [(c.kind, c.from_version, c.reverts_to) for c in records] == [
        ("first", None, None),
        ("change", "20230110T090000Z", None),
        ("technical", "20230201T100000Z", None),
        ("change", "20230301T100000Z", None),
        ("revert", "20230401T100000Z", "20230110T090000Z"),
        ("change", "20230501T100000Z", None),
        ("technical", "20230601T100000Z", None),
    ]
    assert records[3].significance == "substantive"  # diffed against the re-extraction: wording only
    assert records[3].stats["words_added"] == 1 and records[3].stats["words_removed"] == 1

    before = tree_digest(data, ("policywatch.db", ".lock"))
    again = cli("import", "git", str(repo), "--path", "policy-terms.md", "--doc", "market-terms", check=True)
    assert "imported 0 version(s)" in again.stderr
    assert tree_digest(data, ("policywatch.db", ".lock")) == before


def test_rev_and_dry_run(repo, cli, tmp_path):
    old = git(repo, "rev-list", "-n", "1", "--before=2023-02-15T00:00:00Z", "main").strip()
    r = cli("import", "git", str(repo), "--path", "terms.md", "--doc", "market-terms", "--rev", old, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "would add" in r.stderr and "would add 2 version(s)" in r.stderr
    assert not (tmp_path / "data" / "versions").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--path", "missing.md"), "no commit of HEAD"),
        (("--path", "terms"), "did you mean: policy-terms.md"),
        (("--path", "policy-terms.md", "--rev", "nope"), "has no commit 'nope'"),
        (("--path", "policy-terms.md", "--doc", "Bad_Id"), "lowercase letters"),
    ],
)
def test_clear_errors_and_nothing_written(repo, cli, tmp_path, args, message):
    doc = [] if "--doc" in args else ["--doc", "market-terms"]
    r = cli("import", "git", str(repo), *args, *doc)
    assert r.returncode in (1, 2) and message in r.stderr, r.stderr
    assert not (tmp_path / "data" / "versions").exists()


def test_not_a_repository(cli, tmp_path):
    (tmp_path / "plain").mkdir()
    r = cli("import", "git", str(tmp_path / "plain"), "--path", "terms.md", "--doc", "market-terms")
    assert r.returncode == 1 and "is not a git repository" in r.stderr


# ------------------------------------------------------------------ the corpus as a git repository


@pytest.mark.slow
def test_the_corpus_as_a_git_repository(corpus, tmp_path):
    repo = tmp_path / "versions-dataset"
    paths = corpus_repository(corpus, repo)
    data = tmp_path / "data"
    runner = CliRunner()
    for doc_id, path in sorted(paths.items()):
        result = runner.invoke(
            cli, ["--data-dir", str(data), "import", "git", str(repo), "--path", path, "--doc", doc_id]
        )
        assert result.exit_code == 0, result.output
    checks = []
    with Index(Store(data)) as index:
        index.refresh()  # imports index versions; change records are derived by publish or `index`
        for doc_id in sorted(paths):
            records = [
                {"detected_at": c.detected_at, "kind": c.kind, "to_version": c.to_version, "source": c.source}
                for c in index.changes(doc_id, newest_first=False)
            ]
            checks.append(check_document(corpus / "dev" / doc_id, records, "git"))
    print("\nimport git of the corpus as one repository:\n" + table(checks))
    assert sum(c.versions for c in checks) == 297
    assert all(not c.problems for c in checks), table(checks)
