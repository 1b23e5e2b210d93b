"""The SQLite index (`data/policywatch.db`): versions and change records derived from the files,
refreshed incrementally, plus this machine's fetch log. Deleting the file loses nothing.

This module owns the database: nothing else opens it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from policywatch.diffs import ENGINE_VERSION, Comparison

from .changes import ChangeRecord, Link, chain, derive
from .errors import CorruptRecordError, StoreError
from .store import Store, Version, order_key, parse_iso, parse_version_file

SCHEMA_VERSION = 4  # 3: topics as comma-joined slugs; 4: changes gained details, sections, undoes
DERIVED = f"schema {SCHEMA_VERSION}, engine {ENGINE_VERSION}"


@dataclass
class RefreshReport:
    documents: int = 0
    versions_read: int = 0
    versions_removed: int = 0
    changes_derived: int = 0
    changes_removed: int = 0
    problems: list[str] = field(default_factory=list)  # files left out (damaged, misplaced), for warnings


def _open(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return sqlite_utils.Database(conn)


# SQLite's answers for a file that is not (or no longer) a database: the index is derived, so
# it is made again from the files (a locked or unreadable file is another matter: an error)
DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


class Index:
    def __init__(self, store: Store):
        self.store = store
        self.path = store.root / "policywatch.db"
        self.problems: list[str] = []  # what went wrong with the index itself (rebuilt), for warnings
        # documents whose versions a refresh without `derive` found changed (or whose change
        # records are missing): derive_changes brings them up to date
        self.underived: set[str] = set()
        store.root.mkdir(parents=True, exist_ok=True)
        try:
            self.db = _open(self.path)
            self._migrate()
        except sqlite3.Error as e:
            if getattr(e, "sqlite_errorcode", None) not in DAMAGED:
                raise StoreError(f"cannot open the index {self.path}: {e}") from e
            self._rebuild(e)

    def _rebuild(self, error: sqlite3.DatabaseError) -> None:
        """The index file is damaged: delete it and start a new one (it is derived from the
        files; only this machine's fetch log, the ETags of conditional requests, is lost)."""
        if hasattr(self, "db"):
            with contextlib.suppress(sqlite3.Error):
                self.db.conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.problems.append(f"the index {self.path} was damaged ({error}); it is rebuilt from the version files")
        self.db = _open(self.path)
        self._migrate()

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _migrate(self) -> None:
        db = self.db
        meta = db["meta"]
        if not meta.exists():
            meta.create({"key": str, "value": str}, pk="key")
        row = next(db.query("select value from meta where key = 'derived'"), None)
        if row and row["value"] != DERIVED:
            # a new engine or schema: every derived row is recomputed from the files
            for name in ("versions", "changes", "change_gens"):
                if db[name].exists():
                    db[name].drop()
        if not db["versions"].exists():
            db["versions"].create(
                {
                    "document_id": str,
                    "id": str,
                    "fetched_at": str,
                    "sha256": str,
                    "url": str,
                    "extractor": str,
                    "source": str,
                    "technical": int,
                    "note": str,
                    "size": int,
                    "mtime_ns": int,
                },
                pk=("document_id", "id"),
            )
        if not db["changes"].exists():
            db["changes"].create(
                {
                    "id": str,
                    "document_id": str,
                    "to_version": str,
                    "from_version": str,
                    "kind": str,
                    "reverts_to": str,
                    "detected_at": str,
                    "significance": str,
                    "summary": str,
                    "stats": str,
                    "facts": str,
                    "source": str,
                    "topics": str,
                    "details": str,
                    "sections": str,
                    "undoes": str,
                    "from_sha": str,
                    "to_sha": str,
                },
                pk="id",
            )
            db["changes"].create_index(["detected_at"])
            db["changes"].create_index(["document_id"])
        if not db["fetches"].exists():
            db["fetches"].create(
                {
                    "document_id": str,
                    "at": str,
                    "outcome": str,
                    "reason": str,
                    "detail": str,
                    "status": int,
                    "url": str,
                    "etag": str,
                    "last_modified": str,
                    "sha256": str,
                },
                pk=("document_id", "at"),
            )
        meta.upsert({"key": "derived", "value": DERIVED}, pk="key")
        self._generations()

    def _generations(self) -> None:
        """Each document's generation of change records: a random number that any insert,
        update or delete of its records replaces (triggers, so every writer keeps it, whichever
        code runs; deleted and inserted, as an upsert's conflict rule would apply to a trigger's
        "insert or replace"). A publish keeps what it made of a document while its generation stays."""
        db = self.db
        with db.conn:
            if not db["change_gens"].exists():
                db.execute("create table change_gens (document_id text primary key, gen integer not null)")
                # records indexed before the table was: a generation each
                db.execute(
                    "insert into change_gens select document_id, abs(random()) from changes group by document_id"
                )
            for event, row in (("insert", "new"), ("update", "new"), ("update", "old"), ("delete", "old")):
                db.execute(
                    f"create trigger if not exists change_gens_{event}_{row} after {event} on changes begin"
                    f" delete from change_gens where document_id = {row}.document_id;"
                    f" insert into change_gens values ({row}.document_id, abs(random())); end"
                )

    def change_generations(self, doc_id: str | None = None) -> dict[str, int]:
        """The generation of each document's change records, or of one document's (see
        _generations)."""
        where, params = ("where document_id = ?", [doc_id]) if doc_id else ("", [])
        return dict(self.db.execute(f"select document_id, gen from change_gens {where}", params).fetchall())

    # ------------------------------------------------------------------ refresh

    def refresh(self, only: set[str] | None = None, *, derive: bool = True) -> RefreshReport:
        """Bring versions and changes up to date with the files (only what changed is re-read
        and re-diffed). Without `derive`, only the versions: a publish derives the changes it
        renders (derive_changes), diffing each pair once."""
        report = RefreshReport(problems=list(self.problems))
        report.problems.extend(
            f"folder {name!r} in {self.store.versions_dir} is not named after a document id ([a-z0-9-]): "
            "left out; rename or remove it"
            for name in self.store.stray_folders()
        )
        # the files and what the index holds, each read at once rather than per document
        on_disk = self.store.version_files()
        known: dict[str, dict[str, tuple[int, int]]] = {}
        for doc_id, vid, size, mtime_ns in self.db.execute("select document_id, id, size, mtime_ns from versions"):
            known.setdefault(doc_id, {})[vid] = (size, mtime_ns)
        n_changes = dict(self.db.execute("select document_id, count(*) from changes group by document_id").fetchall())
        ids = set(on_disk) | set(known)
        if only is not None:
            ids &= only
        for doc_id in sorted(ids):
            report.documents += 1
            versions = known.get(doc_id, {})
            changed = self._refresh_versions(doc_id, on_disk.get(doc_id, {}), versions, report)
            # versions as before, changes may still be missing (e.g. a crash between the two)
            if changed or len(versions) != n_changes.get(doc_id, 0):
                if not derive:
                    self.underived.add(doc_id)
                    continue
                try:
                    self._refresh_changes(doc_id, report)
                except CorruptRecordError as e:  # damaged since it was indexed: this document waits
                    report.problems.append(f"{e}; the changes of {doc_id} are not derived")
        return report

    def derive_changes(self, doc_id: str, keep: dict[str, Comparison] | None = None) -> int:
        """Bring one document's change records up to date with its indexed versions; the number
        derived or removed. `keep` gets the comparison of each record derived, by its id."""
        report = RefreshReport()
        self._refresh_changes(doc_id, report, keep)
        self.underived.discard(doc_id)
        return report.changes_derived + report.changes_removed

    def _refresh_versions(
        self, doc_id: str, files: dict[str, tuple[int, int]], known: dict[str, tuple[int, int]], report: RefreshReport
    ) -> bool:
        """Read the version files (id → size, mtime) that are new or differ from what the index
        knows; True if the document's versions changed."""
        rows = []
        files = dict(files)
        for vid in sorted((v for v, stat in files.items() if known.get(v) != stat), key=order_key):
            path = self.store.versions_dir / doc_id / f"{vid}.md"
            try:
                version, _ = parse_version_file(path)
                if version.document_id != doc_id:
                    raise CorruptRecordError(
                        f"version file {path}: front matter names document {version.document_id!r}, "
                        f"but the file is in the folder of {doc_id!r}"
                    )
            except CorruptRecordError as e:
                # one damaged file leaves out that version only, named in the warnings; the file
                # stays as it is for the operator to restore
                if path.exists():
                    report.problems.append(f"{e}; left out (restore it from git, or remove it)")
                del files[vid]
                continue
            except StoreError:
                if not path.exists():  # removed since the folder was listed
                    del files[vid]
                    continue
                raise
            report.versions_read += 1
            size, mtime_ns = files[vid]
            rows.append(
                {
                    "document_id": doc_id,
                    "id": version.id,
                    "fetched_at": version.detected_at,
                    "sha256": version.sha256,
                    "url": version.url,
                    "extractor": version.extractor,
                    "source": version.source,
                    "technical": int(version.technical),
                    "note": version.note,
                    "size": size,
                    "mtime_ns": mtime_ns,
                }
            )
        gone = set(known) - set(files)
        if not rows and not gone:
            return False
        with self.db.conn:
            if rows:
                self.db["versions"].upsert_all(rows, pk=("document_id", "id"))
            for vid in gone:
                self.db["versions"].delete((doc_id, vid))
                report.versions_removed += 1
        return True

    def _refresh_changes(self, doc_id: str, report: RefreshReport, keep: dict[str, Comparison] | None = None) -> None:
        versions = self.versions(doc_id)
        existing = {
            r["id"]: r
            for r in self.db.query(
                "select id, kind, from_version, reverts_to, undoes, from_sha, to_sha from changes"
                " where document_id = ?",
                [doc_id],
            )
        }
        links = chain(versions)
        texts: dict[str, str] = {}

        def text_of(v: Version) -> str:
            if v.id not in texts:
                texts[v.id] = self.store.read(v)
            return texts[v.id]

        wanted = set()
        for link in links:
            cid = f"{doc_id}/{link.version.id}"
            wanted.add(cid)
            old = existing.get(cid)
            prev = link.previous
            if (
                old
                and old["kind"] == link.kind
                and old["from_version"] == (prev.id if prev else None)
                and old["reverts_to"] == link.reverts_to
                and old["undoes"] == (link.undoes.id if link.undoes else None)
                and old["to_sha"] == link.version.sha256
                and old["from_sha"] == (prev.sha256 if prev else None)
            ):
                continue
            record = derive(link, text_of(link.version), text_of(prev) if prev else None, keep)
            report.changes_derived += 1
            self._save(record, link)
        with self.db.conn:
            for cid in set(existing) - wanted:
                self.db["changes"].delete(cid)
                report.changes_removed += 1

    def _save(self, record: ChangeRecord, link: Link) -> None:
        with self.db.conn:
            self.db["changes"].upsert(
                {
                    "id": record.id,
                    "document_id": record.document_id,
                    "to_version": record.to_version,
                    "from_version": record.from_version,
                    "kind": record.kind,
                    "reverts_to": record.reverts_to,
                    "detected_at": record.detected_at,
                    "significance": record.significance,
                    "summary": record.summary,
                    "stats": json.dumps(record.stats, sort_keys=True),
                    "facts": json.dumps(record.facts),
                    "source": record.source,
                    "topics": ",".join(record.topics),  # slugs: cheaper to read back than JSON
                    "details": record.details,
                    "sections": json.dumps(record.sections, ensure_ascii=False),
                    "undoes": record.undoes,
                    "from_sha": link.previous.sha256 if link.previous else None,
                    "to_sha": link.version.sha256,
                },
                pk="id",
            )

    # ------------------------------------------------------------------ queries

    def versions(self, doc_id: str) -> list[Version]:
        rows = self.db.query("select * from versions where document_id = ?", [doc_id])
        out = [_version(r) for r in rows]
        return sorted(out, key=lambda v: order_key(v.id))

    def latest_versions(self) -> dict[str, str]:
        """The newest version id of each document, from the versions alone (nothing derived)."""
        out: dict[str, str] = {}
        for doc_id, vid in self.db.execute("select document_id, id from versions"):
            if doc_id not in out or order_key(vid) > order_key(out[doc_id]):
                out[doc_id] = vid
        return out

    def document_ids(self) -> list[str]:
        return [
            r["document_id"] for r in self.db.query("select distinct document_id from versions order by document_id")
        ]

    def changes(self, doc_id: str | None = None, newest_first: bool = True) -> Iterator[ChangeRecord]:
        """Change records ordered by detection time (ties broken by id, for stable output)."""
        order = "desc" if newest_first else "asc"
        where, params = ("where document_id = ?", [doc_id]) if doc_id else ("", [])
        for r in self.db.query(f"select * from changes {where} order by detected_at {order}, id {order}", params):
            yield _change(r)

    def changes_by_document(
        self, doc_id: str | None = None, *, ids: Sequence[str] = ()
    ) -> dict[str, list[ChangeRecord]]:
        """Every change record (or one document's, or those with these `ids`), per document in
        detection order, in one query; without their stats (what a publish of 20,000 records
        needs: its lists and feeds never show them)."""
        out: dict[str, list[ChangeRecord]] = {}
        where, params = ("where document_id = ?", [doc_id]) if doc_id else ("", [])
        if ids:
            where, params = f"where id in ({','.join('?' * len(ids))})", list(ids)
        rows = self.db.execute(
            "select document_id, to_version, from_version, kind, detected_at, significance, summary, facts,"
            f" reverts_to, source, topics, details, sections, undoes from changes {where}"
            " order by document_id, detected_at, id",
            params,
        )
        rows = rows.fetchall()
        # the JSON columns of every row decoded in one call, not one per cell (26,000 on a publish)
        decoded = json.loads("[" + ",".join(f"{r[7] or '[]'},{r[12] or '[]'}" for r in rows) + "]")
        for n, (
            doc,
            to_v,
            from_v,
            kind,
            at,
            sig,
            summary,
            _,
            reverts_to,
            source,
            topics,
            details,
            _,
            undoes,
        ) in enumerate(rows):
            out.setdefault(doc, []).append(
                ChangeRecord(
                    doc,
                    to_v,
                    from_v,
                    kind,
                    at,
                    sig,
                    summary,
                    {},
                    decoded[2 * n],
                    reverts_to,
                    source,
                    topics.split(",") if topics else [],
                    details or "",
                    decoded[2 * n + 1],
                    undoes,
                )
            )
        return out

    def change(self, change_id: str) -> ChangeRecord | None:
        row = next(self.db.query("select * from changes where id = ?", [change_id]), None)
        return _change(row) if row else None

    def count_changes(self) -> int:
        return self.db.execute("select count(*) from changes").fetchone()[0]

    # ------------------------------------------------------------------ fetch log

    def log_fetch(self, rows: list[dict]) -> None:
        if rows:
            with self.db.conn:
                # alter: columns added since the table was made (e.g. `config`) join on first use
                self.db["fetches"].upsert_all(rows, pk=("document_id", "at"), alter=True)

    def validators(self, configs: dict[str, str]) -> dict[str, tuple[str, str]]:
        """ETag and Last-Modified of each document's last fetch, when that fetch gave the text
        recorded as latest (`new` or `unchanged`) under the same `configs[doc]` fingerprint."""
        if "config" not in self.db["fetches"].columns_dict:
            return {}
        out = {}
        for r in self.db.query(
            "select document_id, outcome, etag, last_modified, config from fetches f "
            "where at = (select max(at) from fetches g where g.document_id = f.document_id)"
        ):
            doc = r["document_id"]
            current = doc in configs and r["config"] == configs[doc] and r["outcome"] in ("new", "unchanged")
            if current and (r["etag"] or r["last_modified"]):
                out[doc] = (r["etag"] or "", r["last_modified"] or "")
        return out

    def last_fetches(self) -> dict[str, dict]:
        """Per document, its last fetch on this machine (`at`, `outcome`, `reason`), in one query."""
        rows = self.db.execute(
            "select document_id, at, outcome, reason from fetches f "
            "where at = (select max(at) from fetches g where g.document_id = f.document_id)"
        )
        return {d: {"at": at, "outcome": outcome, "reason": reason or ""} for d, at, outcome, reason in rows}

    def last_fetch(self, doc_id: str) -> dict | None:
        return next(
            self.db.query("select * from fetches where document_id = ? order by at desc limit 1", [doc_id]), None
        )


def _version(r: dict) -> Version:
    return Version(
        r["document_id"],
        r["id"],
        parse_iso(r["fetched_at"]),
        r["sha256"],
        r["url"],
        r["extractor"],
        r["source"],
        bool(r["technical"]),
        r["note"] or "",
    )


def _change(r: dict) -> ChangeRecord:
    return ChangeRecord(
        r["document_id"],
        r["to_version"],
        r["from_version"],
        r["kind"],
        r["detected_at"],
        r["significance"],
        r["summary"],
        json.loads(r["stats"]),
        json.loads(r["facts"]),
        r["reverts_to"],
        r["source"],
        r["topics"].split(",") if r["topics"] else [],
        r["details"] or "",
        json.loads(r["sections"] or "[]"),
        r["undoes"],
    )
