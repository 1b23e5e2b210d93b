"""What a change added and removed, as sentences a keyword can be looked for in: each edit with
the rest of its sentence (a watch for "reserve" is told of "14-day reserve" → "30-day reserve"),
whole blocks added or removed, and where in the document the edits are (their section paths).

Formatting-only edits and blocks moved as they were add and remove nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .engine import Comparison
from .normalize import normalize
from .words import DELETE, EQUAL, INSERT, Piece

SENTENCE_END = re.compile(r"[.!?;](?=\s)|\n")
HAS_WORD = re.compile(r"\w")
MAX_SECTIONS = 5


@dataclass
class ChangedText:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # "Fees › Referral fees", in document order


def _sentences_around(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """The sentences of `text` that hold each span, once each, in order."""
    if not spans:
        return []
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    out: list[str] = []
    for start, end in spans:
        lo = max((e for e in ends if e <= start), default=0)
        hi = min((e for e in ends if e >= end), default=len(text))
        sentence = normalize(text[lo:hi])
        if sentence and (not out or out[-1] != sentence):
            out.append(sentence)
    return list(dict.fromkeys(out))


def _sides(pieces: list[Piece]) -> tuple[str, list[tuple[int, int]], str, list[tuple[int, int]]]:
    """Both texts of a word diff, with the spans of what each side has of its own."""
    old, new = [], []
    old_spans, new_spans = [], []
    o = n = 0
    for op, text in pieces:
        if op == EQUAL:
            old.append(text)
            new.append(text)
            o += len(text)
            n += len(text)
        elif op == DELETE:
            if HAS_WORD.search(text):
                old_spans.append((o, o + len(text)))
            old.append(text)
            o += len(text)
        elif op == INSERT:
            if HAS_WORD.search(text):
                new_spans.append((n, n + len(text)))
            new.append(text)
            n += len(text)
    return "".join(old), old_spans, "".join(new), new_spans


def _section(path: tuple[str, ...]) -> str:
    """A section as a seller names it: the innermost two headings, without the document's own
    title (the first of two or more)."""
    titles = [normalize(p) for p in (path[1:] if len(path) > 1 else path)]
    return " › ".join(titles[-2:])


def changed_text(cmp: Comparison) -> ChangedText:
    """The added and removed sentences of a comparison, and the sections of its edits."""
    out = ChangedText()
    sections: dict[str, None] = {}
    for c in cmp.edits():
        if not c.changed or c.significance == "cosmetic" or c.op == "moved_out":
            continue
        if c.path:
            sections[_section(c.path)] = None
        if c.op == "added" and c.new is not None:
            out.added.append(normalize(c.new.raw))
        elif c.op == "removed" and c.old is not None:
            out.removed.append(normalize(c.old.raw))
        else:  # modified, or moved with edits on the way
            old, old_spans, new, new_spans = _sides(c.pieces)
            out.added.extend(_sentences_around(new, new_spans))
            out.removed.extend(_sentences_around(old, old_spans))
    out.added = [t for t in out.added if t]
    out.removed = [t for t in out.removed if t]
    out.sections = list(sections)[:MAX_SECTIONS]
    return out


__all__ = ["ChangedText", "changed_text"]
