"""What every page and feed of a publish shares: the writer, the links, the cache keys of
inputs, and paged feeds (a subscription document with RFC 5005 archive pages behind it). Both
the per-document publisher and the aggregates write through one FeedPages."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from . import paths
from .cache import key_of
from .items import Excerpts
from .paths import Linker
from .site import render_page
from .syndication import Feed, pages_of, render_feed_page
from .writer import SiteWriter

LIST_SIZE = 50  # changes per page of a list (the home page, a service's, ...)


class FeedPages:
    def __init__(self, writer: SiteWriter, linker: Linker, excerpts: Excerpts, feed_size: int):
        self.writer = writer
        self.linker = linker
        self.excerpts = excerpts
        self.feed_size = feed_size
        # reads at once the records of the items a page is about to show (publish sets it)
        self.prefetch: Callable[[list], None] = lambda items: None

    def key(self, *parts: object) -> str:
        """The key of a page's inputs (the cache drops every key when the code changes)."""
        return key_of(*parts)

    def page(self, page: str, template: str, **context) -> None:
        """A page rendered from `context` alone (dicts, lists and strings): rendered again only
        when that changed."""
        key = self.key("page", template, sorted(context.items()))
        self.writer.page(page, key, partial(render_page, template, page, **context))

    def paged_feed(self, feed: Feed, items: list, entry_of: Callable | None = None) -> None:
        """Write a feed (its items, with .id and .key, oldest first) as a subscription document
        and archive pages; only documents whose entries or links changed are rendered."""
        entry_of = entry_of or self.excerpts.entry
        if not feed.archived:  # its newest entries alone
            items = items[-self.feed_size :]
        by_id = {i.id: i for i in items}
        head = (feed.id_path, feed.title, feed.subtitle, feed.site_path, feed.path, feed.rss, entry_of.__name__)
        for page in pages_of(feed, [i.id for i in items], self.feed_size):
            key = self.key(
                "feed",
                self.linker.base_url,
                self.feed_size,
                head,
                page.number,
                page.prev_archive,
                [by_id[e].key for e in page.entry_ids],
            )
            render = partial(self._feed_page, page, by_id, entry_of)
            files = (page.path, paths.rss_twin(page.path)) if feed.rss else (page.path,)
            self.writer.pages(files, key, render)

    def _feed_page(self, page, by_id: dict, entry_of: Callable) -> tuple[bytes, ...]:
        entries = [by_id[e] for e in page.entry_ids]
        self.prefetch(entries)
        return render_feed_page(page, [entry_of(e) for e in entries], self.linker)

    def paged_list(self, front: str, template: str, items: list, front_only: dict | None = None, **context) -> None:
        """A list of changes (items oldest first): `front` shows the newest LIST_SIZE, and pages
        `list_page(front, n)` hold LIST_SIZE each, cut from the oldest, so that every change is
        reachable and a full page never changes (a new change re-renders the front page, and the
        last full page when one fills: its "newer" link moves). `front_only`: what the front page
        alone shows (counts, latest times), None on the others."""
        front_only = front_only or {}
        size = LIST_SIZE
        full = len(items) // size
        common = self.key("common", sorted(context.items()))  # once: it is the same on every page
        if full:
            # a new change leaves every full page as it was: they are kept as one group
            keys = " ".join(i.key for i in items[: full * size])  # (one string: cheaper to key than a list)
            key = self.key("full", template, front, keys, sorted(front_only), common)
            self.writer.group(
                "files:" + key, partial(self._full_pages, front, template, items, full, common, context, front_only)
            )
        newest = items[-size:]
        older = paths.list_page(front, (len(items) - size - 1) // size + 1) if len(items) > size else None
        nav = {"number": None, "newer": None, "older": older, "front": front}
        key = self.key(
            "list", template, front, nav, len(items), [i.key for i in newest], common, sorted(front_only.items())
        )
        render = partial(self._list_page, template, front, newest, len(items), nav, {**context, **front_only})
        self.writer.page(front, key, render)

    def _full_pages(
        self, front: str, template: str, items: list, full: int, common: str, context: dict, front_only: dict
    ) -> None:
        """The `full` full pages of a list, each rendered again only when its own inputs changed."""
        size = LIST_SIZE
        for n in range(1, full + 1):
            chunk = items[(n - 1) * size : n * size]
            page = paths.list_page(front, n)
            nav = {
                "number": n,
                "newer": paths.list_page(front, n + 1) if n < full else front,
                "older": paths.list_page(front, n - 1) if n > 1 else None,
                "front": front,
            }
            key = self.key("list", template, page, nav, [i.key for i in chunk], common)
            render = partial(
                self._list_page, template, page, chunk, None, nav, {**context, **dict.fromkeys(front_only)}
            )
            self.writer.page(page, key, render)

    def _list_page(self, template: str, page: str, chunk: list, total: int | None, nav: dict, context: dict) -> bytes:
        """A page of a list; `total` (the number of changes in the list) on the front page only,
        so that a full page does not change with each new change."""
        self.prefetch(chunk)
        views = [i.view() for i in reversed(chunk)]
        return render_page(template, page, changes=views, n_changes=total, paging=nav, **context)
