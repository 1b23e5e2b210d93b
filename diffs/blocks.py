"""Markdown split into blocks along its structure: headings, paragraphs, list items, table rows,
code fences. Each block keeps its exact source slice, so joining the slices gives the text back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .normalize import normalize

HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
ITEM = re.compile(r"^([ \t]*)(?:[-*+•]|\d{1,9}[.)]|[a-zA-Z][.)]|\([a-zA-Z0-9]{1,4}\))[ \t]+\S")
FENCE = re.compile(r"^ {0,3}(```+|~~~+)")
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


@dataclass
class Block:
    kind: str  # heading | paragraph | item | row | code | rule
    raw: str  # exact source slice, trailing blank lines included
    level: int = 0  # heading level; list nesting depth for items
    path: tuple[str, ...] = ()  # headings above (a heading's own path ends with itself)
    index: int = 0
    key: str = field(default="", repr=False)  # normalize(text), the comparison key

    @property
    def text(self) -> str:
        return self.raw.strip("\n")

    @property
    def title(self) -> str:
        """A heading's words (for summaries and facts)."""
        m = HEADING.match(self.text)
        return normalize(m.group(2) or "") if m else normalize(self.text.splitlines()[0])


def _kind_of(line: str) -> str:
    if HEADING.match(line):
        return "heading"
    if FENCE.match(line):
        return "code"
    if RULE.match(line):
        return "rule"
    if ITEM.match(line):
        return "item"
    if line.lstrip().startswith("|"):
        return "row"
    return "paragraph"


def split_blocks(text: str) -> list[Block]:
    lines = text.splitlines(keepends=True)
    blocks: list[Block] = []
    lead = ""
    i = 0
    while i < len(lines) and not lines[i].strip():
        lead += lines[i]
        i += 1
    while i < len(lines):
        line = lines[i]
        kind = _kind_of(line)
        chunk = [line]
        i += 1
        if kind == "code":
            fence = FENCE.match(line).group(1)
            while i < len(lines):
                chunk.append(lines[i])
                i += 1
                if lines[i - 1].lstrip().startswith(fence[0] * len(fence)):
                    break
        elif kind in ("paragraph", "item"):
            while i < len(lines) and lines[i].strip():
                nxt = lines[i]
                if kind == "paragraph" and len(chunk) == 1 and SETEXT.match(nxt):
                    kind = "heading"
                    chunk.append(nxt)
                    i += 1
                    break
                if _kind_of(nxt) != "paragraph":
                    break
                chunk.append(nxt)  # a paragraph's next line, or an item's (lazy) continuation
                i += 1
        while i < len(lines) and not lines[i].strip():
            chunk.append(lines[i])
            i += 1
        raw = "".join(chunk)
        level = 0
        if kind == "heading":
            m = HEADING.match(line)
            level = len(m.group(1)) if m else (1 if chunk[1].lstrip().startswith("=") else 2)
        elif kind == "item":
            level = (len(line) - len(line.lstrip(" \t"))) // 2
        blocks.append(Block(kind, lead + raw, level))
        lead = ""
    if lead:  # a text of blank lines only
        blocks.append(Block("paragraph", lead))
    _annotate(blocks)
    return blocks


def _annotate(blocks: list[Block]) -> None:
    stack: list[tuple[int, str]] = []
    for n, b in enumerate(blocks):
        b.index = n
        b.key = normalize(b.text)
        if b.kind == "heading":
            while stack and stack[-1][0] >= b.level:
                stack.pop()
            stack.append((b.level, b.title))
        b.path = tuple(t for _, t in stack)
