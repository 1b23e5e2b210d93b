"""Keyword watches in the published site: for each watch of data/notify.yml (`lithium`,
`suspension`, a regular expression), a feed and a page of the changes that added or removed text
it matches, with the matching sentence.

What each change added and removed is kept in the publish cache (derived, like the excerpts), so
a publish diffs a change for the watches once, or not at all when its change page is rendered in
the same publish.
"""

from __future__ import annotations

import json
from functools import partial

from policywatch.archive.notify_config import Watch
from policywatch.archive.store import Store, parse_version_file
from policywatch.diffs import compare
from policywatch.diffs.changed import ChangedText, changed_text

from .cache import PublishCache
from .feedpages import FeedPages
from .items import Item
from .site import render_page
from .syndication import Feed

WATCH_KINDS = ("change", "revert")  # a first version or a re-extraction adds nothing to watch


def watch_page(name: str) -> str:
    return f"watches/{name}/index.html"


def watch_feed(name: str) -> str:
    return f"watches/{name}/feed.atom"


class ChangedTexts:
    """What each change added and removed: from the publish cache, or diffed from the store."""

    def __init__(self, store: Store, cache: PublishCache):
        self.store = store
        self.cache = cache
        self.computed = 0

    @staticmethod
    def _key(item: Item) -> str:
        return f"changed:{item.excerpt_key}"

    def remember(self, item: Item, changed: ChangedText) -> None:
        if item.excerpt_key:
            self.cache.keep_blob(self._key(item), json.dumps([changed.added, changed.removed], ensure_ascii=False))

    def of(self, item: Item) -> tuple[list[str], list[str]]:
        if item.excerpt_key is None:
            return [], []
        kept = self.cache.blob(self._key(item))
        if kept is not None:
            added, removed = json.loads(kept)
            return added, removed
        r = item.record
        folder = self.store.versions_dir / r.document_id
        old = parse_version_file(folder / f"{r.from_version}.md")[1]
        new = parse_version_file(folder / f"{r.to_version}.md")[1]
        changed = changed_text(compare(old, new))
        self.computed += 1
        self.remember(item, changed)
        return changed.added, changed.removed


def publish_watches(pages: FeedPages, watches: list[Watch], items: list[Item], changed: ChangedTexts) -> list[Feed]:
    """A feed and a page per watch; returns the feeds (for feeds.opml)."""
    candidates = [i for i in items if i.kind in WATCH_KINDS]
    feeds = []
    for watch in watches:
        matched: list[tuple[Item, list[dict]]] = []
        for item in candidates:
            added, removed = changed.of(item)
            if not watch.matcher.may_match("\n".join([*added, *removed]).lower()):
                continue
            hits = watch.matcher.find(added, removed)
            if hits:
                matched.append((item, [h.as_dict() for h in hits]))
        feed = Feed(
            f"watches/{watch.name}",
            f"Watch {watch.title} — policywatch",
            f"Changes that added or removed text matching {', '.join(watch.terms)}",
            watch_page(watch.name),
            watch_feed(watch.name),
        )
        pages.paged_feed(feed, [i for i, _ in matched])
        rows = [{**i.view(), "hits": hits} for i, hits in reversed(matched)]
        page = watch_page(watch.name)
        key = pages.key("watch", watch.name, watch.title, watch.terms, [(i.key, h) for i, h in matched])
        render = partial(render_page, "watch.html", page, watch=watch, terms=watch.terms, changes=rows)
        pages.writer.page(page, key, render)
        feeds.append(feed)
    return feeds
