"""Benchmark of issue 7: import all 19 dev documents of the corpus, then publish, through the CLI
as a user runs it (one process per command), beside git reading the same history as a baseline.

    .venv/bin/python bench/import_bench.py [--corpus ../shared/corpus] [--repeat 3] [--keep DIR]

Phases, each timed (wall clock) with the peak resident memory of its largest process:
  import dir   19 × `policywatch import dir <corpus doc> --doc <id>` (297 versions + 24 technical)
  import git   19 × `policywatch import git <repo> --path <file> --doc <id>` from the corpus as one
               git repository (built once, untimed)
  publish      `policywatch publish` of each data folder (diffs rendered, feeds, site)
  git log -p   baseline: 19 × `git log -p --word-diff` of the same files in that repository
Medians over --repeat runs are printed, with the ratio of import+publish to the git baseline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from corpus_git import corpus_repository  # noqa: E402  (a test helper, shared with test_import_git)

POLICYWATCH = [sys.executable, "-m", "policywatch"]
TIME = shutil.which("time", path="/usr/bin:/bin") or "/usr/bin/time"  # GNU time (Debian package `time`)


@dataclass
class Phase:
    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)


def run(argv: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one process, which must succeed.

    The peak comes from GNU time, which forks the command from its own small process: a child
    forked (or posix_spawned) from this Python process would carry this process's peak RSS
    across exec and report it as its own."""
    report, err = cwd / "time.txt", cwd / "stderr.txt"
    start = time.perf_counter()
    with open(err, "wb") as stderr:
        r = subprocess.run([TIME, "-f", "%M", "-o", str(report), *argv], stdout=subprocess.DEVNULL, stderr=stderr)
    seconds = time.perf_counter() - start
    if r.returncode != 0:
        message = err.read_text(encoding="utf-8", errors="replace")
        raise SystemExit(f"{' '.join(argv)} exited {r.returncode}:\n{message}")
    return seconds, int(report.read_text(encoding="utf-8").split()[-1])


def phase(commands: list[list[str]], cwd: Path, into: Phase) -> None:
    total, peak = 0.0, 0
    for argv in commands:
        seconds, kib = run(argv, cwd)
        total += seconds
        peak = max(peak, kib)
    into.seconds.append(total)
    into.peak_kib.append(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="work here and keep the data folders and sites")
    args = parser.parse_args()
    docs = sorted(p for p in (args.corpus / "dev").iterdir() if (p / "meta.json").is_file())
    work = args.keep or Path(tempfile.mkdtemp(prefix="import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    repo = work / "versions-dataset"
    if repo.exists():
        shutil.rmtree(repo)
    paths = corpus_repository(args.corpus, repo)

    phases = {name: Phase() for name in ("import dir", "publish (dir)", "import git", "publish (git)", "git log -p")}
    for k in range(args.repeat):
        for kind in ("dir", "git"):
            data, site = work / f"data-{kind}", work / f"site-{kind}"
            for folder in (data, site):
                if folder.exists():
                    shutil.rmtree(folder)
            if kind == "dir":
                imports = [
                    [*POLICYWATCH, "--data-dir", str(data), "import", "dir", str(d), "--doc", d.name] for d in docs
                ]
            else:
                imports = [
                    [*POLICYWATCH, "--data-dir", str(data), "import", "git", str(repo), "--path", p, "--doc", doc]
                    for doc, p in sorted(paths.items())
                ]
            phase(imports, work, phases[f"import {kind}"])
            phase(
                [[*POLICYWATCH, "--data-dir", str(data), "publish", "--out", str(site)]],
                work,
                phases[f"publish ({kind})"],
            )
        baseline = [["git", "-C", str(repo), "log", "-p", "--word-diff", "--no-color", "--", p] for p in paths.values()]
        phase(baseline, work, phases["git log -p"])
        print(
            f"run {k + 1}/{args.repeat}: " + ", ".join(f"{n} {p.seconds[-1]:.2f}s" for n, p in phases.items()),
            flush=True,
        )

    med = {n: statistics.median(p.seconds) for n, p in phases.items()}
    env = f"python {sys.version.split()[0]}, {os.cpu_count()} cores"
    print(f"\n{len(docs)} documents, medians of {args.repeat} runs ({env})")
    print(f"{'phase':16} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MiB':>13}")
    for name, p in phases.items():
        print(f"{name:16} {med[name]:9.2f} {min(p.seconds):7.2f} {max(p.seconds):7.2f} {max(p.peak_kib) / 1024:13.1f}")
    for kind in ("dir", "git"):
        total = med[f"import {kind}"] + med[f"publish ({kind})"]
        print(f"import {kind} + publish: {total:.2f}s, {total / med['git log -p']:.1f}x git log -p --word-diff")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
