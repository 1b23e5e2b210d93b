"""Benchmark of the diff engine against `git diff --no-index --word-diff`, pair by pair.

Every consecutive pair of the corpus's `dev` versions, and a synthetic stress pair (300 KB, 2,000
scattered word edits, 5 moved sections). For each pair, in turn and `--repeat` times: our diff
in-process (read both files, `compare`, the JSON change record) and git's word diff of the same
two files; the medians are compared. Prints per-pair times and ratios, the total ratio (sum of our
medians over the sum of git's), the worst pair, and the peak memory of a fresh process diffing the
stress pair. `--render` also times the inline and side-by-side HTML and the terminal text.

    .venv/bin/python bench/diff_bench.py                  # the whole corpus and the stress pair
    .venv/bin/python bench/diff_bench.py --docs github-terms-of-service --all
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policywatch.diffs import compare, render  # noqa: E402

CORPUS = Path(os.environ.get("POLICYWATCH_CORPUS") or ROOT.parent / "shared" / "corpus")
GIT = ["git", "diff", "--no-index", "--word-diff"]


@dataclass
class Pair:
    name: str
    old: Path
    new: Path


def corpus_pairs(corpus: Path, docs: set[str] | None = None) -> list[Pair]:
    pairs = []
    for d in sorted((corpus / "dev").iterdir()):
        if not (d / "meta.json").is_file() or (docs and d.name not in docs):
            continue
        files = [d / v["file"] for v in json.loads((d / "meta.json").read_text(encoding="utf-8"))["versions"]]
        for a, b in itertools.pairwise(files):
            pairs.append(Pair(f"{d.name} {a.name[:3]}->{b.name[:3]}", a, b))
    return pairs


WORDS = " ".join(
    (
        "seller buyer account order listing product payment fee refund return shipping delivery agreement policy "
        "service marketplace customer information notice period days hours business may must shall will not any "
        "all each other such including without limitation applicable law terms condition rights obligations "
        "reasonable written request within after before upon provided that unless except where our your their "
        "this these those amount charge invoice tax reserve balance transfer bank data privacy security content",
    )
).split(" ")


def stress_texts(seed: int = 4, size: int = 300_000, edits: int = 2000, moves: int = 5) -> tuple[str, str]:
    """A ~300 KB Markdown agreement and a version of it with `edits` scattered word edits and
    `moves` sections moved elsewhere (deterministic for a seed)."""
    rng = random.Random(seed)
    sections: list[list[str]] = []
    total = 0
    n = 0
    while total < size:
        n += 1
        blocks = [f"## {n}. {' '.join(rng.choices(WORDS, k=3)).title()}"]
        for _ in range(rng.randint(3, 8)):
            if rng.random() < 0.2:
                blocks.append("\n".join(f"- {' '.join(rng.choices(WORDS, k=rng.randint(6, 14)))}." for _ in range(4)))
            else:
                sentences = [" ".join(rng.choices(WORDS, k=rng.randint(8, 20))).capitalize() + "." for _ in range(4)]
                blocks.append(" ".join(sentences))
        sections.append(blocks)
        total += sum(len(b) + 2 for b in blocks)
    old = "\n\n".join(b for s in sections for b in s) + "\n"
    new_sections = [list(s) for s in sections]
    for _ in range(edits):
        s = rng.randrange(len(new_sections))
        b = rng.randrange(1, len(new_sections[s]))
        words = new_sections[s][b].split(" ")
        k = rng.randrange(1, len(words))
        op = rng.random()
        if op < 0.5:
            words[k] = rng.choice(WORDS)
        elif op < 0.75:
            words.insert(k, rng.choice(WORDS))
        elif len(words) > 3:
            del words[k]
        new_sections[s][b] = " ".join(words)
    for _ in range(moves):
        s = new_sections.pop(rng.randrange(len(new_sections)))
        new_sections.insert(rng.randrange(len(new_sections) + 1), s)
    new = "\n\n".join(b for s in new_sections for b in s) + "\n"
    return old, new


def ours(pair: Pair, with_render: bool = False) -> float:
    start = time.perf_counter()
    cmp = compare(pair.old.read_text(encoding="utf-8"), pair.new.read_text(encoding="utf-8"))
    json.dumps(cmp.record())
    if with_render:
        render.inline_html(cmp)
        render.side_by_side_html(cmp)
        render.text(cmp)
    return time.perf_counter() - start


def git(pair: Pair) -> float:
    start = time.perf_counter()
    r = subprocess.run([*GIT, str(pair.old), str(pair.new)], capture_output=True)
    elapsed = time.perf_counter() - start
    if r.returncode not in (0, 1):
        raise SystemExit(f"git failed on {pair.name}: {r.stderr.decode(errors='replace')}")
    return elapsed


def peak_memory(pair: Pair) -> tuple[float, float, float]:
    """Memory of a fresh process that diffs the pair: RSS after importing diffs, peak RSS, and the
    peak of the Python allocations made by compare and the record (tracemalloc), all in MB."""
    code = (
        "import json, resource, sys, tracemalloc\n"
        "from policywatch.diffs import compare\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS:'):\n"
        "            return int(line.split()[1])\n"
        "after_import = rss()\n"
        "old, new = (open(p, encoding='utf-8').read() for p in sys.argv[1:3])\n"
        "tracemalloc.start()\n"
        "json.dumps(compare(old, new).record())\n"
        "traced = tracemalloc.get_traced_memory()[1]\n"
        "print(after_import, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, traced // 1024)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(pair.old), str(pair.new)], capture_output=True, text=True, env=env, check=True
    ).stdout
    after_import, peak, traced = (int(x) / 1024 for x in out.split())
    return after_import, peak, traced


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (default: ../shared/corpus)")
    ap.add_argument("--docs", help="comma-separated document names (default: all)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each side per pair; medians compared")
    ap.add_argument("--all", action="store_true", help="print every pair, not only the slowest ten")
    ap.add_argument("--render", action="store_true", help="include rendering HTML and text in our time")
    ap.add_argument("--no-stress", action="store_true", help="skip the synthetic stress pair")
    args = ap.parse_args()

    pairs = corpus_pairs(args.corpus, set(args.docs.split(",")) if args.docs else None) if args.corpus.is_dir() else []
    if not pairs:
        print(f"no corpus pairs found under {args.corpus}/dev", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        stress = None
        if not args.no_stress:
            old, new = stress_texts()
            (Path(tmp) / "stress-old.md").write_text(old, encoding="utf-8")
            (Path(tmp) / "stress-new.md").write_text(new, encoding="utf-8")
            stress = Pair("synthetic stress pair", Path(tmp) / "stress-old.md", Path(tmp) / "stress-new.md")
        rows = []
        for pair in [*pairs, *([stress] if stress else [])]:
            ts_ours, ts_git = [], []
            for _ in range(args.repeat):  # interleaved, so load on the machine hits both alike
                ts_ours.append(ours(pair, args.render))
                ts_git.append(git(pair))
            kb = (pair.old.stat().st_size + pair.new.stat().st_size) / 2048
            rows.append((pair, kb, statistics.median(ts_ours), statistics.median(ts_git)))
        report(rows, stress, args)
    return 0


def report(rows, stress: Pair | None, args) -> None:
    corpus_rows = [r for r in rows if r[0] is not stress]
    shown = rows if args.all else sorted(rows, key=lambda r: r[2] / r[3], reverse=True)[:10]
    print(f"{'pair':66} {'KB':>6} {'ours ms':>8} {'git ms':>8} {'ratio':>6}")
    for pair, kb, t_ours, t_git in shown:
        print(f"{pair.name[:66]:66} {kb:6.0f} {t_ours * 1000:8.2f} {t_git * 1000:8.2f} {t_ours / t_git:6.2f}")
    if not args.all:
        print(f"(the {len(shown)} pairs with the highest ratio; --all prints every pair)")
    what = "compare + record" + (" + render" if args.render else "")
    if corpus_rows:
        ours_total = sum(r[2] for r in corpus_rows)
        git_total = sum(r[3] for r in corpus_rows)
        ratios = [r[2] / r[3] for r in corpus_rows]
        worst = max(corpus_rows, key=lambda r: r[2] / r[3])
        print(
            f"corpus: {len(corpus_rows)} pairs, ours ({what}) {ours_total:.3f}s, git {git_total:.3f}s, "
            f"total ratio {ours_total / git_total:.2f}, median pair ratio {statistics.median(ratios):.2f}, "
            f"worst {worst[2] / worst[3]:.2f} ({worst[0].name}), pairs over 3x: {sum(x > 3 for x in ratios)}"
        )
    if stress:
        row = next(r for r in rows if r[0] is stress)
        after_import, peak, traced = peak_memory(stress)
        print(
            f"stress: {row[1]:.0f} KB, ours {row[2] * 1000:.1f} ms, git {row[3] * 1000:.1f} ms, "
            f"ratio {row[2] / row[3]:.2f}; memory of a fresh process: peak RSS {peak:.1f} MB "
            f"({after_import:.1f} MB after importing diffs), compare's own allocations peak at {traced:.1f} MB"
        )
    print(
        f"(medians of {args.repeat} runs per pair, ours and git interleaved; the engine in pure Python "
        f"on fast-diff-match-patch's wheel; Python {platform.python_version()}, {os.path.realpath(sys.executable)})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
