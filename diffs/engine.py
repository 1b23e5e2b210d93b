"""compare(old, new): chunks → alignment → significance, facts, summary; word diffs on demand.

The result is deterministic (no time limits, no machine-dependent choices) and carries enough to
render the diff and to reconstruct both texts exactly. Work is spent only where the texts differ:
unchanged runs are split into blocks, and blocks into word pieces, only when something renders them.
"""

from __future__ import annotations

from functools import cached_property

from .align import BlockOp, EqualRun, Segment, align_docs
from .blocks import Block, Doc, doc_pair, split_blocks, split_chunk
from .classify import assess, cosmetic_kinds, worst
from .facts import defined_terms, effective_dates, quantity_facts, row_label
from .headline import capitalised, headline
from .normalize import align_key
from .summary import PATH_SEPARATOR, Tally, cosmetic_summary, details, first_details, first_summary_text
from .topics import topics_of
from .words import DELETE, EQUAL, INSERT, Piece, diff_words, side

ENGINE_VERSION = "7"  # 7: a bold numbered title after a Markdown heading numbered just before it is its sibling


class Change:
    """One entry of the diff, in display order: one block, or one pair of blocks."""

    __slots__ = ("_pieces", "changed", "kind", "new", "old", "op", "partner", "path", "reasons", "significance")

    def __init__(
        self,
        op: str,
        old: Block | None,
        new: Block | None,
        significance: str = "cosmetic",
        reasons: list[str] | None = None,
        changed: bool = True,
    ) -> None:
        self.op = op  # equal | modified | added | removed | moved_out | moved_in
        self.old = old
        self.new = new
        self.significance = significance
        self.reasons = reasons or []
        self.changed = changed  # False for unchanged blocks and blank-line-only differences
        here = old if op in ("removed", "moved_out") else new
        assert here is not None
        self.path: tuple[str, ...] = here.path
        self.kind = here.kind  # heading, paragraph, item, row, ...
        self.partner: Change | None = None  # the other half of a move
        self._pieces: list[Piece] | None = None

    def __repr__(self) -> str:
        return f"Change({self.op!r}, {self.significance!r}, {self.reasons!r})"

    @property
    def pieces(self) -> list[Piece]:
        """[(op, text)]: '=' both, '-' old only, '+' new only (computed on first use)."""
        if self._pieces is None:
            op, old, new = self.op, self.old, self.new
            if op == "added":
                assert new is not None
                self._pieces = [(INSERT, new.raw)]
            elif op in ("removed", "moved_out"):
                assert old is not None
                self._pieces = [(DELETE, old.raw)]
            else:
                assert old is not None and new is not None
                self._pieces = [(EQUAL, new.raw)] if old.raw == new.raw else diff_words(old.raw, new.raw)
        return self._pieces

    def old_text(self) -> str:
        return "" if self.op == "moved_in" else side(self.pieces, DELETE)

    def new_text(self) -> str:
        return "" if self.op == "moved_out" else side(self.pieces, INSERT)


class Comparison:
    """The result of `compare`: the change record's fields, and the changes to render."""

    def __init__(
        self,
        old: Doc,
        new: Doc,
        segments: list[EqualRun | list[Change]],
        significance: str,
        summary: str,
        stats: dict,
        facts: list[dict],
        topics: list[str],
        details: str = "",
        sections: list[str] | None = None,
    ) -> None:
        self._old, self._new, self._segments = old, new, segments
        self.significance = significance
        self.summary = summary
        self.details = details  # the second line: counts of sections and words
        self.stats = stats
        self.facts = facts
        self.topics = topics
        self.sections = sections or []  # paths of the sections with edits ("8. Insurance › Insurance Limits")

    @cached_property
    def changes(self) -> list[Change]:
        """Every block in display order; unchanged runs are split into blocks here, on demand."""
        out: list[Change] = []
        for seg in self._segments:
            if not isinstance(seg, EqualRun):
                out.extend(seg)
                continue
            stack_o, stack_n = self._old.stack_before(seg.i), self._new.stack_before(seg.j)
            for k in range(seg.n):
                i, j = seg.i + k, seg.j + k
                olds = split_chunk(self._old.keys[i], self._old.seps[i], stack_o)
                news = split_chunk(self._new.keys[j], self._new.seps[j], stack_n)
                for o, w in zip(olds, news, strict=True):
                    out.append(Change("equal", o, w, "cosmetic", ["whitespace"] if o.raw != w.raw else [], False))
        return out

    def edits(self) -> list[Change]:
        """The changes of the stretches that differ, in display order: `changes` without the
        unchanged runs (which it would split into blocks first)."""
        return [c for seg in self._segments if not isinstance(seg, EqualRun) for c in seg]

    @property
    def identical(self) -> bool:
        return self._old.text == self._new.text

    def old_text(self) -> str:
        """The old text, rebuilt from the pieces of every change."""
        return "".join(c.old_text() for c in self.changes)

    def new_text(self) -> str:
        return "".join(c.new_text() for c in self.changes)

    def record(self) -> dict:
        """The change record of the ▶ contract, without ids and dates."""
        return {
            "significance": self.significance,
            "summary": self.summary,
            "details": self.details,
            "stats": self.stats,
            "facts": self.facts,
            "sections": self.sections,
            "topics": self.topics,
        }


def _section(block: Block, t: Tally) -> str:
    """The name of the section a block is in (titles normalised once per comparison)."""
    return t.title(block.path[-1]) if block.path else ""


def _where(path: tuple[str, ...], t: Tally) -> tuple[str, ...]:
    """The heading path as alignment keys (each title's key made once per comparison)."""
    keys = t.title_keys
    out = []
    for raw in path:
        key = keys.get(raw)
        if key is None:
            key = keys[raw] = align_key(t.title(raw))
        out.append(key)
    return tuple(out)


def _moved_across(old: Block, new: Block, t: Tally) -> bool:
    """Did a block move to another section? (a heading: to another parent)"""
    if old.path == new.path:
        return False
    if new.kind == "heading":
        return _where(old.path[:-1], t) != _where(new.path[:-1], t)
    return _where(old.path, t) != _where(new.path, t)


def _change(op: BlockOp, t: Tally) -> Change:
    """The Change of one block op, its significance, and what it adds to the tally."""
    o, w = op.old, op.new
    if op.op == "equal":
        assert o is not None and w is not None
        if o.raw == w.raw:
            return Change("equal", o, w, changed=False)
        if o.text == w.text:  # only the blank lines after the block differ
            t.cosmetic.add("whitespace")
            return Change("equal", o, w, "cosmetic", ["whitespace"], changed=False)
        kinds = cosmetic_kinds(o.raw, w.raw)
        t.cosmetic.update(kinds)
        return Change("equal", o, w, "cosmetic", kinds)
    if op.op in ("added", "removed"):
        block = w if op.op == "added" else o
        assert block is not None
        n = block.word_count()
        if not n:
            t.cosmetic.add("formatting" if block.key or block.kind == "rule" else "whitespace")
            return Change(op.op, o, w, "cosmetic", [], changed=bool(block.text.strip()))
        t.block_added_or_removed(op.op, block, n, _section(block, t))
        t.changed_text.append(block.key)
        (t.new_terms if op.op == "added" else t.old_terms).extend(defined_terms(block.key))
        if op.op == "added":
            t.effective.extend(effective_dates(block.key))
        return Change(op.op, o, w, "substantive")
    assert o is not None and w is not None  # (both halves of a move know both blocks)
    if op.op == "moved_out":
        t.old_terms.extend(defined_terms(o.key))
        return Change("moved_out", o, w, "cosmetic")
    a = op.assessment or assess(o.raw, w.raw, o.key, w.key, t.codes, op.common)
    t.words_added += a.words_added
    t.words_removed += a.words_removed
    if '"' in w.key:  # a definition quotes its term
        t.new_terms.extend(defined_terms(w.key))
    if op.op == "modified":
        if '"' in o.key:
            t.old_terms.extend(defined_terms(o.key))
        sig, reasons = a.significance, a.reasons
        t.blocks_modified += 1
        if len(reasons) == 1 and reasons[0] == "renumbering":
            t.blocks_renumbered += 1
    else:  # moved_in
        across = _moved_across(o, w, t)
        sig = worst([a.significance, "substantive" if across else "minor"])
        # the move is the news; blank lines or quotes that changed on the way are not
        edits = a.reasons if a.significance != "cosmetic" else []
        reasons = [*edits, "moved to another section" if across else "moved"]
        t.moved(w, _section(w, t))
    if sig == "cosmetic":
        t.cosmetic.update(reasons)
    else:
        if a.significance != "cosmetic":  # the edit, and the words before it in its clause
            t.changed_text.extend((a.old_mid, a.new_mid))
            t.context_text.append(" ".join(a.before))
        elif op.op == "moved_in":  # moved to another section as it was: what moved is the news
            t.changed_text.append(w.key)
        section = _section(w, t)
        t.touch(w, section if a.significance != "cosmetic" else None, sig, reasons)
        if a.significance != "cosmetic":
            t.quotes.append((a, t.label(w), (o.raw, w.raw)))
        if a.runs:
            # a fact's context is its clause, else the title of its own section (not the document's)
            own = section if len(w.path) > 1 else ""
            facts = quantity_facts(a, own, row_label(w.raw) if w.kind == "row" else "")
            if facts:
                t.add_facts(facts, sig)
    return Change(op.op, o, w, sig, reasons)


def compare(old: str, new: str) -> Comparison:
    """Compare two Markdown (or plain) texts."""
    od, nd = doc_pair(old, new)
    t = Tally()
    if old == new:
        segments: list[Segment] = [EqualRun(0, 0, len(od))] if len(od) else []
    else:
        segments = align_docs(od, nd, t.codes)
    out: list[EqualRun | list[Change]] = []
    moves: list[tuple[BlockOp, Change]] = []  # the halves of moves
    for seg in segments:
        if isinstance(seg, EqualRun):
            if od.seps[seg.i : seg.i + seg.n] != nd.seps[seg.j : seg.j + seg.n]:
                t.cosmetic.add("whitespace")
            out.append(seg)
            continue
        changes = []
        for op in seg:
            ch = _change(op, t)
            if op.partner is not None:
                moves.append((op, ch))
            changes.append(ch)
        out.append(changes)
    made = {id(op): ch for op, ch in moves}
    for op, ch in moves:  # each half of a move knows the other's change
        ch.partner = made[id(op.partner)]
    t.settle_terms()
    identical = old == new
    significance = "cosmetic" if identical else worst(t.levels)
    sections = [*t.changed, *t.added, *t.removed]
    topics = [] if identical else topics_of(t.changed_text, sections, t.context_text)
    cosmetic = significance == "cosmetic"
    summary = cosmetic_summary(t, identical) if cosmetic else capitalised(headline(t, significance))
    sections = [PATH_SEPARATOR.join(p) for p in t.paths if p]
    facts = [*t.effective, *t.facts]
    return Comparison(od, nd, out, significance, summary, t.stats(), facts, topics, details(t, significance), sections)


def first_summary(text: str) -> tuple[str, dict, str]:
    """Summary, stats and details of a document's first recorded version (its topics: first_topics)."""
    blocks = split_blocks(text)
    sections = sum(1 for b in blocks if b.kind == "heading")
    words = sum(b.word_count() for b in blocks)
    stats = {
        "words_added": words,
        "words_removed": 0,
        "sections_changed": 0,
        "sections_added": sections,
        "sections_removed": 0,
        "sections_moved": 0,
        "blocks_added": len(blocks),
        "blocks_removed": 0,
        "blocks_modified": 0,
        "blocks_moved": 0,
        "blocks_renumbered": 0,
    }
    return first_summary_text(words, sections), stats, first_details(words, sections)


def first_topics(text: str) -> list[str]:
    """The topics of a first version: what the whole text is most about."""
    return topics_of([text])


__all__ = ["ENGINE_VERSION", "Change", "Comparison", "compare", "first_summary", "first_topics"]
