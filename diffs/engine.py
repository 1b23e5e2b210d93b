"""compare(old, new): blocks → alignment → word diffs → significance, facts, summary.

The result is deterministic (no time limits, no machine-dependent choices) and carries enough to
render the diff and to reconstruct both texts exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .align import BlockOp, align
from .blocks import split_blocks
from .classify import classify_block, classify_pair, cosmetic_kinds, worst
from .facts import quantity_facts, section_fact
from .normalize import normalize
from .words import DELETE, EQUAL, INSERT, Piece, diff_words, side, word_count

ENGINE_VERSION = "1"


@dataclass
class Change:
    """One entry of the diff, in display order."""

    op: str  # equal | modified | added | removed | moved_out | moved_in
    pieces: list[Piece]
    significance: str = "cosmetic"
    reasons: list[str] = field(default_factory=list)
    path: tuple[str, ...] = ()
    kind: str = "paragraph"  # the block's kind (heading, item, row, ...)
    partner: int | None = None
    changed: bool = True  # False for unchanged blocks and blank-line-only differences between blocks

    def old_text(self) -> str:
        return "" if self.op == "moved_in" else side(self.pieces, DELETE)

    def new_text(self) -> str:
        return "" if self.op == "moved_out" else side(self.pieces, INSERT)


@dataclass
class Comparison:
    changes: list[Change]
    significance: str
    summary: str
    stats: dict
    facts: list[dict]

    @property
    def identical(self) -> bool:
        return self.old_text() == self.new_text()

    def old_text(self) -> str:
        return "".join(c.old_text() for c in self.changes)

    def new_text(self) -> str:
        return "".join(c.new_text() for c in self.changes)

    def record(self) -> dict:
        """The change record of the ▶ contract, without ids and dates."""
        return {"significance": self.significance, "summary": self.summary, "stats": self.stats, "facts": self.facts}


def _section(path: tuple[str, ...]) -> str:
    return path[-1] if path else ""


def _change_for(op: BlockOp) -> Change:
    if op.op == "equal":
        if op.old.raw == op.new.raw:
            return Change("equal", [(EQUAL, op.old.raw)], path=op.new.path, kind=op.new.kind, changed=False)
        # only blank lines around the block differ: kept for exact texts, not shown as a change
        visible = op.old.text != op.new.text
        return Change(
            "equal",
            diff_words(op.old.raw, op.new.raw),
            "cosmetic",
            cosmetic_kinds(op.old.raw, op.new.raw),
            op.new.path,
            op.new.kind,
            changed=visible,
        )
    if op.op == "modified":
        sig, reasons = classify_pair(op.old.text, op.new.text)
        return Change("modified", diff_words(op.old.raw, op.new.raw), sig, reasons, op.new.path, op.new.kind)
    if op.op == "added":
        return Change("added", [(INSERT, op.new.raw)], classify_block(op.new.text), [], op.new.path, op.new.kind)
    if op.op == "removed":
        return Change("removed", [(DELETE, op.old.raw)], classify_block(op.old.text), [], op.old.path, op.old.kind)
    if op.op == "moved_out":
        return Change("moved_out", [(DELETE, op.old.raw)], "cosmetic", [], op.old.path, op.old.kind, op.partner)
    # moved_in: the block at its new place, word-diffed against its old text
    moved_sig, reasons = classify_pair(op.old.text, op.new.text)
    across = op.old.path[:-1] != op.new.path[:-1] if op.new.kind == "heading" else op.old.path != op.new.path
    sig = worst([moved_sig, "substantive" if across else "minor"])
    return Change(
        "moved_in",
        diff_words(op.old.raw, op.new.raw),
        sig,
        [*reasons, "moved to another section" if across else "moved"],
        op.new.path,
        op.new.kind,
        op.partner,
    )


def compare(old: str, new: str) -> Comparison:
    """Compare two Markdown (or plain) texts."""
    ops = align(split_blocks(old), split_blocks(new))
    changes = [_change_for(op) for op in ops]
    facts: list[dict] = []
    words_added = words_removed = 0
    counts = {"added": 0, "removed": 0, "modified": 0, "moved": 0}
    sections_changed: list[str] = []
    sections_added: list[str] = []
    sections_removed: list[str] = []
    cosmetic_reasons: list[str] = []
    for ch, op in zip(changes, ops, strict=True):
        if ch.op != "moved_out":
            words_added += sum(word_count(t) for o, t in ch.pieces if o == INSERT)
        if ch.op != "moved_in":
            words_removed += sum(word_count(t) for o, t in ch.pieces if o == DELETE)
        if ch.significance == "cosmetic":
            cosmetic_reasons.extend(ch.reasons)
        if not ch.changed:
            continue
        if ch.op == "moved_in":
            counts["moved"] += 1
        elif ch.op in counts:
            counts[ch.op] += 1
        if ch.op == "added" and op.new.kind == "heading":
            sections_added.append(op.new.title)
            facts.append(section_fact("section_added", op.new.title, op.new.path))
        elif ch.op == "removed" and op.old.kind == "heading":
            sections_removed.append(op.old.title)
            facts.append(section_fact("section_removed", op.old.title, op.old.path))
        elif ch.significance != "cosmetic" and ch.op in ("modified", "moved_in"):
            name = _section(ch.path)
            if name not in sections_changed:
                sections_changed.append(name)
            if "renumbering" not in ch.reasons:
                facts.extend(quantity_facts(op.old.text, op.new.text, name))
        elif ch.significance != "cosmetic" and ch.op in ("added", "removed"):
            name = _section(ch.path)
            if name not in sections_changed and name not in sections_added and name not in sections_removed:
                sections_changed.append(name)
    significance = worst(c.significance for c in changes if c.changed or c.op == "equal")
    stats = {
        "words_added": words_added,
        "words_removed": words_removed,
        "sections_changed": len(sections_changed),
        "sections_added": len(sections_added),
        "sections_removed": len(sections_removed),
        "blocks_added": counts["added"],
        "blocks_removed": counts["removed"],
        "blocks_modified": counts["modified"],
        "blocks_moved": counts["moved"],
    }
    identical = old == new
    summary = _summary(
        identical,
        significance,
        sections_changed,
        sections_added,
        sections_removed,
        counts,
        facts,
        cosmetic_reasons,
        changes,
    )
    return Comparison(changes, "cosmetic" if identical else significance, summary, stats, facts)


def _names(names: list[str], limit: int = 2) -> str:
    shown = [n or "untitled" for n in names[:limit]]
    more = len(names) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _summary(identical, significance, changed, added, removed, counts, facts, cosmetic_reasons, changes) -> str:
    if identical:
        return "No change."
    if significance == "cosmetic" or not any(c.changed for c in changes):
        kinds = sorted(set(cosmetic_reasons)) or ["formatting"]
        return f"Formatting only ({', '.join(kinds)}); no wording changed."
    parts = []
    if changed:
        named = [n for n in changed if n]
        parts.append(
            f"{len(changed)} section{'s' if len(changed) != 1 else ''} changed"
            + (f" ({_names(named)})" if named and len(changed) <= 3 else "")
        )
    if added:
        parts.append(f"{len(added)} added ({_names(added)})")
    if removed:
        parts.append(f"{len(removed)} removed ({_names(removed)})")
    if counts["moved"] and not (added or removed):
        parts.append(f"{counts['moved']} block{'s' if counts['moved'] != 1 else ''} moved")
    if not parts:
        parts.append("wording changed")
    head = ", ".join(parts)
    if significance == "minor":
        reasons = sorted({r for c in changes if c.significance == "minor" for r in c.reasons})
        head += f" (minor: {', '.join(reasons)})" if reasons else " (minor)"
    shown = [f for f in facts if f["kind"] not in ("section_added", "section_removed", "number")][:3]
    if shown:
        head += "; " + "; ".join(f"{f['before']} → {f['after']}" for f in shown)
    return head


def first_summary(text: str) -> tuple[str, dict]:
    """Summary and stats of a document's first recorded version."""
    blocks = split_blocks(text)
    sections = sum(1 for b in blocks if b.kind == "heading")
    words = word_count(normalize(text))
    stats = {
        "words_added": words,
        "words_removed": 0,
        "sections_changed": 0,
        "sections_added": sections,
        "sections_removed": 0,
        "blocks_added": len(blocks),
        "blocks_removed": 0,
        "blocks_modified": 0,
        "blocks_moved": 0,
    }
    return f"First version recorded: {words} words, {sections} section{'s' if sections != 1 else ''}.", stats
