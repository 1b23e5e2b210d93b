"""Word-level diff with diff-match-patch: each token (word, space run, punctuation mark) becomes one
character, the C++ diff-match-patch diffs those with no time limit, and its semantic cleanup merges
the edits into readable runs. Joining the pieces gives both texts back exactly.

Tokens are encoded by class (words as letters, spaces as spaces, newlines as newlines, punctuation as
private-use characters), so the cleanup's preference for edits that end on word and line
boundaries means the same thing at token level as it does at character level.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import chain, islice

import fast_diff_match_patch as fdmp

TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

EQUAL, DELETE, INSERT = "=", "-", "+"
Piece = tuple[str, str]  # (op, text)

# Code points by class. Python's and the C++ library's cleanups both read these classes.
_LETTERS = (range(0x4E00, 0xA000), range(0xAC00, 0xD7A4), range(0x20000, 0x2A6E0), range(0x30000, 0x3134B))
_PUNCT = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))
_SPACES = " \t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_BREAKS = "\n\r"
_ANY = (range(0x100, 0xD800), range(0xE000, 0x110000))


def _letters():
    return map(chr, chain(*_LETTERS, *_ANY))


_codes = [""]  # the first code points of `_letters()` as one string, grown on demand


def _letter_string(n: int) -> str:
    """At least n codes as one string (made once and grown by doubling, not per comparison)."""
    if len(_codes[0]) < n:
        size = max(1024, 1 << (n - 1).bit_length())
        _codes[0] = "".join(islice(_letters(), size))
    return _codes[0]


def encode(a: list[str], b: list[str]) -> tuple[str, str]:
    """Two token lists as two strings, one character per distinct token, any token allowed.
    All codes are letters: right for lists of words, where there are no boundaries to prefer."""
    table: dict[str, str] = {}
    letters = _letter_string(len(a) + len(b))
    return _coded(a, table, letters), _coded(b, table, letters)


# Codes that are letters for the cleanup: CJK ideographs, Hangul syllables and the two
# supplementary ideograph planes, before `_letters()` goes on to other classes.
LETTER_CODES = sum(len(r) for r in _LETTERS)


class Codes:
    """One letter per distinct word, shared by all the word lists of one comparison: after the
    first few blocks most words already have their code, and encoding a list is one lookup per
    word. Which letter a word gets does not matter: only equality and class do."""

    __slots__ = ("table",)

    def __init__(self) -> None:
        self.table: dict[str, str] = {}

    def encode(self, a: list[str], b: list[str]) -> tuple[str, str]:
        table = self.table
        if len(table) + len(a) + len(b) > LETTER_CODES:
            new = set(a).union(b).difference(table)
            if len(table) + len(new) > LETTER_CODES:  # a vocabulary beyond the letters
                return encode(a, b)  # (codes of their own)
        # a word seen for the first time gets the next letter as the list is encoded
        letters = _letter_string(len(table) + len(a) + len(b))
        return _coded(a, table, letters), _coded(b, table, letters)


def _coded(words: list[str], table: dict[str, str], letters: str) -> str:
    """The codes of a list of words, new words getting the next of `letters`."""
    out = []
    for w in words:
        c = table.get(w)
        if c is None:
            c = table[w] = letters[len(table)]
        out.append(c)
    return "".join(out)


def encode_by_class(a: list[str], b: list[str]) -> tuple[str, str]:
    """Like `encode`, but spaces, line breaks and punctuation get characters of their own class."""
    letters = _letters()
    punct = map(chr, chain(*_PUNCT))
    spaces = iter(_SPACES)
    breaks = iter(_BREAKS)
    table: dict[str, str] = {}
    for tok in dict.fromkeys(chain(a, b)):
        c = tok[0]
        if c.isalnum() or c == "_":
            table[tok] = next(letters)
        elif c.isspace():
            pool = breaks if "\n" in tok else spaces
            table[tok] = next(pool, None) or next(punct)
        else:
            table[tok] = next(punct)
    get = table.__getitem__
    return "".join(map(get, a)), "".join(map(get, b))


def diff_codes(a: str, b: str, semantic: bool = True) -> list[tuple[str, int]]:
    """(op, length) runs of the C++ diff-match-patch: no time limit, so the result never depends
    on the machine's speed."""
    # line mode is a speed-up heuristic that can change the result; lines mean nothing here
    # positional arguments: timelimit, checklines, cleanup, counts_only (keywords cost a lookup each)
    return fdmp.diff(a, b, 0, False, "Semantic" if semantic else "No", True)


def diff_lists(a: list[str], b: list[str]) -> list[tuple[str, int]]:
    """(op, length) runs of a diff of two lists without semantic cleanup. The common head and
    tail are set aside (as diff-match-patch would), then the items found on one side only: they
    can never be equal, so a document with a thousand edited paragraphs is diffed as the few
    hundred that both versions share. Any longest common subsequence of the shared items is one
    of the whole lists."""
    head = common_head(a, b)
    tail = common_tail(a, b, min(len(a), len(b)) - head)
    out: list[tuple[str, int]] = [(EQUAL, head)] if head else []

    def emit(op: str, n: int) -> None:
        if n:
            if out and out[-1][0] == op:
                out[-1] = (op, out[-1][1] + n)
            else:
                out.append((op, n))

    for op, n in _diff_shared(a[head : len(a) - tail], b[head : len(b) - tail]):
        emit(op, n)
    emit(EQUAL, tail)
    return out


def _diff_shared(a: list[str], b: list[str]) -> list[tuple[str, int]]:
    """diff_lists of two lists with no common head or tail: items on one side only set aside."""
    shared = set(a).intersection(b)
    if not shared:
        return [(DELETE, len(a)), (INSERT, len(b))]
    # positions of the shared items
    ia = [i for i, x in enumerate(a) if x in shared]
    ib = [i for i, x in enumerate(b) if x in shared]
    if len(ia) == len(a) and len(ib) == len(b):
        return diff_codes(*encode(a, b), semantic=False)
    ca, cb = encode([a[i] for i in ia], [b[i] for i in ib])
    out: list[tuple[str, int]] = []
    i = j = 0  # positions in a and b reached so far
    x = y = 0  # positions in ia and ib
    for op, n in diff_codes(ca, cb, semantic=False):
        if op == DELETE:
            x += n
        elif op == INSERT:
            y += n
        else:
            end = x + n
            while x < end:
                # the longest stretch from here that is unbroken on both sides (indices only grow,
                # so a stretch is unbroken when its ends are as far apart as its length)
                m = end - x
                while ia[x + m - 1] - ia[x] != m - 1 or ib[y + m - 1] - ib[y] != m - 1:
                    m = max(1, m // 2) if m > 8 else m - 1
                out += [(DELETE, ia[x] - i), (INSERT, ib[y] - j), (EQUAL, m)]
                i, j = ia[x] + m, ib[y] + m
                x += m
                y += m
    out += [(DELETE, len(a) - i), (INSERT, len(b) - j)]
    return out


def _longest(n: int, same: Callable[[int], bool]) -> int:
    """The largest k ≤ n for which same(k) holds, same(0) holding and same being true up to a
    point and false after it: bisection, each step one C-level comparison of slices."""
    if same(n):
        return n
    lo, hi = 0, n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if same(mid):
            lo = mid
        else:
            hi = mid
    return lo


# common_head and common_tail go item by item: a loop of comparisons is faster than bisecting
# over slices, which copy the lists and call back into a closure.
def common_head(a: list[str], b: list[str]) -> int:
    """Length of the common prefix of two lists."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def common_tail(a: list[str], b: list[str], limit: int) -> int:
    """Length of the common suffix of two lists, at most `limit`."""
    la, lb = len(a) - 1, len(b) - 1
    i = 0
    while i < limit and a[la - i] == b[lb - i]:
        i += 1
    return i


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text)


def diff_tokens(old: list[str], new: list[str], semantic: bool = True) -> list[tuple[str, list[str]]]:
    """Token runs [(op, tokens)], with semantic cleanup at token granularity."""
    a, b = encode_by_class(old, new)
    out: list[tuple[str, list[str]]] = []
    ia = ib = 0
    for op, n in diff_codes(a, b, semantic):
        if op == EQUAL:
            out.append((op, old[ia : ia + n]))
            ia += n
            ib += n
        elif op == DELETE:
            out.append((op, old[ia : ia + n]))
            ia += n
        else:
            out.append((op, new[ib : ib + n]))
            ib += n
    return out


# ASCII texts are compared a window at a time (C-level), and only the window that differs is
# converted to numbers (per byte): the first window is short, as two keys that differ most often
# differ near their start, and each next one twice as long, up to the largest.
FIRST_WINDOW = 32
XOR_WINDOW = 1024


def common_prefix(a: str, b: str) -> int:
    """Length of the common prefix (bisection over C-level slice comparisons)."""
    n = min(len(a), len(b))
    if a.isascii() and b.isascii():
        # read as two numbers, the highest bit of their XOR is in the first differing character
        i = 0
        w = FIRST_WINDOW
        while n - i > w and a[i : i + w] == b[i : i + w]:
            i += w
            w = min(2 * w, XOR_WINDOW)
        n = min(n, i + w)
        x = int.from_bytes(a[i:n].encode(), "big") ^ int.from_bytes(b[i:n].encode(), "big")
        return n - (x.bit_length() + 7) // 8
    return _longest(n, lambda k: a[:k] == b[:k])


def common_suffix(a: str, b: str) -> int:
    """Length of the common suffix (as `common_prefix`, from the end)."""
    n = min(len(a), len(b))
    if a.isascii() and b.isascii():
        la, lb = len(a), len(b)
        i = 0
        w = FIRST_WINDOW
        while n - i > w and a[la - i - w : la - i] == b[lb - i - w : lb - i]:
            i += w
            w = min(2 * w, XOR_WINDOW)
        n = min(n, i + w)
        x = int.from_bytes(a[la - n : la - i].encode(), "little") ^ int.from_bytes(
            b[lb - n : lb - i].encode(), "little"
        )
        return n - (x.bit_length() + 7) // 8
    la, lb = len(a), len(b)
    return _longest(n, lambda k: a[la - k :] == b[lb - k :])


def _back_to_space(text: str, i: int) -> int:
    """The nearest index at or before i that starts a token after white space (or 0)."""
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


def diff_words(old: str, new: str) -> list[Piece]:
    """[(op, text)] pieces: '=' both, '-' old only, '+' new only. The common head and tail are cut
    at white space before tokenising, so a one-word edit in a long paragraph stays cheap."""
    if old == new:
        return [(EQUAL, old)] if old else []
    p = _back_to_space(old, common_prefix(old, new))
    s = common_suffix(old[p:], new[p:])
    # cut the tail at white space too, counted from the end of both texts
    while s > 0 and not old[len(old) - s].isspace():
        s -= 1
    head, tail = old[:p], old[len(old) - s :]
    pieces: list[Piece] = [(EQUAL, head)] if head else []
    for op, toks in diff_tokens(tokenize(old[p : len(old) - s]), tokenize(new[p : len(new) - s])):
        text = "".join(toks)
        if not text:
            continue
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        else:
            pieces.append((op, text))
    if tail:
        if pieces and pieces[-1][0] == EQUAL:
            pieces[-1] = (EQUAL, pieces[-1][1] + tail)
        else:
            pieces.append((EQUAL, tail))
    return pieces


def side(pieces: list[Piece], which: str) -> str:
    """The old ('-') or new ('+') text a list of pieces stands for."""
    return "".join(t for op, t in pieces if op in (EQUAL, which))
