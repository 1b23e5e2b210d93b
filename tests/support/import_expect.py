"""What importing a corpus document must give, judged against its meta.json (the ground truth the
importer never reads): one published change per consecutive pair of versions whose texts differ,
a revert exactly where meta.json names `identical_to`, technical re-extractions never published.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = ("document", "versions", "pairs≠", "changes", "reverts exp/got", "tech files/rec", "feed", "ok")


@dataclass
class DocCheck:
    document: str
    versions: int
    differing_pairs: int
    changes: int = 0
    reverts_expected: int = 0
    reverts_found: int = 0
    technical_files: int = 0
    technical_records: int = 0
    feed_entries: int | None = None
    problems: list[str] = field(default_factory=list)

    def row(self) -> tuple[str, ...]:
        feed = "-" if self.feed_entries is None else str(self.feed_entries)
        return (
            self.document,
            str(self.versions),
            str(self.differing_pairs),
            str(self.changes),
            f"{self.reverts_expected}/{self.reverts_found}",
            f"{self.technical_files}/{self.technical_records}",
            feed,
            "ok" if not self.problems else "NO",
        )


def check_document(doc_dir: Path, records: list[dict], source: str, feed_ids: set[str] | None = None) -> DocCheck:
    """`records`: this document's change records (changes.json form); `feed_ids`: the entry ids of
    its feed (None: not checked)."""
    meta = json.loads((doc_dir / "meta.json").read_text(encoding="utf-8"))
    versions = meta["versions"]
    technical = meta.get("technical_commits", [])
    by_time: dict[str, list[dict]] = {}
    for r in records:
        by_time.setdefault(r["detected_at"], []).append(r)
    check = DocCheck(
        doc_dir.name,
        len(versions),
        sum(1 for a, b in itertools.pairwise(versions) if a["sha256"] != b["sha256"]),
        technical_files=len(technical),
        technical_records=sum(1 for r in records if r["kind"] == "technical"),
        feed_entries=None if feed_ids is None else len(feed_ids),
    )
    problems = check.problems
    tech_times = {t["date"] for t in technical}
    if tech_times & {v["date"] for v in versions}:
        problems.append("a technical commit shares its second with a version (the check cannot tell them apart)")
    published = [r for r in records if r["kind"] != "technical"]
    for i, v in enumerate(versions):
        at = by_time.get(v["date"], [])
        if len(at) > 1:
            problems.append(f"{v['file']}: {len(at)} records at {v['date']}")
            continue
        rec = at[0] if at else None
        if i == 0:
            expected = "first"
        elif v["sha256"] == versions[i - 1]["sha256"]:
            expected = None  # same text as the version before: nothing to publish
        else:
            expected = "revert" if v.get("identical_to") else "change"
        check.reverts_expected += expected == "revert"
        got = rec["kind"] if rec and rec["kind"] != "technical" else None
        check.reverts_found += got == "revert" and expected == "revert"
        if got != expected:
            problems.append(f"{v['file']}: expected {expected}, got {rec['kind'] if rec else 'no record'}")
        if rec and rec["source"] != source:
            problems.append(f"{v['file']}: source {rec['source']!r}, expected {source!r}")
    for t in technical:
        for rec in by_time.get(t["date"], []):
            if rec["kind"] != "technical":
                problems.append(f"{t['file']}: a technical re-extraction recorded as {rec['kind']}")
    check.changes = sum(1 for r in published if r["kind"] in ("change", "revert"))
    if len(published) != check.differing_pairs + 1:
        problems.append(f"{len(published)} published records for {check.differing_pairs} changes and a first")
    if feed_ids is not None:
        # one entry per published record, the records of a flip-flop one entry (its first's id)
        wanted = {r["flip_flop"] or f"{doc_dir.name}/{r['to_version']}" for r in published}
        if {i.rsplit(":", 1)[-1] for i in feed_ids} != wanted:
            problems.append("the feed's entries are not exactly the published records, a flip-flop one entry")
    return check


def table(checks: list[DocCheck]) -> str:
    rows = [COLUMNS, *(c.row() for c in checks)]
    total = (
        "total",
        str(sum(c.versions for c in checks)),
        str(sum(c.differing_pairs for c in checks)),
        str(sum(c.changes for c in checks)),
        f"{sum(c.reverts_expected for c in checks)}/{sum(c.reverts_found for c in checks)}",
        f"{sum(c.technical_files for c in checks)}/{sum(c.technical_records for c in checks)}",
        "-" if any(c.feed_entries is None for c in checks) else str(sum(c.feed_entries or 0 for c in checks)),
        "ok" if all(not c.problems for c in checks) else "NO",
    )
    rows.append(total)
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    for c in checks:
        lines.extend(f"  {c.document}: {p}" for p in c.problems)
    return "\n".join(lines)
