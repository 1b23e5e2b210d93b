"""publish(): the recorded history → the folder a web server or GitHub Pages serves.

Writes changes.json, Atom and RSS feeds (all changes, per document), feeds.opml and the site
(home, documents, one page per document, change and version, status). Output depends only on
the data, so publishing twice gives byte-identical files; a file whose bytes did not change is
not rewritten, and files of an earlier publish that are no longer produced are removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from archive.changes import ChangeRecord
from archive.errors import StoreError
from archive.health import Health
from archive.index import Index
from diffs import compare
from diffs import render as diff_render

from . import paths
from .paths import Linker
from .site import markdown_html, render_page
from .syndication import Entry, Feed, change_entry, render_feed, render_opml

MARKER = ".policywatch-site"
RECENT = 50  # changes on the home page


@dataclass(frozen=True)
class DocInfo:
    id: str
    title: str
    service: str
    url: str = ""
    tags: tuple[str, ...] = ()


@dataclass
class PublishReport:
    out: Path
    files: int = 0
    written: int = 0
    removed: int = 0
    changes: int = 0
    documents: int = 0


class SiteWriter:
    """Writes files under `out`, skipping unchanged bytes; removes leftovers of earlier publishes."""

    def __init__(self, out: Path):
        self.out = out
        self.produced: set[str] = set()
        self.written = 0
        marker = out / MARKER
        if out.exists() and any(out.iterdir()) and not marker.exists():
            raise StoreError(
                f"{out} is not empty and was not written by policywatch publish; "
                "choose an empty or new folder for --out"
            )
        out.mkdir(parents=True, exist_ok=True)
        self.write(MARKER, b"This folder is written by `policywatch publish`; files here are replaced.\n")

    def write(self, rel: str, data: bytes) -> None:
        self.produced.add(rel)
        path = self.out / rel
        try:
            if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as e:
            raise StoreError(f"cannot write {path}: {e.strerror or e}") from e
        self.written += 1

    def prune(self) -> int:
        removed = 0
        for path in sorted(self.out.rglob("*"), reverse=True):
            rel = path.relative_to(self.out).as_posix()
            if path.is_file() and rel not in self.produced:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return removed


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
        "source": record.source,
        "url": linker.absolute(paths.change_page(record.document_id, record.to_version)),
    }


def _view(record: ChangeRecord, title: str = "") -> dict:
    return {
        **record.__dict__,
        "id": record.id,
        "title": title,
        "page": paths.change_page(record.document_id, record.to_version),
    }


def _health_label(health: Health, doc_id: str) -> str:
    h = health.documents.get(doc_id)
    if h is None:
        return "ok"
    return f"{'broken' if h.broken else 'failing'}: {h.last_reason} ({h.failures}×)"


def _categories(info: DocInfo, record: ChangeRecord) -> tuple[str, ...]:
    return (info.service, *info.tags, record.significance)


def publish(
    index: Index, documents: dict[str, DocInfo], health: Health, out: Path | str, base_url: str = ""
) -> PublishReport:
    out = Path(out)
    linker = Linker(base_url)
    writer = SiteWriter(out)
    report = PublishReport(out)
    store = index.store
    doc_ids = sorted(set(index.document_ids()) | set(documents))
    infos = {d: documents.get(d) or DocInfo(d, d, "(not in the sources)") for d in doc_ids}
    all_entries: list[Entry] = []
    doc_rows = []
    feeds: list[Feed] = []

    for doc_id in doc_ids:
        info = infos[doc_id]
        versions = {v.id: v for v in index.versions(doc_id)}
        records = list(index.changes(doc_id, newest_first=False))
        entries: list[Entry] = []
        previous: tuple[str, str] | None = None  # (version id, text) of the record before
        for record in records:
            version = versions[record.to_version]
            text = store.read(version)
            view = _view(record, info.title)
            page = paths.change_page(doc_id, record.to_version)
            inline = side = excerpt = ""
            if record.from_version is not None:
                if previous is None or previous[0] != record.from_version:
                    previous = (record.from_version, store.read(versions[record.from_version]))
                cmp = compare(previous[1], text)
                inline, side = diff_render.inline_html(cmp), diff_render.side_by_side_html(cmp)
                excerpt = diff_render.excerpt_html(cmp)
            writer.write(
                page, render_page("change.html", page, doc=info, change=view, inline=inline, side_by_side=side)
            )
            vpage = paths.version_page(doc_id, version.id)
            writer.write(vpage, render_page("version.html", vpage, doc=info, version=version, body=markdown_html(text)))
            writer.write(paths.version_text(doc_id, version.id), text.encode("utf-8"))
            if record.published:
                entries.append(change_entry(record, info.title, page, excerpt, _categories(info, record)))
            previous = (version.id, text)
            report.changes += 1
        entries.reverse()  # newest first
        all_entries.extend(entries)
        dpage = paths.document_page(doc_id)
        doc_view = {**info.__dict__, "health": _health_label(health, doc_id)}
        writer.write(
            dpage, render_page("document.html", dpage, doc=doc_view, changes=[_view(r) for r in reversed(records)])
        )
        feed = Feed(
            f"docs/{doc_id}",
            f"{info.title} — policywatch",
            f"Changes to {info.title} ({info.service})",
            dpage,
            paths.document_feed(doc_id),
            entries,
        )
        _write_feed(writer, feed, linker)
        feeds.append(feed)
        doc_rows.append(
            {
                "page": dpage,
                "title": info.title,
                "service": info.service,
                "n_versions": len(versions),
                "last_change": records[-1].detected_at if records else None,
                "health": _health_label(health, doc_id),
            }
        )
        report.documents += 1

    all_entries.sort(key=lambda e: (e.updated, e.id), reverse=True)
    everything = Feed(
        "all",
        "policywatch: all changes",
        "Every recorded change to the tracked policies",
        "index.html",
        "feed.atom",
        all_entries,
    )
    _write_feed(writer, everything, linker)
    writer.write("feeds.opml", render_opml([everything, *feeds], linker, "policywatch feeds"))

    records = list(index.changes())
    writer.write(
        "changes.json",
        (json.dumps([record_json(r, linker) for r in records], indent=1, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    recent = [_view(r, infos[r.document_id].title) for r in records if r.published][:RECENT]
    published = sum(1 for r in records if r.published)
    writer.write(
        "index.html",
        render_page(
            "index.html",
            "index.html",
            changes=recent,
            n_documents=len(doc_ids),
            n_changes=published,
            latest=recent[0]["detected_at"] if recent else None,
        ),
    )
    writer.write("documents.html", render_page("documents.html", "documents.html", documents=doc_rows))
    failing = [
        {**h.__dict__, "title": infos[d].title if d in infos else d, "page": paths.document_page(d)}
        for d, h in sorted(health.documents.items())
        if d in infos
    ]
    events = [
        {
            **e.__dict__,
            "title": infos[e.document_id].title if e.document_id in infos else e.document_id,
            "page": paths.document_page(e.document_id),
        }
        for e in reversed(health.events)
    ]
    writer.write("status.html", render_page("status.html", "status.html", failing=failing, events=events))
    writer.write("style.css", files("feeds").joinpath("static/style.css").read_bytes())
    report.removed = writer.prune()
    report.files = len(writer.produced)
    report.written = writer.written
    return report


def _write_feed(writer: SiteWriter, feed: Feed, linker: Linker) -> None:
    atom, rss = render_feed(feed, linker)
    writer.write(feed.path, atom)
    writer.write(feed.path.removesuffix(".atom") + ".rss", rss)
