"""The record on disk: one Markdown file per version, the raw page beside it.

    data/versions/<doc-id>/<UTC basic timestamp>.md     front matter + canonical Markdown
    data/snapshots/<doc-id>/<UTC basic timestamp>.html  the raw page behind that version

Files are written atomically and never rewritten; everything else (SQLite index, change records)
is derived from them.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import CorruptRecordError, StoreError
from .files import atomic_write

VERSION_ID = re.compile(r"\A\d{8}T\d{6}Z(?:_\d+)?\Z")
# a document id: names folders and pages (\A...\Z: `$` would let a final newline through)
DOCUMENT_ID = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")
# a version's url is one line of the front matter and a link on the site: no whitespace or control
# characters, and no scheme but http(s) (javascript:, data:)
SAFE_URL = re.compile(r"\A(?![a-z][a-z0-9+.-]*:)[^\s\x00-\x1f\x7f-\x9f]*\Z|\Ahttps?://[^\s\x00-\x1f\x7f-\x9f]+\Z", re.I)
FRONT_KEYS = ("document", "fetched_at", "url", "sha256", "extractor", "source", "kind", "note")
SOURCES = ("crawl", "import", "git", "wayback")


def version_id(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def iso(at: datetime) -> str:
    """ISO 8601 UTC with a Z, second resolution: the form every published date takes."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Version:
    """One recorded version of a document (its text is read on demand)."""

    document_id: str
    id: str
    fetched_at: datetime
    sha256: str
    url: str
    extractor: str
    source: str = "crawl"
    technical: bool = False
    note: str = ""

    @property
    def detected_at(self) -> str:
        return iso(self.fetched_at)


def render_version_file(version: Version, text: str) -> bytes:
    lines = [
        "---",
        f"document: {version.document_id}",
        f"fetched_at: {version.detected_at}",
        f"url: {version.url}",
        f"sha256: {version.sha256}",
        f"extractor: {version.extractor}",
        f"source: {version.source}",
    ]
    if version.technical:
        lines.append("kind: technical")
    if version.note:
        lines.append(f"note: {' '.join(version.note.split())}")
    return ("\n".join([*lines, "---", ""]) + text).encode("utf-8")


def parse_version_file(path: Path, data: bytes | None = None) -> tuple[Version, str]:
    """(Version, text) of a version file; StoreError naming the file if it is malformed."""
    try:
        raw = (data if data is not None else path.read_bytes()).decode("utf-8")
    except OSError as e:
        raise StoreError(f"cannot read version file {path}: {e}") from e
    except UnicodeDecodeError as e:
        raise CorruptRecordError(f"version file {path} is not UTF-8 (byte {e.start})") from None
    if not raw.startswith("---\n"):
        raise CorruptRecordError(f"version file {path} has no front matter")
    end = raw.find("\n---\n", 3)
    if end < 0:
        raise CorruptRecordError(f"version file {path}: front matter is not closed")
    meta: dict[str, str] = {}
    for line in raw[4:end].split("\n"):
        key, sep, value = line.partition(": ")
        if not sep or key not in FRONT_KEYS:
            raise CorruptRecordError(f"version file {path}: unexpected front matter line {line!r}")
        meta[key] = value
    text = raw[end + 5 :]
    missing = [k for k in ("document", "fetched_at", "sha256") if k not in meta]
    if missing:
        raise CorruptRecordError(f"version file {path}: front matter lacks {', '.join(missing)}")
    if sha256_text(text) != meta["sha256"]:
        raise CorruptRecordError(f"version file {path}: text does not match its sha256 (edited by hand?)")
    try:
        fetched = parse_iso(meta["fetched_at"])
    except ValueError:
        raise CorruptRecordError(f"version file {path}: fetched_at {meta['fetched_at']!r} is not ISO 8601") from None
    version = Version(
        document_id=meta["document"],
        id=path.stem,
        fetched_at=fetched,
        sha256=meta["sha256"],
        url=meta.get("url", ""),
        extractor=meta.get("extractor", ""),
        source=meta.get("source", "crawl"),
        technical=meta.get("kind") == "technical",
        note=meta.get("note", ""),
    )
    return version, text


class Store:
    """Version files and raw snapshots under one data folder."""

    def __init__(self, data_dir: Path | str):
        self.root = Path(data_dir)
        self.versions_dir = self.root / "versions"
        self.snapshots_dir = self.root / "snapshots"

    def document_ids(self) -> list[str]:
        if not self.versions_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.versions_dir.iterdir()
            if p.is_dir() and DOCUMENT_ID.match(p.name) and _version_names(p)
        )

    def stray_folders(self) -> list[str]:
        """Folders of versions/ whose names are not document ids (made by hand or by an older
        policywatch): never read, so one of them cannot stop a publish."""
        if not self.versions_dir.is_dir():
            return []
        return sorted(p.name for p in self.versions_dir.iterdir() if p.is_dir() and not DOCUMENT_ID.match(p.name))

    def version_files(self) -> dict[str, dict[str, tuple[int, int]]]:
        """Per document with versions, the size and mtime (ns) of each version file by id: what
        refreshing the index compares with, got by listing each folder once."""
        out: dict[str, dict[str, tuple[int, int]]] = {}
        if not self.versions_dir.is_dir():
            return out
        with os.scandir(self.versions_dir) as folders:
            for folder in folders:
                if not folder.is_dir() or not DOCUMENT_ID.match(folder.name):
                    continue
                files = {}
                for e in _version_entries(folder.path):
                    try:
                        st = e.stat()
                    except FileNotFoundError:  # removed while we look
                        continue
                    files[e.name[:-3]] = (st.st_size, st.st_mtime_ns)
                if files:
                    out[folder.name] = files
        return out

    def version_paths(self, document_id: str) -> list[Path]:
        folder = self.versions_dir / document_id
        return [folder / f"{vid}.md" for vid in sorted(_version_names(folder), key=order_key)]

    def versions(self, document_id: str) -> list[Version]:
        return [parse_version_file(p)[0] for p in self.version_paths(document_id)]

    def latest(self, document_id: str) -> tuple[Version, str] | None:
        paths = self.version_paths(document_id)
        return parse_version_file(paths[-1]) if paths else None

    def read(self, version: Version) -> str:
        return parse_version_file(self.path_of(version))[1]

    def path_of(self, version: Version) -> Path:
        return self.versions_dir / version.document_id / f"{version.id}.md"

    def snapshot_of(self, version: Version) -> Path | None:
        folder = self.snapshots_dir / version.document_id
        found = sorted(folder.glob(f"{version.id}.*")) if folder.is_dir() else []
        return found[0] if found else None

    def add(
        self,
        document_id: str,
        text: str,
        *,
        fetched_at: datetime,
        url: str,
        extractor: str,
        source: str = "crawl",
        raw: bytes | None = None,
        raw_suffix: str = ".html",
        technical: bool = False,
        note: str = "",
    ) -> Version:
        """Record a new version (and its raw page first, so a version never lacks its evidence)."""
        if not DOCUMENT_ID.match(document_id):
            raise ValueError(f"{document_id!r} is not a document id ([a-z0-9-]): nothing recorded")
        if not SAFE_URL.match(url):
            raise ValueError(f"{url!r} is not an http(s) URL on one line: nothing recorded for {document_id}")
        if not text.endswith("\n"):
            text += "\n"
        vid = version_id(fetched_at)
        folder = self.versions_dir / document_id
        n = 1
        while (folder / f"{vid}.md").exists():  # two versions within one second
            n += 1
            vid = f"{version_id(fetched_at)}_{n}"
        version = Version(
            document_id,
            vid,
            fetched_at.astimezone(UTC).replace(microsecond=0),
            sha256_text(text),
            url,
            extractor,
            source,
            technical,
            note,
        )
        if raw is not None:
            atomic_write(self.snapshots_dir / document_id / f"{vid}{raw_suffix}", raw)
        atomic_write(folder / f"{vid}.md", render_version_file(version, text))
        return version


def _version_entries(folder: Path | str) -> list[os.DirEntry]:
    """The version files of a document's folder, listed by name only (a publish looks at every
    folder: 20,000 files in a large archive)."""
    try:
        with os.scandir(folder) as it:
            return [e for e in it if e.name.endswith(".md") and VERSION_ID.match(e.name[:-3])]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _version_names(folder: Path) -> list[str]:
    return [e.name[:-3] for e in _version_entries(folder)]


def order_key(version_id: str) -> tuple[str, int]:
    """Versions in recording order: by timestamp, then the _2, _3 of a second version in a second."""
    stem, _, n = version_id.partition("_")
    return stem, int(n or 1)
