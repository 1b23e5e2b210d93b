"""Everything that spans documents: the global, substantive, per-service and per-tag feeds (each
with a substantive-only twin), the per-topic, health and keyword-watch feeds, feeds.opml,
changes.json, and the home, filter, service, tag, topic, documents, status, search and subscribe
pages. Fed one document at a time by the publisher."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from policywatch.archive.errors import StoreError
from policywatch.archive.health import Health, HealthEvent
from policywatch.archive.notify_config import Watch
from policywatch.diffs.topics import TOPICS

from . import paths
from .cache import LINES
from .feedpages import FeedPages
from .items import UNDECLARED, DocInfo, Item
from .syndication import Entry, Feed, health_entry, render_opml
from .tracking import Tracking
from .watches import ChangedTexts, publish_watches
from .writer import Content

SIGNIFICANCES = ("substantive", "minor", "cosmetic")
CHANGES_OF = "changes-of:"  # publish cache: the documents and keys of the lines of a changes.json


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


def substantive(items: list[Item]) -> list[Item]:
    """Changes of wording only: no first version, no flip-flop (kind "unstable"), no re-extraction."""
    return [i for i in items if i.listed == "substantive"]


class Aggregates:
    def __init__(
        self,
        pages: FeedPages,
        infos: dict[str, DocInfo],
        health: Health,
        tracks: dict[str, Tracking],
        watches: list[Watch] | None = None,
        changed: ChangedTexts | None = None,
    ):
        self.pages = pages
        self.watches = watches or []
        self.changed = changed  # with keyword watches: what each change added and removed
        self.infos = infos
        self.health = health
        self.tracks = tracks
        self.slugs = paths.service_slugs([i.service for i in infos.values()])
        self.items: list[Item] = []  # what lists and feeds show: a flip-flop as one item
        self.changed_items: list[Item] = []  # every change and revert, for the keyword watches
        # per document: its id, the key of its lines of changes.json and their order keys
        self.records: list[tuple[str, str, list[tuple[str, str]]]] = []
        self.made_lines: dict[str, str] = {}  # the lines this publish made, by key
        self.doc_feeds: list[Feed] = []
        self.doc_rows: list[dict] = []
        self.n_records = 0

    def slug(self, service: str) -> str:
        return self.slugs[service]

    def service_page(self, service: str) -> str | None:
        """A service's page; documents outside the sources have none (theirs is no service)."""
        return None if service == UNDECLARED else paths.service_page(self.slug(service))

    # ------------------------------------------------------------------ fed per document

    def changes(
        self,
        doc_id: str,
        items: list[Item],
        record_lines: Callable[[], list[str]],
        shown: list[Item],
        key: str | None = None,
    ) -> str:
        """Take a document's change records (`items`: one per record, for changes.json; `shown`:
        what its feeds and lists show, a flip-flop as one entry); their lines of changes.json come
        from the publish cache when none of them changed. Returns the key of those lines (`key`,
        if the caller knows it from an earlier publish with the same items)."""
        if key is None:
            key = LINES + self.pages.key("lines", doc_id, self.pages.linker.base_url, [i.key for i in items])
        cache = self.pages.writer.cache
        if cache is None or not cache.has_blob(key):  # (read only if changes.json is put together)
            blob = self.made_lines[key] = "\n".join(record_lines())  # JSON escapes newlines in a record
            if cache is not None:
                cache.keep_blob(key, blob)
        if items:
            self.records.append((doc_id, key, [i.order for i in items]))
        self.items.extend(i for i in shown if i.published)
        if self.changed is not None:
            self.changed_items.extend(i for i in items if i.published)
        self.n_records += len(items)
        return key

    def feed(self, feed: Feed) -> None:
        self.doc_feeds.append(feed)

    def document(self, info: DocInfo, track: Tracking, n_versions: int, last: str | None, last_summary: str) -> None:
        """Take a document's row of the documents page."""
        self.doc_rows.append(
            {
                "id": info.id,
                "page": paths.document_page(info.id),
                "title": info.title,
                "service": info.service,
                "service_page": self.service_page(info.service),
                "tags": info.tags,
                "n_versions": n_versions,
                "last_change": last,
                "last_summary": last_summary,
                "health": track.label,
                "checked": track.last_checked,
            }
        )

    # ------------------------------------------------------------------ at the end

    def finish(self, search_bundles: list[dict]) -> None:
        """Write what spans documents, once every document was fed."""
        self.items.sort(key=lambda i: i.order)
        services = sorted({i.service for i in self.infos.values()} - {UNDECLARED})
        tags = sorted({t for i in self.infos.values() for t in i.tags})
        by_service: dict[str, list[Item]] = defaultdict(list)
        by_tag: dict[str, list[Item]] = defaultdict(list)
        by_topic: dict[str, list[Item]] = defaultdict(list)
        by_significance: dict[str | None, list[Item]] = {s: [] for s in SIGNIFICANCES}
        for item in self.items:
            by_significance.setdefault(item.listed, []).append(item)
            by_service[item.service].append(item)
            for tag in item.tags:
                by_tag[tag].append(item)
            if item.kind != "first":  # a first version is no change to a workflow
                for topic in item.topics:
                    by_topic[topic].append(item)
        # every topic has its feed, so a reader can subscribe before its first change
        topics = [*TOPICS, *sorted(set(by_topic) - set(TOPICS))]
        site_feeds = self._site_feeds(by_significance["substantive"])
        service_feeds = {s: self._slice_feeds("services", self.slug(s), s) for s in services}
        tag_feeds = {t: self._slice_feeds("tags", t, t) for t in tags}
        topic_feeds = {t: self._topic_feed(t) for t in topics}
        # a watch lists each change that added or removed its words, those of a flip-flop too
        self.changed_items.sort(key=lambda i: i.order)
        watch_feeds = []
        if self.changed is not None:
            watch_feeds = publish_watches(self.pages, self.watches, self.changed_items, self.changed)
        feeds = [
            *site_feeds,
            *(f for pair in service_feeds.values() for f in pair),
            *(f for pair in tag_feeds.values() for f in pair),
            *topic_feeds.values(),
            *watch_feeds,
            *self.doc_feeds,
        ]
        opml_key = self.pages.key(
            "opml", self.pages.linker.base_url, [(f.title, f.site_path, f.path, f.rss) for f in feeds]
        )
        render = partial_opml(feeds, self.pages)
        self.pages.writer.page("feeds.opml", opml_key, render)
        self._changes_json()
        nav = self._nav(services, tags, topics)
        self._lists(nav, by_significance)
        self.pages.page("documents.html", "documents.html", documents=self.doc_rows)
        # what a slice's page shows of its documents (their last change is on the documents page):
        # its key then changes with a document's health, not with each change
        listed = [{"page": r["page"], "title": r["title"], "health": r["health"]} for r in self.doc_rows]
        for service, (feed, subst) in service_feeds.items():
            rows = [(d, r["id"]) for d, r in zip(listed, self.doc_rows, strict=True) if r["service"] == service]
            self._slice(feed, subst, service, "service", by_service[service], rows)
        for tag, (feed, subst) in tag_feeds.items():
            rows = [(d, r["id"]) for d, r in zip(listed, self.doc_rows, strict=True) if tag in r["tags"]]
            self._slice(feed, subst, tag, "tag", by_tag[tag], rows)
        for topic, feed in topic_feeds.items():
            docs = {i.doc_id for i in by_topic[topic]}
            rows = [(d, r["id"]) for d, r in zip(listed, self.doc_rows, strict=True) if r["id"] in docs]
            self._slice(feed, None, TOPICS.get(topic, topic), "topic", by_topic[topic], rows)
        self._status()
        self.pages.page("search.html", "search.html", bundles=search_bundles)
        self._subscribe(site_feeds, service_feeds, tag_feeds, topic_feeds)

    def _site_feeds(self, important_items: list[Item]) -> list[Feed]:
        """The feeds of the whole site: every change, the substantive ones (`important_items`),
        tracking health."""
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
            archived=False,  # its newest changes; the substantive page lists them all (archives: +10% of a site)
        )
        health = Feed(
            "health",
            "policywatch: tracking health",
            "Documents whose tracking broke (repeated failed crawls) or resumed",
            "status.html",
            "health.atom",
        )
        self.pages.paged_feed(everything, self.items)
        self.pages.paged_feed(important, important_items)
        events = sorted(self.health.events, key=lambda e: (e.at, e.document_id, e.event))
        titles = {d: i.title for d, i in self.infos.items()}
        items = [HealthItem(e, titles.get(e.document_id, e.document_id)) for e in events]
        self.pages.paged_feed(health, items, HealthItem.entry)
        return [everything, important, health]

    def _slice_feeds(self, folder: str, slug: str, name: str) -> tuple[Feed, Feed]:
        """The feed of one service (folder "services") or tag ("tags"), and its substantive twin:
        the newest changes of each (its page lists them all)."""
        if folder == "services":
            title, subtitle = f"{name} — policywatch", f"Changes to the policies of {name}"
            page = paths.service_page(slug)
        else:
            title, subtitle = f"Tag {name} — policywatch", f"Changes to the policies tagged {name}"
            page = paths.tag_page(slug)
        # the newest changes only, no archive pages: the slice's pages list every change, and
        # archives of every slice would be most of the site (1,000 documents x 20 versions:
        # 320 of its 870 MB)
        feed = Feed(f"{folder}/{slug}", title, subtitle, page, f"{folder}/{slug}/feed.atom", archived=False)
        subst = Feed(
            f"{folder}/{slug}/substantive",
            title.replace(" — ", ": substantive changes — ", 1),
            subtitle.replace("Changes to", "Changes to the wording of", 1),
            page,
            paths.substantive_feed(f"{folder}/{slug}"),
            rss=False,
            archived=False,
        )
        return feed, subst

    def _topic_feed(self, topic: str) -> Feed:
        """The substantive changes of one topic (the seller workflow they touch), Atom only: a
        topic's feed is what its readers subscribe to, and its page lists every change."""
        name = TOPICS.get(topic, topic)
        feed = Feed(
            f"topics/{topic}",
            f"{name}: substantive changes — policywatch",
            f"Changes to the wording of the tracked policies about {name.lower()}",
            paths.topic_page(topic),
            paths.topic_feed(topic),
            rss=False,
            archived=False,
        )
        return feed

    def _changes_json(self) -> None:
        """changes.json, newest first: put together only when a document's lines changed, and
        from the file on disk when all that changed is new lines newer than every other (and the
        file is as this publish cache last wrote it)."""
        key = self.pages.key("changes", [k for _, k, _ in self.records])
        writer, cache = self.pages.writer, self.pages.writer.cache
        made: list[bool] = []

        def render() -> Content:
            made.append(True)
            spliced = self._spliced()
            if spliced is not None:
                return spliced
            lines = [
                line
                for _, key, orders in self.records
                for line in zip(orders, self._lines(key).split("\n"), strict=True)
            ]
            lines.sort(key=lambda r: r[0], reverse=True)
            return ("[\n" + ",\n".join(r for _, r in lines) + "\n]\n").encode("utf-8")

        before = cache.blob(f"{CHANGES_OF}{key}") if cache is not None else None
        writer.page("changes.json", key, render)
        # what made the file (its size and modification time, the documents and keys of its
        # lines): the next publish finds what changed since, and that the file is as written
        if cache is None or (not made and before is None):
            return
        head = _stamp(writer.out / "changes.json") if made else str(before).split("\n", 1)[0]
        now = "\n".join([head, *(f"{d} {k}" for d, k, _ in self.records)])
        if now != before:  # (a publish that changed nothing writes nothing to the cache)
            cache.keep_blob(f"{CHANGES_OF}{key}", now)

    def _spliced(self) -> tuple[bytes, memoryview] | None:
        """changes.json from the file on disk with the lines added since in front, if the lines
        before are all still there as they were and each added one is newer than all of them (a
        new change, the usual publish), and the file is as it was written (its size and
        modification time, as the index checks version files); None otherwise."""
        writer = self.pages.writer
        cache = writer.cache
        if cache is None or not cache.trust or "changes.json" not in writer.on_disk:
            return None
        before = cache.pages.get("changes.json")
        made = cache.blob(f"{CHANGES_OF}{before}") if before else None
        if made is None or "\n" not in made:  # unknown, or no lines (nothing to save)
            return None
        head, listed = made.split("\n", 1)
        if head != _stamp(writer.out / "changes.json"):
            return None  # edited or damaged since: put together again
        old_keys = dict(line.split(" ", 1) for line in listed.split("\n"))
        added: list[tuple[tuple[str, str], str]] = []
        newest_before: tuple[str, str] | None = None
        for doc_id, key, orders in self.records:
            old_key = old_keys.pop(doc_id, None)
            kept = 0  # how many of its lines were in the file
            if old_key == key:
                kept = len(orders)
            elif old_key is not None:
                old, blob = cache.blob(old_key), self._lines(key)
                if old is None or not (blob == old or blob.startswith(old + "\n")):
                    return None
                kept = old.count("\n") + 1
                added.extend(zip(orders[kept:], blob.split("\n")[kept:], strict=True))
            else:
                added.extend(zip(orders, self._lines(key).split("\n"), strict=True))
            if kept:
                newest_before = max(newest_before or orders[0], max(orders[:kept]))
        if old_keys or newest_before is None or any(order <= newest_before for order, _ in added):
            return None  # a document's lines are gone, or a line goes among the old ones
        try:
            old_file = (writer.out / "changes.json").read_bytes()
        except OSError:
            return None
        if not old_file.startswith(b"[\n"):
            return None
        added.sort(key=lambda r: r[0], reverse=True)
        # the new lines, then the old file after its "[": not copied into one (20 MB)
        return b"[\n" + ",\n".join(r for _, r in added).encode("utf-8") + b",\n", memoryview(old_file)[2:]

    def _lines(self, key: str) -> str:
        """A document's lines of changes.json."""
        made = self.made_lines.get(key)
        if made is not None:
            return made
        cache = self.pages.writer.cache
        found = cache.blob(key) if cache is not None else None
        if found is None:  # has_blob said it was there
            raise StoreError(f"the publish cache lost {key} while publishing: publish again")
        return found

    def _nav(self, services: list[str], tags: list[str], topics: list[str]) -> dict:
        return {
            "services": [{"name": s, "page": paths.service_page(self.slug(s))} for s in services],
            "tags": [{"name": t, "page": paths.tag_page(t)} for t in tags],
            "topics": [{"name": TOPICS.get(t, t), "page": paths.topic_page(t)} for t in topics],
            "significances": [{"name": s, "page": paths.significance_page(s)} for s in SIGNIFICANCES],
        }

    def _lists(self, nav: dict, by_significance: dict[str | None, list[Item]]) -> None:
        """The home page and the lists of changes by significance, each paged."""
        latest = self.items[-1].order[0] if self.items else None
        checked = max((t.last_checked for t in self.tracks.values() if t.last_checked), default=None)
        self.pages.paged_list(
            "index.html",
            "index.html",
            self.items,
            front_only={"n_documents": len(self.infos), "latest": latest, "checked": checked},
            nav=nav,
            current=None,
        )
        for sig in SIGNIFICANCES:
            self.pages.paged_list(
                paths.significance_page(sig),
                "recent.html",
                by_significance[sig],
                significance=sig,
                nav=nav,
                current=sig,
                feed="substantive.atom" if sig == "substantive" else None,
            )

    def _slice(
        self, feed: Feed, subst: Feed | None, name: str, kind: str, items: list[Item], rows: list[tuple[dict, str]]
    ) -> None:
        """A service's, tag's or topic's feeds (a topic has its substantive one only: `subst`
        None) and pages. `rows`: what its page shows of each of its documents, with their ids.
        Kept as they are, without working out the key of each page, while its items and rows are
        those the files were made from (a new change of one document leaves the slices it is not
        in as they are, though they hold its other changes)."""
        made_key = "files:" + self.pages.key(
            "slice",
            kind,
            name,
            feed.path,
            self.pages.feed_size,
            self.pages.linker.base_url,
            [row for row, _ in rows],
            " ".join(i.key for i in items),  # (one string: a list of 20,000 keys costs repr twice as much)
        )
        self.pages.writer.group(made_key, partial(self._slice_files, feed, subst, name, kind, items, rows))

    def _slice_files(
        self, feed: Feed, subst: Feed | None, name: str, kind: str, items: list[Item], rows: list[tuple[dict, str]]
    ) -> None:
        if subst is None:  # a topic's
            self.pages.paged_feed(feed, substantive(items))
        else:
            self.pages.paged_feed(feed, items)
            self.pages.paged_feed(subst, substantive(items))
        self._slice_pages(feed, subst or feed, name, kind, items, [row for row, _ in rows])

    def _slice_pages(self, feed: Feed, subst: Feed, name: str, kind: str, items: list[Item], docs: list[dict]) -> None:
        """A service's or tag's page (its documents and changes, paged), and for a service one
        page per significance."""
        front = feed.site_path
        sig_pages = []
        if kind == "service":
            slug = self.slug(name)
            sig_pages = [{"name": s, "page": paths.service_significance_page(slug, s)} for s in SIGNIFICANCES]
        self.pages.paged_list(
            front,
            "slice.html",
            items,
            kind=kind,
            name=name,
            front_only={"documents": docs},
            feed=feed.path,
            substantive_feed=subst.path,
            significances=sig_pages,
            significance=None,
            home=front,
        )
        for sig in sig_pages:
            chosen = [i for i in items if i.listed == sig["name"]]
            self.pages.paged_list(
                sig["page"],
                "slice.html",
                chosen,
                kind=kind,
                name=name,
                front_only={"documents": []},
                feed=subst.path if sig["name"] == "substantive" else feed.path,
                substantive_feed=subst.path,
                significances=sig_pages,
                significance=sig["name"],
                home=front,
            )

    def _status(self) -> None:
        titles = {d: i.title for d, i in self.infos.items()}
        rows = []
        for d in sorted(self.infos):
            t = self.tracks[d]
            rows.append({**t.view(), "id": d, "title": titles[d], "page": paths.document_page(d)})
        events = [
            {
                **e.__dict__,
                "title": titles.get(e.document_id, e.document_id),
                "page": paths.document_page(e.document_id),
            }
            for e in sorted(self.health.events, key=lambda e: (e.at, e.document_id, e.event), reverse=True)
            if e.document_id in self.infos
        ]
        counts = {s: sum(1 for r in rows if r["state"] == s) for s in ("ok", "failing", "broken", "imported", "never")}
        checked = max((r["last_checked"] for r in rows if r["last_checked"]), default=None)
        self.pages.page("status.html", "status.html", documents=rows, events=events, counts=counts, checked=checked)

    def _subscribe(self, site_feeds: list[Feed], service_feeds: dict, tag_feeds: dict, topic_feeds: dict) -> None:
        linker = self.pages.linker

        def row(name: str, feed: Feed | None, subst: Feed | None) -> dict:
            return {
                "name": name,
                "page": (feed or subst).site_path,  # type: ignore[union-attr]
                "atom": feed.path if feed else None,
                "rss": paths.rss_twin(feed.path) if feed and feed.rss else None,
                "substantive": subst.path if subst else None,
                "url": linker.absolute(feed.path) if feed else None,
                "substantive_url": linker.absolute(subst.path) if subst else None,
            }

        everything, important, health = site_feeds
        self.pages.page(
            "subscribe.html",
            "subscribe.html",
            everything=row("Every change", everything, important),
            important=row("Substantive changes only", important, None),
            health=row("Tracking health", health, None),
            services=[row(s, f, sub) for s, (f, sub) in service_feeds.items()],
            tags=[row(t, f, sub) for t, (f, sub) in tag_feeds.items()],
            topics=[row(TOPICS.get(t, t), None, f) for t, f in topic_feeds.items()],
            opml=linker.absolute("feeds.opml"),
            absolute=bool(linker.base_url),
            feed_size=self.pages.feed_size,
        )


def _stamp(path: Path) -> str:
    """What tells a file written by a publish from one changed since: its size and mtime."""
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{st.st_size} {st.st_mtime_ns}"


def partial_opml(feeds: list[Feed], pages: FeedPages) -> Callable[[], bytes]:
    def render() -> bytes:
        return render_opml(feeds, pages.linker, "policywatch feeds")

    return render
