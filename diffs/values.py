"""What the values of facts mean: which way a fact moved (an amount higher, a deadline shorter, a
date later), the words that make a date an effective date or a duration a deadline, and the
numbers that are no facts at all (street numbers, postal codes, phone numbers, citations)."""

from __future__ import annotations

import re

# The words before a date that make it the date the text takes effect, in the corpus's languages
EFFECTIVE = re.compile(
    r"(?:\beffective(?:\s+date)?(?:[^.;:]{0,30}?\b(?:on|from|as\s+of))?|\bwith\s+effect\s+from"
    r"|\bcomes?\s+into\s+(?:force|effect)(?:\s+on)?"
    r"|\bwirksam\s+ab|\bgültig\s+ab|\bin\s+kraft\s+ab|\bà\s+compter\s+du|\ben\s+vigueur\s+(?:le|à\s+compter\s+du)"
    r"|\ba\s+partir\s+del|\bcon\s+effetto\s+dal|\bmet\s+ingang\s+van|\bin\s+werking\s+(?:op|per)|\bingangsdatum"
    r"|\bgeldig\s+(?:vanaf|per))[\s:,]*$",
    re.I,
)
# The words before a duration or a date that make it a time limit
DEADLINE = re.compile(
    r"(?:\bwithin|\bno\s+later\s+than|\bnot\s+later\s+than|\bat\s+the\s+latest|\bat\s+least|\bprior\s+to|\bbefore|\bby"
    r"|\bup\s+to|\binnerhalb(?:\s+von)?|\bbinnen|\bspätestens|\bdans\s+(?:un\s+délai\s+de|les)|\bsous|\bentro|\bdentro\s+de"
    r"|\ben\s+un\s+plazo\s+de|\buiterlijk)\s+(?:the\s+|of\s+|a\s+)?$",
    re.I,
)
STREET = re.compile(
    r"(?i:\b(?:street|avenue|road|suite|boulevard|blvd|lane|drive|plaza|parkway|highway|floor|quay|square|postfach"
    r"|terrace|dock|p\.?\s?o\.?\s+box|cedex|rue|avenida|calle|viale|piazza|corso|straat|laan|plein|gracht|kade)\b"
    r"|stra(?:ss|ß)e\b|str\.|(?<=\w)(?:weg|allee|gasse|platz|damm|ufer|straat|laan|plein)\b)"
    r"|\b(?:St|Ave|Rd|Str|Hwy|Pkwy|Ste|Way|Place|Via)\b"
)
COMPANY = re.compile(r"\b(?:Inc|L\.?L\.?C|LLC|Ltd|Limited|GmbH|B\.V|S\.à\s?r\.l|S\.A|AG|SE|SAS|S\.r\.l)\b\.?,")
PHONE_WORDS = re.compile(
    r"(?i)\b(?:phone|tel|telephone|call|fax|hotline|helpline|telefon|téléphone|telefono|teléfono|numéro)\b"
)
NEAR_BEFORE, NEAR_AFTER = 100, 60  # characters around a number that count as its address


def not_a_fact(key: str, start: int, end: int) -> bool:
    """Is the number at key[start:end] part of an address, a phone number or a citation
    ("Regulation (EU) 2019/1150"), whatever the edit around it?"""
    text = key[start:end]
    digits = sum(ch.isdigit() for ch in text)
    if (start > 0 and key[start - 1].isalpha()) or key[end : end + 1].isalpha():
        return True  # a code, not an amount: "D02", "4F", "T380"
    reach = (NEAR_BEFORE, NEAR_AFTER) if digits >= 3 else (NEAR_AFTER, NEAR_AFTER // 2)
    near = key[max(0, start - reach[0]) : end + reach[1]]
    if STREET.search(near) or COMPANY.search(key, max(0, start - 60), start):
        return True
    after = key[end : end + 4]
    before = key[max(0, start - 4) : start]
    if after[:1] == "/" or before[-1:] in ("/", "#") or (digits == 4 and re.match(r"\s?[A-Z]{2}\b", after)):
        return True  # 2019/1150, #4056, 3528 BJ (a Dutch postal code)
    if digits == 5 and re.search(r"\b[A-Z]{2},?\s$", key[max(0, start - 5) : start]):
        return True  # CA 94110
    return digits >= 7 and (text[:1] in "+(" or PHONE_WORDS.search(key, max(0, start - 40), start) is not None)


# ---------------------------------------------------------------- which way a fact moved

UNIT_HOURS = {
    "second": 1 / 3600, "minute": 1 / 60, "min": 1 / 60, "hour": 1, "hr": 1, "heure": 1, "uur": 1, "stunde": 1,
    "day": 24, "jour": 24, "dag": 24, "tag": 24, "werkdag": 24, "werktag": 24, "giorn": 24, "día": 24, "dia": 24,
    "week": 168, "semaine": 168, "woche": 168, "wek": 168, "settiman": 168, "semana": 168,
    "month": 730, "mois": 730, "maand": 730, "monat": 730, "mes": 730,
    "year": 8760, "an": 8760, "année": 8760, "jaar": 8760, "jahr": 8760, "anno": 8760, "año": 8760,
}  # fmt: skip
WORD_VALUES = {
    "one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "eighteen": 18, "twenty": 20, "twenty-one": 21, "twenty-four": 24, "thirty": 30, "forty": 40,
    "forty-five": 45, "forty-eight": 48, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "douze": 12,
    "quatorze": 14, "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40, "soixante": 60, "cent": 100,
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    "zwölf": 12, "vierzehn": 14, "zwanzig": 20, "dreißig": 30, "vierzig": 40, "sechzig": 60, "hundert": 100,
    "twee": 2, "drie": 3, "vijf": 5, "zes": 6, "zeven": 7, "negen": 9, "tien": 10, "twaalf": 12,
    "veertien": 14, "twintig": 20, "dertig": 30, "veertig": 40, "zestig": 60, "honderd": 100,
    "tres": 3, "cuatro": 4, "cinco": 5, "siete": 7, "diez": 10, "doce": 12, "catorce": 14, "quince": 15,
    "veinte": 20, "treinta": 30, "cuarenta": 40, "sesenta": 60, "cien": 100, "quattro": 4, "cinque": 5,
    "sette": 7, "dieci": 10, "dodici": 12, "quattordici": 14, "quindici": 15, "venti": 20, "trenta": 30,
    "quaranta": 40, "sessanta": 60, "cento": 100,
}  # fmt: skip
MONTHS = {
    m: k + 1
    for k, names in enumerate(
        (
            "january jan janvier januari januar gennaio enero",
            "february feb février fevrier februari februar febbraio febrero",
            "march mar mars maart märz marzo",
            "april apr avril aprile abril",
            "may mai mei maggio mayo",
            "june jun juin juni giugno junio",
            "july jul juillet juli luglio julio",
            "august aug août aout augustus agosto",
            "september sep sept septembre settembre septiembre",
            "october oct octobre oktober ottobre octubre",
            "november nov novembre noviembre",
            "december dec décembre decembre dezember dicembre diciembre",
        )
    )
    for m in names.split()
}
NUMBER = re.compile(r"\d{1,3}(?:[,.\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?")


def _number(text: str) -> float | None:
    """The value of the number in a quantity ("€1,500.50", "thirty (30) days", "1.000 kr")."""
    m = NUMBER.search(text)
    if m is None:  # a number in words only ("thirty days")
        for w in text.casefold().replace("(", " ").split():
            if w in WORD_VALUES:
                return float(WORD_VALUES[w])
        return None
    s = m.group(0).replace("\u202f", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", s):  # grouped thousands, either separator
        return float(re.sub(r"[,.]", "", s))
    if "," in s and "." in s:  # 1,000.50 or 1.000,50
        s = s.replace(",", "") if s.rfind(".") > s.rfind(",") else s.replace(".", "").replace(",", ".")
    return float(s.replace(",", "."))


def _scale(text: str) -> float:
    t = text.casefold()
    if re.search(r"\b(?:billion|bn)\b", t):
        return 1e9
    if re.search(r"\b(?:million|m)\b", t):
        return 1e6
    if re.search(r"\b(?:thousand|k)\b", t):
        return 1e3
    return 1.0


def _hours(text: str) -> float | None:
    n = _number(text)
    if n is None:
        return None
    for w in reversed(re.findall(r"[^\W\d_]+", text.casefold())):
        for unit, hours in UNIT_HOURS.items():
            if w.startswith(unit):
                return n * hours
    return None


def _date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a date as written in the corpus: "March 5, 2026", "5 mars 2026",
    "2026-03-05", "05.03.2026", "3/5/2026" (month first when the first part cannot be a day), a
    bare year."""
    t = text.casefold()
    if m := re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", t):
        return int(m[1]), int(m[2]), int(m[3])
    if m := re.search(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", t):
        a, b = int(m[1]), int(m[2])
        day, month = (a, b) if "." in m[0] or a > 12 else (b, a)
        return int(m[3]), month, day
    year = re.search(r"\b(\d{4})\b", t)
    if year is None:
        return None
    month = next((MONTHS[w] for w in re.findall(r"[^\W\d_]+", t) if w in MONTHS), 0)
    found = re.search(r"\b(\d{1,2})(?:st|nd|rd|th|er)?\b", t.replace(year[0], " "))
    return int(year[1]), month, int(found[1]) if found else 0


def direction(fact: dict) -> str:
    """Which way a fact moved, in a seller's word ("higher", "shorter", "later"), or ""."""
    kind, before, after = fact.get("kind"), fact.get("before"), fact.get("after")
    if not isinstance(before, str) or not isinstance(after, str):
        return ""
    if kind in ("duration", "deadline"):
        a, b = _hours(before), _hours(after)
        words = ("longer", "shorter")
    elif kind in ("date", "effective_date"):
        da, db = _date(before), _date(after)
        if da is None or db is None or da == db:
            return ""
        return "later" if db > da else "earlier"
    elif kind in ("amount", "percentage", "quantity"):
        na, nb = _number(before), _number(after)
        a = None if na is None else na * _scale(before)
        b = None if nb is None else nb * _scale(after)
        words = ("higher", "lower")
    else:
        return ""
    if a is None or b is None or a == b:
        return ""
    return words[0] if b > a else words[1]
