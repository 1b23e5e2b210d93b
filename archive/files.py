"""Crash-safe file writing and the data folder's lock.

Every file of the record is written whole or not at all: temp file in the same folder, fsync,
rename, fsync of the folder. A kill -9 at any moment leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import LockedError, StoreError


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (never a half-written file, even on kill -9)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(f"cannot write {path}: {e.strerror or e}") from e
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files a killed writer left behind (they never count as records)."""
    removed = 0
    if folder.is_dir():
        for tmp in folder.rglob(".*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def data_lock(data_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the data folder's lock; wait up to `wait` seconds for another run to finish.

    An flock is released by the kernel when its holder dies, so a killed run never leaves the
    folder locked."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(data_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise StoreError(f"cannot use data folder {data_dir}: {e.strerror or e}") from e
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise StoreError(f"cannot lock {data_dir}: {e.strerror}") from e
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"another policywatch run is using {data_dir}"
                        + (f" (waited {wait:g}s)" if wait else "")
                        + "; try again when it has finished, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)
