"""The language a policy is written in, when its sources entry does not say (`lang`): by script for
Japanese, Chinese, Korean, Arabic, Hebrew, Greek, Thai and Cyrillic text, else by the most common
short words of each language. Deterministic, and enough for `lang` attributes and search stemming:
legal texts are long, so the function words of their language outnumber any other's by far."""

from __future__ import annotations

import re
from collections import Counter

SAMPLE = 20_000  # characters read from the start of the text

# a few dozen of the most frequent words of each language, chosen to overlap little
STOPWORDS = {
    "en": "the of and to in is that for you your we our are be with this or by any not will may shall",
    "fr": "le la les des du et en un une est que pour vous nous dans sur par pas au aux ne qui ou sont",
    "de": "der die das und ist nicht sie wir zu den von mit für auf dem ein eine oder sind im werden",
    "nl": "de het een en van is dat voor niet op zijn met u wij ons te aan door worden deze bij",
    "es": "el la los las de y en que es por para con su sus no se del al una usted nosotros",
    "it": "il lo la gli le di che e è per con non un una sono del della dei al nel ai voi noi",
    "pt": "o a os as de e que em para com não um uma é do da dos das no na você nós",
    "sv": "och att det som en är av för på med till den inte har ett vi du om eller",
    "pl": "i w na z do że się nie jest to jak lub oraz przez dla po jego są od",
    "tr": "ve bir bu için ile da de olarak veya olan gibi daha ancak her sizin bizim",
    "id": "dan yang di untuk dengan ini dari dalam atau tidak akan anda kami pada oleh",
}
LANGS_OF: dict[str, tuple[str, ...]] = {}  # word -> the languages it is a common word of
for _lang, _words in STOPWORDS.items():
    for _w in _words.split():
        LANGS_OF[_w] = (*LANGS_OF.get(_w, ()), _lang)
WORD = re.compile(r"[^\W\d_]+")
SCRIPTS = (  # (language, first code point, last code point), tried in order
    ("ja", 0x3040, 0x30FF),  # kana: Japanese, even when most of it is kanji
    ("ko", 0xAC00, 0xD7A3),
    ("zh", 0x4E00, 0x9FFF),
    ("ar", 0x0600, 0x06FF),
    ("he", 0x0590, 0x05FF),
    ("el", 0x0370, 0x03FF),
    ("th", 0x0E00, 0x0E7F),
    ("ru", 0x0400, 0x04FF),
)


def detect(text: str, default: str = "en") -> str:
    """An ISO 639-1 code for `text` (`default` when nothing stands out)."""
    sample = text[:SAMPLE]
    if not sample.isascii():  # (a text in ASCII is in none of these scripts)
        letters = sum(1 for c in sample if c.isalpha())
        if not letters:
            return default
        for lang, lo, hi in SCRIPTS:
            n = len(re.findall(f"[{chr(lo)}-{chr(hi)}]", sample))
            if n >= 0.05 * letters or (lang == "ja" and n >= 0.02 * letters):
                return lang
    counts: Counter[str] = Counter()
    for word in WORD.findall(sample.lower()):
        counts.update(LANGS_OF.get(word, ()))
    if not counts:
        return default
    ranked = [*counts.most_common(2), ("", 0)]
    (best, n), (_, second) = ranked[0], ranked[1]
    return best if n >= 5 and n > second else default
