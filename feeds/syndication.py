"""Atom and RSS feeds (feedgen) with RFC 5005 archive pages, and the OPML list of them. Entry ids
are tag URIs built from the change id and every date comes from the data, so rebuilding gives
byte-identical feeds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from xml.etree import ElementTree as ET

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator

from policywatch.archive.changes import ChangeRecord
from policywatch.archive.health import HealthEvent
from policywatch.archive.store import parse_iso
from policywatch.diffs import render as diff_render

from . import paths
from .paths import Linker, xml_safe

TAG_AUTHORITY = "policywatch,2026"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # "updated" of a feed with no entries yet
FH_NS = "http://purl.org/syndication/history/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
CATEGORY_SCHEME = f"tag:{TAG_AUTHORITY}:"  # + service | tag | significance


def tag_uri(path: str) -> str:
    return f"tag:{TAG_AUTHORITY}:{path}"


@dataclass(frozen=True)
class Entry:
    """One feed entry: a change (or a health event) ready to syndicate."""

    id: str
    title: str
    link: str  # site-relative path of its page
    updated: str  # ISO 8601
    summary: str
    content_html: str
    categories: tuple[tuple[str, str], ...] = ()  # (scheme suffix, term)


FEED_FACTS = 3  # facts listed in an entry (the page lists them all)


def badges(record: ChangeRecord) -> tuple[str, str]:
    """(the badge a change shows, a second one or ""): a first version reads "first version
    recorded", a technical record "technical" (never its significance), a flip-flop "unstable";
    a change its significance, a revert its significance and "revert"."""
    if record.kind == "first":
        return "first version recorded", ""
    if record.kind in ("technical", "unstable"):
        return record.kind, ""
    return record.significance, "revert" if record.kind == "revert" else ""


def change_content(record: ChangeRecord, excerpt_html: str) -> str:
    """The entry content: the badge, the details line, the first facts and the diff excerpt, styled inline
    (feed readers drop stylesheets); the summary is the entry's title. Every piece of policy text
    is escaped here or by the diff renderer."""
    shown = [f for f in record.facts if f.get("kind") not in ("section_added", "section_removed")][:FEED_FACTS]
    facts = "".join(
        f"<li>{escape(str(f.get('context') or str(f.get('kind') or '').replace('_', ' ')))}: "
        f"{escape(str(f.get('before') if f.get('before') is not None else '—'))} → "
        f"{escape(str(f.get('after') if f.get('after') is not None else '—'))}</li>"
        for f in shown
    )
    badge, second = badges(record)
    label = escape(badge) + (f" · {escape(second)}" if second else "")
    details = f'<p style="color:#555">{escape(record.details)}</p>' if record.details else ""
    return f"<p><strong>{label}</strong></p>" + details + (f"<ul>{facts}</ul>" if facts else "") + excerpt_html


def change_entry(
    record: ChangeRecord, title: str, link: str, excerpt_html: str, categories: tuple[tuple[str, str], ...]
) -> Entry:
    """A change's entry; its title is "<document>: <summary>", or the summary alone without `title`."""
    return Entry(
        record.id,
        f"{title}: {record.summary}" if title else record.summary,
        link,
        record.detected_at,
        record.summary,
        change_content(record, excerpt_html),
        categories,
    )


def health_entry(event: HealthEvent, title: str) -> Entry:
    if event.event == "broken":
        summary = f"tracking is broken: {event.reason}" + (f" ({event.detail})" if event.detail else "")
    else:
        summary = "tracking resumed" + (f" ({event.detail})" if event.detail else "")
    content = f"<p><strong>{escape(event.event)}</strong>: {escape(title)}: {escape(summary)}</p>"
    return Entry(
        f"health/{event.id}",
        f"{title}: {summary}",
        "status.html",
        event.at,
        summary,
        content,
        (("health", event.event),),
    )


@dataclass
class Feed:
    """One logical feed: its subscription document at `path` (Atom; the RSS twin beside it)."""

    id_path: str  # "all", "docs/<id>", ...
    title: str
    subtitle: str
    site_path: str  # the page this feed belongs to
    path: str  # where the Atom feed is written (".atom"); the RSS twin replaces the suffix
    entries: list[Entry] = field(default_factory=list)
    rss: bool = True  # False: Atom only (the substantive-only feeds of documents, services, tags)
    archived: bool = True  # False: the subscription document alone, no archive pages behind it


@dataclass(frozen=True)
class FeedPage:
    """One document of a paged feed: the subscription document (number 0) or an archive page."""

    feed: Feed
    number: int  # 0: the subscription document; 1..n: archive pages, 1 the oldest
    entry_ids: tuple[str, ...]  # newest first
    prev_archive: int | None  # the archive page before this one, if any

    @property
    def path(self) -> str:
        return self.feed.path if self.number == 0 else paths.archive_feed(self.feed.path, self.number)


def pages_of(feed: Feed, ordered_ids: Sequence[str], size: int) -> list[FeedPage]:
    """Split a feed's entries (given oldest first) into RFC 5005 documents.

    Archive pages are cut from the oldest entry, `size` entries each, and only once full, so an
    archive page never changes after it is written; the subscription document holds the newest
    `size` entries (overlapping the newest archive page) and links to the newest archive. A feed
    that is not `archived` is its subscription document alone."""
    full = len(ordered_ids) // size if feed.archived else 0
    pages = []
    for n in range(1, full + 1):
        chunk = ordered_ids[(n - 1) * size : n * size]
        pages.append(FeedPage(feed, n, tuple(reversed(chunk)), n - 1 or None))
    newest = ordered_ids[-size:] if size else []
    pages.append(FeedPage(feed, 0, tuple(reversed(newest)), full or None))
    return pages


class _History(BaseExtension):
    """RFC 5005 feed history: <fh:archive/> on archive pages, archive links in RSS too."""

    def __init__(self):
        self.archive = False
        self.links: list[tuple[str, str, str]] = []  # (rel, href, type), for RSS

    def extend_ns(self):
        return {"fh": FH_NS}

    def extend_atom(self, feed):
        if self.archive:
            feed.insert(0, feed.makeelement(f"{{{FH_NS}}}archive", {}))
        return feed

    def extend_rss(self, feed):
        channel = feed[0]
        for rel, href, mime in self.links:
            link = channel.makeelement(f"{{{ATOM_NS}}}link", {"href": href, "rel": rel, "type": mime})
            channel.insert(3, link)
        if self.archive:
            channel.insert(3, channel.makeelement(f"{{{FH_NS}}}archive", {}))
        return feed


def _feed_entry(e: Entry, link: str) -> FeedEntry:
    """The feedgen entry of `e` in a feed document whose link to the entry's page is `link`."""
    fe = FeedEntry()
    fe.id(tag_uri(e.id))
    fe.guid(tag_uri(e.id), permalink=False)
    fe.title(xml_safe(e.title))
    fe.link(href=link, rel="alternate", type="text/html")
    when = parse_iso(e.updated)
    fe.updated(when)
    fe.published(when)
    # the content opens with the summary: a separate <summary> would only repeat it
    fe.content(xml_safe(e.content_html.replace(diff_render.MORE, link)), type="html")
    if e.categories:  # in one call: feedgen maps every category again on each call
        fe.category([{"term": xml_safe(term), "scheme": CATEGORY_SCHEME + scheme} for scheme, term in e.categories])
    return fe


def _generator(page: FeedPage, entries: list[FeedEntry], newest: datetime, linker: Linker, rss: bool) -> FeedGenerator:
    feed = page.feed
    me = page.path if not rss else paths.rss_twin(page.path)
    mime = "application/rss+xml" if rss else "application/atom+xml"
    fg = FeedGenerator()
    fg.register_extension("history", _History, atom=True, rss=True)
    fg.id(tag_uri(feed.id_path))
    fg.title(xml_safe(feed.title))
    fg.subtitle(xml_safe(feed.subtitle))
    fg.description(xml_safe(feed.subtitle))
    fg.language("en")
    fg.generator("policywatch")
    fg.updated(newest)
    fg.lastBuildDate(newest)
    history: _History = fg.history
    history.archive = page.number > 0
    links = []
    if page.prev_archive is not None:
        target = paths.archive_feed(feed.path, page.prev_archive)
        links.append(("prev-archive", linker.from_file(me, paths.rss_twin(target) if rss else target)))
    if page.number > 0:
        links.append(("current", linker.from_file(me, paths.rss_twin(feed.path) if rss else feed.path)))
    links.append(("self", linker.from_file(me, me)))
    if rss:
        history.links = [(rel, href, mime) for rel, href in reversed(links) if rel != "self"]
        fg.link(href=linker.from_file(me, me), rel="self", type=mime)
    else:
        for rel, href in links:
            fg.link(href=href, rel=rel, type=mime)
    # feedgen takes the channel <link> of RSS from the last link given: the feed's page
    fg.link(href=linker.from_file(me, feed.site_path), rel="alternate", type="text/html")
    for fe in entries:
        fg.add_entry(fe, order="append")
    return fg


def render_feed_page(page: FeedPage, entries: list[Entry], linker: Linker) -> tuple[bytes, ...]:
    """(Atom bytes, RSS bytes) of one feed document, or (Atom bytes,) for an Atom-only feed;
    `entries` newest first."""
    # the entries are made once for both twins: they sit in one folder, so their links are alike
    built = [_feed_entry(e, linker.from_file(page.path, e.link)) for e in entries]
    newest = max((fe.updated() for fe in built), default=EPOCH)
    atom = _generator(page, built, newest, linker, rss=False).atom_str(pretty=False)
    if not page.feed.rss:
        return (atom,)
    rss = _generator(page, built, newest, linker, rss=True).rss_str(pretty=False)
    return atom, rss


def render_feed(feed: Feed, linker: Linker) -> tuple[bytes, ...]:
    """(Atom bytes, RSS bytes) of a feed kept whole in one document (no archive pages)."""
    page = FeedPage(feed, 0, tuple(e.id for e in feed.entries), None)
    return render_feed_page(page, feed.entries, linker)


def render_opml(feeds: Sequence[Feed], linker: Linker, title: str) -> bytes:
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = xml_safe(title)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        formats = [("Atom", feed.path)] + ([("RSS", paths.rss_twin(feed.path))] if feed.rss else [])
        for fmt, path in formats:
            ET.SubElement(
                body,
                "outline",
                {
                    "type": fmt.lower(),
                    "text": xml_safe(f"{feed.title} ({fmt})"),
                    "title": xml_safe(feed.title),
                    "xmlUrl": linker.absolute(path),
                    "htmlUrl": linker.absolute(feed.site_path),
                },
            )
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
