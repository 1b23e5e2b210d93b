"""A folder of dated files as an archive to import: `NNN_<basic time>.md`, `<ISO 8601 time>.md`
or `.html`, with re-extractions in a `technical/` subfolder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from policywatch.archive.errors import ImportSourceError
from policywatch.archive.store import parse_iso

MARKDOWN_SUFFIXES = (".md", ".markdown", ".txt")
HTML_SUFFIXES = (".html", ".htm")
TECHNICAL_FOLDER = "technical"
# NNN_20240301T120000Z (the corpus), 2024-03-01T12:00:00Z, 2024-03-01T12-00-00+02:00, 2024-03-01
_BASIC = re.compile(r"^(\d{8})T(\d{6})(?:\.\d+)?(Z|[+-]\d{4})?$")
_EXTENDED = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2})[:-](\d{2})(?:[:-](\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$", re.I
)
_SEQUENCE = re.compile(r"^\d+_")


def parse_dated_name(stem: str) -> datetime | None:
    """The UTC time a file name gives (`NNN_<basic time>`, ISO 8601, or a date), else None.

    A time without an offset is taken as UTC, as archives of this kind record it."""
    stem = _SEQUENCE.sub("", stem, count=1)
    m = _BASIC.match(stem)
    if m:
        day, clock, zone = m.groups()
        text = f"{day[:4]}-{day[4:6]}-{day[6:]}T{clock[:2]}:{clock[2:4]}:{clock[4:]}{_zone(zone)}"
    else:
        m = _EXTENDED.match(stem)
        if not m:
            return None
        day, hh, mm, ss, zone = m.groups()
        text = f"{day}T{hh or '00'}:{mm or '00'}:{ss or '00'}{_zone(zone)}"
    try:
        return parse_iso(text)
    except ValueError:
        return None


def _zone(zone: str | None) -> str:
    if not zone or zone.upper() == "Z":
        return "+00:00"
    digits = zone[1:].replace(":", "")
    return f"{zone[0]}{digits[:2]}:{digits[2:]}"


@dataclass(frozen=True)
class DatedFile:
    path: Path
    at: datetime
    technical: bool

    @property
    def is_html(self) -> bool:
        return self.path.suffix.lower() in HTML_SUFFIXES


def dated_files(folder: Path) -> tuple[list[DatedFile], list[Path]]:
    """The dated files of an archive folder, oldest first, and the files it ignores (neither
    Markdown/text nor HTML, such as meta.json). A `technical/` subfolder holds re-extractions.

    ImportSourceError, listing every offender, if a Markdown or HTML file carries no date, or if
    a file or the technical/ folder is a link leading out of the folder (an archive received from
    elsewhere must not make us record, commit and publish this machine's files)."""
    if not folder.is_dir():
        raise ImportSourceError(f"{folder} is not a folder")
    found: list[DatedFile] = []
    ignored: list[Path] = []
    undated: list[str] = []
    outside: list[str] = []
    root = folder.resolve()
    places = [(folder, False)]
    technical_folder = folder / TECHNICAL_FOLDER
    if technical_folder.is_dir():
        if _inside(technical_folder, root):
            places.append((technical_folder, True))
        else:
            outside.append(f"{TECHNICAL_FOLDER} -> {technical_folder.resolve()}")
    for place, technical in places:
        for path in sorted(place.iterdir()):
            if path.is_dir() or path.name.startswith("."):
                continue
            if path.is_symlink() and not _inside(path, root):
                outside.append(f"{path.relative_to(folder)} -> {path.resolve()}")
                continue
            suffix = path.suffix.lower()
            if suffix not in MARKDOWN_SUFFIXES + HTML_SUFFIXES:
                ignored.append(path)
                continue
            at = parse_dated_name(path.stem)
            if at is None:
                undated.append(str(path.relative_to(folder)))
                continue
            found.append(DatedFile(path, at, technical))
    if outside:
        raise ImportSourceError(
            f"{len(outside)} link(s) in {folder} lead out of it; links are only followed inside the folder, "
            "and nothing was written: " + ", ".join(outside[:10])
        )
    if undated:
        raise ImportSourceError(
            f"{len(undated)} file(s) in {folder} have no date in their name "
            "(expected <ISO 8601 time>.md|.html or NNN_<YYYYMMDDTHHMMSSZ>.md): " + ", ".join(undated[:10])
        )
    found.sort(key=lambda f: (f.at, f.technical, f.path.name))
    return found, ignored


def _inside(path: Path, root: Path) -> bool:
    """Whether `path`, links resolved, lies inside the folder `root` (itself resolved)."""
    return path.resolve().is_relative_to(root)


def read_text_file(path: Path) -> str:
    """A Markdown/text version, as canonical text (UTF-8; a BOM and CRLF line ends normalised)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise ImportSourceError(f"cannot read {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise ImportSourceError(f"{path} is not UTF-8 text (byte {e.start})") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")
