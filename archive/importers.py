"""Importing existing archives: dated versions from elsewhere become recorded versions, merged in
time order with what is already recorded, idempotently (a second import adds nothing).

Readers here turn a folder of dated files into items; `import_items` writes any items (from a
folder, a git history or the Wayback Machine) into the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .errors import ImportSourceError
from .store import Store, Version, parse_iso, sha256_text, version_id

MARKDOWN_SUFFIXES = (".md", ".markdown", ".txt")
HTML_SUFFIXES = (".html", ".htm")
TECHNICAL_FOLDER = "technical"
# NNN_20240301T120000Z (the corpus), 2024-03-01T12:00:00Z, 2024-03-01T12-00-00+02:00, 2024-03-01
_BASIC = re.compile(r"^(\d{8})T(\d{6})(?:\.\d+)?(Z|[+-]\d{4})?$")
_EXTENDED = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2})[:-](\d{2})(?:[:-](\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$", re.I
)
_SEQUENCE = re.compile(r"^\d+_")


@dataclass(frozen=True)
class ImportItem:
    """One version to import: its text and the time the archive says it was seen."""

    at: datetime
    text: str
    label: str  # where it came from, for messages (a file name, a commit, a capture)
    technical: bool = False
    url: str = ""
    extractor: str = ""
    note: str = ""
    raw: bytes | Path | None = None  # the raw page (a Path: read when the version is written)
    raw_suffix: str = ".html"


@dataclass(frozen=True)
class ImportEvent:
    """What happened to one item: new | present | unchanged | skipped."""

    status: str
    label: str
    at: str
    version: Version | None = None
    detail: str = ""


@dataclass
class ImportReport:
    document_id: str
    events: list[ImportEvent] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for e in self.events if e.status == status)

    @property
    def added(self) -> list[Version]:
        return [e.version for e in self.events if e.status == "new" and e.version is not None]


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

    ImportSourceError, listing every offender, if a Markdown or HTML file carries no date."""
    if not folder.is_dir():
        raise ImportSourceError(f"{folder} is not a folder")
    found: list[DatedFile] = []
    ignored: list[Path] = []
    undated: list[str] = []
    places = [(folder, False)]
    if (folder / TECHNICAL_FOLDER).is_dir():
        places.append((folder / TECHNICAL_FOLDER, True))
    for place, technical in places:
        for path in sorted(place.iterdir()):
            if path.is_dir() or path.name.startswith("."):
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
    if undated:
        raise ImportSourceError(
            f"{len(undated)} file(s) in {folder} have no date in their name "
            "(expected <ISO 8601 time>.md|.html or NNN_<YYYYMMDDTHHMMSSZ>.md): " + ", ".join(undated[:10])
        )
    found.sort(key=lambda f: (f.at, f.technical, f.path.name))
    return found, ignored


def read_text_file(path: Path) -> str:
    """A Markdown/text version, as canonical text (UTF-8; a BOM and CRLF line ends normalised)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise ImportSourceError(f"cannot read {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise ImportSourceError(f"{path} is not UTF-8 text (byte {e.start})") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _key(vid: str) -> tuple[str, int]:
    stem, _, n = vid.partition("_")
    return stem, int(n or 1)


class Importer:
    """Records items of one document, in time order, merged with the versions already recorded.

    An item is skipped as `present` when a version with the same time and text is already
    recorded (what makes a second import add nothing), and as `unchanged` when its text is that
    of the version just before it in time order (only real changes are versions). Items dated
    after `now` are refused. With `dry_run` nothing is written; the report says what would be."""

    def __init__(
        self,
        store: Store,
        document_id: str,
        *,
        source: str,
        now: datetime,
        dry_run: bool = False,
        on_event: Callable[[ImportEvent], None] | None = None,
    ):
        self.store, self.document_id, self.source = store, document_id, source
        self.now, self.dry_run, self.on_event = now, dry_run, on_event
        self.report = ImportReport(document_id)
        # (order key, fetched_at, sha256) of every version, kept sorted as items are added
        self.timeline = sorted((_key(v.id), v.fetched_at, v.sha256) for v in store.versions(document_id))

    def recorded_at(self, at: datetime) -> bool:
        """Whether some version is recorded at this second (lets a resumed import skip a fetch)."""
        at = at.astimezone(UTC).replace(microsecond=0)
        return any(when == at for _, when, _ in self.timeline)

    def emit(self, event: ImportEvent) -> ImportEvent:
        self.report.events.append(event)
        if self.on_event:
            self.on_event(event)
        return event

    def skip(self, label: str, at: datetime, reason: str) -> ImportEvent:
        return self.emit(ImportEvent("skipped", label, version_id(at), detail=reason))

    def add(self, item: ImportItem) -> ImportEvent:
        at = item.at.astimezone(UTC).replace(microsecond=0)
        stamp = version_id(at)
        if at > self.now:
            return self.skip(item.label, at, f"dated {stamp}, in the future")
        text = item.text if item.text.endswith("\n") else item.text + "\n"
        sha = sha256_text(text)
        if any(when == at and s == sha for _, when, s in self.timeline):
            return self.emit(ImportEvent("present", item.label, stamp))
        # a new id sorts after every version of its second: its predecessor is the last version
        # recorded at or before `at`
        before = [row for row in self.timeline if row[1] <= at]
        if before and before[-1][2] == sha:
            return self.emit(ImportEvent("unchanged", item.label, stamp, detail="same text as the version before it"))
        if self.dry_run:
            n = sum(1 for _, when, _ in self.timeline if when == at)
            vid = stamp if n == 0 else f"{stamp}_{n + 1}"
            version = Version(
                self.document_id, vid, at, sha, item.url, item.extractor, self.source, item.technical, item.note
            )
        else:
            try:
                raw = item.raw.read_bytes() if isinstance(item.raw, Path) else item.raw
            except OSError as e:
                raise ImportSourceError(f"cannot read {item.raw}: {e.strerror}") from e
            version = self.store.add(
                self.document_id,
                text,
                fetched_at=at,
                url=item.url,
                extractor=item.extractor,
                source=self.source,
                raw=raw,
                raw_suffix=item.raw_suffix,
                technical=item.technical,
                note=item.note,
            )
        self.timeline.append((_key(version.id), at, sha))
        self.timeline.sort()
        return self.emit(ImportEvent("new", item.label, stamp, version=version))


def import_items(
    store: Store,
    document_id: str,
    items: Iterable[ImportItem],
    *,
    source: str,
    now: datetime,
    dry_run: bool = False,
    on_event: Callable[[ImportEvent], None] | None = None,
) -> ImportReport:
    """Record `items` as versions of `document_id` (see Importer), oldest first."""
    importer = Importer(store, document_id, source=source, now=now, dry_run=dry_run, on_event=on_event)
    for item in sorted(items, key=lambda i: i.at):  # stable: same-second items keep the reader's order
        importer.add(item)
    return importer.report
