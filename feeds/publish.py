"""publish(): the recorded history → the folder a web server or GitHub Pages serves.

Writes changes.json, Atom and RSS feeds (all changes, per document, service and tag, the
substantive ones, health) with RFC 5005 archive pages, feeds.opml, a search index and the site.
It goes document by document and never holds texts of more than one change; with a publish cache
it re-renders only pages whose inputs changed, and the output is the same bytes either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib.resources import files
from pathlib import Path

from policywatch.archive.changes import ChangeRecord
from policywatch.archive.health import Health
from policywatch.archive.index import Index
from policywatch.archive.store import Version
from policywatch.diffs import Comparison, compare
from policywatch.diffs import render as diff_render

from . import paths
from .aggregate import Aggregates
from .cache import PublishCache, fingerprint
from .feedpages import FeedPages
from .items import DocInfo, Excerpts, Item
from .paths import Linker
from .site import environment, markdown_html, render_page
from .syndication import Feed
from .writer import SiteWriter

__all__ = ["DocInfo", "PublishReport", "publish"]

FEED_SIZE = 50  # entries per feed document (and per archive page)
STATIC = ("style.css", "search.js", "favicon.svg")


@dataclass
class PublishReport:
    out: Path
    files: int = 0
    written: int = 0
    removed: int = 0
    changes: int = 0
    documents: int = 0
    rendered: int = 0
    skipped: int = 0
    diffs: int = 0  # diffs computed (the costly part of a first publish)


def record_json(record: ChangeRecord, linker: Linker) -> dict:
    """One changes.json record (▶ contract)."""
    return {
        "id": record.id,
        "document_id": record.document_id,
        "detected_at": record.detected_at,
        "from_version": record.from_version,
        "to_version": record.to_version,
        "kind": record.kind,
        "reverts_to": record.reverts_to,
        "significance": record.significance,
        "summary": record.summary,
        "stats": record.stats,
        "facts": record.facts,
        "topics": record.topics,
        "source": record.source,
        "url": linker.absolute(paths.change_page(record.document_id, record.to_version)),
    }


def health_label(health: Health, doc_id: str) -> str:
    h = health.documents.get(doc_id)
    if h is None:
        return "ok"
    return f"{'broken' if h.broken else 'failing'}: {h.last_reason} ({h.failures}×)"


class Publisher:
    """The per-document pass of one publish: each document's change, version and text pages and
    its feed, handed on to the aggregates."""

    def __init__(self, index: Index, pages: FeedPages):
        self.index = index
        self.store = index.store
        self.pages = pages
        self.writer = pages.writer
        self.excerpts = pages.excerpts
        self.diffs = 0
        # comparisons of the records derived for the document being published, by change id:
        # its change pages render them instead of diffing the pair again
        self.fresh: dict[str, Comparison] = {}

    # ------------------------------------------------------------------ one document

    def derive(self, doc_id: str, records: list[ChangeRecord]) -> list[ChangeRecord]:
        """The document's change records brought up to date with its versions (each new pair
        diffed once, its comparison kept for the change page); `records` if none changed."""
        self.fresh.clear()
        if doc_id not in self.index.underived or not self.index.derive_changes(doc_id, self.fresh):
            return records
        self.diffs += len(self.fresh)
        return self.index.changes_by_document(doc_id).get(doc_id, [])

    def document(self, info: DocInfo, records: list[ChangeRecord], health: str, sink: Aggregates) -> None:
        """Pages and feeds of one document; `records`: its changes in order, without stats."""
        doc_id = info.id
        # version files are never rewritten, so (document, version id) stands for a text in the
        # keys; the versions themselves are read only when a page must be rendered
        versions: dict[str, Version] = {}
        texts: dict[str, str] = {}  # the two texts of the change being rendered, at most

        def version_of(vid: str) -> Version:
            if not versions:
                versions.update((v.id, v) for v in self.index.versions(doc_id))
            return versions[vid]

        def text_of(vid: str) -> str:
            if vid not in texts:
                if len(texts) >= 2:
                    texts.pop(next(iter(texts)))
                texts[vid] = self.store.read(version_of(vid))
            return texts[vid]

        items = [Item(record, info.title, info.service, info.tags) for record in records]
        doc_key = self.pages.key("doc", info.title, info.service, info.url, info.tags)
        dpage = paths.document_page(doc_id)
        service_page = paths.service_page(sink.slug(info.service))
        dkey = self.pages.key("document", doc_key, health, [i.key for i in items], service_page)
        # The document page's key covers every input of the document's change, version and text
        # pages: when the last publish rendered it from the same inputs, those pages are kept as
        # they are (unless a file is missing), without working out each one's key.
        same = self.writer.fresh(dpage, dkey)
        for n, (record, item) in enumerate(zip(records, items, strict=True)):
            vid = record.to_version
            vpage, tpage = paths.version_page(doc_id, vid), paths.version_text(doc_id, vid)
            if same and self.writer.keep((item.page, vpage, tpage)):
                continue
            prev_id = records[n - 1].to_version if n else None
            next_id = records[n + 1].to_version if n + 1 < len(records) else None
            # a change page links back, not forward: a new change re-renders no older diff
            render = partial(self._change_page, info, record, version_of, item, text_of, prev_id)
            self.writer.page(item.page, f"c:{doc_key}:{item.key}:{prev_id}", render)
            render = partial(self._version_page, info, record, version_of, text_of, prev_id, next_id)
            self.writer.page(vpage, f"v:{doc_key}:{item.key}:{prev_id}:{next_id}", render)
            self.writer.page(tpage, f"t:{doc_id}:{vid}", partial(_utf8, text_of, vid))
        sink.changes(doc_id, items, partial(self._record_lines, doc_id))

        published = [i for i in items if i.record.published]
        feed = Feed(
            f"docs/{doc_id}",
            f"{info.title} — policywatch",
            f"Changes to {info.title} ({info.service})",
            paths.document_page(doc_id),
            paths.document_feed(doc_id),
        )
        self.pages.paged_feed(feed, published)
        sink.feed(feed)

        def render_document() -> bytes:
            timeline = [{**i.view(), "title": ""} for i in reversed(items)]  # the page names the document
            return render_page(
                "document.html",
                dpage,
                doc=info,
                health=health,
                service_page=service_page,
                changes=timeline,
                n_versions=len(items),
            )

        self.writer.page(dpage, dkey, render_document)
        sink.document(info, health, len(items), records[-1].detected_at if records else None, published)

    def _record_lines(self, doc_id: str) -> list[str]:
        records = self.index.changes(doc_id, newest_first=False)  # with their stats
        return [json.dumps(record_json(r, self.pages.linker), ensure_ascii=False) for r in records]

    def _version_page(self, info, record, version_of, text_of, prev_id, next_id) -> bytes:
        version = version_of(record.to_version)
        return render_page(
            "version.html",
            paths.version_page(info.id, version.id),
            doc=info,
            version=version,
            record=record,
            prev_id=prev_id,
            next_id=next_id,
            body=markdown_html(text_of(version.id)),
        )

    def _change_page(self, info, record, version_of, item: Item, text_of, prev_id) -> bytes:
        record = self.index.change(record.id) or record  # with the stats the page shows
        version = version_of(record.to_version)
        inline = side = ""
        if record.from_version is not None:
            cmp = self.fresh.pop(record.id, None)
            if cmp is None:
                cmp = compare(text_of(record.from_version), text_of(record.to_version))
                self.diffs += 1
            inline, side = diff_render.inline_html(cmp), diff_render.side_by_side_html(cmp)
            self.excerpts.remember(item, diff_render.excerpt_html(cmp))
        return render_page(
            "change.html",
            item.page,
            doc=info,
            change=record,
            version=version,
            prev_id=prev_id,
            inline=inline,
            side_by_side=side,
        )


def _utf8(text_of: Callable[[str], str], version_id: str) -> bytes:
    return text_of(version_id).encode("utf-8")


def publish(
    index: Index,
    documents: dict[str, DocInfo],
    health: Health,
    out: Path | str,
    base_url: str = "",
    *,
    feed_size: int = FEED_SIZE,
    cache_path: Path | None = None,
    full: bool = False,
    progress: Callable[[str], None] | None = None,
) -> PublishReport:
    """Publish the recorded history of `index` to `out`. With `cache_path`, pages whose inputs
    did not change since the last publish to `out` are kept as they are (`full`: render and
    diff everything again; the cache is refreshed)."""
    if feed_size < 1:
        raise ValueError("feed_size must be at least 1")
    out = Path(out)
    linker = Linker(base_url)
    cache = PublishCache(cache_path, out, fingerprint(), trust=not full)
    env = environment()
    env.bytecode_cache = cache.templates
    try:
        writer = SiteWriter(out, cache)
        pages = FeedPages(writer, linker, Excerpts(index.store, cache), feed_size)
        pub = Publisher(index, pages)
        report = PublishReport(out)
        doc_ids = sorted(set(index.document_ids()) | set(documents))
        infos = {d: documents.get(d) or DocInfo(d, d, "(not in the sources)") for d in doc_ids}
        sink = Aggregates(pages, infos, health)
        records = index.changes_by_document()
        for n, doc_id in enumerate(doc_ids, 1):
            mine = pub.derive(doc_id, records.pop(doc_id, []))
            pub.document(infos[doc_id], mine, health_label(health, doc_id), sink)
            if progress and n % 100 == 0:
                progress(f"published {n}/{len(doc_ids)} documents")
        sink.finish()
        for name in STATIC:
            writer.write(name, files("policywatch.feeds").joinpath(f"static/{name}").read_bytes())
        report.removed = writer.prune()
        cache.save(writer.produced)
        report.changes = sink.n_records
        report.documents = len(doc_ids)
        report.files = len(writer.produced)
        report.written = writer.written
        report.rendered = writer.rendered
        report.skipped = writer.skipped
        report.diffs = pub.diffs + pub.excerpts.computed
        return report
    finally:
        env.bytecode_cache = None  # it reads the cache's database, closed now
        cache.close()
