"""Normalisation for comparison only: what a reader cannot see or would not call a change.

Display always keeps the faithful text; these keys decide equality and significance.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and other invisible characters, soft hyphen, BOM, bidi marks.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
    }
)
LINK = re.compile(
    r"(!?)\[((?:[^\[\]\\]|\\.)*)\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?"
    r"(?:\s+\"[^\"]*\")?\s*\)"
)
EMPHASIS = re.compile(r"(?<![\w*_\\])(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?![\w*_])")
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
PUNCT = re.compile(r"[^\w\s%$€£¥]")


def clean(text: str) -> str:
    """NFC, invisible characters removed, typographic quotes and dashes made plain."""
    text = unicodedata.normalize("NFC", text)
    text = INVISIBLE.sub("", text)
    return text.translate(QUOTES)


def squash(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def strip_markup(text: str) -> str:
    """Markdown emphasis markers and escapes removed; links reduced to their label."""
    text = LINK.sub(lambda m: m.group(2), text)
    for _ in range(3):  # nested emphasis
        new = EMPHASIS.sub(lambda m: m.group(2), text)
        if new == text:
            break
        text = new
    return ESCAPE.sub(r"\1", text)


def link_targets(text: str) -> list[str]:
    return [m.group(3) for m in LINK.finditer(text)]


def normalize(text: str) -> str:
    """The comparison key of a text: equal keys mean no visible difference in wording
    (whitespace, invisible characters, quotes, dashes, emphasis, link targets aside)."""
    return squash(strip_markup(clean(text)))


def loose(text: str) -> str:
    """A looser key: case and punctuation ignored too (a change between equal loose keys is
    cosmetic unless a meaning word or digit moved, which punctuation never carries)."""
    return squash(PUNCT.sub(" ", normalize(text)).casefold())
