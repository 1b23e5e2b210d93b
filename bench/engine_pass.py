"""Passes of the diff engine over every consecutive pair of the corpus's `dev` versions (compare and
the JSON change record, as `diff_bench.py` times them), nothing else: a steady load to put under a
profiler or an instruction counter. Instructions are the figure to compare two versions of the
engine by on a shared machine, where times move by a fifth from run to run and counts do not:

    # instructions of one pass: the second count minus the first (reading the corpus, imports)
    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python bench/engine_pass.py --passes 0
    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python bench/engine_pass.py --passes 1
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from diff_bench import CORPUS, corpus_pairs  # noqa: E402

from policywatch.diffs import compare  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passes", type=int, default=1, help="passes over all pairs (0: only read the corpus)")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    texts = [(p.old.read_text(encoding="utf-8"), p.new.read_text(encoding="utf-8")) for p in corpus_pairs(args.corpus)]
    if not texts:
        sys.exit(f"no dev pairs under {args.corpus}")
    for _ in range(args.passes):
        for old, new in texts:
            json.dumps(compare(old, new).record())


if __name__ == "__main__":
    main()
