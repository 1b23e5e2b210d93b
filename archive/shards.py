"""Sharded crawls: every document belongs to exactly one of N shards (a stable hash of its id),
each shard crawls from a copy of the same data folder, and merging the shards' folders into that
folder gives what one crawl of everything would have written.

Shards write disjoint version, snapshot and pending files; health.json is the one file they
share, merged document by document against the folder they started from (a three-way merge).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StoreError
from .files import atomic_write
from .health import Health, load_health, save_health

SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
RECORD_FOLDERS = ("versions", "snapshots")  # files only ever added
STATE_FOLDERS = ("pending",)  # files added, replaced and deleted


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4); ValueError naming the problem otherwise."""
    m = SHARD.match(text)
    if not m:
        raise ValueError(f"a shard is I/N, e.g. 2/4; got {text!r}")
    i, n = int(m.group(1)), int(m.group(2))
    if n < 1 or not 1 <= i <= n:
        raise ValueError(f"shard {text!r}: I must be between 1 and N")
    return i, n


def shard_of(doc_id: str, n: int) -> int:
    """The shard (1..n) a document belongs to: stable across runs, machines and Python versions."""
    digest = hashlib.sha256(doc_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


@dataclass
class MergeReport:
    added: int = 0
    replaced: int = 0
    deleted: int = 0
    health: list[str] = field(default_factory=list)  # documents whose health a shard changed


def _files(root: Path, folder: str) -> dict[str, Path]:
    base = root / folder
    if not base.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")}


def merge_shards(base: Path, shards: list[Path]) -> MergeReport:
    """Merge shard data folders (each crawled from a copy of `base`) into `base`.

    A conflict (two shards changing the same file or the same document's health, or a shard
    rewriting a recorded version) is an error, raised before anything is written."""
    for s in shards:
        if not s.is_dir():
            raise StoreError(f"shard folder {s} does not exist")
    report = MergeReport()
    plan: dict[str, tuple[Path | None, Path]] = {}  # relative path -> (new content or None to delete, shard)

    def claim(rel: str, source: Path | None, shard: Path) -> None:
        if rel in plan and plan[rel][1] != shard:
            raise StoreError(f"shards {plan[rel][1]} and {shard} both changed {rel}")
        plan[rel] = (source, shard)

    for shard in shards:
        for folder in RECORD_FOLDERS:
            mine = _files(base, folder)
            for rel, path in _files(shard, folder).items():
                if rel in mine:
                    if mine[rel].read_bytes() != path.read_bytes():
                        raise StoreError(f"{shard}: {rel} differs from the recorded file, which is never rewritten")
                    continue
                claim(rel, path, shard)
        for folder in STATE_FOLDERS:
            mine, theirs = _files(base, folder), _files(shard, folder)
            for rel, path in theirs.items():
                if rel not in mine or mine[rel].read_bytes() != path.read_bytes():
                    claim(rel, path, shard)
            for rel in mine.keys() - theirs.keys():
                claim(rel, None, shard)

    health = _merge_health(base, shards, report)
    for rel, (source, _) in sorted(plan.items()):
        target = base / rel
        if source is None:
            target.unlink(missing_ok=True)
            report.deleted += 1
            continue
        existed = target.exists()
        atomic_write(target, source.read_bytes())
        report.replaced += existed
        report.added += not existed
    save_health(base, health)
    return report


def _merge_health(base: Path, shards: list[Path], report: MergeReport) -> Health:
    start = load_health(base)
    merged = Health(dict(start.documents), list(start.events))
    owner: dict[str, Path] = {}
    known_events = {(e.document_id, e.event, e.at) for e in start.events}
    for shard in shards:
        theirs = load_health(shard)
        for doc_id in sorted(start.documents.keys() | theirs.documents.keys()):
            before, after = start.documents.get(doc_id), theirs.documents.get(doc_id)
            if before == after:
                continue
            if doc_id in owner:
                raise StoreError(f"shards {owner[doc_id]} and {shard} both changed the health of {doc_id}")
            owner[doc_id] = shard
            report.health.append(doc_id)
            if after is None:
                merged.documents.pop(doc_id, None)
            else:
                merged.documents[doc_id] = after
        for event in theirs.events:
            key = (event.document_id, event.event, event.at)
            if key not in known_events:
                known_events.add(key)
                merged.events.append(event)
    return merged
