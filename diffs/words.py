"""Word-level diff with diff-match-patch: each token (word, space run, punctuation mark) becomes
one character, the C++ diff-match-patch diffs those with no time limit, and its semantic cleanup
merges the edits into readable runs. Joining the pieces gives both texts back exactly."""

from __future__ import annotations

import re

import fast_diff_match_patch as fdmp

TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

EQUAL, DELETE, INSERT = "=", "-", "+"
Piece = tuple[str, str]  # (op, text)


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text)


def _encode(tokens: list[str], table: dict[str, str]) -> str:
    out = []
    for tok in tokens:
        ch = table.get(tok)
        if ch is None:
            code = len(table) + 0x100
            if code >= 0xD800:  # skip the surrogate range, which is not a character
                code += 0x800
            ch = table[tok] = chr(code)
        out.append(ch)
    return "".join(out)


def diff_tokens(old: list[str], new: list[str]) -> list[tuple[str, list[str]]]:
    """Token runs: [(op, tokens)], with semantic cleanup at token granularity."""
    table: dict[str, str] = {}
    a, b = _encode(old, table), _encode(new, table)
    out: list[tuple[str, list[str]]] = []
    ia = ib = 0
    for op, n in fdmp.diff(a, b, timelimit=0, cleanup="Semantic", counts_only=True):
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


def diff_words(old: str, new: str) -> list[Piece]:
    """[(op, text)] pieces: '=' both, '-' old only, '+' new only."""
    if old == new:
        return [(EQUAL, old)] if old else []
    pieces: list[Piece] = []
    for op, toks in diff_tokens(tokenize(old), tokenize(new)):
        text = "".join(toks)
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        elif text:
            pieces.append((op, text))
    return pieces


def side(pieces: list[Piece], which: str) -> str:
    """The old ('-') or new ('+') text a list of pieces stands for."""
    return "".join(t for op, t in pieces if op in (EQUAL, which))


def word_count(text: str) -> int:
    return sum(1 for t in TOKEN.findall(text) if t[0].isalnum() or t[0] == "_")
