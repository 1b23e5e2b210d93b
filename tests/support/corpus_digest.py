"""Digests of the diff engine's results on the real corpus: every consecutive dev pair, each
technical re-extraction against the version it re-extracts, each document's first against its
last version, and the synthetic stress pair both ways. Each digest covers the change record,
every change with its pieces and significance, and the three renderings, so any change of a
result shows. `tests/golden/corpus-digests.txt` holds the expected lines; after a deliberate
change of the engine's results, regenerate and review it:

    .venv/bin/python tests/support/corpus_digest.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "diffs" / "golden" / "corpus-digests.txt"
CORPUS = Path(os.environ.get("POLICYWATCH_CORPUS") or ROOT.parent / "shared" / "corpus")


def pairs(corpus: Path) -> Iterator[tuple[str, Path, Path]]:
    """(label, old file, new file) for every pair the digests cover, in a fixed order."""
    for d in sorted(p for p in (corpus / "dev").iterdir() if (p / "meta.json").is_file()):
        files = [d / v["file"] for v in json.loads((d / "meta.json").read_text(encoding="utf-8"))["versions"]]
        for a, b in pairwise(files):
            yield f"{d.name} {a.name}", a, b
        by_number = {f.name.split("_", 1)[0]: f for f in files}
        for t in sorted((d / "technical").glob("*.md")):
            if t.name.split("_", 1)[0] in by_number:
                yield f"{d.name} technical/{t.name}", by_number[t.name.split("_", 1)[0]], t
        if len(files) > 2:
            yield f"{d.name} first-last", files[0], files[-1]


def digest(old: str, new: str) -> str:
    from policywatch.diffs import compare, render

    c = compare(old, new)
    changes = [(x.op, x.significance, x.reasons, x.changed, x.pieces) for x in c.changes]
    parts = [c.record(), changes, render.inline_html(c), render.side_by_side_html(c), render.text(c)]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=list).encode("utf-8")).hexdigest()[:20]


def lines(corpus: Path) -> list[str]:
    out = []
    for label, a, b in pairs(corpus):
        out.append(f"{label} {digest(a.read_text(encoding='utf-8'), b.read_text(encoding='utf-8'))}")
    sys.path.insert(0, str(ROOT / "bench"))
    from diff_bench import stress_texts

    old, new = stress_texts()
    out.append(f"stress forward {digest(old, new)}")
    out.append(f"stress backward {digest(new, old)}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help=f"rewrite {GOLDEN.relative_to(ROOT)}")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    got = lines(args.corpus)
    if args.write:
        GOLDEN.write_text("\n".join(got) + "\n", encoding="utf-8")
        print(f"wrote {len(got)} digests to {GOLDEN}")
        return
    want = GOLDEN.read_text(encoding="utf-8").splitlines()
    differ = [g for g, w in zip(got, want, strict=False) if g != w]
    print(f"{len(got)} digests, {len(differ)} differ" + ("" if len(got) == len(want) else " (count differs)"))
    for line in differ[:20]:
        print("  " + line)


if __name__ == "__main__":
    main()
