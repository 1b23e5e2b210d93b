"""The history of one file in a local git repository, as an archive to import: every commit that
touched it (renames followed), its committer date, its subject and the file's bytes then.

Open Terms Archive's `*-versions` datasets have this shape: one Markdown file per document and one
commit per recorded version, technical re-extractions marked in the commit subject.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from policywatch.archive.errors import ImportSourceError
from policywatch.archive.store import parse_iso

from ..settings import MAX_PAGE_BYTES

# Open Terms Archive's subjects for re-extractions after its own rules changed (not policy changes)
TECHNICAL_SUBJECT = re.compile(r"\bapply technical or declaration upgrade\b|\brefilter\b", re.I)


@dataclass(frozen=True)
class FileCommit:
    commit: str
    at: datetime
    subject: str
    path: str  # the file's path at this commit (it may have been renamed since)
    content: bytes | None  # None: the commit deleted the file

    @property
    def technical(self) -> bool:
        return bool(TECHNICAL_SUBJECT.search(self.subject))


# A repository received as an archive or a shared folder carries its own .git/config, which can
# name programs for git to run (gpg.program with log.showSignature, core.fsmonitor, a pager, an
# external diff, hooks). Git always reads that file, so every key that runs something is set
# again on the command line, which wins; the system and global configs are not read at all. The
# ownership check (safe.directory) exists to stop exactly those programs; with them neutralised,
# a repository that belongs to another user (unpacked from an archive) is read like any other.
SAFE_CONFIG = (
    "core.quotePath=false",
    "log.showSignature=false",
    "gpg.program=false",
    "gpg.ssh.program=false",
    "gpg.x509.program=false",
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.sshCommand=false",
    "core.askPass=false",
    "credential.helper=",
    "protocol.allow=never",
    "diff.external=",
    "safe.directory=*",
)
SAFE_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_OPTIONAL_LOCKS": "0",
}
MAX_FILE_BYTES = MAX_PAGE_BYTES  # a version larger than the crawler's page cap is not a policy


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise ImportSourceError("`import git` needs the git command, which is not on PATH")
    config = [arg for pair in SAFE_CONFIG for arg in ("-c", pair)]
    # only what git needs from our environment: none of the caller's GIT_* settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | SAFE_ENV
    try:
        r = subprocess.run(
            [git, "--no-pager", "-C", str(repo), *config, *args],
            input=stdin,
            capture_output=True,
            check=False,
            env=env,
        )
    except OSError as e:
        raise ImportSourceError(f"cannot run git: {e.strerror}") from e
    if r.returncode != 0:
        message = r.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ImportSourceError(f"git {args[0]} failed in {repo}: {message[-1] if message else r.returncode}")
    return r.stdout


def _unquote(path: str) -> str:
    """git C-quotes paths with tabs, newlines, quotes or backslashes."""
    if path.startswith('"') and path.endswith('"'):
        return codecs.escape_decode(path[1:-1].encode("utf-8"))[0].decode("utf-8")
    return path


def file_history(repo: Path, path: str, rev: str = "HEAD") -> list[FileCommit]:
    """Every commit reachable from `rev` that touched `path`, oldest first."""
    if not repo.is_dir():
        raise ImportSourceError(f"{repo} is not a folder")
    try:
        _git(repo, "rev-parse", "--git-dir")
    except ImportSourceError:
        raise ImportSourceError(f"{repo} is not a git repository") from None
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except ImportSourceError:
        raise ImportSourceError(f"{repo} has no commit {rev!r}") from None
    log = _git(
        repo,
        "log",
        "--follow",
        "--no-color",
        "--no-show-signature",
        "--no-ext-diff",
        "--no-textconv",
        "--format=%x1e%H%x1f%cI%x1f%s",
        "--name-status",
        rev,
        "--",
        path,
    ).decode("utf-8", "replace")
    entries = []
    for record in log.split("\x1e")[1:]:
        head, _, rest = record.partition("\n")
        commit, date, subject = head.split("\x1f", 2)
        status_lines = [ln for ln in rest.splitlines() if ln.strip()]
        if not status_lines:
            continue
        fields = status_lines[0].split("\t")
        entries.append((commit, parse_iso(date), subject, fields[0][:1], _unquote(fields[-1])))
    if not entries:
        raise ImportSourceError(_no_history(repo, path, rev))
    entries.reverse()  # git log lists newest first
    wanted = [f"{commit}:{p}" for commit, _, _, status, p in entries if status != "D"]
    _check_sizes(repo, wanted, path)
    blobs = iter(_blobs(repo, wanted))
    return [
        FileCommit(commit, at, subject, p, None if status == "D" else next(blobs))
        for commit, at, subject, status, p in entries
    ]


def _check_sizes(repo: Path, objects: list[str], path: str) -> None:
    """ImportSourceError naming every version of `path` over MAX_FILE_BYTES, before any is read
    (three 47 MB commits once took 2.4 GB of memory)."""
    if not objects:
        return
    out = _git(repo, "cat-file", "--batch-check", stdin="".join(f"{o}\n" for o in objects).encode("utf-8"))
    too_big = []
    for name, line in zip(objects, out.decode("utf-8", "replace").splitlines(), strict=False):
        fields = line.split()
        if len(fields) == 3 and fields[1] == "blob" and int(fields[2]) > MAX_FILE_BYTES:
            too_big.append(f"{name.split(':', 1)[0][:12]} ({int(fields[2]) / 2**20:.1f} MB)")
    if too_big:
        raise ImportSourceError(
            f"{len(too_big)} version(s) of {path} are larger than {MAX_FILE_BYTES // 2**20} MB, too large to be a "
            f"policy; nothing was written: {', '.join(too_big[:10])}"
        )


def _blobs(repo: Path, objects: list[str]) -> list[bytes]:
    """The contents of `objects` (rev:path), in one `git cat-file --batch` run."""
    if not objects:
        return []
    out = _git(repo, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in objects).encode("utf-8"))
    blobs, pos = [], 0
    for name in objects:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("utf-8", "replace").split()
        if len(header) != 3 or header[1] != "blob":
            raise ImportSourceError(f"git cannot read {name} ({' '.join(header[1:]) or 'no answer'})")
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        pos = end + 1 + size + 1
    return blobs


def _no_history(repo: Path, path: str, rev: str) -> str:
    message = f"no commit of {rev} in {repo} touches {path!r} (paths are relative to the repository's root)"
    name = Path(path).name.lower()
    files = _git(repo, "ls-tree", "-r", "--name-only", rev).decode("utf-8", "replace").splitlines()
    close = sorted(f for f in files if name and name in f.lower())[:5]
    return message + (f"; did you mean: {', '.join(close)}" if close else "")
