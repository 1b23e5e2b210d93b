"""publish(): the recorded history → the folder a web server or GitHub Pages serves.

Writes changes.json, Atom and RSS feeds (all changes, per document, service and tag, the
substantive ones, health) with RFC 5005 archive pages, feeds.opml, a search index and the site.
It goes document by document and never holds texts of more than one change; with a publish cache
it re-renders only pages whose inputs changed, and the output is the same bytes either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from importlib.resources import files
from pathlib import Path

from policywatch.archive.changes import FLIP_WINDOW, ChangeRecord, episode_summary, flip_flops
from policywatch.archive.health import Health
from policywatch.archive.index import Index
from policywatch.archive.notify_config import Watch
from policywatch.archive.store import Version
from policywatch.diffs import Comparison, compare
from policywatch.diffs import render as diff_render
from policywatch.diffs.changed import changed_text
from policywatch.diffs.topics import TOPICS

from . import paths
from .aggregate import Aggregates
from .cache import PublishCache, fingerprint
from .feedpages import FeedPages
from .items import DocInfo, Excerpts, Item, collapsed
from .paths import Linker
from .site import environment, markdown_html, render_page
from .syndication import Feed, badges
from .watches import ChangedTexts
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


def record_json(record: ChangeRecord, linker: Linker, flip_flop: str | None = None) -> dict:
    """One changes.json record (▶ contract, and the fields added since: details, sections,
    topics, undoes, flip_flop, source)."""
    return {
        "id": record.id,
        "document_id": record.document_id,
        "detected_at": record.detected_at,
        "from_version": record.from_version,
        "to_version": record.to_version,
        "kind": record.kind,
        "reverts_to": record.reverts_to,
        "undoes": f"{record.document_id}/{record.undoes}" if record.undoes else None,
        "significance": record.significance,
        "summary": record.summary,
        "details": record.details,
        "stats": record.stats,
        "facts": record.facts,
        "sections": record.sections,
        "topics": record.topics,
        "flip_flop": flip_flop,
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

    def __init__(
        self, index: Index, pages: FeedPages, changed: ChangedTexts | None = None, flip_window: timedelta = FLIP_WINDOW
    ):
        self.index = index
        self.changed = changed  # with keyword watches: what each change added and removed
        self.store = index.store
        self.pages = pages
        self.writer = pages.writer
        self.excerpts = pages.excerpts
        self.flip_window = flip_window
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

        episodes = flip_flops(records, self.flip_window)
        member = {r.id: ff.id for ff in episodes for r in ff.records}
        unstable = {r.id: episode_summary(ff) for ff in episodes for r in ff.records}
        items = [Item(r, info.title, info.service, info.tags, member.get(r.id)) for r in records]
        # feeds and the timeline show each flip-flop as one "unstable" entry
        shown = collapsed(items, episodes, info.title, info.service, info.tags)
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
            episode = unstable.get(record.id, "")
            render = partial(self._change_page, info, record, version_of, item, text_of, prev_id, episode)
            self.writer.page(item.page, f"c:{doc_key}:{item.key}:{prev_id}:{episode}", render)
            render = partial(self._version_page, info, record, version_of, text_of, prev_id, next_id)
            self.writer.page(vpage, f"v:{doc_key}:{item.key}:{prev_id}:{next_id}", render)
            self.writer.page(tpage, f"t:{doc_id}:{vid}", partial(_utf8, text_of, vid))
        sink.changes(doc_id, items, partial(self._record_lines, doc_id, member), shown)

        published = [i for i in shown if i.record.published]
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
            timeline = [{**i.view(), "title": ""} for i in reversed(shown)]  # the page names the document
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

    def _record_lines(self, doc_id: str, member: dict[str, str]) -> list[str]:
        records = self.index.changes(doc_id, newest_first=False)  # with their stats
        linker = self.pages.linker
        return [json.dumps(record_json(r, linker, member.get(r.id)), ensure_ascii=False) for r in records]

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

    def _change_page(self, info, record, version_of, item: Item, text_of, prev_id, episode: str) -> bytes:
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
            if self.changed is not None:
                self.changed.remember(item, changed_text(cmp))
        badge, second = badges(record)
        return render_page(
            "change.html",
            item.page,
            doc=info,
            change=record,
            version=version,
            prev_id=prev_id,
            inline=inline,
            side_by_side=side,
            badge=badge,
            kind_badge=second,
            topics=[{"slug": t, "name": TOPICS.get(t, t)} for t in record.topics],
            flip_flop=item.flip_flop,
            episode=episode,
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
    flip_window: timedelta = FLIP_WINDOW,
    watches: Sequence[Watch] = (),
) -> PublishReport:
    """Publish the recorded history of `index` to `out`. With `cache_path`, pages whose inputs
    did not change since the last publish to `out` are kept as they are (`full`: render and
    diff everything again; the cache is refreshed). `flip_window`: a text back within this long
    after it changed is a flip-flop, shown as one entry (zero: none is). Each keyword watch gets
    a feed and a page."""
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
        changed = ChangedTexts(index.store, cache) if watches else None
        pub = Publisher(index, pages, changed, flip_window)
        report = PublishReport(out)
        doc_ids = sorted(set(index.document_ids()) | set(documents))
        infos = {d: documents.get(d) or DocInfo(d, d, "(not in the sources)") for d in doc_ids}
        sink = Aggregates(pages, infos, health, list(watches), changed)
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
        report.diffs = pub.diffs + pub.excerpts.computed + (changed.computed if changed else 0)
        return report
    finally:
        env.bytecode_cache = None  # it reads the cache's database, closed now
        cache.close()
