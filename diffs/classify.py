"""Significance of a change: cosmetic < minor < substantive.

cosmetic     nothing a reader would call different wording: whitespace, invisible characters,
             quotes and dashes, emphasis, case, punctuation, link targets
minor        renumbering and cross-references, "last updated"/effective dates, copyright years,
             spelling fixes
substantive  anything that changes wording; a one-letter edit that flips meaning ("may" → "must",
             an added "not", a digit of an amount) always is
"""

from __future__ import annotations

import re

from .normalize import clean, link_targets, loose, normalize, squash
from .words import DELETE, EQUAL, INSERT, diff_tokens, tokenize

ORDER = {"cosmetic": 0, "minor": 1, "substantive": 2}

# Words whose change flips meaning even when the edit is one letter.
MEANING = {
    "not",
    "no",
    "never",
    "nor",
    "none",
    "without",
    "unless",
    "except",
    "only",
    "may",
    "must",
    "shall",
    "should",
    "will",
    "would",
    "can",
    "cannot",
    "could",
    "might",
    "all",
    "any",
    "each",
    "every",
    "some",
    "more",
    "less",
    "most",
    "least",
    "before",
    "after",
    "within",
    "prior",
    "later",
    "earlier",
    "first",
    "last",
    "and",
    "or",
    "if",
    "required",
    "optional",
    "allowed",
    "prohibited",
    "permitted",
    "forbidden",
    "increase",
    "decrease",
    "min",
    "max",
    "minimum",
    "maximum",
    "above",
    "below",
    "over",
    "under",
    "including",
    "excluding",
    "include",
    "exclude",
    "may not",
    "won't",
    "can't",
    "don't",
    "doesn't",
}
NUMBERING = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:#{1,6}\s+)?(?:\(?[0-9]{1,3}(?:\.[0-9]{1,3})*[.)]?|\(?[a-z][.)]|"
    r"\([ivxlc]{1,5}\)|[ivxlc]{1,5}\.)\s+",
    re.I,
)
XREF_WORDS = {
    "section",
    "sections",
    "clause",
    "clauses",
    "paragraph",
    "paragraphs",
    "article",
    "articles",
    "§",
    "part",
    "schedule",
    "appendix",
    "exhibit",
    "annex",
    "subsection",
    "item",
    "items",
}
DATE_CONTEXT = re.compile(
    r"\b(last\s+(?:updated|modified|revised|changed)|updated|effective|revised|"
    r"version\s+date|date\s+of\s+last|as\s+of|dated|copyright|©)",
    re.I,
)
MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}


def worst(levels) -> str:
    return max(levels, key=ORDER.__getitem__, default="cosmetic")


def cosmetic_kinds(old: str, new: str) -> list[str]:
    """What kind of cosmetic difference two texts with equal normalised keys have."""
    kinds = []
    if link_targets(clean(old)) != link_targets(clean(new)):
        kinds.append("link targets")
    if squash(old) == squash(new):
        return [*kinds, "whitespace"] if old != new else kinds
    if clean(old) != old or clean(new) != new:
        if squash(clean(old)) == squash(clean(new)):
            return [*kinds, "characters"]
        kinds.append("characters")
    if normalize(old) == normalize(new) and not kinds:
        kinds.append("formatting")
    return kinds or ["formatting"]


def _edit_distance(a: str, b: str, limit: int = 3) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _changed_runs(old: str, new: str) -> list[tuple[list[str], list[str], list[str]]]:
    """(removed words, added words, words just before) for each edit between loose word lists."""
    a = [t for t in tokenize(loose(old)) if not t.isspace()]
    b = [t for t in tokenize(loose(new)) if not t.isspace()]
    runs: list[tuple[list[str], list[str], list[str]]] = []
    before: list[str] = []
    cur: tuple[list[str], list[str]] | None = None
    for op, toks in diff_tokens(a, b):
        if op == EQUAL:
            if cur:
                runs.append((cur[0], cur[1], before[-4:]))
                cur = None
            before = before[-4:] + toks
        else:
            if cur is None:
                cur = ([], [])
            (cur[0] if op == DELETE else cur[1]).extend(toks)
    if cur:
        runs.append((cur[0], cur[1], before[-4:]))
    return runs


def _is_number(tok: str) -> bool:
    return bool(re.fullmatch(r"\d+|[ivxlc]{1,5}|[a-z]", tok))


def _minor_reason(
    removed: list[str], added: list[str], before: list[str], old: str, new: str, at_start: bool
) -> str | None:
    """Why one edit is minor ("renumbering", "date", "spelling"), or None if it is not."""
    words = removed + added
    if any(w in MEANING and w not in MONTHS for w in words):
        return None
    # renumbering: the leading number of a numbered block, or a cross-reference number
    if all(_is_number(w) for w in words) and len(removed) == len(added):
        if at_start and (NUMBERING.match(old) or NUMBERING.match(new)):
            return "renumbering"
        if any(w in XREF_WORDS for w in before[-2:]):
            return "cross-reference"
    # dates and copyright years where the block is about dates
    if (
        DATE_CONTEXT.search(old)
        and DATE_CONTEXT.search(new)
        and all(w.isdigit() or w in MONTHS or re.fullmatch(r"\d{1,2}(st|nd|rd|th)", w) for w in words)
    ):
        return "date"
    # spelling fixes: one word for one word, a letter or two apart, no digits
    if len(removed) == len(added) == 1:
        a, b = removed[0], added[0]
        if not any(c.isdigit() for c in a + b) and min(len(a), len(b)) >= 4 and _edit_distance(a, b) <= 2:
            return "spelling"
    return None


def classify_pair(old: str, new: str) -> tuple[str, list[str]]:
    """(significance, reasons) of one block's change from `old` to `new`."""
    if old == new:
        return "cosmetic", []
    if normalize(old) == normalize(new):
        return "cosmetic", cosmetic_kinds(old, new)
    if loose(old) == loose(new):
        return "cosmetic", ["case or punctuation"]
    runs = _changed_runs(old, new)
    reasons = []
    first = runs[0] if runs else None
    for run in runs:
        at_start = run is first and not run[2]
        reason = _minor_reason(run[0], run[1], run[2], old, new, at_start)
        if reason is None:
            return "substantive", ["wording"]
        reasons.append(reason)
    return "minor", sorted(set(reasons))


def classify_block(text: str) -> str:
    """Significance of a whole block added or removed."""
    return "substantive" if any(t[0].isalnum() for t in tokenize(normalize(text))) else "cosmetic"


__all__ = ["DELETE", "INSERT", "ORDER", "classify_block", "classify_pair", "cosmetic_kinds", "worst"]
