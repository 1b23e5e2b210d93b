"""Facts a seller acts on: amounts, percentages, durations and dates that changed, and sections
added or removed. Each fact is {kind, before, after, context}."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import normalize

UNITS = (
    r"(?:business\s+|calendar\s+|working\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|"
    r"years?|hrs?|mins?)"
)
NUM = r"\d{1,3}(?:[,.\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
WORD_NUMBERS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|"
    r"twenty|thirty|forty|forty-five|sixty|ninety)"
)
QUANTITY = re.compile(
    rf"(?P<money>(?:[$€£¥]|USD|EUR|GBP|US\$)\s?(?:{NUM})(?:\s?(?:million|billion|k))?|(?:{NUM})\s?(?:USD|EUR|GBP|€|\$))"
    rf"|(?P<percent>(?:{NUM})\s?(?:%|percent\b|per\s+cent\b))"
    rf"|(?P<duration>\b(?:{NUM}|{WORD_NUMBERS})(?:\s|-)(?:\(\d+\)\s)?{UNITS}\b)"
    rf"|(?P<date>\b(?:\d{{1,2}}\s+)?(?:January|February|March|April|May|June|July|August|September|"
    rf"October|November|December)\s+(?:\d{{1,2}},?\s+)?\d{{4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b)"
    rf"|(?P<number>\b\d+(?:[.,]\d+)?\b)",
    re.I,
)


@dataclass(frozen=True)
class Mention:
    kind: str
    text: str
    start: int
    context: str


def mentions(text: str) -> list[Mention]:
    flat = normalize(text)
    out = []
    for m in QUANTITY.finditer(flat):
        kind = m.lastgroup or "number"
        before = [w for w in flat[max(0, m.start() - 60) : m.start()].split() if w.strip("#*|>-")]
        out.append(Mention(kind, " ".join(m.group(0).split()), m.start(), " ".join(before[-5:])))
    return out


def quantity_facts(old: str, new: str, section: str = "") -> list[dict]:
    """Quantities that changed between two versions of one block, paired by kind in order."""
    a, b = mentions(old), mentions(new)
    a_texts = [m.text for m in a]
    b_texts = [m.text for m in b]
    gone = [m for m in a if a_texts.count(m.text) > b_texts.count(m.text)]
    came = [m for m in b if b_texts.count(m.text) > a_texts.count(m.text)]
    facts = []
    used: set[int] = set()
    for g in gone:
        pick = next((k for k, c in enumerate(came) if k not in used and c.kind == g.kind), None)
        if pick is None:
            continue
        used.add(pick)
        c = came[pick]
        if g.kind == "number" and (len(g.text) <= 2 and len(c.text) <= 2) and not c.context:
            continue  # a bare list number: renumbering, not a fact
        context = c.context or g.context or section
        facts.append({"kind": g.kind, "before": g.text, "after": c.text, "context": context})
    return facts


def section_fact(kind: str, title: str, path: tuple[str, ...]) -> dict:
    parent = " > ".join(path[:-1])
    return {
        "kind": kind,
        "before": title if kind == "section_removed" else None,
        "after": title if kind == "section_added" else None,
        "context": parent,
    }
