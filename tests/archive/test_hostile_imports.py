"""Archives received from elsewhere are hostile input too: a git repository whose own config names
programs to run, commits too large to be policies, symlinks leading out of an import folder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from test_import_git import commit, git

T1 = "# Terms\n\n" + "\n\n".join(f"Clause {n}. Sellers must keep records for seven years." for n in range(30)) + "\n"
T2 = T1.replace("seven years", "ten years", 1)


@pytest.fixture
def repo(tmp_path) -> Path:
    r = tmp_path / "history"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    commit(r, "first", "2024-01-01T00:00:00+00:00", {"terms.md": T1})
    commit(r, "second", "2024-02-01T00:00:00+00:00", {"terms.md": T2})
    return r


def signed_commit(repo: Path) -> None:
    """Make HEAD's commit carry a (fake) signature, so `git log --show-signature` would run
    gpg.program on it."""
    raw = git(repo, "cat-file", "commit", "HEAD")
    head, _, message = raw.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----"
    signed = f"{head}\n{signature}\n\n{message}"
    r = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-t", "commit", "-w", "--stdin"],
        input=signed,
        capture_output=True,
        text=True,
        check=True,
    )
    git(repo, "update-ref", "HEAD", r.stdout.strip())


def test_import_git_runs_no_program_named_in_the_repository_config(cli, repo, tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.sh"
    evil.write_text(f"#!/bin/sh\ntouch {marker}\ncat >/dev/null\nexit 1\n", encoding="utf-8")
    evil.chmod(0o755)
    signed_commit(repo)
    for key, value in [
        ("log.showSignature", "true"),
        ("gpg.program", str(evil)),
        ("gpg.ssh.program", str(evil)),
        ("gpg.x509.program", str(evil)),
        ("core.fsmonitor", str(evil)),
        ("core.pager", str(evil)),
        ("diff.external", str(evil)),
        ("core.hooksPath", str(tmp_path)),
    ]:
        git(repo, "config", key, value)
    # what the attack needs: plain git, as the import ran it, does run the program
    subprocess.run(["git", "-C", str(repo), "log", "-1"], capture_output=True, check=False)
    assert marker.exists(), "the test repository does not trigger gpg.program"
    marker.unlink()

    r = cli("import", "git", str(repo), "--path", "terms.md", "--doc", "terms")
    assert r.returncode == 0, r.stderr
    assert "imported 2 version(s)" in r.stderr
    assert not marker.exists(), "import git ran a program named in the repository's config"


def test_import_git_reads_a_repository_owned_by_someone_else(cli, repo, tmp_path):
    """A repository unpacked from an archive belongs to another user: git refuses it
    ("dubious ownership") unless told; the import, which runs none of its programs, reads it."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give the repository to another user")
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 12345, 12345)
    r = cli("import", "git", str(repo), "--path", "terms.md", "--doc", "terms")
    assert r.returncode == 0 and "imported 2 version(s)" in r.stderr, r.stderr


def test_import_git_refuses_commits_too_large_to_be_policies(cli, repo, tmp_path):
    big = "x" * (21 * 1024 * 1024)
    commit(repo, "huge", "2024-03-01T00:00:00+00:00", {"terms.md": big})
    commit(repo, "back", "2024-04-01T00:00:00+00:00", {"terms.md": T1})
    r = cli("import", "git", str(repo), "--path", "terms.md", "--doc", "terms", timeout=60)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "larger than" in r.stderr and "nothing was written" in r.stderr
    assert not (tmp_path / "data" / "versions").exists()


def test_import_dir_follows_no_link_out_of_the_folder(cli, tmp_path):
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "2024-05-01.md").write_text("# Secret\n\nThe private notes of this machine.\n", encoding="utf-8")
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "2024-01-01.md").write_text(T1, encoding="utf-8")
    (archive / "2024-02-01.md").symlink_to(secret / "2024-05-01.md")  # a file link
    (archive / "technical").symlink_to(secret, target_is_directory=True)  # a folder link
    r = cli("import", "dir", str(archive), "--doc", "terms")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "2024-02-01.md" in r.stderr and "technical" in r.stderr and "outside" in r.stderr
    assert "nothing was written" in r.stderr
    assert not (tmp_path / "data" / "versions").exists()
    # a link that stays inside the folder is fine
    (archive / "2024-02-01.md").unlink()
    (archive / "technical").unlink()
    (archive / "2024-03-01.md").write_text(T2, encoding="utf-8")
    (archive / "same").mkdir()
    (archive / "2024-02-01.md").symlink_to(archive / "2024-03-01.md")
    r = cli("import", "dir", str(archive), "--doc", "terms")
    assert r.returncode == 0 and "imported 2 version(s)" in r.stderr, r.stderr
