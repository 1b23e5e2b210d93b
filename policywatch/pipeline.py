"""The jobs the command line runs: crawl (fetch → check → extract → record), publish (index →
feeds and site), run (both; notifying is in notifying.py). Each takes its side effects as
parameters (the clock, a progress callback) and returns a report; the CLI only formats."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from policywatch.archive.changes import FLIP_WINDOW
from policywatch.archive.errors import SourceProblem, SourcesError, StoreError
from policywatch.archive.files import data_lock, remove_stale_temps
from policywatch.archive.health import BROKEN_AFTER, load_health
from policywatch.archive.index import Index, RefreshReport
from policywatch.archive.notify_config import Watch
from policywatch.archive.record import Outcome, Recorder
from policywatch.archive.shards import shard_of
from policywatch.archive.sources import Document, load_sources
from policywatch.archive.store import Store
from policywatch.feeds.cache import CACHE_NAME
from policywatch.feeds.publish import FEED_SIZE, DocInfo, PublishReport, publish

if TYPE_CHECKING:
    from policywatch.crawler.run import CrawlOptions


def sources_path(data_dir: Path, sources: Path | None) -> Path:
    return sources if sources is not None else data_dir / "sources"


def load_documents(path: Path, only: tuple[str, ...] = (), shard: tuple[int, int] | None = None) -> list[Document]:
    """The documents declared at `path`, narrowed to `only` and to one shard (I, N)."""
    if not path.exists() and not path.is_symlink():
        hint = "no such file or folder (`policywatch init` starts a tracking repository here; or pass --sources)"
        raise SourcesError([SourceProblem(str(path), None, None, hint)])
    documents = load_sources(path)
    if only:
        known = {d.id for d in documents}
        unknown = [i for i in only if i not in known]
        if unknown:
            raise SourcesError(
                [SourceProblem(str(path), i, None, "--only names a document that is not declared") for i in unknown]
            )
        documents = [d for d in documents if d.id in only]
    if shard is not None:
        documents = [d for d in documents if shard_of(d.id, shard[1]) == shard[0]]
    return documents


@dataclass
class CrawlReport:
    outcomes: list[Outcome] = field(default_factory=list)
    index: RefreshReport | None = None
    warnings: list[str] = field(default_factory=list)  # damaged files left out, an index rebuilt

    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    def failures(self) -> Counter[str]:
        return Counter(o.reason for o in self.outcomes if o.status == "failed")


def crawl(
    data_dir: Path,
    documents: list[Document],
    *,
    clock: Callable[[], datetime],
    on_outcome: Callable[[Outcome], None] | None = None,
    options: CrawlOptions | None = None,
    wait: float = 0.0,
    broken_after: int = BROKEN_AFTER,
    conditional: bool = True,
) -> CrawlReport:
    """Crawl `documents` once into `data_dir` (holding its lock), then refresh the index.

    With `conditional`, a page whose last fetch gave the latest version is asked for with its
    ETag/Last-Modified, and a 304 counts as unchanged."""
    from policywatch.crawler.run import CrawlOptions
    from policywatch.crawler.run import crawl as scrapy_crawl  # heavy: Scrapy and Twisted
    from policywatch.crawler.spider import fingerprint

    options = options or CrawlOptions()
    store = Store(data_dir)
    report = CrawlReport()
    with data_lock(data_dir, wait):
        clean_after_crash(store)
        recorder = Recorder(store, broken_after)
        configs = {d.id: fingerprint(d) for d in documents}
        if conditional:
            with Index(store) as index:
                validators = index.validators(configs)
                report.warnings.extend(index.problems)
            validators = {k: v for k, v in validators.items() if store.version_paths(k) and not recorder.has_pending(k)}
            options = replace(options, validators=validators)
        try:
            report.outcomes = scrapy_crawl(documents, recorder, clock=clock, on_outcome=on_outcome, options=options)
        finally:
            recorder.close()
        with Index(store) as index:
            index.log_fetch(
                [
                    {
                        "document_id": o.document_id,
                        "at": o.at,
                        "outcome": o.status,
                        "reason": o.reason,
                        "detail": o.detail,
                        "status": o.http_status,
                        "url": o.url,
                        "etag": o.etag,
                        "last_modified": o.last_modified,
                        "sha256": o.version.sha256 if o.version else None,
                        "config": configs.get(o.document_id, ""),
                    }
                    for o in report.outcomes
                ]
            )
            # versions only: the publish derives the change records, diffing each pair once
            report.index = index.refresh({d.id for d in documents}, derive=False)
            report.warnings.extend(p for p in report.index.problems if p not in report.warnings)
    return report


def clean_after_crash(store: Store) -> None:
    """What a killed run can leave: temp files (never records) and a snapshot whose version file
    was not written yet (the next crawl fetches that page again and records it whole)."""
    for folder in (store.versions_dir, store.snapshots_dir, store.root / "pending"):
        remove_stale_temps(folder)
    for tmp in store.root.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
    if not store.snapshots_dir.is_dir():
        return
    for folder in store.snapshots_dir.iterdir():
        if not folder.is_dir():
            continue
        versions = store.versions_dir / folder.name
        recorded = {p.stem for p in versions.iterdir()} if versions.is_dir() else set()
        for snapshot in folder.iterdir():
            if snapshot.is_file() and snapshot.stem not in recorded:
                snapshot.unlink()


def doc_infos(documents: list[Document]) -> dict[str, DocInfo]:
    return {d.id: DocInfo(d.id, d.title, d.service, d.url, tuple(d.tags), d.lang or "") for d in documents}


def publish_site(
    data_dir: Path,
    out: Path,
    *,
    sources: Path | None = None,
    base_url: str = "",
    wait: float = 30.0,
    feed_size: int = FEED_SIZE,
    incremental: bool = True,
    raw_url: str = "",
    progress: Callable[[str], None] | None = None,
    flip_window: timedelta = FLIP_WINDOW,
    watches: Sequence[Watch] = (),
) -> PublishReport:
    """Refresh the index from the version files and write the feeds and the site (and a feed and
    a page per keyword watch of notify.yml). Incremental
    (the default) keeps pages whose inputs did not change, using data/publish-cache.db; the
    bytes are the same as a full rebuild's. `raw_url`: where the stored raw pages are read
    (else they are copied into the site).

    A missing data folder, or one with no versions when `out` holds a published site, is an
    error before anything is written: a mistyped --data-dir must never empty a site."""
    if not data_dir.is_dir():
        raise StoreError(f"no data folder at {data_dir} (check --data-dir): nothing published")
    path = sources_path(data_dir, sources)
    documents = load_sources(path) if path.exists() else []
    store = Store(data_dir)
    with data_lock(data_dir, wait), Index(store) as index:
        refreshed = index.refresh(derive=False)  # each document's change records are derived as it is published
        for problem in refreshed.problems:
            if progress:
                progress(f"warning: {problem}")
        published = 0 if index.document_ids() else published_records(out)
        if published:
            raise StoreError(
                f"{data_dir} holds no recorded versions, but {out} holds a published site with {published} "
                f"change record(s): refusing to empty it (check --data-dir; to publish an empty site, "
                f"remove {out} first)"
            )
        return publish(
            index,
            doc_infos(documents),
            load_health(data_dir),
            out,
            base_url,
            feed_size=feed_size,
            cache_path=data_dir / CACHE_NAME,
            full=not incremental,
            raw_url=raw_url,
            progress=progress,
            flip_window=flip_window,
            watches=watches,
        )


def published_records(out: Path) -> int:
    """How many change records the site in `out` published (0: no site there, or not ours)."""
    try:
        records = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return 0
    return len(records) if isinstance(records, list) else 0


def refresh_index(data_dir: Path, rebuild: bool = False, wait: float = 30.0) -> RefreshReport:
    store = Store(data_dir)
    with data_lock(data_dir, wait):
        if rebuild:
            for suffix in ("", "-wal", "-shm"):
                (data_dir / f"policywatch.db{suffix}").unlink(missing_ok=True)
        with Index(store) as index:
            return index.refresh()
