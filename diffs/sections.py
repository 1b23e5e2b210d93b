"""Section titles whatever the markup: besides Markdown headings, bold or numbered clause titles
(`**1. Enrolment**`, `F.7.3 …`, `Section 4 –`, `Article 12`), all-caps title lines and defined terms,
each with a level that nests it by its numbering (`pseudo`).

Levels: Markdown headings keep 1-6. An unnumbered bold or all-caps title is a part (PART); a
title numbered n.m… sits at PART + its depth ("8." 8, "6.1" 9, "F.7.3" 9). A numbered list item
with a bold title is a clause of the part or numbered title above it (that level + ITEM); a
defined term (`"Seller" means …`) is a clause of whatever holds it (+ DEFINITION). A heading ends
where one of its level or above starts, so "7." closes "6.1" and "Artikel 2" closes its items.
"""

from __future__ import annotations

import re
from functools import lru_cache

PART = 7  # below every Markdown heading (levels 1-6)
ITEM = 0.5  # a numbered list item's title: a clause of the heading that holds the list
DEFINITION = 0.01  # a defined term: a clause of whatever holds it (never of another term)
MAX_TITLE_WORDS = 14  # a bold line of more words is emphasis, not a title
MAX_CAPS_WORDS = 10
MAX_LEAD_WORDS = 7  # "6.1 Your indemnification obligations. You will …": the first sentence names it

KEYWORDS = (
    "Section ", "Article ", "Artikel ", "Articolo ", "Artículo ", "Art. ", "Clause ", "Chapter ", "Schedule ",
    "Annex ", "Appendix ", "Abschnitt ", "Chapitre ", "SECTION ", "ARTICLE ", "ARTIKEL ", "§",
)  # fmt: skip
# A section number: an optional letter prefix ("S-", "F."), numbers joined by dots (parts after
# the first of at most two digits: "1.000" is an amount), an optional letter ("3a"), a closing dot
NUMBER = re.compile(r"(?:[A-Z]{1,2}[-.] ?)?(\d{1,3}(?:\.\d{1,2})*)([a-z])?\.?(?=[\s):]|$)")
LETTER = re.compile(r"\(?(?:[a-z]|[ivx]{1,4})[.)](?=\s|$)")  # "a.", "(b)", "iv."
ITEM_NUMBER = re.compile(r"(\d{1,3})[.)][ \t]+")
KEYWORD_NUMBER = re.compile(r"(?:§\s*|[A-Za-zÀ-ÿ.]+\s+)(\d{1,3}(?:\.\d{1,2})*)([a-z])?\b")
DEFINING = re.compile(
    r"\s*[,:]?\s*(?:means|shall mean|has the meaning|shall have the meaning|refers to|is defined as|bezeichnet|"
    r"bedeutet|désigne|signifie|significa|betekent|indica)\b"
)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
BOLD = re.compile(r"\*\*([^*]+)\*\*")
SENTENCE = re.compile(r"[.:;]\s|[.:;]$| [–-] ")
ESCAPE = re.compile(r"\\(?=[^\w\s])")
# Lines that may hold a section title: what `pseudo` can accept starts with one of these (an
# all-caps title is only looked for in a chunk of one line). Matched at the start of a chunk, and
# searched for after each line break: a search that starts with a character jumps from one to
# the next, where a search for "^" in multi-line mode tries every position of a long list
_TITLE_START = (
    r"[ \t]*(?:\*\*|\d|[\"\u201c]|§|(?:Section|Article|Artikel|Articolo|Artículo|Art\.|Clause|Chapter|"
    r"Schedule|Annex|Appendix|Abschnitt|Chapitre|SECTION|ARTICLE|ARTIKEL) )"
)
MAY_START = re.compile(_TITLE_START)
MAY_START_LINE = re.compile("\n" + _TITLE_START)
QUOTES = '"\u201c'
CAPS_CHARS = 120  # an all-caps title is at most this long
# what a one-line chunk that may hold a title starts with (see may_hold), keywords aside
TITLE_STARTS = frozenset(' \t*#"\u201c\u00a70123456789')


def may_hold(key: str) -> bool:
    """Could `pseudo` find a title in this chunk? (cheap tests; a false yes costs a split)"""
    s = key.lstrip(" \t")
    c = s[:1]
    if "\n" not in key:
        return (
            # a bulleted item ("* …") holds no title: only bold or, alone, all caps ("*NOTE*")
            (c == "*" and (s[1:2] == "*" or s.isupper()))
            or c.isdigit()
            or (c != "" and c in QUOTES)
            or s.startswith(KEYWORDS)
            or (len(s) <= CAPS_CHARS and s.isupper())
        )
    return MAY_START.match(key) is not None or MAY_START_LINE.search(key) is not None


def _depth(title: str) -> int | None:
    """How deep a title's own section number is ("8." 1, "6.1" 2, "S-1.1" 2, "3a." 2, "a." 2),
    or None when it starts with none."""
    m = NUMBER.match(title)
    if m:
        return m.group(1).count(".") + 1 + (1 if m.group(2) else 0)
    if LETTER.match(title):
        return 2
    return None


@lru_cache(maxsize=4096)
def _numbers(title: str) -> tuple[int, ...] | None:
    """A title's own section number as numbers ("**14\\. AUTRES**" (14,), "6.1 Fees" (6, 1)).
    Kept for the titles seen last: each numbered clause compares its number with those of the
    Markdown headings above it, the same few titles over and over."""
    m = NUMBER.match(_unescaped(title).lstrip("*_# \t"))
    return tuple(map(int, m.group(1).split("."))) if m and not m.group(2) else None


def _level(title: str, depth: int, stack: list[tuple[float, str]]) -> float:
    """A numbered title's level: PART + its depth, or that of a Markdown heading above it numbered
    just before it at the same depth ("15." after a setext heading "14. AUTRES INFORMATIONS":
    siblings, whatever the markup of each)."""
    mine = _numbers(title)
    if mine is not None:
        for level, above in reversed(stack):
            if level <= 6:
                theirs = _numbers(above)
                if theirs and len(theirs) == len(mine) and theirs[:-1] == mine[:-1] and theirs[-1] < mine[-1]:
                    return level
    return PART + depth


def _enclosing(stack: list[tuple[float, str]], deepest: float, clauses: bool) -> float:
    """The level of the nearest heading not deeper than `deepest` that is not a defined term,
    nor (unless `clauses`) the title of a list item or a subtitle."""
    for level, _ in reversed(stack):
        if level <= deepest and (level == int(level) or (clauses and round(level * 100) % 50 != 1)):
            return level
    return 0.0


def _unescaped(text: str) -> str:
    """Markdown escapes dropped (a substitution only where a backslash is: most titles hold none)."""
    return ESCAPE.sub("", text) if "\\" in text else text


def _words(text: str) -> int:
    return text.count(" ") + 1 if text else 0


def _lead(text: str) -> str:
    """The first sentence of a clause when it is short enough to be its title, else ""."""
    m = SENTENCE.search(text, 0, 120)
    if m is None:
        return ""
    head = text[: m.start()].strip(" *")
    if not head or _words(head) > MAX_LEAD_WORDS:
        return ""
    # a short phrase, or one in title case: "Process", "Your indemnification obligations",
    # "Identification and Compliance Requirements"; not a sentence ("We may dispose of any Unit")
    longer = [w for w in head.split() if len(w) >= 4]
    return head if _words(head) <= 4 or all(w[:1].isupper() for w in longer) else ""


def _titled(text: str) -> bool:
    """Does an unnumbered line read as a title rather than a sentence in bold? Not when it leads
    into what follows with a lower-case word ("You agree to:"), nor when it is long and most of
    its longer words are lower case."""
    words = text.rstrip(".:").split()
    if text.endswith(":") and words and words[-1][:1].islower():
        return False
    if len(words) >= 6:
        longer = [w for w in words if len(w) >= 4]
        return 2 * sum(1 for w in longer if w[:1].isupper()) >= len(longer)
    return True


def _title_only(inner: str, marker: str, stack: list[tuple[float, str]]) -> tuple[float, str, bool] | None:
    """A line that is all title: bold, all caps, or a short numbered line."""
    bare = " ".join(_unescaped(inner).split()).strip()
    # (most titles start with a letter: the generator only for those that do not)
    if not bare or not (bare[0].isalpha() or any(ch.isalpha() for ch in bare)) or _words(bare) > MAX_TITLE_WORDS:
        return None
    depth = _depth(bare)
    if depth is None and YEAR.search(bare):
        return None  # "Effective 6 February 2025", "Versie van 1 juli 2023": a date line
    if depth is None and not marker and not _titled(bare):
        return None  # "**You agree to:**", "**Tinder owns or licenses all other content …**": emphasis
    title = f"{marker} {bare}" if marker else bare
    if marker:
        return max(_enclosing(stack, PART + 1, False), PART) + ITEM, title, True
    if depth is not None:
        return _level(bare, depth, stack), title, True
    if bare[-1] in ".:" and stack and stack[-1][0] >= PART:
        return max(_enclosing(stack, 99, False), PART) + ITEM, title, True  # a subtitle inside a clause
    return float(PART), title, True


def _definition(s: str, stack: list[tuple[float, str]]) -> tuple[float, str, bool] | None:
    """`"Seller" means …`, `**"Seller"** means …`: the term names its clause."""
    body = s[2:] if s.startswith("**") else s
    if body[:1] not in QUOTES:
        return None
    close = body.find('"' if body[0] == '"' else "\u201d", 1, 80)
    if close < 2:
        return None
    rest = body[close + 1 :].lstrip("*")
    if not DEFINING.match(rest):
        return None
    return _enclosing(stack, 99, True) + DEFINITION, body[1:close].strip("* "), False


def pseudo(
    line: str, kind: str, whole: bool, alone: bool, stack: list[tuple[float, str]]
) -> tuple[float, str, bool] | None:
    """(level, raw title, title only) when a block's first line opens a section, else None.
    `kind`: the block's (paragraph or item); `whole`: the line is the whole block (only then can
    it be all title); `alone`: it is the whole chunk (only then can an unnumbered all-caps line be
    a title); `stack`: the headings open above it. A title-only line is a heading; a clause that
    starts with its number or its term opens a section and belongs to it."""
    s = line.strip()
    marker = ""
    if kind == "item":
        m = ITEM_NUMBER.match(s)
        if m is None:
            return None  # bulleted lists hold no sections
        marker = m.group(1) + "."
        s = s[m.end() :]
    c = s[:1]
    if c == "*" and s.startswith("**"):
        if s[2:3] and s[2:3] in QUOTES and not marker:
            return _definition(s, stack)
        end = s.find("**", 2)
        if end < 3:
            return None
        inner, rest = s[2:end], s[end + 2 :].strip()
        if "**" in rest and not BOLD.sub("", rest).strip(" .:"):  # "**FEES** **AND** **PAYMENT.**"
            inner, rest = " ".join(BOLD.findall(s)), ""
        if not rest.strip(" .:*"):
            return _title_only(inner, marker, stack) if whole else None
        bare = " ".join(_unescaped(inner).split()).strip(" .:")
        if marker:  # "2. **Ratings**. Merchant acknowledges …"
            if not bare or _words(bare) > MAX_TITLE_WORDS:
                return None
            return max(_enclosing(stack, PART + 1, False), PART) + ITEM, f"{marker} {bare}", False
        depth = _depth(bare)
        if depth is None:
            return None  # "**Note:** …": emphasis, not a clause title
        if NUMBER.fullmatch(bare + ".") or NUMBER.fullmatch(bare):  # "**F.7.3** We may …"
            nxt = rest[2 : rest.find("**", 2)] if rest.startswith("**") and rest.find("**", 2) > 2 else _lead(rest)
            bare = f"{bare} {nxt.strip(' .:')}".strip()
        return _level(bare, depth, stack), bare, False
    if marker:
        if whole and len(s) <= CAPS_CHARS and s.isupper() and _words(s) <= MAX_CAPS_WORDS:
            return _title_only(s, marker, stack)  # "14. AUTRES INFORMATIONS"
        return None
    if c.isdigit():
        m = NUMBER.match(s)
        if m is None or "." not in m.group(0).rstrip("."):
            return None  # a bare number ("30 days after …") is no section number
        number, rest = m.group(0).rstrip("."), s[m.end() :].strip()
        depth = m.group(1).count(".") + 1 + (1 if m.group(2) else 0)
        if whole and rest and rest[-1] not in ".;," and _words(rest) <= MAX_LEAD_WORDS:
            return _level(number, depth, stack), f"{number} {rest}", True  # "2.3 Authorized Recipients"
        lead = _lead(rest)
        return _level(number, depth, stack), f"{number} {lead}".strip(), False
    if c and c in QUOTES:
        return _definition(s, stack)
    if s.startswith(KEYWORDS):
        m = KEYWORD_NUMBER.match(s)
        if m is None:
            return None
        depth = m.group(1).count(".") + 1 + (1 if m.group(2) else 0)
        if whole and _words(s) <= MAX_TITLE_WORDS and s[-1] not in ".;,":
            return PART + depth, s, True  # "Artikel 1 - Definities", "Section 4 – Payments"
        after = s[m.end() : m.end() + 2].lstrip(" ")
        if after[:1] not in (".", ":", "-", "\u2013", "\u2014", ")", ""):
            return None  # "Section 20.3 does not apply …": a reference, not a title
        rest = s[m.end() :].strip(" .:–-")
        lead = _lead(rest + " ") if rest else ""
        return PART + depth, f"{m.group(0)} {lead}".strip(), False
    if alone and len(s) <= CAPS_CHARS and s.isupper() and _words(s) <= MAX_CAPS_WORDS:
        return _title_only(s, "", stack)  # "PAYPAL USER AGREEMENT"
    return None
