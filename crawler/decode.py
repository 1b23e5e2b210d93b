"""Bytes of a page → text, robust to the charset mistakes real servers make (a UTF-8 page labelled
ISO-8859-1, no label at all, a Latin-1 page labelled UTF-8), so a label never becomes a change.
"""

from __future__ import annotations

import codecs
import re

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# Labels that are ASCII-compatible single-byte encodings: a body that is valid UTF-8 under such a
# label is UTF-8 mislabelled (real Latin-1 text is almost never valid multi-byte UTF-8).
SINGLE_BYTE = re.compile(
    r"^(us-?ascii|ascii|iso[-_]?8859[-_]?\d+|latin[-_]?\d|l\d|(windows|cp)[-_]?125\d|cp819)$", re.I
)
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]|"
    rb"\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def declared_charset(content_type: str, body: bytes) -> str | None:
    """The charset the response claims: the Content-Type header's, else a <meta> in the head."""
    m = HEADER_CHARSET.search(content_type or "")
    if m:
        return m.group(1)
    m = META_CHARSET.search(body[:8192])
    return m.group(1).decode("ascii", "replace") if m else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_page(body: bytes, content_type: str = "") -> str:
    """The page's text. Undecodable bytes become U+FFFD (which the checks then hold back)."""
    for bom, name in BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace")
    label = declared_charset(content_type, body)
    codec = _codec(label)
    if codec is None or codec == "utf-8" or (label and SINGLE_BYTE.match(label)):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if codec not in (None, "utf-8"):
            # a true single-byte page, as labelled (browsers read Latin-1 and ASCII as Windows-1252)
            return body.decode("cp1252" if codec in ("iso8859-1", "ascii") else codec, "replace")
        if not UTF8_MULTIBYTE.search(body):
            # not one valid UTF-8 sequence: a Latin-1/Windows-1252 page (unlabelled or mislabelled)
            return body.decode("cp1252", "replace")
        return body.decode("utf-8", "replace")
    return body.decode(codec, "replace")
