"""Two builds of the diff engine side by side: the same pairs timed by each, in alternating
processes, so that load on the machine hits both alike.

Each round starts one process per checkout, in turn; a process compares each pair once to warm up
and then 5 times, and keeps the best time. The medians over rounds are compared. Give two
checkouts of the project, each with its compiled engine built by this checkout's venv (not
`make -C /tmp/before native VENV=...`: make would reinstall the venv's editable package from there):

    git worktree add /tmp/before HEAD~3 && (cd /tmp/before && $OLDPWD/.venv/bin/python scripts/build_native.py)
    .venv/bin/python bench/diff_ab.py /tmp/before . --rounds 6
    .venv/bin/python bench/diff_ab.py /tmp/before . --pairs tinder-terms-of-service:006:007,stress
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("POLICYWATCH_CORPUS") or ROOT.parent / "shared" / "corpus")
# the rewrites that take longest against git, two more large pairs, and the stress pair
PAIRS = (
    "airbnb-terms-of-service:049:050,tinder-terms-of-service:006:007,mistral-ai-terms-of-service:013:014,"
    "mistral-ai-data-processor-agreement:019:020,airbnb-terms-of-service:052:053,"
    "github-privacy-policy:010:011,mistral-ai-terms-of-service:001:002,stress"
)

# Run in each checkout: that checkout's engine (and the stress pair of this checkout's bench).
CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
from diffs import compare, native
from diff_bench import stress_texts
corpus, out = Path(sys.argv[3]), {}
for spec in sys.argv[4].split(","):
    if spec == "stress":
        old, new = stress_texts()
    else:
        doc, a, b = spec.split(":")
        folder = corpus / "dev" / doc
        files = {v["file"][:3]: folder / v["file"] for v in json.loads((folder / "meta.json").read_text())["versions"]}
        old, new = files[a].read_text(encoding="utf-8"), files[b].read_text(encoding="utf-8")
    json.dumps(compare(old, new).record())
    times = []
    for _ in range(5):
        t = time.perf_counter()
        json.dumps(compare(old, new).record())
        times.append(time.perf_counter() - t)
    out[spec] = min(times)
print(json.dumps({"engine": native.describe(), "times": out}))
"""


def run(tree: Path, pairs: str) -> dict:
    argv = [sys.executable, "-c", CHILD, str(tree), str(ROOT / "bench"), str(CORPUS), pairs]
    r = subprocess.run(argv, capture_output=True, text=True, cwd=tree)
    if r.returncode:
        sys.exit(f"diff_ab: the engine in {tree} failed:\n{r.stderr.strip()}")
    return json.loads(r.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", type=Path, help="checkout of the build to compare against")
    ap.add_argument("after", type=Path, help="checkout of the build under test")
    ap.add_argument("--rounds", type=int, default=6, help="processes per checkout (default 6)")
    ap.add_argument("--pairs", default=PAIRS, help="DOC:OLD:NEW,... (version number prefixes) and/or 'stress'")
    args = ap.parse_args()
    trees = [args.before.resolve(), args.after.resolve()]
    for tree in trees:
        if not (tree / "diffs" / "engine.py").is_file():
            sys.exit(f"diff_ab: {tree} is not a policywatch checkout (no diffs/engine.py)")
    times: list[dict[str, list[float]]] = [{}, {}]
    for r in range(args.rounds):
        for k, tree in enumerate(trees):
            got = run(tree, args.pairs)
            if r == 0:
                print(f"{'before' if k == 0 else 'after'}: {tree} ({got['engine']})", flush=True)
            for spec, t in got["times"].items():
                times[k].setdefault(spec, []).append(t)
    print(f"{'pair':46} {'before ms':>10} {'after ms':>9} {'after/before':>13}")
    total = [0.0, 0.0]
    for spec in times[0]:
        a, b = statistics.median(times[0][spec]), statistics.median(times[1][spec])
        total[0] += a
        total[1] += b
        print(f"{spec:46} {a * 1000:10.2f} {b * 1000:9.2f} {b / a:13.3f}")
    print(f"{'total':46} {total[0] * 1000:10.2f} {total[1] * 1000:9.2f} {total[1] / total[0]:13.3f}")
    print(f"(medians over {args.rounds} rounds of the best of 5 runs per process, the checkouts alternating)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
