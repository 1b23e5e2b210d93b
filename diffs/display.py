"""A block of Markdown as a reader sees it, its edits kept: markup becomes formatted text (headings,
bullets, table cells, emphasis, a link's text with its target beside it), each character keeps
whether it was removed, added or kept, and the text splits into sentences for compact diffs.

The pieces of a block's diff are read as one stream, so markup that an edit cuts through (a bold
run whose word changed, a link whose target changed) is still recognised.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from .words import DELETE, EQUAL, INSERT, Piece

# A run of displayed text: (op, text, style); style is "" | "strong" | "em" | "code" | "url".
Run = tuple[str, str, str]

HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})(?:[ \t]+|$)")
HEADING_TAIL = re.compile(r"[ \t]+#+[ \t]*$|[ \t]*\n[ \t]*(?:=+|-+)[ \t]*$")
BULLET = re.compile(r"^[ \t]*(?:>[ \t]?)*[-*+\u2022][ \t]+")
QUOTE = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")
FENCE_LINE = re.compile(r"(?m)^ {0,3}(?:`{3,}|~{3,}).*$\n?")
SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
# inline markup, in the order tried at one position
INLINE = re.compile(
    r"(?P<esc>\\[\\`*_{}\[\]()#+\-.!|<>~])"
    r"|(?P<img>!\[(?P<alt>[^\]\n]*)\]\((?P<src>[^()\s]*)(?:\s+\"[^\"]*\")?\))"
    r"|(?P<open>\[)(?=(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\()"
    r"|(?P<close>\]\((?P<url><[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\))"
    r"|(?P<auto><(?P<aurl>(?:https?|ftp|mailto):[^>\s]+)>)"
    r"|(?P<strong>\*\*|__(?=\S)|(?<=\S)__)"
    r"|(?P<em>(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*]))"
    r"|(?P<code>`+)"
    r"|(?P<br>[ \t]*\n[ \t]*)"
)
# a sentence ends at . ! ? after a word of two letters or more (or a closing bracket, quote or
# percent sign), closing quotes or brackets may follow, then white space and a character that is
# not a lower-case letter ("e.g. the", "3. Fees", "U.S. Sellers" and "3.1" do not end one)
SENTENCE_END = re.compile(
    r"(?:(?<=[^\W\d_]{2})|(?<=[)\]%\"'\u201d\u2019]))[.!?][\"'\u201d\u2019)\]]*\s+(?=[^\s\u2022a-z])"
)


@dataclass
class Shown:
    """One block as displayed: its kind and its runs (for a table row: one list of runs per cell)."""

    kind: str  # heading | item | row | separator | code | rule | paragraph
    runs: list[Run] = field(default_factory=list)
    cells: list[list[Run]] = field(default_factory=list)
    level: int = 0

    @property
    def changed(self) -> bool:
        return any(op != EQUAL for op, _, _ in self.runs) or any(op != EQUAL for c in self.cells for op, _, _ in c)


class _Stream:
    """The pieces of one block as one string, with the op of every character."""

    def __init__(self, pieces: list[Piece]):
        self.text = "".join(t for _, t in pieces)
        self.starts: list[int] = []
        self.ops: list[str] = []
        at = 0
        for op, t in pieces:
            if t:
                self.starts.append(at)
                self.ops.append(op)
                at += len(t)

    def runs(self, start: int, stop: int, style: str = "") -> list[Run]:
        """The characters start..stop as runs of one op each."""
        out: list[Run] = []
        if start >= stop:
            return out
        k = bisect_right(self.starts, start) - 1
        while start < stop and k < len(self.starts):
            end = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.text)
            piece_stop = min(stop, end)
            if piece_stop > start:
                out.append((self.ops[k], self.text[start:piece_stop], style))
            start = piece_stop
            k += 1
        return out


def _inline(stream: _Stream, start: int, stop: int) -> list[Run]:
    """The runs of stream[start:stop] with inline markup turned into styles."""
    text = stream.text
    found: list[re.Match[str]] = []
    pos = start
    in_code = False
    while True:
        m = INLINE.search(text, pos, stop)
        if m is None:
            break
        if not in_code or m.lastgroup == "code":  # nothing is markup inside a code span
            found.append(m)
            in_code ^= m.lastgroup == "code"
        pos = m.end()
    # an emphasis or code mark without its partner is a literal character ("fees apply*")
    literal = {k for k in ("strong", "em", "code") if sum(1 for m in found if m.lastgroup == k) % 2}
    out: list[Run] = []
    on = {"strong": False, "em": False, "code": False}
    at = start

    def style() -> str:
        return "code" if on["code"] else "strong" if on["strong"] else "em" if on["em"] else ""

    for m in found:
        kind = m.lastgroup or ""
        if kind in literal:
            continue
        out.extend(stream.runs(at, m.start(), style()))
        if kind == "esc":
            out.extend(stream.runs(m.start() + 1, m.end(), style()))
        elif kind == "img":
            alt = m.group("alt")
            out.append((_op_at(stream, m.start()), f"[image{': ' + alt if alt else ''}]", "em"))
        elif kind == "close":
            url = m.group("url").strip("<>")
            if url:
                u0 = m.start("url") + (1 if m.group("url").startswith("<") else 0)
                out.append((EQUAL, " (", "url"))
                out.extend(stream.runs(u0, u0 + len(url), "url"))
                out.append((EQUAL, ")", "url"))
        elif kind == "auto":
            out.extend(stream.runs(m.start("aurl"), m.end("aurl"), "url"))
        elif kind in on:
            on[kind] = not on[kind]
        elif kind == "br":
            out.append((_op_at(stream, m.start()), " ", style()))
        at = m.end()
    out.extend(stream.runs(at, stop, style()))
    return _merge(out)


def _op_at(stream: _Stream, i: int) -> str:
    k = bisect_right(stream.starts, i) - 1
    return stream.ops[max(k, 0)] if stream.ops else EQUAL


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for op, t, s in runs:
        if not t:
            continue
        if out and out[-1][0] == op and out[-1][2] == s:
            out[-1] = (op, out[-1][1] + t, s)
        else:
            out.append((op, t, s))
    return out


def _strip(stream: _Stream, start: int, stop: int) -> tuple[int, int]:
    text = stream.text
    while start < stop and text[start] in " \t\r\n":
        start += 1
    while stop > start and text[stop - 1] in " \t\r\n":
        stop -= 1
    return start, stop


def _cells(stream: _Stream, start: int, stop: int) -> list[list[Run]]:
    """A table row's cells: split at pipes that are not escaped, the outer ones dropped."""
    text = stream.text
    bounds = [start]
    i = start
    while i < stop:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "|":
            bounds.append(i)
        i += 1
    bounds.append(stop)
    spans = [(bounds[k] + (k > 0), bounds[k + 1]) for k in range(len(bounds) - 1)]
    if spans and not text[spans[0][0] : spans[0][1]].strip():
        spans = spans[1:]
    if spans and not text[spans[-1][0] : spans[-1][1]].strip():
        spans = spans[:-1]
    return [_inline(stream, *_strip(stream, a, b)) for a, b in spans]


def show(pieces: list[Piece], kind: str, level: int = 0) -> Shown:
    """How a block (its diff pieces, `kind` as the engine split it) reads as formatted text."""
    stream = _Stream(pieces)
    text = stream.text
    start, stop = _strip(stream, 0, len(text))
    if kind == "row":
        if SEPARATOR_ROW.match(text[start:stop]):
            return Shown("separator")
        return Shown("row", cells=_cells(stream, start, stop))
    if kind == "rule":
        return Shown("rule", [(_op_at(stream, start), "\u2014", "")] if stop > start else [])
    if kind == "code":
        body = FENCE_LINE.sub(lambda m: "\x00" * len(m.group(0)), text[start:stop])
        runs = []
        for m in re.finditer(r"[^\x00]+", body):
            runs.extend(stream.runs(start + m.start(), start + m.end(), "code"))
        return Shown("code", _merge(runs))
    if kind == "heading":
        h = HEADING.match(text, start)
        if h:
            level = len(h.group(1))
            start = h.end()
        tail = HEADING_TAIL.search(text, start, stop)
        if tail:
            stop = tail.start()
        return Shown("heading", _inline(stream, start, stop), level=level)
    q = QUOTE.match(text, start)
    if q and q.end() > start:
        start = q.end()
    if kind == "item":
        bullet = BULLET.match(text, start)
        if bullet:  # a numbered item keeps its number: it is part of the text
            start = bullet.end()
        return Shown("item", _inline(stream, start, stop), level=level)
    return Shown("paragraph", _inline(stream, start, stop), level=level)


def plain(runs: list[Run], which: str = "both") -> str:
    """The text of runs: old side ('-'), new side ('+') or both."""
    keep = {EQUAL, DELETE, INSERT} if which == "both" else {EQUAL, which}
    return "".join(t for op, t, _ in runs if op in keep)


def sentences(runs: list[Run]) -> list[list[Run]]:
    """Runs split into sentences (at sentence ends found in the text of both sides)."""
    joined = "".join(t for _, t, _ in runs)
    cuts = [m.end() for m in SENTENCE_END.finditer(joined)]
    if not cuts:
        return [runs] if runs else []
    out: list[list[Run]] = []
    current: list[Run] = []
    at = 0
    k = 0
    for op, t, s in runs:
        i = 0
        while k < len(cuts) and cuts[k] < at + len(t):
            cut = cuts[k] - at
            if cut > i:
                current.append((op, t[i:cut], s))
            out.append(current)
            current = []
            i = cut
            k += 1
        if i < len(t):
            current.append((op, t[i:], s))
        at += len(t)
    if current:
        out.append(current)
    return [x for x in out if x]


def changed(runs: list[Run]) -> bool:
    return any(op != EQUAL for op, _, _ in runs)


def words_in(runs: list[Run]) -> int:
    return sum(len(t.split()) for _, t, _ in runs)


def trim_words(runs: list[Run], keep: int, side: str) -> list[Run]:
    """Unchanged runs cut to their last (`side` "head": first) `keep` words, with an ellipsis."""
    words = plain(runs).split()
    if len(words) <= keep:
        return runs
    text = plain(runs)
    style = runs[0][2] if len({s for _, _, s in runs}) == 1 else ""
    if side == "tail":
        return [(EQUAL, "\u2026 " + " ".join(words[-keep:]) + (" " if text.endswith(" ") else ""), style)]
    return [(EQUAL, " ".join(words[:keep]) + " \u2026", style)]


def compact(runs: list[Run], context: int = 1, long_context: int = 30) -> list[list[Run] | None]:
    """The changed sentences of runs with `context` sentences around each; None marks text left
    out. Unchanged stretches longer than `long_context` words inside a kept sentence are cut."""
    parts = sentences(runs)
    marks = [changed(p) for p in parts]
    keep: set[int] = set()
    for k, m in enumerate(marks):
        if m:
            keep.update(range(k - context, k + context + 1))
    out: list[list[Run] | None] = []
    last = -1
    for k, part in enumerate(parts):
        if k not in keep:
            continue
        if k != last + 1:
            out.append(None)
        if not marks[k]:
            part = trim_words(part, long_context, "tail" if k < len(parts) - 1 and marks[k + 1] else "head")
        else:
            part = _trim_inside(part, long_context)
        out.append(part)
        last = k
    if last != len(parts) - 1 and out:
        out.append(None)
    return out


def _trim_inside(part: list[Run], keep: int) -> list[Run]:
    """A changed sentence with long unchanged runs shortened around the edits."""
    out: list[Run] = []
    for k, run in enumerate(part):
        op, t, s = run
        if op != EQUAL or len(t.split()) <= 2 * keep:
            out.append(run)
            continue
        words = t.split(" ")
        first, last = k == 0, k == len(part) - 1
        if first:
            out.append((op, "\u2026 " + " ".join(words[-keep:]), s))
        elif last:
            out.append((op, " ".join(words[:keep]) + " \u2026", s))
        else:
            out.append((op, " ".join(words[:keep]) + " \u2026 " + " ".join(words[-keep:]), s))
    return out
