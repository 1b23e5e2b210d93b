"""Classification over the corpus: counts by change_hint × significance for every consecutive pair
of `dev` versions, and the verdict on each `technical/` re-extraction (a re-extraction after Open
Terms Archive changed its own rules, compared with the version it re-extracted).

    .venv/bin/python bench/diff_quality.py            # print the tables
    .venv/bin/python bench/diff_quality.py --write    # rewrite docs/diff-quality.md

tests/diffs/test_corpus.py checks that docs/diff-quality.md holds what this prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policywatch.diffs import compare  # noqa: E402

CORPUS = Path(os.environ.get("POLICYWATCH_CORPUS") or ROOT.parent / "shared" / "corpus")
DOC = ROOT / "docs" / "diff-quality.md"
SIGNIFICANCES = ("cosmetic", "minor", "substantive")
HINTS = ("whitespace_only", "link_targets_only", "character_encoding_only", "identical_to_earlier_version", "text")
BEGIN, END = "<!-- tables: begin (bench/diff_quality.py --write) -->", "<!-- tables: end -->"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def pair_verdicts(corpus: Path) -> list[tuple[str, str, str, str]]:
    """(document, pair, change_hint, significance) for every consecutive pair of dev versions."""
    out = []
    for d in sorted((corpus / "dev").iterdir()):
        if not (d / "meta.json").is_file():
            continue
        versions = json.loads(read(d / "meta.json"))["versions"]
        for a, b in pairwise(versions):
            cmp = compare(read(d / a["file"]), read(d / b["file"]))
            out.append((d.name, f"{a['file'][:3]}->{b['file'][:3]}", b.get("change_hint") or "", cmp.significance))
    return out


def technical_verdicts(corpus: Path) -> list[tuple[str, str, str, str]]:
    """(document, pair, significance, summary) for every technical re-extraction."""
    out = []
    for d in sorted((corpus / "dev").iterdir()):
        if not (d / "meta.json").is_file():
            continue
        meta = json.loads(read(d / "meta.json"))
        for t in meta.get("technical_commits", []):
            before = meta["versions"][t["after_version"] - 1]["file"]
            cmp = compare(read(d / before), read(d / t["file"]))
            out.append((d.name, f"{before[:3]}->{t['file']}", cmp.significance, cmp.summary))
    return out


def tables(corpus: Path) -> str:
    pairs = pair_verdicts(corpus)
    counts = Counter((hint, sig) for _, _, hint, sig in pairs)
    lines = [
        f"### Consecutive versions ({len(pairs)} pairs)",
        "",
        "| change_hint | " + " | ".join(SIGNIFICANCES) + " | total |",
        "|---|" + "---:|" * (len(SIGNIFICANCES) + 1),
    ]
    for hint in [h for h in HINTS if any(k[0] == h for k in counts)]:
        row = [counts[(hint, s)] for s in SIGNIFICANCES]
        lines.append(f"| {hint} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    totals = [sum(v for (_, s), v in counts.items() if s == sig) for sig in SIGNIFICANCES]
    lines.append("| **all** | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    cosmetic_hints = [p for p in pairs if p[2] in HINTS[:3]]
    ok = sum(1 for p in cosmetic_hints if p[3] == "cosmetic")
    lines += ["", f"Pairs with a cosmetic change_hint rated cosmetic: **{ok}/{len(cosmetic_hints)}**.", ""]

    tech = technical_verdicts(corpus)
    tech_counts = Counter(sig for _, _, sig, _ in tech)
    lines += [
        f"### Technical re-extractions ({len(tech)})",
        "",
        "| " + " | ".join(SIGNIFICANCES) + " | total |",
        "|" + "---:|" * (len(SIGNIFICANCES) + 1),
        "| " + " | ".join(str(tech_counts[s]) for s in SIGNIFICANCES) + f" | {len(tech)} |",
        "",
        "| document | versions | significance | summary |",
        "|---|---|---|---|",
    ]
    for doc, pair, sig, summary in tech:
        short = summary if len(summary) <= 110 else summary[:109] + "…"
        lines.append(f"| {doc} | {pair} | {sig} | {short.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def write(corpus: Path) -> None:
    text = read(DOC)
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(head + BEGIN + "\n" + tables(corpus) + END + tail, encoding="utf-8")


def documented() -> str:
    """The tables as docs/diff-quality.md holds them."""
    return read(DOC).split(BEGIN, 1)[1].split(END, 1)[0].lstrip("\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--write", action="store_true", help="rewrite the tables in docs/diff-quality.md")
    args = ap.parse_args()
    if args.write:
        write(args.corpus)
        print(f"wrote {DOC.relative_to(ROOT)}")
    else:
        print(tables(args.corpus), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
