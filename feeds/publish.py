"""publish(): the recorded history → the folder a web server or GitHub Pages serves.

Writes changes.json, Atom and RSS feeds (all changes, per document, service and tag, their
substantive-only twins, health) with RFC 5005 archive pages, feeds.opml, the search index and the
site. It goes document by document and never holds texts of more than one change (a document's
texts pack reads its versions one at a time); with a publish cache it re-renders only pages whose
inputs changed, and the output is the same bytes either way.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from importlib.resources import files
from pathlib import Path

from policywatch.archive.changes import FLIP_WINDOW, ChangeRecord, episode_summary, flip_flops
from policywatch.archive.errors import StoreError
from policywatch.archive.health import DocHealth, Health
from policywatch.archive.index import Index
from policywatch.archive.notify_config import Watch
from policywatch.archive.store import Version, parse_version_file
from policywatch.diffs import Comparison, compare
from policywatch.diffs import render as diff_render
from policywatch.diffs.changed import changed_text
from policywatch.diffs.topics import TOPICS

from . import paths
from .aggregate import Aggregates
from .aggregate import substantive as only_substantive
from .cache import PublishCache, fingerprint
from .feedpages import FeedPages
from .items import UNDECLARED, DocInfo, Excerpts, Item, collapsed, episode_record
from .language import detect
from .paths import Linker
from .search import SearchIndex
from .site import environment, markdown_html, render_page
from .syndication import Feed, badges
from .tracking import Tracking, tracking_of
from .watches import ChangedTexts
from .writer import SiteWriter

__all__ = ["DocInfo", "PublishReport", "publish"]

FEED_SIZE = 50  # entries per feed document (and per archive page)
STATIC = ("style.css", "search.js", "site.js", "favicon.svg")
STATE = "state:"  # publish cache: what a document's next publish restores it from, if its inputs are the same


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
    restored: int = 0  # documents whose inputs did not change, restored from the publish cache


def record_json(record: ChangeRecord, info: DocInfo, linker: Linker, flip_flop: str | None = None) -> dict:
    """One changes.json record (▶ contract, and the fields added since: title, service, details,
    sections, topics, undoes, flip_flop, source)."""
    return {
        "id": record.id,
        "document_id": record.document_id,
        "title": info.title,
        "service": info.service,
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


# where a text is cut into the pieces of its texts pack (at the end of each match): after each
# line (with the blank lines that follow it), and after each sentence end inside a line, so that
# an edited paragraph shares its unchanged sentences with the versions before it. Matched rather
# than split on lookbehinds; each match starts with one of the characters that can end a piece,
# so that the regex engine skips ahead to the next of them (a lookbehind first would be tried at
# every character: six times slower, a tenth of a full publish).
PIECE_END = re.compile(r"[\n.!?;:](?:(?<=\n)(?!\n)|(?<=[^\W\d_][.!?;:]) )")
SHORT_PIECE = 24  # characters: shorter ones ("1. ", an indented blank line, "---") stay with the piece before


def text_pieces(text: str) -> list[str]:
    """A text cut into pieces ("".join gives it back)."""
    out: list[str] = []
    start = 0
    for end in [*(m.end() for m in PIECE_END.finditer(text)), len(text)]:
        piece, start = text[start:end], end
        if out and len(piece) < SHORT_PIECE:
            out[-1] += piece
        elif piece:
            out.append(piece)
    return out


def texts_pack(
    doc_id: str, versions: list[Version], records: dict[str, ChangeRecord], text_of: Callable[[str], str]
) -> bytes:
    """Every version's text of a document as JSON for site.js: each distinct piece (a line, or a
    sentence of a long one) once, and each version as runs [first, count] of piece numbers
    ("".join gives the text back)."""
    numbers: dict[str, int] = {}
    out_versions = []
    for v in versions:
        runs: list[list[int]] = []
        for piece in text_pieces(text_of(v.id)):
            n = numbers.setdefault(piece, len(numbers))
            if runs and runs[-1][0] + runs[-1][1] == n:
                runs[-1][1] += 1
            else:
                runs.append([n, 1])
        r = records[v.id]
        out_versions.append({"id": v.id, "at": v.detected_at, "kind": r.kind, "summary": r.summary, "runs": runs})
    body = {"document": doc_id, "versions": out_versions, "pieces": list(numbers)}
    return (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class Publisher:
    """The per-document pass of one publish: each document's change, version and compare pages,
    its texts pack and its feeds, handed on to the aggregates."""

    def __init__(
        self,
        index: Index,
        pages: FeedPages,
        raw_url: str = "",
        changed: ChangedTexts | None = None,
        flip_window: timedelta = FLIP_WINDOW,
    ):
        self.index = index
        self.changed = changed  # with keyword watches: what each change added and removed
        self.flip_window = flip_window
        self.store = index.store
        self.pages = pages
        self.writer = pages.writer
        self.excerpts = pages.excerpts
        self.raw_url = raw_url
        self.diffs = 0
        self.n_restored = 0
        # comparisons of the records derived for the document being published, by change id:
        # its change pages render them instead of diffing the pair again
        self.fresh: dict[str, Comparison] = {}
        # the records of the document being published with their stats, by id, once read
        self.stats: tuple[str, dict[str, ChangeRecord]] | None = None
        # what document() made of the document being published: its items, shown items, the keys
        # of its files' list, of its page and of its lines of changes.json, the summary of its
        # last published change
        self.made: tuple[str, list[Item], list[Item], str, str, str, str] | None = None
        # the records of documents restored from the cache, by document and id, once one is shown
        self.restored: dict[str, dict[str, ChangeRecord]] = {}
        self.read: dict[str, ChangeRecord] = {}  # records of restored items read by id
        pages.prefetch = self.prefetch

    # ------------------------------------------------------------------ one document

    def derive(self, doc_id: str, records: list[ChangeRecord]) -> list[ChangeRecord]:
        """The document's change records brought up to date with its versions (each new pair
        diffed once, its comparison kept for the change page); `records` if none changed."""
        self.fresh.clear()
        self.stats = None
        if doc_id not in self.index.underived or not self.index.derive_changes(doc_id, self.fresh):
            return records
        self.diffs += len(self.fresh)
        return self.index.changes_by_document(doc_id).get(doc_id, [])

    def publish_document(
        self,
        info: DocInfo,
        gen: int | None,
        fetch: dict | None,
        health: DocHealth | None,
        records_of: Callable[[str], list[ChangeRecord]],
        sink: Aggregates,
    ) -> tuple[str, Tracking, list[Item]]:
        """Pages, feeds and rows of one document: its language, its tracking and its items.
        `gen`: the generation of its change records in the index (None: it has none);
        `records_of` reads them (without stats) when they are needed."""
        doc_id = info.id
        raw = self._raw_copies(doc_id)
        service_page = sink.service_page(info.service)
        underived = doc_id in self.index.underived
        if not underived:
            kept = self._restore(info, self._inputs(info, gen, fetch, health, raw, service_page), sink)
            if kept is not None:
                return kept
        records = self.derive(doc_id, records_of(doc_id))
        if underived:  # its records were derived just now
            gen = self.index.change_generations(doc_id).get(doc_id)
        lang = language(self.index, info, records[-1].to_version if records else None, self.writer.cache)
        track = tracking_of(records, fetch, health)
        items = self.document(info, records, lang, track, sink, raw, service_page)
        self._remember(info, self._inputs(info, gen, fetch, health, raw, service_page), records, lang, track)
        return lang, track, items

    def _inputs(
        self,
        info: DocInfo,
        gen: int | None,
        fetch: dict | None,
        health: DocHealth | None,
        raw: dict,
        service: str | None,
    ) -> str:
        """The key of everything a document's pages, feeds and rows are made from: its change
        records (by their generation), its sources entry, tracking and stored raw pages, and
        how the site is made (the code is in the cache's fingerprint)."""
        return self.pages.key(
            "inputs",
            gen,
            info,
            fetch,
            health,
            sorted(raw.items()),
            service,
            self.raw_url,
            self.pages.linker.base_url,
            self.pages.feed_size,
            self.flip_window.total_seconds(),
        )

    def _remember(self, info: DocInfo, inputs: str, records: list[ChangeRecord], lang: str, track: Tracking) -> None:
        """Keep what the next publish needs to restore the document without its records."""
        made = self.made
        assert made is not None and made[0] == info.id
        _, items, shown, made_key, page_key, lines_key, summary = made
        state = {
            "inputs": inputs,
            "lang": lang,
            "lang_key": language_key(info, records[-1].to_version) if records and not info.lang else None,
            "track": list(track.__dict__.values()),
            "items": [i.state() for i in items],
            "shown": None if shown is items else [i.state() for i in shown],
            "made": made_key,
            "page": page_key,
            "lines": lines_key,
            "latest": records[-1].to_version if records else None,
            "first": records[0].detected_at if records else None,
            "last": records[-1].detected_at if records else None,
            "summary": summary,
        }
        self.writer.cache.keep_blob(STATE + info.id, json.dumps(state, ensure_ascii=False))

    def _restore(self, info: DocInfo, inputs: str, sink: Aggregates) -> tuple[str, Tracking, list[Item]] | None:
        """A document whose inputs are those of the last publish: the files that publish made of
        it are kept (if each is still there) and its items made again from the cache, without
        reading its records; None if it must be published again."""
        cache = self.writer.cache
        blob = cache.blob(STATE + info.id) if cache is not None else None
        if blob is None:
            return None
        try:
            state = json.loads(blob)
            if state["inputs"] != inputs:
                return None
            doc_id, title, service, tags = info.id, info.title, info.service, info.tags
            source = self._record_of
            items = [Item.restored(s, doc_id, title, service, tags, source) for s in state["items"]]
            shown = items
            if state["shown"] is not None:
                shown = [Item.restored(s, doc_id, title, service, tags, source) for s in state["shown"]]
            track = Tracking(*state["track"])
            lang, made_key, page, lines = state["lang"], state["made"], state["page"], state["lines"]
            latest, first, last, summary, lang_key = (
                state["latest"],
                state["first"],
                state["last"],
                state["summary"],
                state["lang_key"],
            )
            made = cache.blob(made_key)
        except (ValueError, KeyError, TypeError):  # derived data: a damaged entry is made again
            return None
        if made is None or not self.writer.keep(tuple(made.split("\n"))):
            return None
        if lang_key:
            cache.has_blob(lang_key)  # still in use
        self._hand_on(info, items, shown, lang, track, sink, page, latest, first, lines)
        sink.document(info, track, len(items), last, summary)
        self.n_restored += 1
        return lang, track, items

    def prefetch(self, items: list[Item]) -> None:
        """Read at once the records of the restored items a page is about to show (one query,
        not one per document; a feed of tracking health shows no change records)."""
        missing = [i for i in items if isinstance(i, Item) and not i.has_record]
        # a flip-flop's record is made from its document's records: those are read whole
        for doc_id in sorted({i.doc_id for i in missing if i.kind == "unstable"} - set(self.restored)):
            self._keep_records(doc_id, self.index.changes_by_document(doc_id).get(doc_id, []))
        wanted = sorted({i.id for i in missing if i.kind != "unstable"} - set(self.read))
        if wanted:
            found = self.index.changes_by_document(ids=wanted)
            self.read.update((r.id, r) for records in found.values() for r in records)

    def _keep_records(self, doc_id: str, records: list[ChangeRecord]) -> dict[str, ChangeRecord]:
        """A restored document's records by id, with its flip-flops worked out again."""
        kept = self.restored[doc_id] = {r.id: r for r in records}
        kept.update(("unstable:" + ff.first.id, episode_record(ff)) for ff in flip_flops(records, self.flip_window))
        return kept

    def _record_of(self, item: Item) -> ChangeRecord:
        """The record of an item restored from the cache, read when a page showing it is
        rendered again (the document's records at once)."""
        if item.kind != "unstable" and item.id in self.read:
            return self.read[item.id]
        doc_id = item.doc_id
        found = self.restored.get(doc_id)
        if found is None:
            found = self._keep_records(doc_id, self.index.changes_by_document(doc_id).get(doc_id, []))
        record = found.get(("unstable:" if item.kind == "unstable" else "") + item.id)
        if record is None:
            raise StoreError(f"the index lost the change record {item.id} while publishing: publish again")
        return record

    def document(
        self,
        info: DocInfo,
        records: list[ChangeRecord],
        lang: str,
        track: Tracking,
        sink: Aggregates,
        raw: dict[str, str],
        service_page: str | None,
    ) -> list[Item]:
        """Pages and feeds of one document; `records`: its changes in order, without stats."""
        doc_id = info.id
        episodes = flip_flops(records, self.flip_window)
        member = {r.id: ff.id for ff in episodes for r in ff.records}
        items = [Item(r, info.title, info.service, info.tags, member.get(r.id)) for r in records]
        # feeds and the timeline show each flip-flop as one "unstable" entry
        shown = collapsed(items, episodes, info.title, info.service, info.tags)
        published = [i for i in shown if i.published]
        doc_key = self.pages.key("doc", info.title, info.service, info.url, info.tags, lang, self.raw_url)
        # The texts pack's key covers every input of the document's change, version and compare
        # pages, and with the shown items' keys, of its feeds: when the last publish produced them
        # from the same inputs, the files it listed are kept as they are (unless one is missing),
        # without working out each one's key.
        pack_key = self.pages.key("pack", doc_key, [i.key for i in items], sorted(raw))
        made_key = "files:" + self.pages.key(
            "files", pack_key, [i.key for i in shown], self.pages.feed_size, self.pages.linker.base_url
        )

        def files() -> None:
            self._pages(info, records, items, episodes, raw, doc_key, pack_key, lang)
            for feed, entries in zip(_feeds(info), (published, only_substantive(published)), strict=True):
                self.pages.paged_feed(feed, entries, self.excerpts.short_entry)

        self.writer.group(made_key, files)
        latest = records[-1].to_version if records else None
        first = records[0].detected_at if records else None
        page_key = self.pages.key(
            "document", doc_key, [i.key for i in shown], track.view(), service_page, latest, first
        )
        lines_key = self._hand_on(info, items, shown, lang, track, sink, page_key, latest, first)
        last_summary = published[-1].record.summary if published else ""
        last = records[-1].detected_at if records else None
        sink.document(info, track, len(items), last, last_summary)
        self.made = (doc_id, items, shown, made_key, page_key, lines_key, last_summary)
        return items

    def _hand_on(
        self,
        info: DocInfo,
        items: list[Item],
        shown: list[Item],
        lang: str,
        track: Tracking,
        sink: Aggregates,
        page_key: str,
        latest: str | None,
        first: str | None,
        lines_key: str | None = None,
    ) -> str:
        """What a document gives the aggregates, and its own page; the key of its lines of
        changes.json (`lines_key`, if known)."""
        lines_key = sink.changes(info.id, items, partial(self._record_lines, info, items), shown, lines_key)
        for feed in _feeds(info):
            sink.feed(feed)
        service_page = sink.service_page(info.service)
        render = partial(self._document_page, info, lang, shown, track, service_page, latest, first)
        self.writer.page(paths.document_page(info.id), page_key, render)
        return lines_key

    def _pages(
        self,
        info: DocInfo,
        records: list[ChangeRecord],
        items: list[Item],
        episodes: list,
        raw: dict[str, str],
        doc_key: str,
        pack_key: str,
        lang: str,
    ) -> None:
        """The document's change and version pages, its raw copies, texts pack and compare page."""
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

        unstable = {r.id: episode_summary(ff) for ff in episodes for r in ff.records}
        latest = records[-1].to_version if records else None
        pack = paths.texts_pack(doc_id)
        same = self.writer.fresh(pack, pack_key)
        for n, (record, item) in enumerate(zip(records, items, strict=True)):
            vid = record.to_version
            vpage = paths.version_page(doc_id, vid)
            raw_file = paths.raw_copy(doc_id, raw[vid]) if vid in raw and not self.raw_url else None
            kept = (item.page, vpage, raw_file) if raw_file else (item.page, vpage)
            if same and self.writer.keep(kept):
                continue
            prev_id = records[n - 1].to_version if n else None
            next_id = records[n + 1].to_version if n + 1 < len(records) else None
            raw_link = self._raw_link(doc_id, vid, raw)
            episode = unstable.get(record.id, "")
            render = partial(
                self._change_page, info, record, version_of, item, text_of, prev_id, next_id, lang, raw_link, episode
            )
            self.writer.page(item.page, f"c:{doc_key}:{item.key}:{prev_id}:{next_id}:{raw_link}:{episode}", render)
            render = partial(
                self._version_page, info, record, version_of, text_of, prev_id, next_id, latest, lang, raw_link
            )
            self.writer.page(vpage, f"v:{doc_key}:{item.key}:{prev_id}:{next_id}:{vid == latest}:{raw_link}", render)
            if raw_file:
                self.writer.page(raw_file, f"r:{doc_id}:{raw[vid]}", partial(self._raw_bytes, doc_id, raw[vid]))
        if records:
            by_version = {r.to_version: r for r in records}

            def render_pack() -> bytes:
                texts.clear()  # read one version at a time, not kept
                listed = [version_of(r.to_version) for r in records]
                return texts_pack(doc_id, listed, by_version, lambda vid: self.store.read(version_of(vid)))

            self.writer.page(pack, pack_key, render_pack)
            self.pages.page(paths.compare_page(doc_id), "compare.html", doc=_doc_view(info, lang))

    def _document_page(
        self,
        info: DocInfo,
        lang: str,
        shown: list[Item],
        track: Tracking,
        service_page: str | None,
        latest: str | None,
        first: str | None,
    ) -> bytes:
        page = paths.document_page(info.id)
        return render_page(
            "document.html",
            page,
            doc=_doc_view(info, lang),
            health=track.label,
            track=track.view(),
            service_page=service_page,
            changes=[{**i.view(), "title": ""} for i in reversed(shown)],  # the page names the document
            latest=latest,
            first=first,
        )

    def _raw_copies(self, doc_id: str) -> dict[str, str]:
        """The stored raw page of each version of the document: version id -> file name."""
        folder = self.store.snapshots_dir / doc_id
        try:
            names = os.listdir(folder)
        except OSError:
            return {}
        return {name.split(".", 1)[0]: name for name in sorted(names) if not name.startswith(".")}

    def _raw_link(self, doc_id: str, vid: str, raw: dict[str, str]) -> str:
        """Where the stored raw page of a version is read (relative to the version page)."""
        if vid not in raw:
            return ""
        if self.raw_url:
            return f"{self.raw_url.rstrip('/')}/{doc_id}/{raw[vid]}"
        return Linker.relative(paths.version_page(doc_id, vid), paths.raw_copy(doc_id, raw[vid]))

    def _raw_bytes(self, doc_id: str, name: str) -> bytes:
        return (self.store.snapshots_dir / doc_id / name).read_bytes()

    def _with_stats(self, doc_id: str) -> dict[str, ChangeRecord]:
        """The document's change records with their stats (which its change pages and its lines
        of changes.json show) in detection order, by id: one query per document, when needed."""
        if self.stats is None or self.stats[0] != doc_id:
            self.stats = (doc_id, {r.id: r for r in self.index.changes(doc_id, newest_first=False)})
        return self.stats[1]

    def _record_lines(self, info: DocInfo, items: list[Item]) -> list[str]:
        member = {i.id: i.flip_flop for i in items if i.flip_flop}
        records = self._with_stats(info.id).values()
        linker = self.pages.linker
        return [json.dumps(record_json(r, info, linker, member.get(r.id)), ensure_ascii=False) for r in records]

    def _version_page(
        self, info, record, version_of, text_of, prev_id, next_id, latest, lang: str, raw_link: str
    ) -> bytes:
        version = version_of(record.to_version)
        # the current text is in the page; older texts come from the texts pack (site.js), so
        # the site holds each paragraph of a document's history once
        current = version.id == latest
        return render_page(
            "version.html",
            paths.version_page(info.id, version.id),
            doc=_doc_view(info, lang),
            version=version,
            record=record,
            prev_id=prev_id,
            next_id=next_id,
            latest=latest,
            body=markdown_html(text_of(version.id)) if current else "",
            raw_link=raw_link,
        )

    def _change_page(
        self, info, record, version_of, item: Item, text_of, prev_id, next_id, lang: str, raw_link: str, episode: str
    ) -> bytes:
        record = self._with_stats(info.id).get(record.id, record)  # with the stats the page shows
        version = version_of(record.to_version)
        compact = ""
        if record.from_version is not None:
            cmp = self.fresh.pop(record.id, None)
            if cmp is None:
                cmp = compare(text_of(record.from_version), text_of(record.to_version))
                self.diffs += 1
            whole = f"../compare.html?a={record.from_version}&b={record.to_version}"
            compact = diff_render.compact_html(cmp, more_href=whole)
            self.excerpts.remember(item, cmp)
            if self.changed is not None:
                self.changed.remember(item, changed_text(cmp))
        badge, second = badges(record)
        return render_page(
            "change.html",
            item.page,
            doc=_doc_view(info, lang),
            change=record,
            version=version,
            prev_id=prev_id,
            next_id=next_id,
            compact=compact,
            raw_link=raw_link,
            badge=badge,
            kind_badge=second,
            topics=[{"slug": t, "name": TOPICS.get(t, t)} for t in record.topics],
            flip_flop=item.flip_flop,
            episode=episode,
        )


def _feeds(info: DocInfo) -> tuple[Feed, Feed]:
    """A document's feed of every change and its substantive twin."""
    folder = f"docs/{info.id}"
    every = Feed(
        folder,
        f"{info.title} — policywatch",
        f"Changes to {info.title} ({info.service})",
        paths.document_page(info.id),
        paths.document_feed(info.id),
    )
    substantive = Feed(
        f"{folder}/substantive",
        f"{info.title}: substantive changes — policywatch",
        f"Changes to the wording of {info.title} ({info.service})",
        paths.document_page(info.id),
        paths.substantive_feed(folder),
        rss=False,
    )
    return every, substantive


def _doc_view(info: DocInfo, lang: str) -> dict:
    return {
        "id": info.id,
        "title": info.title,
        "service": info.service,
        "url": info.url,
        "tags": info.tags,
        "lang": lang,
    }


def language(index: Index, info: DocInfo, latest: str | None, cache: PublishCache) -> str:
    """A document's language: its sources entry's `lang`, else detected from its latest text
    (version `latest`; kept in the publish cache per version, so a publish reads only new texts)."""
    if info.lang or latest is None:
        return info.lang or "en"
    key = language_key(info, latest)
    found = cache.blob(key)
    if found is None:
        found = detect(parse_version_file(index.store.versions_dir / info.id / f"{latest}.md")[1])
        cache.keep_blob(key, found)
    return found


def language_key(info: DocInfo, latest: str) -> str:
    return f"lang:{info.id}:{latest}"


def _records_reader(index: Index, everything: bool) -> Callable[[str], list[ChangeRecord]]:
    """A document's change records without stats: read per document (most are restored from
    the publish cache), or all at once in one query on the first call if `everything` is
    published again."""
    every: dict[str, list[ChangeRecord]] | None = None

    def records_of(doc_id: str) -> list[ChangeRecord]:
        nonlocal every
        if every is None and everything:
            every = index.changes_by_document()
        if every is not None:
            return every.pop(doc_id, [])
        return index.changes_by_document(doc_id).get(doc_id, [])

    return records_of


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
    raw_url: str = "",
    progress: Callable[[str], None] | None = None,
    flip_window: timedelta = FLIP_WINDOW,
    watches: Sequence[Watch] = (),
) -> PublishReport:
    """Publish the recorded history of `index` to `out`. With `cache_path`, pages whose inputs
    did not change since the last publish to `out` are kept as they are (`full`: render and
    diff everything again; the cache is refreshed). `raw_url`: where the stored raw pages are
    read (a folder URL holding `<doc-id>/<file>`); without it they are copied into the site.
    `flip_window`: a text back within this long after it changed is a flip-flop, shown as one
    entry (zero: none is). Each keyword watch gets a feed and a page."""
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
        report = PublishReport(out)
        doc_ids = sorted(set(index.document_ids()) | set(documents))
        infos = {d: documents.get(d) or DocInfo(d, d, UNDECLARED) for d in doc_ids}
        gens = index.change_generations()
        fetches = index.last_fetches()
        changed = ChangedTexts(index.store, cache) if watches else None
        pub = Publisher(index, pages, raw_url, changed, flip_window)
        tracks: dict[str, Tracking] = {}
        with SearchIndex(pages, infos) as search:
            sink = Aggregates(pages, infos, health, tracks, list(watches), changed)
            records_of = _records_reader(index, full or not cache.pages)
            for n, doc_id in enumerate(doc_ids, 1):
                lang, tracks[doc_id], items = pub.publish_document(
                    infos[doc_id], gens.get(doc_id), fetches.get(doc_id), health.documents.get(doc_id), records_of, sink
                )
                search.collect(doc_id, items, lang)
                if progress and n % 100 == 0:
                    progress(f"published {n}/{len(doc_ids)} documents")
            search.start()  # Pagefind indexes while the pages that span documents are written
            sink.finish(search.bundles())
            search.write()
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
        report.restored = pub.n_restored
        report.diffs = pub.diffs + pub.excerpts.computed + (changed.computed if changed else 0)
        return report
    finally:
        env.bytecode_cache = None  # it reads the cache's database, closed now
        cache.close()
