"""Significance of a change: cosmetic < minor < substantive.

cosmetic     no wording changed: whitespace, invisible characters, quotes and dashes, markup, case,
             punctuation, link targets, a character lost to a wrong encoding ("ë" → "?")
minor        renumbering and cross-references, "last updated"/effective dates, copyright years,
             spelling fixes
substantive  anything else that changes wording. A one-letter edit that flips meaning ("may" →
             "must", an added "not", a digit of an amount) always is: only the narrow rules below
             make an edit minor, and none of them accepts a meaning word or an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import clean, link_targets, normalize, split_words, unlink, word_spans, words
from .words import EQUAL, Codes, common_head, common_prefix, common_suffix, common_tail, diff_codes, encode

ORDER = {"cosmetic": 0, "minor": 1, "substantive": 2}


def _set(text: str) -> frozenset[str]:
    """A set of words written as one string, one space between them."""
    return frozenset(text.split(" "))


# Words whose change flips meaning; they are never a spelling fix.
MEANING = _set(
    "not no never nor none neither without unless except only may must shall should will would can cannot "
    "could might all any each every some more less fewer most least before after within prior later earlier "
    "first last and or if required optional allowed prohibited permitted forbidden increase decrease minimum "
    "maximum above below over under including excluding include exclude won't can't don't doesn't isn't "
    "aren't shan't mustn't wouldn't shouldn't couldn't ne pas non sans doit peut niet geen moet mag kan "
    "nicht kein keine muss darf"
)
XREF = _set(
    "section sections clause clauses paragraph paragraphs article articles part parts schedule schedules "
    "appendix exhibit annex subsection item items point points § artikel article chapitre"
)
MONTHS = _set(
    "january february march april may june july august september october november december jan feb mar apr "
    "jun jul aug sep sept oct nov dec janvier février fevrier mars avril mai juin juillet août aout septembre "
    "octobre novembre décembre decembre januari februari maart mei augustus oktober januar februar märz "
    "maerz juni juli dezember"
)
DATE_CONTEXT = re.compile(
    r"last\s+(?:updated|modified|revised|changed|amended)|updated|effective|revised|amended|version|dated|"
    r"as\s+of|copyright|©|\(c\)|mis[e]?\s+à\s+jour|en\s+vigueur|bijgewerkt|gewijzigd|geldig|ingang|"
    r"aktualisiert|gültig|stand|fassung",
    re.I,
)
ENUM_TOKEN = re.compile(r"\d{1,3}(?:\.\d{1,3})*|[a-z]|[ivxlc]{1,6}")
ENUM_START = re.compile(r"^(?:\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxlcIVXLC]{1,6})[.)]|\d{1,3}(?:\.\d{1,3})+\s|§)")
DAY = re.compile(r"\d{1,2}(?:st|nd|rd|th|er|e)?")
YEAR = re.compile(r"(?:19|20)\d\d")
BAD_CHARS = "?\ufffd"
# What a lost character may have been: anything non-ASCII, or the plain quote or dash that
# `clean` made of a typographic one ("’" → "'").
FOLD = re.compile(r"[^\x00-\x7f]|[?'\"-]")
UK_US = (("isation", "ization"), ("ise", "ize"), ("yse", "yze"), ("our", "or"), ("tre", "ter"), ("ence", "ense"))


def worst(levels) -> str:
    return max(levels, key=ORDER.__getitem__, default="cosmetic")


@dataclass(slots=True)
class Run:
    """One edit between the word lists of two normalised keys: token index ranges."""

    i0: int
    i1: int
    j0: int
    j1: int
    reason: str = "wording"


class Assessment:
    """What one block's change amounts to, with the word-level edits it was judged by.

    Only the differing middle of the two keys is tokenised: `offset` is where it starts in both
    keys, `old_mid`/`new_mid` are the middles, `old_words`/`new_words` their case-folded words,
    `before` the words just before them, and runs index into the middle's words."""

    __slots__ = (
        "_before",
        "_spans",
        "new_key",
        "new_mid",
        "new_words",
        "offset",
        "old_key",
        "old_mid",
        "old_words",
        "reasons",
        "runs",
        "significance",
        "spaced",
        "words_added",
        "words_removed",
    )

    def __init__(
        self,
        significance: str,
        reasons: list[str],
        old_key: str = "",
        new_key: str = "",
        offset: int = 0,
        old_mid: str = "",
        new_mid: str = "",
        old_words: list[str] | None = None,
        new_words: list[str] | None = None,
        spaced: tuple[str | None, str | None] = (None, None),
    ) -> None:
        self.significance = significance
        self.reasons = reasons
        self.old_key, self.new_key, self.offset = old_key, new_key, offset
        self.old_mid, self.new_mid = old_mid, new_mid
        self.old_words = old_words if old_words is not None else []
        self.new_words = new_words if new_words is not None else []
        # the texts the middles' words were split from, each word at its place (`split_words`)
        self.spaced = spaced
        self.runs: list[Run] = []
        self.words_added = self.words_removed = 0
        self._before: list[str] | None = None
        self._spans: dict = {}

    def __repr__(self) -> str:
        return f"Assessment({self.significance!r}, {self.reasons!r})"

    def kept(self) -> int:
        """Characters of the old key the edits leave in place: the common head and tail, and the
        words of the middle outside every run."""
        ow = self.old_words
        kept = len(self.old_key) - len(self.old_mid)
        for w in ow:
            kept += len(w)
        for r in self.runs:
            for k in range(r.i0, r.i1):
                kept -= len(ow[k])
        return kept

    @property
    def before(self) -> list[str]:
        """Up to twelve words before the middle (computed when a rule asks for them)."""
        if self._before is None:
            p, ko = self.offset, self.old_key
            head = words(ko[max(0, p - 100) : p]) if p else []
            # a word cut by the window's start is not a word
            self._before = (head[1:] if p > 100 and ko[p - 101].isalnum() else head)[-12:]
        return self._before

    def spans(self, side: str) -> list[tuple[int, int]] | None:
        """Character spans (in the middle) of the old ('-') or new ('+') middle's words."""
        if side not in self._spans:
            mid, tokens = (self.old_mid, self.old_words) if side == "-" else (self.new_mid, self.new_words)
            self._spans[side] = word_spans(mid, tokens)
        return self._spans[side]

    def region(self, side: str, run: Run) -> tuple[int, int] | None:
        """Where a run lies in the old ('-') or new ('+') key, or None."""
        if side == "-":
            mid, tokens, spaced, i0, i1 = self.old_mid, self.old_words, self.spaced[0], run.i0, run.i1
        else:
            mid, tokens, spaced, i0, i1 = self.new_mid, self.new_words, self.spaced[1], run.j0, run.j1
        if spaced is None:
            sp = self.spans(side)
            if sp is None:
                return None
            start, end = run_region(sp, i0, i1, len(mid))
        else:
            # the words are the runs of non-spaces of `spaced`: the ends of the word before the run
            # and of the word after it are all that is needed, not the spans of every word
            start = _word_start(spaced, i0 - 1) + len(tokens[i0 - 1]) if i0 > 0 else 0
            end = _word_start(spaced, i1) if i1 < len(tokens) else len(mid)
        return self.offset + start, self.offset + end


def _word_start(spaced: str, k: int) -> int:
    """Where the k-th word of a text of words and spaces starts: what is left once k words are split
    off (C-level) starts there."""
    return len(spaced) - len(spaced.split(None, k)[-1])


def cosmetic_kinds(old: str, new: str) -> list[str]:
    """What kind of cosmetic difference two texts with equal normalised keys have."""
    if old == new:
        return []
    # Two texts are equal squashed when they split into the same words (squash(text) is
    # " ".join(text.split())): compared as lists, not joined into new strings first.
    if old.split() == new.split():
        return ["whitespace"]
    # only the differing middle, widened to white space: a changed link target is seen with its
    # link, a changed character with its word
    p, s = _middle(old, new)
    old, new = old[p : len(old) - s], new[p : len(new) - s]
    co, cn = clean(old), clean(new)
    if co.split() == cn.split():
        return ["characters"]
    kinds = []
    if link_targets(co) != link_targets(cn):
        kinds.append("link targets")
    uo, un = unlink(co), unlink(cn)
    if uo.split() != un.split():
        kinds.append("formatting")
    elif unlink(old).split() != unlink(new).split():
        kinds.append("characters")
    return kinds or ["formatting"]


def _one_edit(a: str, b: str) -> tuple[str, int] | None:
    """('substitute'|'transpose'|'indel', position) when a and b are one edit apart."""
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        if len(diff) == 1:
            return "substitute", diff[0]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return "transpose", diff[0]
        return None
    if abs(len(a) - len(b)) != 1:
        return None
    long, short = (a, b) if len(a) > len(b) else (b, a)
    k = next((k for k in range(len(short)) if long[k] != short[k]), len(short))
    return ("indel", k) if long[k + 1 :] == short[k:] else None


def is_spelling_fix(a: str, b: str) -> bool:
    """A typo or a British/American variant of one word, never an inflection or a negation:
    edits at a word's start or end (un-, -s, -ed) change meaning, so only inner edits count."""
    # every rule keeps the first letter (each variant pair starts alike, and an edit must be
    # inside the word): most replaced words fail here, before the variants are tried
    return a[:1] == b[:1] and _spelling_fix(a, b)


def _spelling_fix(a: str, b: str) -> bool:
    """`is_spelling_fix` without its first test."""
    # the rules keep the length or change it by one letter (only "our" → "or" can repeat)
    if abs(len(a) - len(b)) > 1 and "our" not in a and "our" not in b:
        return False
    if not (a.isalpha() and b.isalpha()) or a in MEANING or b in MEANING:
        return False
    for uk, us in UK_US:
        if a.replace(uk, us) == b.replace(uk, us) and a != b:
            return True
    if min(len(a), len(b)) < 6:
        return False
    edit = _one_edit(a, b)
    if edit is None:
        return False
    kind, k = edit
    shorter = min(len(a), len(b))
    if kind == "indel":
        return 0 < k < shorter
    if kind == "transpose":
        return 0 < k < shorter - 2
    return len(a) >= 7 and 0 < k < len(a) - 1 and a[k] in "aeiou" and b[k] in "aeiou"


def _encoding_variant(a: str, b: str) -> bool:
    """b is a with some non-ASCII characters lost to a wrong encoding ("ë" → "?" or U+FFFD, or
    UTF-8 read as Latin-1), or the other way round."""
    if a == b or len(a) > 300 or len(b) > 300:
        return False
    if len(a) == len(b):
        if FOLD.sub("\0", a) != FOLD.sub("\0", b):
            return False
        # they differ only where both sides hold such characters; one of them must be the "?"
        # (two real letters, é → è, or ' → ", are a change)
        for m in FOLD.finditer(a):
            k = m.start()
            if a[k] != b[k] and a[k] not in BAD_CHARS and b[k] not in BAD_CHARS:
                return False
        return True
    if "\u00c3" not in a + b and "\u00e2" not in a + b:
        return False
    for broken, good in ((a, b), (b, a)):
        for codec in ("cp1252", "latin-1"):
            try:
                if broken.encode(codec).decode("utf-8") == good:
                    return True
            except UnicodeError:
                continue
    return False


def _enumeration(tokens: list[str]) -> bool:
    """Are all tokens numbers or letters of a list or section (ENUM_TOKEN)? Words that start
    with a letter are tested with string operations: most edits fail on their first word."""
    for t in tokens:
        if t[0].isdigit():
            if not ENUM_TOKEN.fullmatch(t):
                return False
        elif not ((len(t) == 1 and "a" <= t <= "z") or (len(t) <= 6 and not t.strip("ivxlc"))):
            return False
    return True


def _is_date_part(tok: str) -> bool:
    # days and years start with a digit: other words need no regular expression
    return tok in MONTHS or (tok[:1].isdigit() and bool(YEAR.fullmatch(tok) or DAY.fullmatch(tok)))


def _date_change(run: Run, a: Assessment) -> bool:
    """Only date parts changed, in a date (day numbers next to a month), where the words before
    say what the date is for ("last updated", "effective", ©), or in a short line that does."""
    ow, nw = a.old_words, a.new_words
    changed = ow[run.i0 : run.i1] + nw[run.j0 : run.j1]
    if not changed or (changed[0] not in MONTHS and not changed[0][:1].isdigit()):
        return False  # (most edits fail on their first word)
    # words that are no month must be days or years
    for t in set(changed).difference(MONTHS):
        if not (t[:1].isdigit() and (YEAR.fullmatch(t) or DAY.fullmatch(t))):
            return False
    lead = a.before + ow[: run.i0]
    near = lead[-2:] + changed + ow[run.i1 : run.i1 + 2] + nw[run.j1 : run.j1 + 2]
    has_month = any(t in MONTHS for t in near)
    if not all(YEAR.fullmatch(t) or t in MONTHS or has_month for t in changed):
        return False
    return bool(DATE_CONTEXT.search(" ".join(lead[-10:]))) or (
        len(a.old_key) <= 120 and bool(DATE_CONTEXT.search(a.old_key))
    )


def run_region(spans: list[tuple[int, int]], i0: int, i1: int, length: int) -> tuple[int, int]:
    """The characters of a key a run covers: from the end of the word before to the start of the
    word after (so punctuation between them belongs to the run)."""
    start = spans[i0 - 1][1] if i0 > 0 else 0
    end = spans[i1][0] if i1 < len(spans) else length
    return start, end


def _maybe_encoding(ko: str, kn: str) -> bool:
    """Could an edit between these keys be a character lost to a wrong encoding?"""
    if ko.isascii() and kn.isascii():
        return "?" in ko or "?" in kn
    return any(c in ko or c in kn for c in BAD_CHARS) or any(m in ko or m in kn for m in ("\u00c3", "\u00e2\u20ac"))


def _reason(run: Run, a: Assessment, regions) -> tuple[str, str]:
    """(significance, reason) of one run; `regions(run)` gives its text in both keys, or None."""
    ow, nw = a.old_words, a.new_words
    rem, add = ow[run.i0 : run.i1], nw[run.j0 : run.j1]
    if regions is not None:
        texts = regions(run)
        if texts and _encoding_variant(*texts):
            return "cosmetic", "character encoding"
    if _enumeration(rem) and _enumeration(add):  # numbers and letters of a list or section
        at_start = run.i0 == 0 and run.j0 == 0 and len(rem) <= 1 and len(add) <= 1 and not a.before
        if at_start and (not rem or ENUM_START.match(a.old_key)) and (not add or ENUM_START.match(a.new_key)):
            return "minor", "renumbering"
        if len(rem) == len(add):
            before = (a.before + ow[: run.i0])[-3:]
            if before and (before[-1] in XREF or (len(before) > 1 and before[-2] in XREF)):
                return "minor", "cross-reference"
    first = rem[0] if rem else add[0] if add else ""
    # (a date change starts with a month or a number: most edits fail here, without the call)
    if (first in MONTHS or first[:1].isdigit()) and _date_change(run, a):
        return "minor", "date"
    if not (MEANING.isdisjoint(rem) and MEANING.isdisjoint(add)):
        return "substantive", "wording"
    if (len(rem) == len(add) == 1 and is_spelling_fix(rem[0], add[0])) or (rem and "".join(rem) == "".join(add)):
        return "minor", "spelling"
    return "substantive", "wording"


def word_runs(ow: list[str], nw: list[str], codes: Codes | None = None) -> list[Run]:
    """The edits between two word lists, with diff-match-patch's semantic cleanup. The common head
    and tail are set aside first, so a one-word edit in a long paragraph diffs a few words.
    `codes` (shared by one comparison) saves encoding the same words again."""
    head = common_head(ow, nw)
    tail = common_tail(ow, nw, min(len(ow), len(nw)) - head)
    mid_o, mid_n = ow[head : len(ow) - tail], nw[head : len(nw) - tail]
    if len(mid_o) <= 2 and len(mid_n) <= 2:
        # nothing in common inside (their ends differ), so the cleanup would make it one edit
        return [Run(head, head + len(mid_o), head, head + len(mid_n))] if mid_o or mid_n else []
    a, b = (codes.encode if codes is not None else encode)(mid_o, mid_n)
    runs: list[Run] = []
    i = j = head
    cur: Run | None = None
    for op, n in diff_codes(a, b):
        if op == EQUAL:
            if cur:
                runs.append(cur)
                cur = None
            i += n
            j += n
            continue
        if cur is None:
            cur = Run(i, i, j, j)
        if op == "-":
            i += n
            cur.i1 = i
        else:
            j += n
            cur.j1 = j
    if cur:
        runs.append(cur)
    return runs


def _count(tokens: list[str]) -> int:
    """Tokens that are words (not symbols)."""
    n = 0
    for t in tokens:
        if t[0].isalnum():
            n += 1
    return n


def _middle(ko: str, kn: str, common: tuple[int, int] | None = None) -> tuple[int, int]:
    """(start, length of the common tail) of the differing middle of two keys, widened to white
    space so it holds whole words. `common`: their common head and tail, if known."""
    if common is None:
        p = common_prefix(ko, kn)
        s = common_suffix(ko[p:], kn[p:])
    else:
        p, s = common
    while p > 0 and not ko[p - 1].isspace():
        p -= 1
    while s > 0 and not ko[len(ko) - s].isspace():
        s -= 1
    return p, s


def assess(
    old: str,
    new: str,
    old_key: str | None = None,
    new_key: str | None = None,
    codes: Codes | None = None,
    common: tuple[int, int] | None = None,
) -> Assessment:
    """Significance and reasons of one block's change from `old` to `new`. What the caller
    already knows may be passed in: the normalised keys, word codes shared by a comparison, the
    lengths of the keys' common head and tail."""
    if old == new:
        return Assessment("cosmetic", [])
    ko = normalize(old) if old_key is None else old_key
    kn = normalize(new) if new_key is None else new_key
    if ko == kn:
        return Assessment("cosmetic", cosmetic_kinds(old, new), ko, kn)
    p, s = _middle(ko, kn, common)
    mo, mn = ko[p : len(ko) - s], kn[p : len(kn) - s]
    ow, so = split_words(mo)
    nw, sn = split_words(mn)
    a = Assessment("cosmetic", [], ko, kn, p, mo, mn, ow, nw, (so, sn))
    if ow == nw:
        a.reasons = ["case"] if mo.casefold() == mn.casefold() else ["punctuation"]
        return a
    a.runs = word_runs(ow, nw, codes)
    regions = None
    if _maybe_encoding(mo, mn):

        def regions(run: Run) -> tuple[str, str] | None:
            ro, rn = a.region("-", run), a.region("+", run)
            return (ko[ro[0] : ro[1]].strip(), kn[rn[0] : rn[1]].strip()) if ro and rn else None

    runs = a.runs
    if len(runs) == 1:  # the common case: one edit, its level and reason are the block's
        run = runs[0]
        a.significance, run.reason = _reason(run, a, regions)
        a.reasons = [run.reason]
        a.words_removed = _count(ow[run.i0 : run.i1])
        a.words_added = _count(nw[run.j0 : run.j1])
        return a
    levels, reasons = [], []
    for run in runs:
        level, run.reason = _reason(run, a, regions)
        levels.append(level)
        reasons.append(run.reason)
        a.words_removed += _count(ow[run.i0 : run.i1])
        a.words_added += _count(nw[run.j0 : run.j1])
    a.significance = worst(levels)
    a.reasons = sorted(set(reasons))
    return a
