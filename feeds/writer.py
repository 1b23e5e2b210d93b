"""Writing the output folder: a file whose bytes did not change is not rewritten, a file whose
inputs did not change is not even rendered (with a PublishCache), and files of an earlier
publish that are no longer produced are removed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from archive.errors import StoreError

from .cache import PublishCache

MARKER = ".policywatch-site"


def _scan(out: Path) -> dict[str, tuple[int, int]]:
    """{relative path: (size, mtime_ns)} of every file under `out`."""
    found: dict[str, tuple[int, int]] = {}
    stack = [(out, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as it:
            for entry in it:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), rel + "/"))
                else:
                    st = entry.stat(follow_symlinks=False)
                    found[rel] = (st.st_size, st.st_mtime_ns)
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

    def write(self, rel: str, data: bytes) -> tuple[int, int]:
        """Write `data` to `rel` unless the file already holds exactly these bytes."""
        self.produced.add(rel)
        path = self.out / rel
        known = self.on_disk.get(rel)
        try:
            if known is not None and known[0] == len(data) and path.read_bytes() == data:
                return known
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
            st = path.stat()
        except OSError as e:
            raise StoreError(f"cannot write {path}: {e.strerror or e}") from e
        self.written += 1
        self.on_disk[rel] = (st.st_size, st.st_mtime_ns)
        return self.on_disk[rel]

    def page(self, rel: str, key: str, render: Callable[[], bytes]) -> bool:
        """Produce `rel`, rendering it only if its inputs (summed up by `key`) changed or the file
        is not the one an earlier publish wrote. True if it was rendered."""
        cache = self.cache
        if cache is not None and cache.fresh(rel, key, self.on_disk.get(rel)):
            self.produced.add(rel)
            self.skipped += 1
            return False
        self.rendered += 1
        on_disk = self.write(rel, render())
        if cache is not None:
            cache.rendered(rel, key, on_disk)
        return True

    def pages(self, rels: tuple[str, ...], key: str, render: Callable[[], tuple[bytes, ...]]) -> bool:
        """Like page(), for files rendered together (a feed's Atom and RSS documents)."""
        cache = self.cache
        if cache is not None and all(cache.fresh(rel, key, self.on_disk.get(rel)) for rel in rels):
            self.produced.update(rels)
            self.skipped += len(rels)
            return False
        self.rendered += len(rels)
        for rel, data in zip(rels, render(), strict=True):
            on_disk = self.write(rel, data)
            if cache is not None:
                cache.rendered(rel, key, on_disk)
        return True

    def prune(self) -> int:
        removed = 0
        emptied: set[Path] = set()
        for rel in sorted(self.on_disk):
            if rel not in self.produced:
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
