"""Writing the output folder: a file whose bytes did not change is not rewritten, a file whose
inputs did not change is not even rendered (with a PublishCache), and files of an earlier
publish that are no longer produced are removed.

The folder is listed by name only (no stat of 60,000 files on every publish): a deleted file is
noticed and written again, a file edited by hand is replaced when its inputs change or on --full.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from policywatch.archive.errors import StoreError

from .cache import PublishCache

MARKER = ".policywatch-site"
# what a file is written from: its bytes, or parts of them (a large file spliced from another's
# bytes, without copying them into one)
Content = bytes | tuple[bytes | memoryview, ...]


def _scan(out: Path) -> set[str]:
    """The relative path of every file under `out`."""
    found: set[str] = set()
    stack = [(str(out), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as it:
            entries = list(it)
        # names first, as one C-level pass: 60,000 files are listed on every publish
        found.update(map(prefix.__add__, [e.name for e in entries if not e.is_dir(follow_symlinks=False)]))
        stack.extend((e.path, f"{prefix}{e.name}/") for e in entries if e.is_dir(follow_symlinks=False))
    return found


class SiteWriter:
    """Writes files under `out`; with a cache, skips rendering pages whose inputs are unchanged."""

    def __init__(self, out: Path, cache: PublishCache | None = None):
        self.out = out
        self.cache = cache
        self.produced: set[str] = set()
        self.written = 0
        self.rendered = 0
        self.skipped = 0
        self.folders: set[Path] = set()  # made (or found) by this writer: one mkdir per folder, not per file
        self.trails: list[list[str]] = []  # of the groups being made: the files each produced
        marker = out / MARKER
        try:
            if out.exists() and any(out.iterdir()) and not marker.exists():
                raise StoreError(
                    f"{out} is not empty and was not written by policywatch publish; "
                    "choose an empty or new folder for --out"
                )
            out.mkdir(parents=True, exist_ok=True)
            self.on_disk = _scan(out)
        except OSError as e:
            raise StoreError(f"cannot use {out} as the output folder: {e.strerror or e}") from e
        self.write(MARKER, b"This folder is written by `policywatch publish`; files here are replaced.\n")

    def write(self, rel: str, data: Content) -> None:
        """Write `data` (bytes, or parts written one after the other) to `rel` unless the file
        already holds exactly these bytes."""
        self._produce((rel,))
        path = self.out / rel
        parts = (data,) if isinstance(data, bytes) else data
        try:
            if (
                rel in self.on_disk
                and path.stat().st_size == sum(map(len, parts))
                and path.read_bytes() == b"".join(parts)
            ):
                return
            if path.parent not in self.folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.folders.add(path.parent)
            tmp = path.with_name(f".{path.name}.tmp")
            with open(tmp, "wb") as f:
                for part in parts:
                    f.write(part)
            tmp.replace(path)
        except OSError as e:
            raise StoreError(f"cannot write {path}: {e.strerror or e}") from e
        self.written += 1
        self.on_disk.add(rel)

    def fresh(self, rel: str, key: str) -> bool:
        """True if `rel` is on disk and was rendered from inputs with this key."""
        return self.cache is not None and self.cache.fresh(rel, key, rel in self.on_disk)

    def keep(self, rels: tuple[str, ...]) -> bool:
        """Keep files an earlier publish rendered, if each is on disk and in the cache's manifest
        (the caller knows their inputs did not change); False, keeping none, otherwise."""
        cache = self.cache
        if cache is None or not cache.trust:
            return False
        # (set and map calls: a publish keeps some 70,000 files this way)
        if not self.on_disk.issuperset(rels) or not all(map(cache.pages.__contains__, rels)):
            return False
        self._produce(rels)
        self.skipped += len(rels)
        return True

    def page(self, rel: str, key: str, render: Callable[[], Content]) -> bool:
        """Produce `rel`, rendering it only if its inputs (summed up by `key`) changed or the file
        is missing. True if it was rendered."""
        cache = self.cache
        if cache is not None and cache.fresh(rel, key, rel in self.on_disk):
            self._produce((rel,))
            self.skipped += 1
            return False
        self.rendered += 1
        self.write(rel, render())
        if cache is not None:
            cache.rendered(rel, key)
        return True

    def pages(self, rels: tuple[str, ...], key: str, render: Callable[[], tuple[bytes, ...]]) -> bool:
        """Like page(), for files rendered together (a feed's Atom and RSS documents)."""
        cache = self.cache
        if cache is not None and all(cache.fresh(rel, key, rel in self.on_disk) for rel in rels):
            self._produce(rels)
            self.skipped += len(rels)
            return False
        self.rendered += len(rels)
        for rel, data in zip(rels, render(), strict=True):
            self.write(rel, data)
            if cache is not None:
                cache.rendered(rel, key)
        return True

    def group(self, key: str, make: Callable[[], object]) -> None:
        """Files produced together by `make()`, kept as a whole, without working out each one's key,
        while `key` (of all their inputs: it starts with "files:") is that of a publish that
        listed them in the cache, and each is still on disk. Groups may nest."""
        cache = self.cache
        made = cache.blob(key) if cache is not None else None
        if made is not None and self.keep(tuple(made.split("\n"))):
            return
        trail: list[str] = []
        self.trails.append(trail)
        try:
            make()
        finally:
            self.trails.pop()
        if cache is not None:
            cache.keep_blob(key, "\n".join(trail))

    def _produce(self, rels: tuple[str, ...]) -> None:
        self.produced.update(rels)
        for trail in self.trails:
            trail.extend(rels)

    def prune(self) -> int:
        removed = 0
        emptied: set[Path] = set()
        for rel in sorted(self.on_disk - self.produced):
            path = self.out / rel
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as e:
                raise StoreError(f"cannot remove {path}: {e.strerror or e}") from e
            removed += 1
            emptied.update(p for p in path.parents if p != self.out and self.out in p.parents)
        for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return removed
