"""Facts a seller acts on: amounts, percentages, durations, deadlines, dates, effective dates and
other quantities that changed, sections added or removed, and defined terms added or removed. Each
fact is {kind, before, after, context}; quantities are paired through the word-level edits, so
"24" → "48" inside "within 24 hours" becomes "24 hours" → "48 hours", context "Respond within",
kind "deadline". Two quantities pair only inside one edit of one clause, of one kind and unit,
with the same word beside them; street numbers, postal codes, phone numbers, section numbers and
citations make none (values.py)."""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from .classify import XREF, Assessment
from .normalize import WORD_BYTES, normalize
from .values import DEADLINE, EFFECTIVE, not_a_fact

NUM = r"(?<![\d.,])(?:\d{1,3}(?:[,.\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\d])"


def one_of(words: str) -> str:
    """A regular expression for any of the (space separated) words, written as a prefix tree:
    Python tries alternatives one by one, so a tree fails after a letter or two where a flat list
    of sixty month names would compare them all, at every word."""
    trie: dict = {}
    for w in sorted(set(words.lower().split(" "))):
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch).replace("\\ ", r"\s") + build(node[ch]) for ch in sorted(node) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return f"(?:{build(trie)})"


CURRENCY_WORDS = (
    "usd eur gbp jpy cad aud chf cny hkd inr mxn brl sek nok dkk pln czk huf hrk ron bgn try zar sgd nzd aed sar "
    "ils krw twd thb myr php idr kr"
)
CURRENCY_CODES = one_of(CURRENCY_WORDS)
SCALE = r"(?:\s?(?:million|billion|thousand|bn|k|m)\b)?"
UNITS = r"(?:(?:business|calendar|working|consecutive|banking)\s+)?" + one_of(
    "second seconds minute minutes hour hours day days week weeks month months year years hr hrs min mins jour "
    "jours mois ans année années semaine semaines heure heures dagen dag weken maanden maand jaar uur uren "
    "werkdagen tag tage tagen wochen monate monaten jahre jahren stunden werktag werktage werktagen"
)
NUMBER_WORD_LIST = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen eighteen "
    "twenty twenty-one twenty-four thirty forty forty-five forty-eight fifty sixty ninety hundred "
    # French, German, Dutch, Spanish, Italian (words that are also common words elsewhere left out)
    "deux trois quatre cinq sept huit neuf dix douze quatorze quinze vingt trente quarante soixante cent "
    "zwei drei vier fünf sechs sieben acht neun zehn zwölf vierzehn zwanzig dreißig vierzig sechzig hundert "
    "twee drie vijf zes zeven negen tien twaalf veertien twintig dertig veertig zestig honderd "
    "tres cuatro cinco siete diez doce catorce quince veinte treinta cuarenta sesenta cien "
    "quattro cinque sette dieci dodici quattordici quindici venti trenta quaranta sessanta cento"
)
WORD_NUMBERS = one_of(NUMBER_WORD_LIST)
MONTH_WORDS = (
    "january february march april may june july august september october november december jan feb mar apr jun "
    "jul aug sep sept oct nov dec janvier février mars avril mai juin juillet août septembre octobre novembre "
    "décembre januari februari maart mei augustus oktober januar februar märz juni juli dezember"
)
MONTH_NAMES = one_of(MONTH_WORDS)
QUANTITY_PATTERN = (
    rf"(?P<money>(?:US\$|[$€£¥₹]|\b(?:{CURRENCY_CODES})\b)\s?{NUM}{SCALE}|{NUM}{SCALE}\s?(?:[$€£¥₹]|\b(?:{CURRENCY_CODES})\b))"
    rf"|(?P<percent>{NUM}\s?(?:%|percent\b|per\s?cent\b|pour\s?cent\b|procent\b))"
    rf"|(?P<date>\b(?:\d{{1,2}}(?:st|nd|rd|th|er)?\.?\s+)?{MONTH_NAMES}\.?,?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?\d{{4}}\b"
    rf"|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{4}}\b|\b\d{{1,2}}\.\d{{1,2}}\.\d{{4}}\b)"
    rf"|(?P<duration>(?:{NUM}|\b(?:(?:a|one)\s+)?{WORD_NUMBERS})(?:\s?\(\d+\))?(?:\s|-){UNITS}\b)"
    rf"|(?P<number>{NUM})"
)
# Where a quantity can begin, one character each: a digit (a number may follow a letter: "A4"), a
# currency sign, the "U" of "US$", or the start of a word (every other alternative of the pattern
# opens with \b and a word character: a currency code, a month, a day, a number word, "a"/"one")
STARTS = re.compile(r"\b\w|\d|[$€£¥₹]|u(?=s\$)", re.I)
# The first three letters of every word a quantity can begin with (a currency code, a month, a
# number word): a word of ASCII letters that starts otherwise begins none ("the", "in", "seller")
FIRST_LETTERS = frozenset(w[:3] for w in f"{CURRENCY_WORDS} {MONTH_WORDS} {NUMBER_WORD_LIST}".split(" "))
SENTENCE_END = re.compile(r"[.;!?]\s+|\(")
# A definition: a quoted term and the verb that defines it ("Seller" means), or quoted terms in
# brackets after what they name (the "Services"). Each pattern alone opens with one literal
# character, which the regex engine finds far faster than either of two; a key that can hold
# only one kind (no verb, or no bracket) is searched with that one.
TERM_DEFINED = (
    r'"(?P<term>[^"]{1,60})"\s*(?:means|shall mean|refers to|has the meaning|shall have the meaning|is defined as)\b'
)
TERMS_NAMED = (
    r'\((?:the |each |a |an |together,? |collectively,? |hereinafter |hereafter )?(?P<terms>"[^"]{1,60}"'
    r'(?:\s*(?:,|or|and)\s*"[^"]{1,60}")*)'
)
DEFINITION = re.compile(f"{TERM_DEFINED}|{TERMS_NAMED}")
DEFINED = re.compile(TERM_DEFINED)
NAMED = re.compile(TERMS_NAMED)
# what each verb of TERM_DEFINED holds ("means", "shall mean", "has the meaning"... hold "mean")
DEFINING_VERBS = ("mean", "refers to", "is defined as")
QUOTED = re.compile(r'"([^"]{1,60})"')
# what each kind of mention is called in a fact, as a seller says it
KIND_NAMES = {"money": "amount", "percent": "percentage", "duration": "duration", "date": "date", "number": "quantity"}
YEAR = re.compile(r"(?:19|20)\d\d")
CURRENCY = re.compile(r"US\$|[$€£¥₹]|[A-Za-z]{2,3}")
DIGIT = re.compile(r"\d")
ASCII_DIGITS = b"0123456789"
DIGITS = re.compile(r"\d+")
FOUR_DIGITS = re.compile(r"\d{4}")
# every digit a "0", every other byte a space: four digits in a row are "0000"
DIGIT_RUNS = bytes.maketrans(bytes(range(256)), bytes(48 if 48 <= c <= 57 else 32 for c in range(256)))
SIGNS = frozenset("$€£¥₹%")
REACH = 32  # a quantity reaches this far from its digits ("USD", "January 15, 2024", "(30) business days")
NUMBER_WORDS = frozenset(NUMBER_WORD_LIST.split(" "))
WINDOW = 40  # characters around an edit searched for the quantity it changed ("within thirty (30) days")


# A list of section references up to where a number follows: an xref word, numbers ("1.3",
# "4(b)") and the separators between them ("Sections 1.3, 3, 5.3 and "), or a reference and the
# bracket of its paragraph's number ("Article 11 (")
REF_NUMBER = r"\d+(?:\.\d+)*[a-z]?(?:\([a-z0-9]{1,4}\))*"
REF_SEPARATOR = r"\s*(?:,|;|-|\u2013|\band\b|\bor\b|\bto\b|\bthrough\b)\s*(?:(?:and|or)\s+)?"
REF_LIST = re.compile(
    rf"(?:(?<!\w){one_of(' '.join(sorted(XREF - {'§'})))}\s+|§\s*)"
    + f"{REF_NUMBER}(?:{REF_SEPARATOR}{REF_NUMBER})*(?:{REF_SEPARATOR}|\\s?\\()$",
    re.I,
)
REF_REACH = 200  # characters before a number searched for the list it ends
# The number a block starts with, as a list or section number is written: up to three digits a
# part ("3.1", "(4)", "§ 7", Amazon's "S-3.3"; a year is no section number), then a full stop, a
# bracket or a space
OWN_NUMBER = re.compile(r"[(§]?\s?(?:[A-Z]-)?(\d{1,3}(?:\.\d{1,3})*)(?:[.)]|\s|$)")


class Mention(NamedTuple):
    """A quantity found in a key, with its span (a tuple: cheap to make by the hundred)."""

    kind: str
    text: str
    start: int
    end: int


def mentions(key: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Quantities in a normalised key (or in key[start:end]), with their spans in the key. The big
    pattern only runs near digits and number words, where every quantity has its anchor."""
    end = len(key) if end is None else end
    anchors = [m.span() for m in DIGITS.finditer(key, start, end)]
    if NUMBER_WORDS.intersection(key[start:end].casefold().split()):
        anchors += [m.span() for m in _number_words().finditer(key, start, end)]
    windows: list[list[int]] = []
    for a, b in sorted(anchors):
        lo, hi = max(start, a - REACH), min(end, b + REACH)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    return [m for lo, hi in windows for m in _mentions_in(key, lo, hi)]


def _mentions_in(key: str, start: int, end: int) -> list[Mention]:
    """The quantities of key[start:end], as `_quantity().finditer` finds them. That would try the
    big pattern at every character; it is tried only where a quantity can begin (see STARTS)."""
    text = key[start:end]
    quantity = _quantity()
    out = []
    after = 0  # the end of the last quantity: matches do not overlap
    for s in STARTS.finditer(text):
        i = s.start()
        if i < after or not _may_begin_at(text, i):
            continue
        m = quantity.match(text, i)
        if m is not None:
            out.append(Mention(m.lastgroup or "number", " ".join(m.group(0).split()), start + i, start + m.end()))
            after = m.end()
    return out


def _may_begin_at(text: str, i: int) -> bool:
    """Can a quantity begin at text[i], a start that STARTS found? Only the first letters of a
    word of ASCII letters are looked at: a digit, a sign or any other character may begin one."""
    head = text[i : i + 3]
    if not (head.isascii() and head[:1].isalpha()):
        return True
    head = head.lower()
    if head.isalpha():
        return len(head) < 3 or head in FIRST_LETTERS
    # a word of one or two letters: only "a" before a space ("a week"), "kr" or "US$"
    return (head[0] == "a" and head[1].isspace()) or head[:2] == "kr" or head == "us$"


@cache
def _number_words() -> re.Pattern:
    return re.compile(rf"\b{WORD_NUMBERS}\b", re.I)


@cache
def _quantity() -> re.Pattern:
    # compiled on first use: a large pattern, needed only when an edit touches a number
    return re.compile(QUANTITY_PATTERN, re.I)


def context_before(key: str, start: int, limit: int = 5) -> str:
    """Up to `limit` words before a position, within its sentence."""
    head = SENTENCE_END.split(key[max(0, start - 120) : start])[-1]
    return " ".join(head.split()[-limit:]).rstrip(" :,;(-").strip()


def context_after(key: str, end: int, limit: int = 5) -> str:
    """Up to `limit` words after a position, within its sentence (for a value that opens one)."""
    tail = re.split(r"[.;!?](?:\s|$)", key[end : end + 120])[0]
    return " ".join(tail.replace(")", " ").split()[:limit]).strip(" :,;(-")


def _numeric(a: Assessment, words: list[str], i0: int, i1: int) -> bool:
    """A digit or number word among words[i0:i1] (the old or new middle's words) or the three
    words on either side, the words before the middle included (split only when needed)?"""
    if i0 >= 3:
        near = words[i0 - 3 : i1 + 3]
    else:
        before = a.before
        near = before[max(0, len(before) - 3 + i0) :] + words[: i1 + 3]
    return bool(DIGIT.search(" ".join(near))) or not NUMBER_WORDS.isdisjoint(near) or not SIGNS.isdisjoint(near)


def quantity_facts(a: Assessment, section: str = "", label: str = "") -> list[dict]:
    """Quantities that changed within one block, paired through its word-level edits."""
    runs = [r for r in a.runs if r.reason in ("wording", "date")]
    if not runs:
        return []
    ko, kn = a.old_key, a.new_key
    # a quantity that changed overlaps the middle: nothing to find without a number near it
    # (a digit in the text around, or a number word among the words up to the middle's end)
    lo = max(0, a.offset - WINDOW)
    digits = _has_digit(ko, lo, a.offset + len(a.old_mid) + WINDOW) and _has_digit(
        kn, lo, a.offset + len(a.new_mid) + WINDOW
    )
    if not digits and NUMBER_WORDS.isdisjoint(a.old_words) and NUMBER_WORDS.isdisjoint(a.new_words):
        # the words before the middle are split only when their text may hold a number word
        window = ko[max(0, a.offset - 100) : a.offset]
        if not (window and _may_hold_number_word(window)) or NUMBER_WORDS.isdisjoint(a.before):
            return []
    facts: list[dict] = []
    for run in runs:
        if not (_numeric(a, a.old_words, run.i0, run.i1) and _numeric(a, a.new_words, run.j0, run.j1)):
            continue  # no number within three words of the edit on one side: nothing to pair
        ro, rn = a.region("-", run), a.region("+", run)
        if ro is None or rn is None:
            return facts
        (so, eo), (sn, en) = ro, rn
        # only the text around the edit is searched: a mention must overlap the edit to count
        gone = [m for m in mentions(ko, max(0, so - WINDOW), eo + WINDOW) if m.start < eo and m.end > so]
        if not gone:
            continue  # nothing to pair a new quantity with (often: an edit beside a number)
        came = [m for m in mentions(kn, max(0, sn - WINDOW), en + WINDOW) if m.start < en and m.end > sn]
        for g, c in _pairs(gone, came):
            if g.text == c.text:
                continue
            fact = _fact(ko, kn, g, c, run.reason, label, section)
            if fact is not None:
                facts.append(fact)
    return facts


def _may_hold_number_word(text: str) -> bool:
    """Could the words of a text (`words`) hold a number word? A word token is a whole run of word
    characters, so the runs of an ASCII text (a byte table and a split) or a search for whole
    number words find every one (a search for them anywhere would find "ten" in "content" and
    "one" in "money", and split the text for nothing)."""
    if text.isascii():
        return not NUMBER_WORDS.isdisjoint(text.encode().translate(WORD_BYTES).decode().split())
    return _number_words().search(text.casefold()) is not None


def _has_digit(key: str, start: int, end: int) -> bool:
    """Does key[start:end] hold a digit? (ASCII text through a byte table: a regular expression
    looks up the category of every character)"""
    if key.isascii():
        b = key[start:end].encode()
        return len(b.translate(None, ASCII_DIGITS)) != len(b)
    return bool(DIGIT.search(key, start, end))


def _refers(key: str, m: Mention) -> bool:
    """Is a bare number a reference to a section: an xref word before it, or before the list of
    references it is in ("Sections 1.3, 3, 5.3 and 10"), or a title after it ("8 (Fees)")?"""
    before = key[max(0, m.start - 24) : m.start].casefold().split()[-2:]
    after = key[m.end : m.end + 3].lstrip(". ")
    if after.startswith("(") or any(w.strip("(,") in XREF for w in before):
        return True
    # a list's separator or a bracket just before it, or no list of references ends here
    head = key[max(0, m.start - 9) : m.start].rstrip().lower()
    if not (head[-1:] in (",", ";", "-", "\u2013", "(") or head.endswith(("and", "or", "to", "through"))):
        return False
    return REF_LIST.search(key, max(0, m.start - REF_REACH), m.start) is not None


def _own_number(key: str, m: Mention) -> bool:
    """Is a number the block's own: the one it starts with ("3.1 Refunds", "(4) ...", "§ 7",
    "S-3.3"), as a renumbered heading or item does?"""
    if m.start > 4:
        return False
    lead = OWN_NUMBER.match(key)
    return lead is not None and lead.span(1) == (m.start, m.end)


def _kind(m: Mention) -> str:
    """A mention's kind; a bare year is a date."""
    return "date" if m.kind == "number" and YEAR.fullmatch(m.text) else m.kind


def _pairs(gone: list[Mention], came: list[Mention]) -> list[tuple[Mention, Mention]]:
    """Mentions of the same kind paired in order (a number never pairs with an amount)."""
    pairs = []
    left = list(came)
    for g in gone:
        kind = _kind(g)
        k = next((k for k, c in enumerate(left) if _kind(c) == kind), None)
        if k is not None:
            pairs.append((g, left.pop(k)))
    return pairs


def _word_beside(key: str, start: int, end: int) -> tuple[str, str]:
    """The words right before and right after key[start:end] (case folded, punctuation aside)."""
    before = key[max(0, start - 40) : start].replace("(", " ").split()
    after = key[end : end + 40].replace(")", " ").split()
    return (
        before[-1].strip(".,;:()\"'").casefold() if before else "",
        after[0].strip(".,;:()\"'").casefold() if after else "",
    )


def _unit(m: Mention) -> str:
    """The currency of an amount ("€", "USD", "kr"), as written."""
    codes = CURRENCY.findall(m.text)
    return codes[0].upper() if codes else ""


def _fact(ko: str, kn: str, g: Mention, c: Mention, reason: str, label: str, section: str) -> dict | None:
    """The fact of an old and a new mention of one edit, or None when they are not one quantity
    that changed: another unit, other words beside them, a section number or reference, an
    address, a phone number or a citation."""
    kind = _kind(c)
    if kind == "money" and _unit(g) != _unit(c):
        return None
    bo, ao = _word_beside(ko, g.start, g.end)
    bn, an = _word_beside(kn, c.start, c.end)
    if not ((bo and bo == bn) or (ao and ao == an)):
        return None  # nothing beside them in common: two quantities of two clauses
    if kind in ("number", "date") and g.kind == "number":
        if _refers(ko, g) or _refers(kn, c) or _own_number(ko, g) or _own_number(kn, c):
            return None  # "Section 8" → "Section 9", "8 (Fees)", "3. Fees": a reference, not an amount
        if not_a_fact(ko, g.start, g.end) or not_a_fact(kn, c.start, c.end):
            return None  # "1209 Orange Street", "CA 94110", "2019/1150"
    if reason == "date" and kind == "number":
        kind = "date"
    clause = context_before(kn, c.start)
    name = KIND_NAMES[kind]
    if name == "date" and EFFECTIVE.search(kn[max(0, c.start - 40) : c.start]):
        name = "effective_date"
    elif name in ("duration", "date") and DEADLINE.search(kn[max(0, c.start - 30) : c.start]):
        name = "deadline"
    # a table row's label, else the clause before the value, its section's title, the words after it
    context = label if label and label not in c.text else clause or section or context_after(kn, c.end)
    return {"kind": name, "before": g.text, "after": c.text, "context": context}


def effective_dates(key: str) -> list[dict]:
    """Effective dates a new text states ("These terms are effective on 5 March 2026"): facts
    with no before. Only dates after the words of EFFECTIVE count."""
    # every way of writing a date holds a year of four digits: most texts hold none (tested first:
    # cheaper than case folding the text for the hints, and the whole key is searched for quantities
    # only when both are there)
    if not _four_digits(key):
        return []
    folded = key.casefold()  # (once, not once per hint)
    if not any(w in folded for w in EFFECTIVE_HINTS):
        return []
    out = []
    for m in mentions(key):
        if m.kind == "date" and EFFECTIVE.search(key[max(0, m.start - 40) : m.start]):
            out.append(
                {"kind": "effective_date", "before": None, "after": m.text, "context": context_before(key, m.start)}
            )
    return out


def _four_digits(key: str) -> bool:
    """Does a key hold four digits in a row? (ASCII text through a byte table, as `_has_digit`)"""
    if key.isascii():
        return b"0000" in key.encode().translate(DIGIT_RUNS)
    return FOUR_DIGITS.search(key) is not None


# words one of which an effective date's text holds (a cheap test before the search)
EFFECTIVE_HINTS = (
    "effect",
    "wirksam",
    "gültig",
    "kraft",
    "compter",
    "vigueur",
    "partir",
    "ingang",
    "werking",
    "geldig",
)


def row_label(raw: str) -> str:
    """A table row's first cell: what its numbers are about."""
    cells = [c for c in raw.strip().strip("|").split("|")]
    return normalize(cells[0]) if len(cells) > 1 else ""


def defined_terms(key: str) -> list[str]:
    """Terms a text defines ("Seller" means ..., (the "Services"))."""
    if '"' not in key:
        return []
    verb = DEFINING_VERBS[0] in key or DEFINING_VERBS[1] in key or DEFINING_VERBS[2] in key
    if "(" in key:
        pattern = DEFINITION if verb else NAMED
    elif verb:
        pattern = DEFINED
    else:
        return []
    out = []
    for m in pattern.finditer(key):
        if m.lastgroup == "term":
            out.append(m.group("term").strip())
        else:
            out.extend(t.strip() for t in QUOTED.findall(m.group("terms")))
    return out


def section_fact(kind: str, title: str, parent: str) -> dict:
    """A section added or removed: its title, and the titles of the sections it is in."""
    return {
        "kind": kind,
        "before": title if kind == "section_removed" else None,
        "after": title if kind == "section_added" else None,
        "context": parent,
    }


def term_fact(kind: str, term: str, section: str) -> dict:
    return {
        "kind": kind,
        "before": term if kind == "term_removed" else None,
        "after": term if kind == "term_added" else None,
        "context": section,
    }
