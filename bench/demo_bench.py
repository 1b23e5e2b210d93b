"""How long a new user waits for the demo: from a fresh clone to the site answering.

Clones this repository into a temporary folder, runs `make demo` there (making the venv, installing
the project, running the demo's crawls and publish, serving the site) and times until
http://127.0.0.1:8000/ answers 200; then stops it. `--baseline REV` times another revision the
same way in the same run, alternating with this one. pip's download cache is whatever the machine
has (warm on a machine that has installed the project before).

    .venv/bin/python bench/demo_bench.py
    .venv/bin/python bench/demo_bench.py --baseline d56cbe4 --runs 2
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = "http://127.0.0.1:8000/"
LIMIT = 900.0  # seconds: a demo that is not served by then counts as failed


def answering() -> bool:
    try:
        with urllib.request.urlopen(URL, timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def time_demo(rev: str, log: Path) -> float:
    """Seconds from `make demo` in a fresh clone of `rev` to the served site."""
    if answering():
        sys.exit(f"demo_bench: something already answers on {URL}; stop it first")
    with tempfile.TemporaryDirectory(prefix="demo-bench-", dir=ROOT.parent) as tmp:
        # beside this checkout, so that ../shared is where the clone expects it
        clone = Path(tmp) / "policywatch"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", rev], check=True)
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        with log.open("w") as out:
            start = time.perf_counter()
            proc = subprocess.Popen(
                ["make", "demo"], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                while not answering():
                    if proc.poll() is not None:
                        sys.exit(f"demo_bench: make demo of {rev} exited {proc.returncode}; see {log}")
                    if time.perf_counter() - start > LIMIT:
                        sys.exit(f"demo_bench: {rev} not served after {LIMIT:.0f} s; see {log}")
                    time.sleep(0.2)
                return time.perf_counter() - start
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rev", default="HEAD", help="revision to time (default: HEAD)")
    ap.add_argument("--baseline", help="another revision timed alongside, e.g. the one before a change")
    ap.add_argument("--runs", type=int, default=1, help="runs of each revision, alternating")
    args = ap.parse_args()
    revs = [args.rev] + ([args.baseline] if args.baseline else [])
    times: dict[str, list[float]] = {rev: [] for rev in revs}
    logs = Path(tempfile.mkdtemp(prefix="demo-bench-logs-"))
    for n in range(args.runs):
        for rev in revs:
            seconds = time_demo(rev, logs / f"{rev}-{n + 1}.log")
            times[rev].append(seconds)
            print(f"run {n + 1}/{args.runs}: {rev}: served after {seconds:.1f} s", file=sys.stderr, flush=True)
    print(f"make demo on a fresh clone, until {URL} answers (logs in {logs})")
    for rev in revs:
        ts = times[rev]
        spread = f"min {min(ts):.1f}, max {max(ts):.1f}, {len(ts)} runs"
        print(f"  {rev:<12} median {statistics.median(ts):6.1f} s  ({spread})")
    if args.baseline:
        ratio = statistics.median(times[args.rev]) / statistics.median(times[args.baseline])
        print(f"  {args.rev} / {args.baseline}: {ratio:.2f}")


if __name__ == "__main__":
    main()
