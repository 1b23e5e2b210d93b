"""Atom and RSS feeds (feedgen) and the OPML list of them. Entry ids are tag URIs built from the
change id, and every date comes from the data, so rebuilding gives byte-identical feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from xml.etree import ElementTree as ET

from feedgen.feed import FeedGenerator

from archive.changes import ChangeRecord
from archive.store import parse_iso

from .paths import Linker, xml_safe

TAG_AUTHORITY = "policywatch,2026"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # "updated" of a feed with no entries yet


def tag_uri(path: str) -> str:
    return f"tag:{TAG_AUTHORITY}:{path}"


@dataclass
class Entry:
    """One feed entry: a change (or a health event) ready to syndicate."""

    id: str
    title: str
    link: str  # site-relative path of its page
    updated: str  # ISO 8601
    summary: str
    content_html: str
    categories: tuple[str, ...] = ()


def change_entry(record: ChangeRecord, title: str, link: str, excerpt_html: str, categories: tuple[str, ...]) -> Entry:
    facts = "".join(
        f"<li>{escape(f.get('context') or '')} {escape(str(f.get('before') or '—'))} → "
        f"{escape(str(f.get('after') or '—'))}</li>"
        for f in record.facts
    )
    content = (
        f"<p><strong>{escape(record.significance)}</strong>: {escape(record.summary)}</p>"
        + (f"<ul>{facts}</ul>" if facts else "")
        + excerpt_html
    )
    return Entry(record.id, f"{title}: {record.summary}", link, record.detected_at, record.summary, content, categories)


@dataclass
class Feed:
    id_path: str  # "all", "docs/<id>", ...
    title: str
    subtitle: str
    site_path: str  # the page this feed belongs to
    path: str  # where the Atom feed is written (".atom"); the RSS twin replaces the suffix
    entries: list[Entry]


def _generator(feed: Feed, linker: Linker) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(tag_uri(feed.id_path))
    fg.title(xml_safe(feed.title))
    fg.subtitle(xml_safe(feed.subtitle))
    fg.description(xml_safe(feed.subtitle))
    fg.link(href=linker.absolute(feed.site_path), rel="alternate")
    fg.language("en")
    fg.generator("policywatch")
    newest = max((parse_iso(e.updated) for e in feed.entries), default=EPOCH)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    for e in feed.entries:
        fe = fg.add_entry(order="append")
        fe.id(tag_uri(e.id))
        fe.guid(tag_uri(e.id), permalink=False)
        fe.title(xml_safe(e.title))
        fe.link(href=linker.absolute(e.link), rel="alternate")
        when = parse_iso(e.updated)
        fe.updated(when)
        fe.published(when)
        fe.summary(xml_safe(e.summary))
        fe.content(xml_safe(e.content_html), type="html")
        for c in e.categories:
            fe.category(term=xml_safe(c))
    return fg


def render_feed(feed: Feed, linker: Linker) -> tuple[bytes, bytes]:
    """(Atom bytes, RSS bytes) of a feed."""
    fg = _generator(feed, linker)
    fg.link(href=linker.absolute(feed.path), rel="self", type="application/atom+xml")
    atom = fg.atom_str(pretty=True)
    fg = _generator(feed, linker)
    rss = fg.rss_str(pretty=True)
    return atom, rss


def render_opml(feeds: list[Feed], linker: Linker, title: str) -> bytes:
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = xml_safe(title)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        for fmt, suffix in (("atom", ".atom"), ("rss", ".rss")):
            ET.SubElement(
                body,
                "outline",
                {
                    "type": "rss",
                    "text": xml_safe(f"{feed.title} ({fmt.upper()})"),
                    "title": xml_safe(feed.title),
                    "xmlUrl": linker.absolute(feed.path.removesuffix(".atom") + suffix),
                    "htmlUrl": linker.absolute(feed.site_path),
                },
            )
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
