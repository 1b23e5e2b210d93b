"""What a seller reads about real changes, measured on the corpus (`../shared/corpus/dev`): the
classification by change hint, the technical re-extractions, the labelled headlines
(tests/diffs/headlines.yaml), short edits quoted in the headline, spurious facts, sections found
per document, flip-flops in the substantive feed of the imported and published corpus, and the
topics of the changes.

    .venv/bin/python bench/diff_quality.py            # print the tables
    .venv/bin/python bench/diff_quality.py --write    # rewrite docs/diff-quality.md

tests/diffs/test_corpus.py checks that docs/diff-quality.md holds what this prints, and
tests/diffs/test_headlines.py that the labelled set passes (`labelled`).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from itertools import pairwise
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policywatch.diffs import compare  # noqa: E402
from policywatch.diffs.blocks import atx, split_blocks  # noqa: E402
from policywatch.diffs.topics import TOPICS  # noqa: E402

CORPUS = Path(os.environ.get("POLICYWATCH_CORPUS") or ROOT.parent / "shared" / "corpus")
DOC = ROOT / "docs" / "diff-quality.md"
LABELLED = ROOT / "tests" / "diffs" / "headlines.yaml"
SIGNIFICANCES = ("cosmetic", "minor", "substantive")
HINTS = ("whitespace_only", "link_targets_only", "character_encoding_only", "identical_to_earlier_version", "text")
BEGIN, END = "<!-- tables: begin (bench/diff_quality.py --write) -->", "<!-- tables: end -->"
FLIP_DOCS = ("airbnb-terms-of-service", "bol-com-marketplace-sellers-conditions")
ATOM = "{http://www.w3.org/2005/Atom}"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@dataclass
class Pair:
    doc: str
    name: str  # "NNN->NNN"
    hint: str
    old: str
    new: str
    cmp: object  # the Comparison

    @property
    def label(self) -> str:
        return f"{self.doc} {self.name}"


@cache
def pairs(corpus: Path) -> tuple[Pair, ...]:
    """Every consecutive pair of dev versions, compared (once per process)."""
    out = []
    for d in sorted((corpus / "dev").iterdir()):
        if not (d / "meta.json").is_file():
            continue
        versions = json.loads(read(d / "meta.json"))["versions"]
        for a, b in pairwise(versions):
            old, new = read(d / a["file"]), read(d / b["file"])
            name = f"{a['file'][:3]}->{b['file'][:3]}"
            out.append(Pair(d.name, name, b.get("change_hint") or "", old, new, compare(old, new)))
    return tuple(out)


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


# ---------------------------------------------------------------- the labelled headlines


def _fold(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def check_row(row: dict, record: dict) -> list[str]:
    """Why a labelled row fails on a record (empty: it passes)."""
    why = []
    summary = _fold(record["summary"])
    for want in row.get("contains", []):
        if _fold(want) not in summary:
            why.append(f"headline lacks {want!r}")
    for unwanted in row.get("excludes", []):
        if _fold(unwanted) in summary:
            why.append(f"headline holds {unwanted!r}")
    for want in row.get("facts", []):
        if not any(all(_fold(f.get(k)) == _fold(v) for k, v in want.items()) for f in record["facts"]):
            why.append(f"no fact {want}")
    values = {_fold(f.get(side)) for f in record["facts"] for side in ("before", "after") if f.get(side)}
    for value in row.get("no_facts", []):
        if _fold(value) in values:
            why.append(f"a fact from {value!r}")
    if "section" in row and not any(_fold(p).endswith(_fold(row["section"])) for p in record["sections"]):
        why.append(f"no section {row['section']!r}")
    for topic in row.get("topics", []):
        if topic not in record["topics"]:
            why.append(f"topic {topic} missing (got {', '.join(record['topics'])})")
    if "significance" in row and record["significance"] != row["significance"]:
        why.append(f"significance {record['significance']}, not {row['significance']}")
    return why


def labelled_pair(corpus: Path, label: str) -> tuple[str, str]:
    """The old and new text of a labelled pair ("<document> NNN->NNN"): consecutive versions."""
    doc, numbers = label.split(" ")
    a, b = numbers.split("->")
    versions = [v["file"] for v in json.loads(read(corpus / "dev" / doc / "meta.json"))["versions"]]
    k = next(k for k, f in enumerate(versions) if f.startswith(f"{a}_"))
    assert versions[k + 1].startswith(f"{b}_"), f"{label}: not consecutive versions"
    return read(corpus / "dev" / doc / versions[k]), read(corpus / "dev" / doc / versions[k + 1])


def labelled(corpus: Path) -> list[tuple[dict, dict, list[str]]]:
    """(row, record, failures) for every row of tests/diffs/headlines.yaml."""
    out = []
    for row in yaml.safe_load(read(LABELLED)):
        record = compare(*labelled_pair(corpus, row["pair"])).record()
        out.append((row, record, check_row(row, record)))
    return out


# ---------------------------------------------------------------- short edits quoted, spurious facts

MAX_RUNS, MAX_RUN_WORDS = 3, 4
COSMETIC_HINTS = HINTS[:3]
LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
MARKUP = re.compile(r"[*_`\[\]#>|~=\\]")


def changed_runs(old: str, new: str) -> list[tuple[list[str], list[str]]]:
    """The changed runs of whitespace words between two texts: changed lines first, then the
    words of each changed stretch of lines."""
    a = [" ".join(line.split()) for line in old.splitlines() if line.strip()]
    b = [" ".join(line.split()) for line in new.splitlines() if line.strip()]
    runs = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        wa, wb = " ".join(a[i1:i2]).split(), " ".join(b[j1:j2]).split()
        for op2, x1, x2, y1, y2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
            if op2 != "equal":
                runs.append((wa[x1:x2], wb[y1:y2]))
    return runs


def _letters(words: list[str]) -> str:
    """A run's letters and digits only (link targets, markup, punctuation and case aside)."""
    text = unicodedata.normalize("NFKC", LINK_TARGET.sub("]", " ".join(words))).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _plain(text: str) -> str:
    text = LINK_TARGET.sub("]", unicodedata.normalize("NFC", text))
    for curly, straight in (("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u2019", "'")):
        text = text.replace(curly, straight)
    return " ".join(MARKUP.sub("", text).split()).casefold()


def _quoted(summary: str, words: list[str]) -> bool:
    needle = _plain(" ".join(words)).strip(".,;:!?\"'() ")
    if not needle:
        return False
    pattern = re.escape(needle)
    if needle[0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if needle[-1].isalnum():
        pattern += r"(?!\w)"
    return re.search(pattern, _plain(summary)) is not None


def short_edits(corpus: Path) -> tuple[list[str], list[str]]:
    """(quoted, not quoted) labels of the pairs whose text edits are short: 1-3 changed runs of
    whitespace words, none over 4 words a side, not all of them formatting only (pairs with a
    cosmetic or identical change hint left out). A pair is quoted when its headline holds the
    new words of one of its runs that is not formatting only (a deletion: the old words)."""
    quoted, missed = [], []
    for p in pairs(corpus):
        if p.hint in (*COSMETIC_HINTS, "identical_to_earlier_version"):
            continue
        runs = changed_runs(p.old, p.new)
        if not 1 <= len(runs) <= MAX_RUNS or any(max(len(o), len(n)) > MAX_RUN_WORDS for o, n in runs):
            continue
        wording = [r for r in runs if _letters(r[0]) != _letters(r[1])]
        if not wording:
            continue
        hit = any(_quoted(p.cmp.summary, new or old) for old, new in wording)
        (quoted if hit else missed).append(f"{p.label}: {p.cmp.summary}")
    return quoted, missed


STREET = re.compile(
    r"(?i)\b(?:street|avenue|road|suite|boulevard|blvd|lane|drive|terrace|plaza|quay|floor|postfach|cedex|rue|via|"
    r"straat|laan|plein|gracht)\b|stra(?:ss|ß)e\b|\b(?:St|Ave|Rd)\.?\b"
)


def spurious(fact: dict, old: str, new: str) -> str:
    """Why a fact is spurious ("" if it is not): a value that is a postal code or street number
    (a number on a line with a street word near it, or after a US state), a phone number, a
    clause number (a line starts with it) or a citation ("2019/1150")."""
    old_lines, new_lines = set(old.splitlines()), set(new.splitlines())
    for side, text, other in (("before", old, new_lines), ("after", new, old_lines)):
        value = fact.get(side)
        if not isinstance(value, str) or not re.fullmatch(r"[\d\s().+/-]+", value.strip()):
            continue
        v = value.strip()
        digits = re.sub(r"\D", "", v)
        if len(digits) >= 7 and (v.startswith(("+", "(")) or re.search(r"\d[\s.-]\d{3}[\s.-]\d", v)):
            return f"{side} {v!r}: a phone number"
        number = re.compile(r"(?<![\w.,])" + re.escape(v) + r"(?![\w]|[.,]\d)")
        # the value came from a line the edit changed: only those lines count
        for line in (line for line in text.splitlines() if line not in other):
            for m in number.finditer(line):
                near = line[max(0, m.start() - 80) : m.end() + 40]
                if STREET.search(near) or (re.search(r"\b[A-Z]{2},?\s+$", line[: m.start()]) and len(digits) == 5):
                    return f"{side} {v!r}: an address ({' '.join(near.split())[:60]}…)"
                if line[m.end() : m.end() + 1] == "/" or line[max(0, m.start() - 1) : m.start()] == "/":
                    return f"{side} {v!r}: a citation"
                if re.match(r"\s*(?:\*\*)?(?:[A-Z][-.])?$", line[: m.start()]) and line[m.end() : m.end() + 1] in ".)":
                    return f"{side} {v!r}: a clause number"
    return ""


def spurious_facts(corpus: Path) -> list[str]:
    out = []
    for p in pairs(corpus):
        for f in p.cmp.facts:
            why = spurious(f, p.old, p.new)
            if why:
                out.append(f"{p.label}: {f['kind']} {f['before']} → {f['after']} ({why})")
    return out


# ---------------------------------------------------------------- sections, topics


def _markdown_heading(raw: str) -> bool:
    """An ATX ("## Fees") or setext (a line underlined with = or -) heading, not a pseudo-heading
    (which may take a Markdown heading's level as its sibling)."""
    lines = raw.strip().split("\n")
    return atx(lines[0]) is not None or (len(lines) > 1 and set(lines[-1].strip()) in ({"="}, {"-"}))


def sections_per_document(corpus: Path) -> list[tuple[str, int, int]]:
    """(document, sections of its last version, of which found without Markdown headings)."""
    out = []
    for d in sorted((corpus / "dev").iterdir()):
        if not (d / "meta.json").is_file():
            continue
        last = json.loads(read(d / "meta.json"))["versions"][-1]["file"]
        blocks = split_blocks(read(d / last))
        paths = {b.path for b in blocks if b.path}
        markdown = {b.path for b in blocks if b.kind == "heading" and _markdown_heading(b.raw)}
        out.append((d.name, len(paths), len(paths) - len(markdown)))
    return out


# ---------------------------------------------------------------- flip-flops in the published feeds


def published_corpus(corpus: Path, work: Path) -> tuple[list[dict], dict[str, list[str]]]:
    """Import every dev document into a data folder and publish it: (changes.json records,
    document id -> ids of the entries of its substantive feed, archive pages included)."""
    from policywatch.importing import import_dir
    from policywatch.pipeline import publish_site

    data, site = work / "data", work / "site"
    for d in sorted((corpus / "dev").iterdir()):
        if (d / "meta.json").is_file():
            import_dir(data, d.name, d, now=datetime(2026, 1, 1, tzinfo=UTC))
    publish_site(data, site, incremental=False)
    records = json.loads(read(site / "changes.json"))
    feed: dict[str, list[str]] = {}
    docs = sorted((site / "docs").iterdir())
    for path in [
        p for d in docs for p in [d / "substantive.atom", *sorted((d / "archive").glob("substantive-*.atom"))]
    ]:
        for entry in ET.parse(path).getroot().iter(f"{ATOM}entry"):
            cid = (entry.findtext(f"{ATOM}id") or "").split(":", 2)[-1]
            ids = feed.setdefault(cid.split("/", 1)[0], [])
            if cid not in ids:
                ids.append(cid)
    return records, feed


def flip_flop_rows(corpus: Path) -> list[tuple[str, int, int, int, int, int]]:
    """Per document: (records, reverts, records in flip-flops, flip-flops, substantive entries
    that are part of a flip-flop or a revert within 7 days of the change it undoes)."""
    with tempfile.TemporaryDirectory() as tmp:
        records, feed = published_corpus(corpus, Path(tmp))
    by_id = {r["id"]: r for r in records}
    rows = []
    for doc in sorted({r["document_id"] for r in records}):
        mine = [r for r in records if r["document_id"] == doc]
        flips = {r["flip_flop"] for r in mine if r["flip_flop"]}
        noisy = 0
        for cid in feed.get(doc, []):
            r = by_id[cid]
            undone = by_id.get(r["undoes"] or "")
            quick = undone is not None and _days(undone["detected_at"], r["detected_at"]) <= 7
            noisy += bool(r["flip_flop"] or quick)
        rows.append(
            (
                doc,
                len(mine),
                sum(r["kind"] == "revert" for r in mine),
                sum(bool(r["flip_flop"]) for r in mine),
                len(flips),
                len(feed.get(doc, [])),
                noisy,
            )
        )
    return rows


def _days(a: str, b: str) -> float:
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(b) - parse(a)).total_seconds() / 86400


# ---------------------------------------------------------------- the tables


def tables(corpus: Path) -> str:
    all_pairs = pairs(corpus)
    counts = Counter((p.hint, p.cmp.significance) for p in all_pairs)
    lines = [
        f"### Consecutive versions ({len(all_pairs)} pairs)",
        "",
        "| change_hint | " + " | ".join(SIGNIFICANCES) + " | total |",
        "|---|" + "---:|" * (len(SIGNIFICANCES) + 1),
    ]
    for hint in [h for h in HINTS if any(k[0] == h for k in counts)]:
        row = [counts[(hint, s)] for s in SIGNIFICANCES]
        lines.append(f"| {hint} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    totals = [sum(v for (_, s), v in counts.items() if s == sig) for sig in SIGNIFICANCES]
    lines.append("| **all** | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    cosmetic_hints = [p for p in all_pairs if p.hint in COSMETIC_HINTS]
    ok = sum(1 for p in cosmetic_hints if p.cmp.significance == "cosmetic")
    lines += ["", f"Pairs with a cosmetic change_hint rated cosmetic: **{ok}/{len(cosmetic_hints)}**.", ""]

    rows = labelled(corpus)
    passed = sum(1 for _, _, why in rows if not why)
    docs = len({r["pair"].split(" ")[0] for r, _, _ in rows})
    lines += [
        f"### Labelled headlines ({len(rows)} pairs from {docs} documents, tests/diffs/headlines.yaml)",
        "",
        f"Rows that pass: **{passed}/{len(rows)}** ({100 * passed / len(rows):.0f}%; the test requires 90%).",
        "",
    ]
    failed = [(r, rec, why) for r, rec, why in rows if why]
    if failed:
        lines += ["| pair | edit | what fails | why | headline |", "|---|---|---|---|---|"]
        for r, rec, why in failed:
            note = r.get("note", "")
            lines.append(f"| {r['pair']} | {r['edit']} | {'; '.join(why)} | {note} | {_cell(rec['summary'])} |")
        lines.append("")

    quoted, missed = short_edits(corpus)
    n = len(quoted) + len(missed)
    lines += [
        "### Short edits quoted in the headline (all dev pairs)",
        "",
        "A short edit: 1-3 changed runs of whitespace words, none over 4 words a side, not only formatting "
        "(pairs with a cosmetic or identical change hint left out). Quoted: the headline holds the new words "
        "of one of its runs (a deletion: the old words).",
        "",
        f"Quoted: **{len(quoted)}/{n}** ({100 * len(quoted) / max(1, n):.0f}%).",
        "",
    ]
    if missed:
        lines += ["| not quoted | headline |", "|---|---|"]
        lines += [f"| {m.split(': ', 1)[0]} | {_cell(m.split(': ', 1)[1])} |" for m in missed]
        lines.append("")

    bad = spurious_facts(corpus)
    n_facts = sum(len(p.cmp.facts) for p in all_pairs)
    lines += [
        "### Spurious facts (all dev pairs)",
        "",
        f"Facts whose value is a postal code or street number, a phone number, a clause number or a citation: "
        f"**{len(bad)}** of {n_facts} facts.",
        "",
    ]
    lines += [f"- {b}" for b in bad] + ([""] if bad else [])
    lines += ["### Sections found per document (last version)", ""]
    lines += ["| document | sections | of which not Markdown headings |", "|---|---:|---:|"]
    lines += [f"| {d} | {n} | {pseudo} |" for d, n, pseudo in sections_per_document(corpus)]

    lines += [
        "",
        "### Flip-flops (the corpus imported and published, flip window 7 days)",
        "",
        "Per document: records, reverts, records marked `flip_flop`, flip-flops (each one entry in the feeds), "
        "entries of the substantive feed, and of those the flip-flop entries (a record of a flip-flop, or a revert "
        "within 7 days of the change it undoes).",
        "",
        "| document | records | reverts | in flip-flops | flip-flops | substantive entries | flip-flop entries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for doc, n_rec, reverts, marked, episodes, entries, noisy in flip_flop_rows(corpus):
        name = f"**{doc}**" if doc in FLIP_DOCS else doc
        lines.append(f"| {name} | {n_rec} | {reverts} | {marked} | {episodes} | {entries} | {noisy} |")

    changed = [p for p in all_pairs if p.cmp.topics]
    topic_counts = Counter(t for p in changed for t in p.cmp.topics)
    lines += [
        "",
        f"### Topics per change ({len(changed)} dev pairs with a topic; at most three each)",
        "",
        "| topic | changes | share |",
        "|---|---:|---:|",
    ]
    for t in TOPICS:
        lines.append(f"| {t} | {topic_counts[t]} | {100 * topic_counts[t] / max(1, len(changed)):.0f}% |")
    per = Counter(len(p.cmp.topics) for p in changed)
    lines += ["", "Topics per change: " + ", ".join(f"{k}: {per[k]}" for k in sorted(per)) + ".", ""]

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
        lines.append(f"| {doc} | {pair} | {sig} | {_cell(summary)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str, chars: int = 110) -> str:
    short = text if len(text) <= chars else text[: chars - 1] + "…"
    return short.replace("|", "/")


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
