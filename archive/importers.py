"""Importing existing archives: dated versions from elsewhere become recorded versions, merged in
time order with what is already recorded, idempotently (a second import adds nothing).

The readers of archives (a folder, a git history, the Wayback Machine: crawler/history/) turn
them into items; `import_items` writes any items into the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .errors import ImportSourceError
from .store import Store, Version, sha256_text, version_id


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
