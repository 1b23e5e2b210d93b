"""The jobs the command line runs: crawl (fetch → check → extract → record), publish (index →
feeds and site), run (both). Each takes its side effects as parameters (the clock, a progress
callback) and returns a report; the CLI only formats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from archive.errors import SourceProblem, SourcesError
from archive.files import data_lock, remove_stale_temps
from archive.health import load_health
from archive.index import Index, RefreshReport
from archive.record import Outcome, Recorder
from archive.sources import Document, load_sources
from archive.store import Store
from feeds.cache import CACHE_NAME
from feeds.publish import FEED_SIZE, DocInfo, PublishReport, publish


def sources_path(data_dir: Path, sources: Path | None) -> Path:
    return sources if sources is not None else data_dir / "sources"


def load_documents(path: Path, only: tuple[str, ...] = ()) -> list[Document]:
    documents = load_sources(path)
    if only:
        known = {d.id for d in documents}
        unknown = [i for i in only if i not in known]
        if unknown:
            raise SourcesError(
                [SourceProblem(str(path), i, None, "--only names a document that is not declared") for i in unknown]
            )
        documents = [d for d in documents if d.id in only]
    return documents


@dataclass
class CrawlReport:
    outcomes: list[Outcome] = field(default_factory=list)
    index: RefreshReport | None = None

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
    delay: float = 1.0,
    timeout: float = 30.0,
    wait: float = 0.0,
    verbose: bool = False,
) -> CrawlReport:
    """Crawl `documents` once into `data_dir` (holding its lock), then refresh the index."""
    from crawler.run import crawl as scrapy_crawl  # heavy: Scrapy and Twisted

    store = Store(data_dir)
    report = CrawlReport()
    with data_lock(data_dir, wait):
        remove_stale_temps(store.versions_dir)
        remove_stale_temps(store.snapshots_dir)
        recorder = Recorder(store)
        try:
            report.outcomes = scrapy_crawl(
                documents, recorder, clock=clock, on_outcome=on_outcome, delay=delay, timeout=timeout, verbose=verbose
            )
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
                        "sha256": o.version.sha256 if o.version else None,
                    }
                    for o in report.outcomes
                ]
            )
            report.index = index.refresh({d.id for d in documents})
    return report


def doc_infos(documents: list[Document]) -> dict[str, DocInfo]:
    return {d.id: DocInfo(d.id, d.title, d.service, d.url, tuple(d.tags)) for d in documents}


def publish_site(
    data_dir: Path,
    out: Path,
    *,
    sources: Path | None = None,
    base_url: str = "",
    wait: float = 30.0,
    feed_size: int = FEED_SIZE,
    incremental: bool = True,
    progress: Callable[[str], None] | None = None,
) -> PublishReport:
    """Refresh the index from the version files and write the feeds and the site. Incremental
    (the default) keeps pages whose inputs did not change, using data/publish-cache.db; the
    bytes are the same as a full rebuild's."""
    path = sources_path(data_dir, sources)
    documents = load_sources(path) if path.exists() else []
    store = Store(data_dir)
    with data_lock(data_dir, wait), Index(store) as index:
        index.refresh()
        return publish(
            index,
            doc_infos(documents),
            load_health(data_dir),
            out,
            base_url,
            feed_size=feed_size,
            cache_path=data_dir / CACHE_NAME,
            full=not incremental,
            progress=progress,
        )


def refresh_index(data_dir: Path, rebuild: bool = False, wait: float = 30.0) -> RefreshReport:
    store = Store(data_dir)
    with data_lock(data_dir, wait):
        if rebuild:
            for suffix in ("", "-wal", "-shm"):
                (data_dir / f"policywatch.db{suffix}").unlink(missing_ok=True)
        with Index(store) as index:
            return index.refresh()
