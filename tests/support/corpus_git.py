"""The dev corpus turned into one git repository in the layout of Open Terms Archive's *-versions
datasets (one file per document, one commit per version, refilter commits where meta.json places
them, committed at meta.json's dates), for `import git` tests and bench/import_bench.py."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path

QUIET_GIT = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def _quote(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def corpus_repository(corpus: Path, repo: Path) -> dict[str, str]:
    """Build the repository at `repo` (git fast-import: one process for ~320 commits); returns
    {document id: the file's path in the repository}."""
    env = {**os.environ, **QUIET_GIT}
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "-C", str(repo), "init", "-q", "-b", "main"], check=True, env=env)
    stream = bytearray()
    paths = {}
    mark = 0
    for doc in sorted(p for p in (corpus / "dev").iterdir() if (p / "meta.json").is_file()):
        meta = json.loads((doc / "meta.json").read_text(encoding="utf-8"))
        paths[doc.name] = meta["source_path"]
        steps = [(v, k) for k, v in enumerate(meta["versions"], 1)]
        steps += [(t, t["after_version"] + 0.5) for t in meta.get("technical_commits", [])]
        for entry, _ in sorted(steps, key=lambda s: s[1]):  # stable: refilters keep their order
            content = (doc / entry["file"]).read_bytes()
            message = entry["message"].encode("utf-8")
            when = int(datetime.fromisoformat(entry["date"].replace("Z", "+00:00")).timestamp())
            mark += 1
            stream += f"commit refs/heads/main\nmark :{mark}\n".encode()
            stream += f"committer Corpus <corpus@example.invalid> {when} +0000\n".encode()
            stream += f"data {len(message)}\n".encode() + message + b"\n"
            if mark > 1:
                stream += f"from :{mark - 1}\n".encode()
            stream += f"M 100644 inline {_quote(meta['source_path'])}\n".encode()
            stream += f"data {len(content)}\n".encode() + content + b"\n"
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=bytes(stream), check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True, env=env)
    return paths
