"""What an earlier publish rendered, so the next one re-renders only what changed: a manifest of
every output file (the key of its inputs), the feed excerpt of each diff, and each document's
lines of changes.json.

It lives beside the SQLite index (`data/publish-cache.db`), is derived like it and may be
deleted at any time: the next publish then renders everything again, to the same bytes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from importlib.resources import files
from pathlib import Path

import fast_diff_match_patch
import feedgen.version
import jinja2
import markdown_it
from jinja2.bccache import Bucket, BytecodeCache
from lxml import etree

from policywatch.archive.errors import StoreError

CACHE_NAME = "publish-cache.db"
LINES = "lines:"  # blobs read one at a time, when needed: documents' lines of changes.json
RENDER_VERSION = "8"  # bump when output changes in a way the fingerprint cannot see


def fingerprint() -> str:
    """A digest of everything that shapes rendered output besides the data: our rendering and
    diff code, templates and static files, and the versions of the libraries that render."""
    h = hashlib.sha256(RENDER_VERSION.encode())
    for package in ("policywatch.feeds", "policywatch.diffs", "policywatch.archive"):
        root = files(package)
        stack = [root]
        found = []
        while stack:
            node = stack.pop()
            for child in node.iterdir():
                if child.is_dir():
                    if child.name != "__pycache__":
                        stack.append(child)
                elif child.name.endswith((".py", ".html", ".css", ".js", ".svg", ".xml")):
                    found.append(child)
        for child in sorted(found, key=lambda c: str(c)):
            h.update(str(child).removeprefix(str(root)).encode())
            h.update(child.read_bytes())
    # the libraries that render, by their modules' version strings (asking importlib.metadata
    # looks through every installed distribution: a twentieth of a second on each publish)
    versions = (feedgen.version.version_str, jinja2.__version__, markdown_it.__version__, etree.__version__)
    h.update(repr(versions).encode())
    h.update(Path(fast_diff_match_patch.__file__).read_bytes())  # it has no version string: its code
    return h.hexdigest()[:16]


def key_of(*parts: object) -> str:
    """A short stable digest of inputs made of str, int, None, tuples, lists and dicts built in a
    fixed order (repr is deterministic for those, and cheaper than JSON on 20,000 records)."""
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=12).hexdigest()


class PublishCache:
    """The manifest of one output folder and the excerpt cache (SQLite; None: in memory only)."""

    def __init__(self, path: Path | None, out: Path, fingerprint: str, trust: bool = True):
        self.out_key = str(out.resolve())
        self.fingerprint = fingerprint
        self.trust = trust  # False: render and diff everything again (and record it)
        try:
            self._open(path)
        except sqlite3.DatabaseError as e:
            if path is None or not path.exists():
                raise StoreError(f"cannot use the publish cache {path}: {e}") from e
            # derived data: a damaged cache is dropped and rebuilt by rendering everything
            if getattr(self, "conn", None) is not None:
                self.conn.close()
            try:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                self._open(path)
            except (OSError, sqlite3.Error) as e2:
                raise StoreError(f"cannot use the publish cache {path}: {e2} (delete it and retry)") from e2
        self.templates = TemplateCode(self.conn)
        self.updated: dict[str, str] = {}
        self.new_excerpts: dict[str, str] = {}
        self.new_blobs: dict[str, str] = {}
        self.used_blobs: set[str] = set()
        self.blobs: dict[str, str] | None = None
        self.blob_keys: set[str] | None = None

    def _open(self, path: Path | None) -> None:
        self.conn = sqlite3.connect(str(path) if path else ":memory:", timeout=30)
        # derived data, recording files that are themselves written without waiting for the
        # disk: a commit does not wait for it either (after a power cut, a damaged cache is
        # rebuilt and --full renders everything again)
        self.conn.execute("pragma synchronous=off")
        self.conn.executescript(
            """
            create table if not exists meta (key text primary key, value text);
            create table if not exists pages (out text, path text, key text, primary key (out, path));
            create table if not exists excerpts (key text primary key, html text);
            create table if not exists blobs (key text primary key, text text);
            create table if not exists templates (key text primary key, code blob);
            """
        )
        if [r[1] for r in self.conn.execute("pragma table_info(pages)")] != ["out", "path", "key"]:
            with self.conn:  # a manifest of an older layout
                self.conn.execute("drop table pages")
                self.conn.execute("create table pages (out text, path text, key text, primary key (out, path))")
        row = self.conn.execute("select value from meta where key = 'fingerprint'").fetchone()
        if row is None or row[0] != self.fingerprint:
            # other code or templates: nothing rendered before can be trusted
            with self.conn:
                self.conn.execute("delete from pages")
                self.conn.execute("delete from excerpts")
                self.conn.execute("delete from blobs")
                self.conn.execute("insert or replace into meta values ('fingerprint', ?)", [self.fingerprint])
        # manifests of output folders that are gone (temporary ones, say) only take space
        gone = [o for (o,) in self.conn.execute("select distinct out from pages") if not Path(o).is_dir()]
        if gone:
            with self.conn:
                self.conn.executemany("delete from pages where out = ?", [(o,) for o in gone])
        self.pages: dict[str, str] = dict(
            self.conn.execute("select path, key from pages where out = ?", [self.out_key])
        )

    def fresh(self, rel: str, key: str, exists: bool) -> bool:
        """True if `rel` exists and was rendered from inputs with this key. (A file edited by
        hand in the output folder is not noticed: --full renders everything again.)"""
        return self.trust and exists and self.pages.get(rel) == key

    def rendered(self, rel: str, key: str) -> None:
        if self.pages.get(rel) != key:
            self.updated[rel] = key

    def excerpt(self, key: str) -> str | None:
        if key in self.new_excerpts:
            return self.new_excerpts[key]
        if not self.trust:
            return None
        row = self.conn.execute("select html from excerpts where key = ?", [key]).fetchone()
        return row[0] if row else None

    def keep_excerpt(self, key: str, html: str) -> None:
        self.new_excerpts[key] = html

    def blob(self, key: str) -> str | None:
        """A text kept by an earlier publish under `key` (the files a document produced, its
        language, ...). Those whose key starts with "lines:" (a document's lines of changes.json,
        20 MB for 20,000 changes) are read one at a time, the others all at once: a publish asks
        for two or three per document."""
        self.used_blobs.add(key)
        if not self.trust or key in self.new_blobs:
            return self.new_blobs.get(key)
        if key.startswith(LINES):
            row = self.conn.execute("select text from blobs where key = ?", [key]).fetchone()
            return row[0] if row else None
        if self.blobs is None:
            rows = self.conn.execute("select key, text from blobs where substr(key, 1, ?) != ?", [len(LINES), LINES])
            self.blobs = dict(rows)
        return self.blobs.get(key)

    def has_blob(self, key: str) -> bool:
        """True if blob(key) gives a text (without reading it)."""
        self.used_blobs.add(key)
        if key in self.new_blobs:
            return True
        if not self.trust:
            return False
        if self.blob_keys is None:
            self.blob_keys = {k for (k,) in self.conn.execute("select key from blobs")}
        return key in self.blob_keys

    def keep_blob(self, key: str, text: str) -> None:
        self.used_blobs.add(key)
        self.new_blobs[key] = text

    def save(self, produced: set[str]) -> None:
        """Record what this publish wrote (after the files are in place, so a crash in between
        only costs a re-render next time)."""
        gone = [p for p in self.pages if p not in produced]
        try:
            with self.conn:
                self.conn.executemany(
                    "insert or replace into pages values (?, ?, ?)",
                    [(self.out_key, p, k) for p, k in sorted(self.updated.items())],
                )
                self.conn.executemany("delete from pages where out = ? and path = ?", [(self.out_key, p) for p in gone])
                self.conn.executemany(
                    "insert or replace into excerpts values (?, ?)", sorted(self.new_excerpts.items())
                )
                self.conn.executemany("insert or replace into blobs values (?, ?)", sorted(self.new_blobs.items()))
                self.conn.executemany(
                    "insert or replace into templates values (?, ?)", sorted(self.templates.compiled.items())
                )
                stale = {k for (k,) in self.conn.execute("select key from blobs")} - self.used_blobs
                self.conn.executemany("delete from blobs where key = ?", [(k,) for k in sorted(stale)])
        except sqlite3.Error as e:
            raise StoreError(f"cannot update the publish cache: {e}") from e

    def close(self) -> None:
        self.conn.close()


class TemplateCode(BytecodeCache):
    """Templates compiled by an earlier publish (Jinja checks each against its source): a publish
    that renders a few pages does not compile a dozen templates first."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        row = self.conn.execute("select code from templates where key = ?", [bucket.key]).fetchone()
        if row:
            bucket.bytecode_from_string(row[0])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()
