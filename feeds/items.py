"""The light record of one change that aggregate pages and feeds need (no texts, no stats), and
the feed excerpt of its diff: taken from the publish cache, or computed from the two versions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from policywatch.archive.changes import ChangeRecord, FlipFlop, episode_summary, readable_date
from policywatch.archive.store import Store, parse_version_file
from policywatch.diffs import Comparison, compare
from policywatch.diffs import render as diff_render
from policywatch.diffs.topics import TOPICS

from . import paths
from .cache import PublishCache
from .syndication import Entry, badges, change_entry

SEARCH = "search:"  # the cache keeps a diff's changed text under this prefix and its key


UNDECLARED = "(not in the sources)"  # the service of a document published without a sources entry


@dataclass(frozen=True)
class DocInfo:
    id: str
    title: str
    service: str
    url: str = ""
    tags: tuple[str, ...] = ()
    lang: str = ""  # from the sources; "" when it is to be detected from the text


def episode_record(ff: FlipFlop) -> ChangeRecord:
    """The one record a flip-flop shows as in feeds and timelines: kind "unstable", the first
    record's id and page (what flips), the last one's time."""
    first, last = ff.first, ff.last
    return ChangeRecord(
        first.document_id,
        first.to_version,
        first.from_version,
        "unstable",
        last.detected_at,
        first.significance,
        episode_summary(ff),
        {},
        [],
        source=first.source,
        topics=first.topics,
        details=f"{len(ff.records)} records, {readable_date(first.detected_at)} to {readable_date(last.detected_at)}",
    )


CHANGES = ("change", "revert")  # the kinds of record the significance lists and feeds hold


class Item:
    """One change record with what a feed entry or a row of a list needs; the values every
    publish looks at are computed once (20,000 of these are made on each publish). `flip_flop`:
    the id of the flip-flop the record belongs to, if any.

    An item restored from the publish cache (`restored`, for a document whose inputs did not
    change) holds no record: `record` asks `source` for it, so only pages rendered again read
    records from the index. Lists and feeds work out their keys from the item's own fields."""

    __slots__ = (
        "_record",
        "doc_id",
        "excerpt_key",
        "flip_flop",
        "id",
        "key",
        "kind",
        "listed",
        "order",
        "page",
        "service",
        "source",
        "tags",
        "title",
        "topics",
    )

    def __init__(
        self, record: ChangeRecord, title: str, service: str, tags: tuple[str, ...], flip_flop: str | None = None
    ):
        self._record: ChangeRecord | None = record  # without stats: lists and feeds never show them
        self.source: Callable[[Item], ChangeRecord] | None = None
        self.title = title  # the document's
        self.service = service
        self.tags = tags
        self.flip_flop = flip_flop
        r = record
        self.doc_id = r.document_id
        self.kind = r.kind
        self.topics = r.topics
        self.id = r.id
        self.page = paths.change_page(r.document_id, r.to_version)
        self.order = (r.detected_at, self.id)
        # the significance list it is in (a change or revert of wording, formatting or dates), if any
        self.listed = r.significance if r.kind in CHANGES else None
        self.excerpt_key = f"{r.document_id}/{r.from_version}/{r.to_version}" if r.from_version else None
        # facts, stats and the excerpt follow from the two texts (versions are never rewritten)
        # and the engine, whose code is in the cache's fingerprint
        self.key = hashlib.blake2b(
            f"{self.id}\x1f{r.from_version}\x1f{r.kind}\x1f{r.detected_at}\x1f{r.significance}\x1f{r.summary}"
            f"\x1f{r.reverts_to}\x1f{r.source}\x1f{r.topics}\x1f{title}\x1f{service}\x1f{tags}"
            f"\x1f{r.details}\x1f{r.undoes}\x1f{flip_flop}".encode(),
            digest_size=12,
        ).hexdigest()  # one string: 20,000 of these keys are made on each publish

    def state(self) -> list:
        """What `restored` makes the item again from (JSON)."""
        to_version = self.id.rsplit("/", 1)[1]
        from_version = self.excerpt_key.rsplit("/", 2)[1] if self.excerpt_key else None
        return [to_version, from_version, self.key, self.order[0], self.kind, self.listed, self.flip_flop, self.topics]

    @classmethod
    def restored(
        cls,
        state: list,
        doc_id: str,
        title: str,
        service: str,
        tags: tuple[str, ...],
        source: Callable[[Item], ChangeRecord],
    ) -> Item:
        item = cls.__new__(cls)
        to_version, from_version, item.key, at, item.kind, item.listed, item.flip_flop, item.topics = state
        item._record, item.source = None, source
        item.doc_id, item.title, item.service, item.tags = doc_id, title, service, tags
        item.id = f"{doc_id}/{to_version}"
        item.page = paths.change_page(doc_id, to_version)
        item.order = (at, item.id)
        item.excerpt_key = f"{doc_id}/{from_version}/{to_version}" if from_version else None
        return item

    @property
    def has_record(self) -> bool:
        """False for a restored item whose record was not read yet."""
        return self._record is not None

    @property
    def record(self) -> ChangeRecord:
        if self._record is None:
            assert self.source is not None
            self._record = self.source(self)
        return self._record

    @property
    def published(self) -> bool:
        """Technical re-extractions are kept in the record but stay out of the feeds."""
        return self.kind != "technical"

    @property
    def categories(self) -> tuple[tuple[str, str], ...]:
        r = self.record
        status = ("status", "unstable") if r.kind == "unstable" else ("significance", r.significance)
        return (
            ("service", self.service),
            *(("tag", t) for t in self.tags),
            status,
            *(("topic", t) for t in r.topics),
        )

    def view(self) -> dict:
        """What templates show of it."""
        r = self.record
        badge, second = badges(r)
        return {
            "id": r.id,
            "document_id": r.document_id,
            "title": self.title,
            "detected_at": r.detected_at,
            "kind": r.kind,
            "significance": r.significance,
            "badge": badge,
            "kind_badge": second,
            "summary": r.summary,
            "page": self.page,
            "service": self.service,
            "topics": [{"slug": t, "name": TOPICS.get(t, t)} for t in r.topics],
        }


def collapsed(
    items: list[Item], episodes: list[FlipFlop], title: str, service: str, tags: tuple[str, ...]
) -> list[Item]:
    """Items in order with each flip-flop's records as one "unstable" item, placed at its last
    record (technical records stay as they are)."""
    if not episodes:
        return items
    last = {ff.last.id: ff for ff in episodes}
    out = []
    for item in items:
        if item.flip_flop is None:
            out.append(item)
        elif item.id in last:
            ff = last[item.id]
            out.append(Item(episode_record(ff), title, service, tags, ff.id))
    return out


class Excerpts:
    """What feeds and the search index show of each diff (its excerpt and its changed text), by
    (from text, to text): cached, else computed from the store."""

    def __init__(self, store: Store, cache: PublishCache):
        self.store = store
        self.cache = cache
        self.computed = 0

    def remember(self, item: Item, cmp: Comparison) -> None:
        """Keep what a change page's diff gives the feeds and the search index."""
        if item.excerpt_key:
            self.cache.keep_excerpt(item.excerpt_key, diff_render.excerpt_html(cmp))
            self.cache.keep_excerpt(SEARCH + item.excerpt_key, diff_render.search_text(cmp))

    def _get(self, item: Item, prefix: str) -> str:
        key = item.excerpt_key
        if key is None:
            return ""
        found = self.cache.excerpt(prefix + key)
        if found is None:
            r = item.record
            old = self._text(r.document_id, r.from_version or "")
            new = self._text(r.document_id, r.to_version)
            self.remember(item, compare(old, new))
            self.computed += 1
            found = self.cache.excerpt(prefix + key)
            assert found is not None
        return found

    def of(self, item: Item) -> str:
        """The feed excerpt (HTML, its "more" link to be filled in by the feed)."""
        return self._get(item, "")

    def search_text(self, item: Item) -> str:
        return self._get(item, SEARCH)

    def _text(self, doc_id: str, version_id: str) -> str:
        return parse_version_file(self.store.versions_dir / doc_id / f"{version_id}.md")[1]

    def entry(self, item: Item) -> Entry:
        return change_entry(item.record, item.title, item.page, self.of(item), item.categories)

    def short_entry(self, item: Item) -> Entry:
        """The entry of a document's own feed: its title is the summary alone."""
        return change_entry(item.record, "", item.page, self.of(item), item.categories)
