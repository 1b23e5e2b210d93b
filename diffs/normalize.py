"""Normalisation for comparison only: what a reader cannot see or would not call a change.

Display always keeps the faithful text; these keys decide equality, alignment and significance.
"""

from __future__ import annotations

import re
import unicodedata
from operator import methodcaller

# Zero-width and other invisible characters, soft hyphen, BOM, bidi marks, variation selectors.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
# Typographic characters and their plain forms (`_plain`).
CHARACTERS = (
    *((c, "'") for c in "\u2018\u2019\u201a\u201b\u2032\u00b4"),
    *((c, '"') for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"),
    *((c, "-") for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"),
    *((c, " ") for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"),
    *((c, " ") for c in "\u2028\u2029\u202f\u205f\u3000"),
    ("\u2026", "..."),
)
LATIN1_CHARACTERS = tuple((c, plain) for c, plain in CHARACTERS if c <= "\u00ff")
ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")

# What a changed URL becomes in the comparison key: a link target is not wording.
LINK_MARK = "\u27e8link\u27e9"
URL = r"(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"*_]"
TARGET = r"\(\s*<?[^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
# Both start with a branch of literals ("![" or "["), which the regex engine tries at fewer
# places than an optional "!" (tried at every character).
# Runs of plain label characters are taken whole (possessive "++": a label ends only at a
# bracket, so giving back part of a run can never make a match) instead of one character a step.
LABEL = r"((?:[^\[\]\\]++|\\.|\[[^\[\]]*+\])*)\]"
LINK = re.compile(r"(?:!\[|\[)" + LABEL + TARGET)
# LINK for a text without "![": a pattern that starts with one literal character is found by a
# fast scan for that character, not by trying the pattern's branches at every position (3-4x
# faster on long paragraphs with links)
TEXT_LINK = re.compile(r"\[" + LABEL + TARGET)
REF_LINK = re.compile(r"(?:!\[|\[)((?:[^\[\]\\]++|\\.)+)\]\[[^\[\]]*\]")
LINK_TAIL = re.compile(r"\]" + TARGET)  # the end of a link whose label began in an earlier block
LINK_DEF = re.compile(r"(?m)^ {0,3}\[[^\[\]]+\]:\s*\S+.*$")
AUTOLINK = re.compile(r"<(?:(?:https?|ftp)://[^\s<>]+|mailto:[^\s<>]+|[^\s<>@]+@[^\s<>@]+\.[a-zA-Z]{2,})>")
BARE_URL = re.compile(URL)
# The same URLs as two patterns that start with a literal ("http", "www."), which the regex
# engine finds quickly; replacing the first kind and then the second gives what BARE_URL does.
HTTP_URL = re.compile(URL.replace(r"(?:https?://|www\.)", r"https?://"))
WWW_URL = re.compile(URL.replace(r"(?:https?://|www\.)", r"www\."))
URL_LABEL = re.compile(r"\s*(?:" + URL + r"|mailto:\S+|[^\s@]+@[^\s@]+\.[a-zA-Z]{2,})\s*")
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")

# Block markers at line starts (headings, bullets, quotes, rules, table pipes) are markup.
ATX = re.compile(r"(?m)^[ \t]{0,3}#{1,6}(?=[ \t]|$)|[ \t]+#+[ \t]*$")
BULLET = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)*[ \t]*[-*+\u2022](?=[ \t])")
BULLETS = ("-", "*", "+", "\u2022")
LINE_MARKS = frozenset("-*+ \u2022>")  # line starts that may hold a bullet or a quote marker
RULE_CHARS = " \t\r-=*_|:"
QUOTE = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")
UNDERSCORES = re.compile(r"_+")
# A C-level replacement for "\\1": a template string is expanded by Python code at every match.
FIRST_GROUP = methodcaller("group", 1)
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'$&%=:;,/?@^])")

# Word tokens for comparison: words (numbers keep their inner separators: 1,000.50 5.2 10:30),
# and the symbols that carry meaning ($ 15% § <). Punctuation otherwise is not wording.
WORD = re.compile(r"\w+(?:['.,:/]\w+)*|[$€£¥₹%§<>≤≥±+=©]")
NON_WORD = re.compile(r"[^\w\s$€£¥₹%§]+")
# Texts in Latin-1 (ASCII among them) go through byte tables: a byte per character, so a table
# of 256 says what each character is, where a regular expression looks up its Unicode category.
# For `bag_of_words`: the characters NON_WORD keeps (\w is isalnum() or "_"), the rest a space.
BAG_BYTES = bytes.maketrans(
    bytes(range(256)), bytes(c if chr(c).isalnum() or chr(c) in "_$%£¥§" else 32 for c in range(256))
)
# Case folding leaves Latin-1 for these two ("ß" → "ss", "µ" → "μ"); for every other character
# of it, it is lower()
FOLD_OUT = b"\xb5\xdf"


# Words: the shape of a text (word characters "a", inner separators ".", symbols "s") and its
# word characters lower-cased with everything else a space.
SYMBOLS = "$%<>+=£¥§±©"  # the symbols of WORD in Latin-1: each a word of its own


def _shape(c: str) -> str:
    if c.isalnum() or c == "_":
        return "a"
    return "." if c in "'.,:/" else "s" if c in SYMBOLS else " "


WORD_SHAPE = bytes.maketrans(bytes(range(256)), "".join(_shape(chr(c)) for c in range(256)).encode())
# word characters lower-cased, everything else a space: what is left splits into the words
WORD_BYTES = bytes.maketrans(
    bytes(range(256)), bytes(ord(chr(c).lower()) if chr(c).isalnum() or c == ord("_") else 32 for c in range(256))
)
# the same with the symbols kept (in place: a symbol is a word, but one next to a word is not
# yet apart from it)
WORD_TOKEN_BYTES = bytes.maketrans(
    bytes(range(256)), bytes(c if chr(c) in SYMBOLS else WORD_BYTES[c] for c in range(256))
)
ENUMERATION = re.compile(
    r"^(?:\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxlcIVXLC]{1,6})[.)]|\d{1,3}(?:\.\d{1,3})+(?=\s)|§+ ?\d[\d.]*)\s*"
)


def clean(text: str) -> str:
    """NFC, entities decoded, invisible characters removed, typographic quotes, dashes and exotic
    spaces made plain."""
    if "&" in text and ";" in text:
        from html import unescape  # imported when first needed: most texts hold no entity

        text = ENTITY.sub(lambda m: unescape(m.group(0)), text)
    if text.isascii():
        return text
    if len(text.encode("latin-1", "ignore")) == len(text):
        # Latin-1 only ("é", "©", "«"): always in NFC, four typographic characters possible, and
        # of the invisible ones only the soft hyphen
        for c, plain in LATIN1_CHARACTERS:
            if c in text:
                text = text.replace(c, plain)
        return text.replace("\u00ad", "") if "\u00ad" in text else text
    # Typographic quotes and dashes are often a text's only characters beyond Latin-1: made plain
    # first, a text left in Latin-1 needs no NFC check (which looks up every character). NFC
    # changes no Latin-1 character and composes none with another, nor with a character made
    # plain; of those, it changes only two spaces, into two others that are made plain too.
    plain = _plain(text)
    if not plain.isascii() and len(plain.encode("latin-1", "ignore")) != len(plain):
        if not unicodedata.is_normalized("NFC", text):
            plain = _plain(unicodedata.normalize("NFC", text))
        if not plain.isascii() and len(plain.encode("latin-1", "ignore")) != len(plain):
            return INVISIBLE.sub("", plain)
    # made plain, the text is ASCII or Latin-1: of the invisible characters only the soft hyphen
    return plain.replace("\u00ad", "") if "\u00ad" in plain else plain


def _plain(text: str) -> str:
    """Typographic quotes, dashes and exotic spaces made plain (one by one where present: faster
    than str.translate, which looks up every character of a long paragraph in a dict)."""
    for c, plain in CHARACTERS:
        if c in text:
            text = text.replace(c, plain)
    return text


def squash(text: str) -> str:
    """White space runs made one space, none at the ends."""
    # Most texts only need their outer spaces cut: tested with C-level scans rather than
    # splitting into a string per word. The space is the only printable white space.
    s = text.strip(" ")
    if s.isascii() or s.isprintable():
        return _squash_plain(text, s)
    return " ".join(text.split())


def _squash_plain(text: str, s: str) -> str:
    """`squash` of a text whose only white space besides the space are control characters
    (what `clean` leaves): `s` is the text without outer spaces."""
    if (
        "  " in s
        or "\n" in s
        or "\t" in s
        or "\r" in s
        or "\x0b" in s
        or "\x0c" in s
        or "\x1c" in s
        or "\x1d" in s
        or "\x1e" in s
        or "\x1f" in s
        or "\x85" in s
    ):
        return " ".join(text.split())
    return s


def _link(m: re.Match) -> str:
    label = m.group(1)
    # a URL or an address holds one of these: most labels are words and skip the pattern
    maybe_url = "/" in label or "@" in label or "www." in label or "mailto:" in label
    if maybe_url and URL_LABEL.fullmatch(label.replace("\\", "").strip("*_` ")):
        return LINK_MARK  # the label is the target itself: a changed URL is a link-target change
    return label


def strip_markup(text: str) -> str:
    """Markdown and HTML markup removed: links reduced to their label (URLs to a mark), emphasis,
    escapes, tags and block markers dropped. Each step runs only when its marker is present."""
    # trailing line breaks hold no markup (empty lines are dropped below anyway): a one-line
    # block then skips the line-by-line work
    text = text.rstrip("\n")
    # (the one-character tests first: each is a memchr, a search for "://" or "www." is slower)
    if not _marked(text) and not _urls(text):
        # no marker of the steps below but table pipes and asterisks (list items, bold): the
        # rule line, the leading bullet, the pipes and the asterisks are the only markup
        if not text.strip(RULE_CHARS):
            return ""
        lead = text.lstrip(" \t")[:2]
        if lead[:1] in BULLETS and lead[1:2] in (" ", "\t"):
            text = text.lstrip(" \t")[1:]
        if "|" in text:
            text = text.replace("|", " ")
        return text.replace("*", "") if "*" in text else text
    return _strip_marked(text)


def _marked(text: str) -> bool:
    """Does a text hold a character that makes `strip_markup` try every step (a URL aside)? One
    search per character: each is a memchr, several times faster than one pass of a byte table."""
    return (
        "\n" in text
        or "[" in text
        or "]" in text
        or "#" in text
        or "_" in text
        or "<" in text
        or ">" in text
        or "\\" in text
        or "`" in text
        or "~" in text
    )


def _strip_marked(text: str) -> str:
    """`strip_markup` of a text without trailing line breaks, every step tried."""
    if "<" in text:
        text = AUTOLINK.sub(LINK_MARK, text)
        text = TAG.sub(" ", text)
    if "]" in text:
        if "](" in text:
            text = _unlink(text)
            if "](" in text:  # what is left is the end of a link that began in an earlier block
                text = LINK_TAIL.sub("]", text)
        if "]" in text:  # (often none is left once the links are gone)
            if "][" in text:
                text = REF_LINK.sub(FIRST_GROUP, text)
            if "]:" in text:
                text = LINK_DEF.sub(LINK_MARK, text)
    if _urls(text):
        text = _unurl(text)
    if "#" in text:
        text = ATX.sub("", text)
    if "\n" in text:
        # lines of rule characters only (rules, setext underlines, table separator rows) hold
        # no words: drop them
        lines = text.split("\n")
        kept = [line for line in lines if line.strip(RULE_CHARS)]
        if len(kept) != len(lines):
            text = "\n".join(kept)
        # a marker that starts a later line (one scan of the line starts, not six of the text)
        if not LINE_MARKS.isdisjoint([line[:1] for line in kept[1:]]):
            text = BULLET.sub("", text)
    elif not text.strip(RULE_CHARS):
        return ""
    lead = text.lstrip(" \t")[:2]
    if lead[:1] in BULLETS and lead[1:2] in (" ", "\t"):
        text = text.lstrip(" \t")[1:]  # one bullet at the start: a slice, not a regex
    if ">" in text and (text.lstrip(" \t")[:1] == ">" or "\n" in text):  # quote markers start lines
        text = QUOTE.sub("", text)
    if "|" in text:
        text = text.replace("|", " ")
    if "\\" in text:
        text = ESCAPE.sub(FIRST_GROUP, text)
    if "[" in text or "]" in text:
        text = text.replace("[", " ").replace("]", " ")
    if "*" in text:
        text = text.replace("*", "")
    if "_" in text:
        text = UNDERSCORES.sub(_underscores, text)
    if "`" in text:
        text = text.replace("`", "")
    if "~" in text and "~~" in text:
        text = text.replace("~~", "")
    return text


def _urls(text: str) -> bool:
    """Could a text hold a bare URL ("://" or "www.")? A URL's "://" is looked for only in a text
    with a ":" and a "/" (two memchr calls, where a search for three characters reads it all)."""
    return (":" in text and "/" in text and "://" in text) or "www." in text


def _unlink(text: str) -> str:
    """Links reduced to their labels, URL labels to the mark (LINK.sub(_link, text))."""
    return (LINK if "![" in text else TEXT_LINK).sub(_link, text)


def _unurl(text: str) -> str:
    """Bare URLs replaced by the link mark (as BARE_URL.sub, faster)."""
    if "://" in text:
        text = HTTP_URL.sub(LINK_MARK, text)
    if "www." in text:
        text = WWW_URL.sub(LINK_MARK, text)
    return text


def _underscores(m: re.Match) -> str:
    """Underscores are emphasis unless inside a word (snake_case stays)."""
    s, i, j = m.string, m.start(), m.end()
    inside = i > 0 and j < len(s) and (s[i - 1].isalnum() and s[j].isalnum())
    return m.group(0) if inside else ""


def link_targets(text: str) -> list[str]:
    """The link targets and URLs of a text, in order (what `normalize` sets aside)."""
    return [m.group(0) for m in LINK_TAIL.finditer(text)] + BARE_URL.findall(text) + AUTOLINK.findall(text)


def unlink(text: str) -> str:
    """Links reduced to their labels and URLs to a mark, everything else kept."""
    if "<" in text:
        text = AUTOLINK.sub(LINK_MARK, text)
    if "](" in text:
        text = LINK_TAIL.sub("]", _unlink(text))
    if _urls(text):
        text = _unurl(text)
    return text


def normalize(text: str) -> str:
    """The comparison key of a text: equal keys mean no visible difference in wording
    (whitespace, invisible characters, quotes, dashes, markup and link targets aside)."""
    text = strip_markup(clean(text))
    return _squash_plain(text, text.strip(" "))


def words(key: str) -> list[str]:
    """Case-folded word tokens of a normalised key: punctuation dropped, numbers kept whole."""
    return split_words(key)[0]


def split_words(key: str) -> tuple[list[str], str | None]:
    """`words` of a key, and the text they were split from where each word is a run of non-spaces
    in it at its place in the key (a key in Latin-1 without symbols), else None: where the words
    lie is then found without looking for each (`word_spans`)."""
    spaced = _spaced_words(key)
    if spaced is not None:
        text, symbols = spaced
        if not symbols:
            return text.split(), text
        for c in SYMBOLS:  # each symbol a word: set apart from the words next to it
            if c in text:
                text = text.replace(c, f" {c} ")
        return text.split(), None
    return WORD.findall(key.casefold()), None


def _latin1(text: str) -> bytes | None:
    """The Latin-1 bytes of a text, or None for a text beyond Latin-1. The brackets of the link
    mark are spaces here: no word holds them, nor do they join two words into one, so a key with
    links splits into the same words (at the same places) as one without."""
    b = text.encode("latin-1", "ignore")
    if len(b) == len(text):
        return b
    if LINK_MARK[0] not in text:
        return None
    b = text.replace(LINK_MARK[0], " ").replace(LINK_MARK[-1], " ").encode("latin-1", "ignore")
    return b if len(b) == len(text) else None


def _spaced_words(key: str) -> tuple[str, bool] | None:
    """A key in Latin-1 case-folded, each character that is no part of a word token a space (the
    same length, so the tokens keep their places), and whether it holds a symbol ($ % < > + = £ ¥
    § ± ©, kept: a word of its own); byte tables and a split instead of a regex match per word.
    None for a key beyond Latin-1, or with one of the two characters whose case folding leaves it
    (FOLD_OUT)."""
    if key.isascii():
        b = key.encode()
    else:
        latin1 = _latin1(key)
        if latin1 is None or len(latin1.translate(None, FOLD_OUT)) != len(latin1):
            return None
        b = latin1
    shape = b.translate(WORD_SHAPE)
    symbols = b"s" in shape
    spaced = b.translate(WORD_TOKEN_BYTES if symbols else WORD_BYTES)
    inner = shape.find(b"a.a")
    if inner < 0:
        return spaced.decode("latin-1"), symbols
    # inner separators ("1,000", "e.g", "seller's"), each between two word characters, put back
    # (they are far fewer than the separators that end a word or a sentence)
    out = bytearray(spaced)
    while inner >= 0:
        out[inner + 1] = b[inner + 1]
        inner = shape.find(b"a.a", inner + 2)
    return out.decode("latin-1"), symbols


def word_spans(key: str, tokens: list[str]) -> list[tuple[int, int]] | None:
    """Character spans of a key's word tokens (`tokens`, its `words`), or None where case folding
    changed them (their spans in the folded key would not be theirs in the key)."""
    found = _spaced_words(key)
    if found is None:
        out = [m.span() for m in WORD.finditer(key)]
        return out if len(out) == len(tokens) else None
    # each token is the next run of word characters (or a symbol): found from where the last
    # one ended, only spaces being between them
    spaced = found[0]
    out = []
    end = 0
    for tok in tokens:
        start = spaced.find(tok, end)
        end = start + len(tok)
        out.append((start, end))
    return out


def align_key(key: str) -> str:
    """The key blocks are aligned by: case-folded, without a leading list or section number, so a
    renumbered block (or one that only changed case) still lines up with its old self. String
    operations only: this runs on every block of a rewritten region."""
    m = ENUMERATION.match(key)  # (a match and a slice: a substitution builds the text anew)
    return (key[m.end() :] if m is not None else key).casefold()


def bag_of_words(akey: str) -> frozenset[str]:
    """The distinct words of an alignment key, for similarity (keys in Latin-1 through a byte
    table: the same words as the regular expression, at a fraction of the cost)."""
    latin1 = _latin1(akey)
    if latin1 is not None:
        return frozenset(latin1.translate(BAG_BYTES).decode("latin-1").split())
    return frozenset(NON_WORD.sub(" ", akey).split())
