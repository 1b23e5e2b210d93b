"""Everything that spans documents: the global, substantive, per-service, per-tag, health and
keyword-watch feeds, feeds.opml, changes.json, the search index, and the home, filter, documents, service,
tag, status and search pages. Fed one document at a time by the publisher."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from policywatch.archive.health import Health, HealthEvent
from policywatch.archive.notify_config import Watch
from policywatch.diffs.topics import TOPICS

from . import paths
from .feedpages import FeedPages
from .items import DocInfo, Item
from .site import render_page
from .syndication import Entry, Feed, health_entry, render_opml
from .watches import ChangedTexts, publish_watches

RECENT = 50  # changes listed on the home, filter, service, tag and topic pages
SIGNIFICANCES = ("substantive", "minor", "cosmetic")
CHANGES = ("change", "revert")  # the kinds of record the substantive feed and page hold


@dataclass(frozen=True)
class HealthItem:
    event: HealthEvent
    title: str

    @property
    def id(self) -> str:
        return f"health/{self.event.id}"

    @property
    def key(self) -> str:
        e = self.event
        return f"{e.document_id}|{e.event}|{e.at}|{e.reason}|{e.detail}|{self.title}"

    def entry(self) -> Entry:
        return health_entry(self.event, self.title)


def _newest(items: list[Item], n: int = RECENT) -> list[dict]:
    return [i.view() for i in reversed(items[-n:])]


class Aggregates:
    def __init__(
        self,
        pages: FeedPages,
        infos: dict[str, DocInfo],
        health: Health,
        watches: list[Watch] | None = None,
        changed: ChangedTexts | None = None,
    ):
        self.pages = pages
        self.watches = watches or []
        self.changed = changed
        self.infos = infos
        self.health = health
        self.slugs = paths.service_slugs([i.service for i in infos.values()])
        self.items: list[Item] = []
        self.records: list[tuple[tuple[str, str], str]] = []  # (order, changes.json line)
        self.search: list[tuple[tuple[str, str], str]] = []  # (order, search-index.json line)
        self.doc_feeds: list[Feed] = []
        self.doc_rows: list[dict] = []
        self.n_records = 0

    def slug(self, service: str) -> str:
        return self.slugs[service]

    # ------------------------------------------------------------------ fed per document

    def changes(self, doc_id: str, items: list[Item], record_lines: Callable[[], list[str]], shown: list[Item]) -> None:
        """Take a document's change records (`items`: one per record, for changes.json and the
        search index; `shown`: what its feeds show, a flip-flop as one entry); their lines come
        from the publish cache when none of them changed."""
        key = self.pages.key("lines", doc_id, self.pages.linker.base_url, [i.key for i in items])
        cache = self.pages.writer.cache
        blob = cache.blob(key) if cache is not None else None
        if blob is None:
            search = [_search_line(i) for i in items if i.record.published]
            blob = "\n".join(record_lines()) + "\x00" + "\n".join(search)  # JSON escapes both
            if cache is not None:
                cache.keep_blob(key, blob)
        json_part, search_part = blob.split("\x00")
        published = [i for i in items if i.record.published]
        if items:
            self.records.extend(zip((i.order for i in items), json_part.split("\n"), strict=True))
        if published:
            self.search.extend(zip((i.order for i in published), search_part.split("\n"), strict=True))
        self.items.extend(i for i in shown if i.record.published)
        self.n_records += len(items)

    def feed(self, feed: Feed) -> None:
        self.doc_feeds.append(feed)

    def document(self, info: DocInfo, health: str, n_versions: int, last: str | None, items: list[Item]) -> None:
        self.doc_rows.append(
            {
                "id": info.id,
                "page": paths.document_page(info.id),
                "title": info.title,
                "service": info.service,
                "service_page": paths.service_page(self.slug(info.service)),
                "tags": info.tags,
                "n_versions": n_versions,
                "last_change": last,
                "last_summary": items[-1].record.summary if items else "",
                "health": health,
            }
        )

    # ------------------------------------------------------------------ at the end

    def finish(self) -> None:
        """Write what spans documents, once every document was fed."""
        self.items.sort(key=lambda i: i.order)
        services = sorted({i.service for i in self.infos.values()})
        tags = sorted({t for i in self.infos.values() for t in i.tags})
        by_service: dict[str, list[Item]] = defaultdict(list)
        by_tag: dict[str, list[Item]] = defaultdict(list)
        by_topic: dict[str, list[Item]] = defaultdict(list)
        for item in self.items:
            by_service[item.service].append(item)
            for tag in item.tags:
                by_tag[tag].append(item)
            if item.record.kind != "first":  # a first version is no change to a workflow
                for topic in item.record.topics:
                    by_topic[topic].append(item)
        service_feeds = {s: self._slice_feed("services", self.slug(s), s, by_service[s]) for s in services}
        tag_feeds = {t: self._slice_feed("tags", t, t, by_tag[t]) for t in tags}
        # every topic has its feed, so a reader can subscribe before its first change
        topic_feeds = {t: self._slice_feed("topics", t, TOPICS[t], by_topic[t]) for t in TOPICS}
        watch_feeds = publish_watches(self.pages, self.watches, self.items, self.changed) if self.changed else []
        feeds = [
            *self._site_feeds(), *service_feeds.values(), *tag_feeds.values(), *topic_feeds.values(),
            *watch_feeds, *self.doc_feeds,
        ]  # fmt: skip
        opml_key = self.pages.key("opml", self.pages.linker.base_url, [(f.title, f.site_path, f.path) for f in feeds])
        render = partial(render_opml, feeds, self.pages.linker, "policywatch feeds")
        self.pages.writer.page("feeds.opml", opml_key, render)
        self._data_files()
        self._lists(services, tags)
        self.pages.page("documents.html", "documents.html", documents=self.doc_rows)
        for service, feed in service_feeds.items():
            rows = [r for r in self.doc_rows if r["service"] == service]
            self._slice_page(feed, service, "service", by_service[service], rows)
        for tag, feed in tag_feeds.items():
            self._slice_page(feed, tag, "tag", by_tag[tag], [r for r in self.doc_rows if tag in r["tags"]])
        for topic, feed in topic_feeds.items():
            docs = {i.record.document_id for i in by_topic[topic]}
            self._slice_page(
                feed, TOPICS[topic], "topic", by_topic[topic], [r for r in self.doc_rows if r["id"] in docs]
            )
        self._status()
        self.pages.page("search.html", "search.html")

    def _site_feeds(self) -> list[Feed]:
        """The feeds of the whole site: every change, the substantive ones, tracking health."""
        everything = Feed(
            "all",
            "policywatch: all changes",
            "Every recorded change to the tracked policies",
            "index.html",
            "feed.atom",
        )
        important = Feed(
            "substantive",
            "policywatch: substantive changes",
            "Changes to the wording of the tracked policies (no formatting, dates or renumbering)",
            paths.significance_page("substantive"),
            "substantive.atom",
        )
        health = Feed(
            "health",
            "policywatch: tracking health",
            "Documents whose tracking broke (repeated failed crawls) or resumed",
            "status.html",
            "health.atom",
        )
        self.pages.paged_feed(everything, self.items)
        # changes of wording only: no first version, no flip-flop (kind "unstable"), no re-extraction
        substantive = [i for i in self.items if i.record.significance == "substantive" and i.record.kind in CHANGES]
        self.pages.paged_feed(important, substantive)
        events = sorted(self.health.events, key=lambda e: (e.at, e.document_id, e.event))
        titles = {d: i.title for d, i in self.infos.items()}
        items = [HealthItem(e, titles.get(e.document_id, e.document_id)) for e in events]
        self.pages.paged_feed(health, items, HealthItem.entry)
        return [everything, important, health]

    def _slice_feed(self, folder: str, slug: str, name: str, items: list[Item]) -> Feed:
        """The feed of one service (folder "services"), tag ("tags") or topic ("topics")."""
        if folder == "services":
            title, subtitle = f"{name} — policywatch", f"Changes to the policies of {name}"
            page = paths.service_page(slug)
        elif folder == "topics":
            title, subtitle = f"Topic {name} — policywatch", f"Changes that touch {name.lower()}"
            page = paths.topic_page(slug)
        else:
            title, subtitle = f"Tag {name} — policywatch", f"Changes to the policies tagged {name}"
            page = paths.tag_page(slug)
        feed = Feed(f"{folder}/{slug}", title, subtitle, page, f"{folder}/{slug}/feed.atom")
        self.pages.paged_feed(feed, items)
        return feed

    def _data_files(self) -> None:
        """changes.json and the search index, newest first."""
        self.records.sort(key=lambda r: r[0], reverse=True)
        records = ("[\n" + ",\n".join(r for _, r in self.records) + "\n]\n").encode("utf-8")
        self.pages.writer.write("changes.json", records)
        self.pages.writer.write("search-index.json", self._search_index())

    def _lists(self, services: list[str], tags: list[str]) -> None:
        """The home page and the lists of recent changes by significance."""
        nav = {
            "services": [{"name": s, "page": paths.service_page(self.slug(s))} for s in services],
            "tags": [{"name": t, "page": paths.tag_page(t)} for t in tags],
            "topics": [{"name": name, "page": paths.topic_page(t)} for t, name in TOPICS.items()],
            "significances": [{"name": s, "page": paths.significance_page(s)} for s in SIGNIFICANCES],
        }
        latest = self.items[-1].record.detected_at if self.items else None
        self.pages.page(
            "index.html",
            "index.html",
            changes=_newest(self.items),
            n_documents=len(self.infos),
            n_changes=len(self.items),
            latest=latest,
            nav=nav,
            current=None,
        )
        for sig in SIGNIFICANCES:
            chosen = [i for i in self.items if i.record.significance == sig and i.record.kind in CHANGES]
            self.pages.page(
                paths.significance_page(sig),
                "recent.html",
                significance=sig,
                changes=_newest(chosen),
                n_changes=len(chosen),
                nav=nav,
                current=sig,
                feed="substantive.atom" if sig == "substantive" else None,
            )

    def _slice_page(self, feed: Feed, name: str, kind: str, items: list[Item], docs: list[dict]) -> None:
        page = feed.site_path
        newest = items[-RECENT:]
        key = self.pages.key(kind, name, [i.key for i in newest], len(items), docs)

        def render() -> bytes:
            return render_page(
                "slice.html", page, kind=kind, name=name, feed=feed.path, changes=_newest(items), documents=docs,
                n_changes=len(items),
            )  # fmt: skip

        self.pages.writer.page(page, key, render)

    def _status(self) -> None:
        titles = {d: i.title for d, i in self.infos.items()}
        failing = [
            {**h.__dict__, "title": titles.get(d, d), "page": paths.document_page(d)}
            for d, h in sorted(self.health.documents.items())
            if d in self.infos
        ]
        events = [
            {
                **e.__dict__,
                "title": titles.get(e.document_id, e.document_id),
                "page": paths.document_page(e.document_id),
            }
            for e in sorted(self.health.events, key=lambda e: (e.at, e.document_id, e.event), reverse=True)
            if e.document_id in self.infos
        ]
        ok = sum(1 for d in self.infos if d not in self.health.documents)
        self.pages.page("status.html", "status.html", failing=failing, events=events, n_ok=ok)

    def _search_index(self) -> bytes:
        """A small prebuilt index for search.js: documents, then changes newest first."""
        docs = [
            json.dumps(
                {"t": r["title"], "s": r["service"], "g": " ".join(r["tags"]), "u": r["page"], "k": "document"},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            for r in self.doc_rows
        ]
        self.search.sort(key=lambda r: r[0], reverse=True)
        lines = docs + [line for _, line in self.search]
        return ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8")


def _search_line(item: Item) -> str:
    r = item.record
    row = {"t": item.title, "s": r.summary, "d": r.detected_at[:10], "g": r.significance, "u": item.page, "k": "change"}
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))
