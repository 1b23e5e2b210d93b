"""Markdown split along its structure: chunks between blank lines, then blocks (headings, paragraphs,
list items, table rows, code) with each block's heading path. Joining the raw slices gives the text.

A `Doc` splits cheaply into chunks (one C-level split); only chunks that differ between two versions
are split into blocks, so an unchanged 150 KB agreement costs almost nothing to compare.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from .normalize import BULLETS, align_key, bag_of_words, normalize
from .sections import CAPS_CHARS, KEYWORDS, TITLE_STARTS, may_hold, pseudo

HAS_WORD = re.compile(r"\w")
BLANKS = re.compile(r"(\n[ \t\r]*\n(?:[ \t\r]*\n)*)")  # blank lines (the first written out: faster)
BLANK_CHARS = " \t\r"
SHARE_WINDOW = 4096  # characters compared at a time when looking for the text two versions share
UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
ITEM = re.compile(r"^[ \t]*(?:[-*+\u2022]|\d{1,9}[.)]|[a-zA-Z][.)]|\([a-zA-Z0-9]{1,4}\))(?:[ \t]+|$)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


class Block:
    """One block: its exact source slice (trailing blank lines included) and where it sits."""

    __slots__ = ("_akey", "_bag", "_key", "kind", "level", "path", "raw")

    def __init__(self, kind: str, raw: str, level: float = 0, path: tuple[str, ...] = ()) -> None:
        self.kind = kind  # heading | paragraph | item | row | code | rule | blank
        self.raw = raw
        self.level = level  # heading level (sections.py: 7 and more for clause titles); list depth for items
        self.path = path  # headings above (a heading's own path ends with itself)
        self._key: str | None = None
        self._akey: str | None = None
        self._bag: frozenset[str] | None = None

    def __repr__(self) -> str:
        return f"Block({self.kind!r}, {self.raw[:40]!r})"

    @property
    def text(self) -> str:
        return self.raw.strip("\n")

    @property
    def key(self) -> str:
        """normalize(text): equal keys mean no visible difference."""
        if self._key is None:
            self._key = normalize(self.raw)
        return self._key

    @property
    def akey(self) -> str:
        """The alignment key: case-folded, leading number dropped."""
        if self._akey is None:
            self._akey = align_key(self.key)
        return self._akey

    @property
    def bag(self) -> frozenset[str]:
        """The block's distinct words, for similarity."""
        if self._bag is None:
            self._bag = bag_of_words(self.akey)
        return self._bag

    def word_count(self) -> int:
        """Words in the block (white-space separated words of its key that hold a letter or digit)."""
        key = self.key
        # a key's only white space is single spaces between words (`normalize`): count them
        # rather than split the text into a list of words
        return key.count(" ") + 1 if HAS_WORD.search(key) else 0


def display_title(raw_title: str) -> str:
    """A heading as a reader names it: its words, without markup or a closing full stop."""
    return normalize(raw_title).rstrip(" .:;,\u2013-") or normalize(raw_title)


def atx(line: str) -> tuple[int, str] | None:
    """(level, title) of an ATX heading line ("## Fees ##"), else None. String operations: a
    regex with an optional closing sequence backtracks over the whole title."""
    s = line.lstrip(" ")
    if len(line) - len(s) > 3:
        return None
    rest = s.lstrip("#")
    level = len(s) - len(rest)
    if not 1 <= level <= 6 or (rest and rest[0] not in " \t"):
        return None
    title = rest.strip()
    if title.endswith("#"):
        bare = title.rstrip("#")
        if not bare or bare[-1] in " \t":
            title = bare.rstrip()
    return level, title


def kind_of(line: str) -> str:
    s = line.lstrip(" \t")
    c = s[:1]
    if not c or c in "\r\n":
        return "blank"
    if c == "#":
        return "heading" if atx(line) else "paragraph"
    if c == "|":
        return "row"
    # a rule repeats its character: the next one that is not blank must be the same (looked
    # for in a few characters first: a bulleted item is not copied whole)
    if c in "-*_" and (s[1:9].lstrip(" \t")[:1] or s[9:].lstrip(" \t")[:1]) == c and RULE.match(line):
        return "rule"
    if c in "`~" and FENCE.match(line):
        return "code"
    if (c in "-*+\u2022(" or c.isdigit() or s[1:2] in (".", ")")) and _item_marker(s):
        return "item"
    return "paragraph"


def _item_marker(s: str) -> bool:
    """Does a line without its leading blanks (`s`) start as ITEM matches a line: a bullet, a
    number or a letter before "." or ")", or up to four letters or digits in brackets, then blanks
    or the end? (String tests: each regex match is a method call and a match object.)"""
    c = s[:1]
    if c in BULLETS:
        k = 1
    elif c == "(":
        k = s.find(")", 1, 6)
        if k < 2 or not (s[1:k].isascii() and s[1:k].isalnum()):
            return False
        k += 1
    elif c.isdecimal():
        k = 1
        while k < len(s) and s[k].isdecimal():
            k += 1
        if k > 9 or s[k : k + 1] not in (".", ")"):
            return False
        k += 1
    elif c.isascii() and c.isalpha() and s[1:2] in (".", ")"):
        k = 2
    else:
        return False
    rest = s[k : k + 1]
    return rest in ("", " ", "\t") or s[k:] == "\n"  # (a regex's $ matches before a last line break)


def _heading(line: str, stack: list[tuple[float, str]]) -> tuple[float, tuple[str, ...]]:
    h = atx(line)
    assert h is not None  # (the line was found to be a heading)
    level, title = h
    return level, _push(stack, level, title)


def _push(stack: list[tuple[float, str]], level: float, title: str) -> tuple[str, ...]:
    """Push a heading, and return the path of titles it ends."""
    _enter(stack, level, title)
    return tuple(t for _, t in stack)


def _enter(stack: list[tuple[float, str]], level: float, title: str) -> None:
    """Push a heading: the headings at its level or below end where it starts."""
    while stack and stack[-1][0] >= level:
        stack.pop()
    stack.append((level, title))


def split_chunk(key: str, sep: str, stack: list[tuple[float, str]], path: tuple[str, ...] | None = None) -> list[Block]:
    """The blocks of one chunk (text between blank lines); `stack` holds the headings above and is
    updated by the headings found (Markdown headings and the clause titles of sections.py).
    `path`: the stack's titles, if the caller keeps them."""
    if path is None:
        path = tuple(t for _, t in stack)
    if "\n" not in key:  # the common case: one line, one block
        kind = kind_of(key)
        if kind == "heading":
            level, path = _heading(key, stack)
            return [Block(kind, key + sep, level, path)]
        depth = (len(key) - len(key.lstrip(" \t"))) // 2 if kind == "item" else 0
        if kind in ("paragraph", "item") and may_hold(key):
            found = pseudo(key, kind, True, True, stack)
            if found is not None:
                title_level, title, only = found
                path = _push(stack, title_level, title)
                if only:
                    return [Block("heading", key + sep, title_level, path)]
        return [Block(kind, key + sep, depth, path)]
    lines = key.split("\n")
    kinds = [kind_of(line) for line in lines]  # each line's kind once: a list item's is asked twice
    last = len(lines) - 1
    blocks: list[Block] = []
    i = 0
    while i <= last:
        line = lines[i]
        kind = kinds[i]
        start = i
        i += 1
        level = 0.0
        if kind == "code":
            m = FENCE.match(line)
            assert m is not None  # (the line was found to open a code block)
            fence = m.group(1)
            while i <= last:
                i += 1
                if _closes(lines[i - 1], fence):
                    break
        elif kind == "heading":
            level, path = _heading(line, stack)
        elif kind == "paragraph" and i <= last and start == 0 and UNDERLINE.match(lines[i]):
            kind = "heading"  # setext: a one-line paragraph underlined with = or -
            level = 1 if lines[i].lstrip()[0] == "=" else 2
            path = _push(stack, level, line.strip())
            i += 1
        elif kind in ("paragraph", "item"):
            if kind == "item":
                level = (len(line) - len(line.lstrip(" \t"))) // 2
            # following lines that start no block of their own continue this one
            while i <= last and kinds[i] == "paragraph":
                i += 1
            if may_hold(line):
                found = pseudo(line, kind, i == start + 1, False, stack)
                if found is not None:
                    title_level, title, only = found
                    path = _push(stack, title_level, title)
                    if only:
                        kind, level = "heading", title_level
        raw = (line if i == start + 1 else "\n".join(lines[start:i])) + ("\n" if i <= last else sep)
        blocks.append(Block(kind, raw, level, path))
    return blocks


def headings_of(key: str, stack: list[tuple[float, str]]) -> None:
    """Push the headings of one chunk onto `stack`, as `split_chunk` would find them, without
    building blocks: an ATX line outside code, or a first line underlined by the second (a chunk
    that may hold a clause title is split: the same code finds the same titles). Cheap string
    tests first: most chunks of a document hold none."""
    if "\n" not in key:  # split_chunk's one-line case, without the block and its path
        kind = kind_of(key)
        if kind == "heading":
            h = atx(key)
            assert h is not None  # (the line was found to be a heading)
            _enter(stack, *h)
        elif kind in ("paragraph", "item") and may_hold(key):
            found = pseudo(key, kind, True, True, stack)
            if found is not None:
                _enter(stack, found[0], found[1])
        return
    if may_hold(key):
        split_chunk(key, "", stack)
        return
    if not _may_hold_markdown_heading(key):
        return
    lines = key.split("\n")
    start = 0
    if kind_of(lines[0]) == "paragraph" and UNDERLINE.match(lines[1]):
        _enter(stack, 1 if lines[1].lstrip()[0] == "=" else 2, lines[0].strip())
        start = 2
    fence = ""
    for line in lines[start:]:
        if fence:
            if _closes(line, fence):
                fence = ""
            continue
        c = line.lstrip(" ")[:1]
        if c == "#":
            h = atx(line)
            if h:
                _enter(stack, *h)
        elif c in "`~" and (m := FENCE.match(line)):
            fence = m.group(1)


def _closes(line: str, fence: str) -> bool:
    """Does this line close a code block opened with `fence`? (the same character, at least as many)"""
    s = line.strip()
    return s.startswith(fence) and not s.strip(fence[0])


def _may_hold_markdown_heading(key: str) -> bool:
    """Could this chunk of lines hold a Markdown heading? (an ATX line, or a second line that
    underlines the first) Cheap string tests: a false yes only costs splitting the chunk."""
    if "#" in key and (
        key[:4].lstrip(" ")[:1] == "#" or "\n#" in key or "\n #" in key or "\n  #" in key or "\n   #" in key
    ):
        return True
    nl = key.find("\n")
    if nl < 0 or key[nl + 1 : nl + 5].lstrip(" ")[:1] not in ("=", "-"):
        return False
    end = key.find("\n", nl + 1)
    return not key[nl + 1 : end if end >= 0 else len(key)].strip(" \t\r=-")


def _fence_merged(keys: list[str], seps: list[str]) -> tuple[list[str], list[str]]:
    """Chunks re-joined where a fenced code block spans blank lines."""
    out_k: list[str] = []
    out_s: list[str] = []
    fence = ""
    for k, s in zip(keys, seps, strict=True):
        if fence:
            out_k[-1] += out_s[-1] + k
            out_s[-1] = s
        else:
            out_k.append(k)
            out_s.append(s)
        for line in k.split("\n"):
            if not fence:
                m = FENCE.match(line)
                fence = m.group(1) if m else ""
            elif _closes(line, fence):
                fence = ""
    return out_k, out_s


class Doc:
    """A text as chunks: `keys[k]` is chunk k without its trailing blank lines, `seps[k]` those
    lines. `raw(k)` joined over all chunks gives the text back."""

    __slots__ = ("_heads", "_scanned", "_stacks", "keys", "seps", "text")

    def __init__(self, text: str, chunks: tuple[list[str], list[str]] | None = None) -> None:
        self.text = text
        if chunks is None:
            keys, seps = _ends(BLANKS.split(text))
            if keys and _has_fence(text):
                keys, seps = _fence_merged(keys, seps)
        else:
            keys, seps = chunks
        self.keys = keys
        self.seps = seps
        self._heads: list[int] = []
        self._stacks: list[list[tuple[float, str]]] = []
        self._scanned = 0

    def __len__(self) -> int:
        return len(self.keys)

    def raw(self, k: int) -> str:
        return self.keys[k] + self.seps[k]

    def _index_headings(self, upto: int) -> None:
        """Extend the index of heading chunks (and the heading stack after each) to chunk `upto`:
        the path of a block deep in an unchanged document then costs a bisect, and chunks after
        the last change are never scanned."""
        keys = self.keys
        stack = list(self._stacks[-1]) if self._stacks else []
        top = stack[-1] if stack else None
        # a C-level test first, then headings_of's own (each test in the comprehension is
        # C-level: a chunk that may hold a heading starts with a mark, a digit, a quote or a
        # keyword, or is a short all-caps line, or has lines)
        for k in [
            k
            for k in range(self._scanned, upto)
            if (
                "\n" in keys[k]
                or keys[k][:1] in TITLE_STARTS
                or (len(keys[k]) <= CAPS_CHARS and keys[k].isupper())
                or keys[k].startswith(KEYWORDS)
            )
        ]:
            headings_of(keys[k], stack)
            if (stack[-1] if stack else None) is not top:  # a heading was entered (a new tuple)
                top = stack[-1]
                self._heads.append(k)
                self._stacks.append(list(stack))
        self._scanned = upto

    def index_alike(self, other: Doc, i: int, j: int, n: int) -> None:
        """Chunks i..i+n-1 here are chunks j..j+n-1 of `other`, the same text. When both indexes
        have reached the same place in them with the same headings open, the rest of the run holds
        the same headings in both: it is scanned here and its entries copied to `other`."""
        done = self._scanned - i
        if not 0 <= done < n or other._scanned != j + done:
            return
        # after a heading that changed, each is scanned on its own until a heading closes it
        while done < n and (self._stacks[-1] if self._stacks else []) != (other._stacks[-1] if other._stacks else []):
            done += 1
            self._index_headings(i + done)
            other._index_headings(j + done)
        if done == n:
            return
        start = len(self._heads)
        self._index_headings(i + n)
        other._heads.extend(k - i + j for k in self._heads[start:])
        other._stacks.extend(self._stacks[start:])  # (never changed in place: shared)
        other._scanned = j + n

    def stack_before(self, k: int) -> list[tuple[float, str]]:
        if k > self._scanned:
            self._index_headings(k)
        n = bisect_left(self._heads, k)
        return list(self._stacks[n - 1]) if n else []

    def blocks(self, start: int, stop: int) -> list[Block]:
        """The blocks of chunks start..stop-1, with their heading paths."""
        stack = self.stack_before(start)
        path = tuple(t for _, t in stack)
        top = stack[-1] if stack else None
        out: list[Block] = []
        keys, seps = self.keys, self.seps
        # Splitting finds the headings the index would: when these chunks are the next ones to
        # index, it records them, and the next call's `stack_before` need not scan them again.
        index = start == self._scanned
        for k in range(start, stop):
            out.extend(split_chunk(keys[k], seps[k], stack, path))
            if (stack[-1] if stack else None) is not top:  # a heading was pushed (a new tuple)
                path = tuple(t for _, t in stack)
                top = stack[-1] if stack else None
                if index:
                    self._heads.append(k)
                    self._stacks.append(list(stack))
        if index:
            self._scanned = stop
        return out


def _has_fence(text: str) -> bool:
    # one-character tests first: a multi-character search is slow in non-ASCII text
    return ("`" in text and "```" in text) or ("~" in text and "~~~" in text)


def _ends(parts: list[str]) -> tuple[list[str], list[str]]:
    """Keys and separators of the parts of `BLANKS.split` that run to the end of a text."""
    keys = parts[0::2]
    seps = [*parts[1::2], ""]
    if keys[-1] == "" and len(keys) > 0:  # the text ends with blank lines (or is empty)
        keys.pop()
        seps.pop()
    if keys and keys[-1].endswith("\n"):  # a single final newline belongs with the separators
        body = keys[-1].rstrip("\n")
        seps[-1] = keys[-1][len(body) :] + seps[-1]
        keys[-1] = body
    return keys, seps


def _shared_head(a: str, b: str, window: int) -> int:
    """A length of text both strings start with (a lower bound, found a window at a time)."""
    n = min(len(a), len(b))
    lo = 0
    while lo < n and a[lo : lo + window] == b[lo : lo + window]:
        lo += window
    return min(lo, n)


def _shared_tail(a: str, b: str, limit: int, window: int) -> int:
    """A length of text both strings end with, at most `limit` (a lower bound)."""
    la, lb = len(a), len(b)
    lo = 0
    while lo + window <= limit and a[la - lo - window : la - lo] == b[lb - lo - window : lb - lo]:
        lo += window
    return lo


def doc_pair(old: str, new: str, window: int = SHARE_WINDOW) -> tuple[Doc, Doc]:
    """Two versions as Docs. The text they share at the start and at the end is split into
    chunks once, for both; the same chunks are also the same objects, which the spine's diff
    compares by identity first. `window`: characters compared at a time to find that text."""
    head = _shared_head(old, new, window)
    tail = _shared_tail(old, new, min(len(old), len(new)) - head, window)
    if head + tail < 2 * window or _has_fence(old) or _has_fence(new):
        return Doc(old), Doc(new)
    # the shared head: whole chunks up to a separator that is followed by a line with text
    # inside the head (so it ends at the same place in both versions)
    parts = BLANKS.split(old[:head])
    if not parts[-1].strip(BLANK_CHARS):
        parts = parts[:-2]
    parts = parts[:-1]  # the last, partial chunk
    hk, hs = parts[0::2], parts[1::2]
    cut = sum(map(len, parts))
    # the shared tail: the chunks after its first separator (that chunk starts at the same place
    # in both versions, wherever the separator began)
    parts = BLANKS.split(old[len(old) - tail :]) if tail else [""]
    tk: list[str]
    ts: list[str]
    if len(parts) < 3:
        tk, ts, tail_len = [], [], 0
    else:
        tk, ts = _ends(parts[2:])
        tail_len = sum(map(len, parts[2:]))
    docs = []
    for text in (old, new):
        end = len(text) - tail_len
        middle = BLANKS.split(text[cut:end])
        if tail_len:
            # the middle ends right after a separator: its last part is empty
            mk, ms = middle[0:-1:2], middle[1::2]
        else:
            mk, ms = _ends(middle)
        docs.append(Doc(text, (hk + mk + tk, hs + ms + ts)))
    first, second = docs
    if hk:  # the headings of the shared head are found once, for both
        first._index_headings(len(hk))
        second._heads, second._stacks = list(first._heads), list(first._stacks)
        second._scanned = first._scanned
    return first, second


def split_blocks(text: str) -> list[Block]:
    """All blocks of a text, in order."""
    doc = Doc(text)
    stack: list[tuple[float, str]] = []
    out: list[Block] = []
    for k in range(len(doc)):
        out.extend(split_chunk(doc.keys[k], doc.seps[k], stack))
    return out
