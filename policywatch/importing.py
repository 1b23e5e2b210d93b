"""The `import` jobs: a folder of dated files, a file's git history, or the Wayback Machine's
captures become recorded versions of one document; then the index is brought up to date.

Each job checks its whole input before writing anything (except the Wayback import, which
records capture by capture so an interrupted run keeps what it fetched), and holds the data lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from policywatch.archive.errors import ImportSourceError, SourceProblem, SourcesError
from policywatch.archive.files import data_lock, remove_stale_temps
from policywatch.archive.importers import Importer, ImportEvent, ImportItem, ImportReport
from policywatch.archive.index import Index, RefreshReport
from policywatch.archive.sources import ID_PATTERN, Document, load_sources, sources_files
from policywatch.archive.store import Store, version_id
from policywatch.crawler.history.folder import dated_files, read_text_file

if TYPE_CHECKING:
    from policywatch.crawler.history.wayback import Wayback

MARKDOWN_EXTRACTOR = "as-imported"  # the archive's own Markdown, taken as the canonical text


@dataclass
class ImportRun:
    """What an import did (or, with dry_run, would do)."""

    report: ImportReport
    found: int = 0  # versions the archive holds (files, commits, captures)
    ignored: list[str] = field(default_factory=list)  # files that are not versions (meta.json, ...)
    index: RefreshReport | None = None


def find_document(
    data_dir: Path, document_id: str, sources: Path | None, *, required_for: str | None
) -> Document | None:
    """The document's declaration, if any. `required_for` names what needs its extraction rules
    (HTML, a capture): then an undeclared document is an error."""
    if not ID_PATTERN.match(document_id):
        raise SourcesError(
            [SourceProblem("--doc", document_id, None, "must be lowercase letters, digits and single hyphens")]
        )
    path = sources if sources is not None else data_dir / "sources"
    # no default sources at all is fine for Markdown and git; a --sources that is missing is not
    declared = sources is not None or path.is_file() or (path.is_dir() and bool(sources_files(path)))
    documents = load_sources(path) if declared else []
    found = next((d for d in documents if d.id == document_id), None)
    if found is None and required_for:
        raise SourcesError(
            [
                SourceProblem(
                    str(path),
                    document_id,
                    None,
                    f"is not declared, and {required_for} needs its extraction rules (select/remove): "
                    "add it to a sources file first",
                )
            ]
        )
    return found


@contextlib.contextmanager
def _writing(data_dir: Path, wait: float, dry_run: bool) -> Iterator[Store]:
    """The store, under the data folder's lock (a dry run writes nothing and takes no lock)."""
    store = Store(data_dir)
    if dry_run:
        yield store
        return
    with data_lock(data_dir, wait):
        remove_stale_temps(store.versions_dir)
        remove_stale_temps(store.snapshots_dir)
        yield store


def _refresh(store: Store, document_id: str, dry_run: bool) -> RefreshReport | None:
    if dry_run:
        return None
    with Index(store) as index:
        return index.refresh({document_id}, derive=False)  # publish derives the changes


def _write(
    data_dir: Path,
    document_id: str,
    items: list[ImportItem],
    *,
    source: str,
    now: datetime,
    dry_run: bool,
    wait: float,
    on_event: Callable[[ImportEvent], None] | None,
) -> tuple[ImportReport, RefreshReport | None]:
    with _writing(data_dir, wait, dry_run) as store:
        importer = Importer(store, document_id, source=source, now=now, dry_run=dry_run, on_event=on_event)
        for item in sorted(items, key=lambda i: i.at):  # stable: same-second items keep their order
            importer.add(item)
        return importer.report, _refresh(store, document_id, dry_run)


def import_dir(
    data_dir: Path,
    document_id: str,
    folder: Path,
    *,
    now: datetime,
    sources: Path | None = None,
    dry_run: bool = False,
    wait: float = 0.0,
    on_event: Callable[[ImportEvent], None] | None = None,
) -> ImportRun:
    """Import a folder of dated Markdown/HTML files (and its `technical/` re-extractions)."""
    files, ignored = dated_files(folder)
    if not files:
        raise ImportSourceError(f"{folder} holds no dated .md or .html files")
    needs_rules = any(f.is_html for f in files)
    document = find_document(data_dir, document_id, sources, required_for="an HTML file" if needs_rules else None)
    url = document.url if document else ""
    items, problems = [], []
    for f in files:
        label = f.path.relative_to(folder).as_posix()
        note = f"imported from {label}"
        if f.is_html:
            from policywatch.crawler.history.pages import extract_archived

            try:
                page = extract_archived(f.path.read_bytes(), document.url, document)
            except OSError as e:
                problems.append(f"{label}: cannot be read ({e.strerror})")
                continue
            if page.failure is not None:
                problems.append(f"{label}: {page.failure.reason} ({page.failure.detail})")
                continue
            # the page itself is read again when its version is written, not held meanwhile
            items.append(ImportItem(f.at, page.text, label, f.technical, url, page.extractor, note, f.path))
        else:
            try:
                text = read_text_file(f.path)
            except ImportSourceError as e:
                problems.append(str(e))
                continue
            items.append(ImportItem(f.at, text, label, f.technical, url, MARKDOWN_EXTRACTOR, note))
    if problems:
        raise ImportSourceError(
            f"{len(problems)} file(s) of {folder} cannot be imported; nothing was written:\n  " + "\n  ".join(problems)
        )
    report, refreshed = _write(
        data_dir, document_id, items, source="import", now=now, dry_run=dry_run, wait=wait, on_event=on_event
    )
    return ImportRun(report, len(files), [p.name for p in ignored], refreshed)


def import_git(
    data_dir: Path,
    document_id: str,
    repo: Path,
    path: str,
    *,
    now: datetime,
    rev: str = "HEAD",
    sources: Path | None = None,
    dry_run: bool = False,
    wait: float = 0.0,
    on_event: Callable[[ImportEvent], None] | None = None,
) -> ImportRun:
    """Import every commit of `repo` that touched `path`, dated by its commit date; commits whose
    subject marks a technical re-extraction become technical versions."""
    from policywatch.crawler.history.git import file_history

    document = find_document(data_dir, document_id, sources, required_for=None)
    url = document.url if document else ""
    commits = file_history(repo, path, rev)
    items, problems = [], []
    for c in commits:
        label = f"{c.commit[:12]} {c.subject}"
        if c.content is None:
            continue  # the commit deleted the file: nothing to record (a later commit may restore it)
        try:
            text = c.content.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
        except UnicodeDecodeError:
            problems.append(f"{c.commit[:12]}: {c.path} is not UTF-8 text")
            continue
        note = f"git {c.commit[:12]} {c.subject}"
        items.append(ImportItem(c.at, text, label, c.technical, url, MARKDOWN_EXTRACTOR, note))
    if problems:
        raise ImportSourceError(
            f"{len(problems)} commit(s) of {path} cannot be imported; nothing was written:\n  " + "\n  ".join(problems)
        )
    report, refreshed = _write(
        data_dir, document_id, items, source="git", now=now, dry_run=dry_run, wait=wait, on_event=on_event
    )
    deleted = [f"{c.commit[:12]} deleted {c.path}" for c in commits if c.content is None]
    return ImportRun(report, len(commits), deleted, refreshed)


def import_wayback(
    data_dir: Path,
    document_id: str,
    url: str | None,
    *,
    now: datetime,
    since: str | None = None,
    until: str | None = None,
    api: str | None = None,
    delay: float | None = None,
    sources: Path | None = None,
    dry_run: bool = False,
    wait: float = 0.0,
    on_event: Callable[[ImportEvent], None] | None = None,
    on_captures: Callable[[int], None] | None = None,
    client: Wayback | None = None,
) -> ImportRun:
    """Import the Wayback Machine's captures of `url` (default: the document's URL), extracted
    with the document's rules; only captures whose text changed become versions. `client`
    replaces the one made from `api` and `delay` (a test's clock and sleep)."""
    from policywatch.crawler.history.pages import extract_archived
    from policywatch.crawler.history.wayback import DEFAULT_API, DEFAULT_DELAY, CaptureError, Wayback

    document = find_document(data_dir, document_id, sources, required_for="a Wayback capture")
    if document is None:  # find_document raises first; this keeps type checkers informed
        raise ImportSourceError(f"document {document_id!r} is not declared")
    url = url or document.url
    client = client or Wayback(api or DEFAULT_API, delay=DEFAULT_DELAY if delay is None else delay)
    captures = client.captures(url, since, until)
    if on_captures:
        on_captures(len(captures))
    with _writing(data_dir, wait, dry_run) as store:
        importer = Importer(store, document_id, source="wayback", now=now, dry_run=dry_run, on_event=on_event)
        for capture in captures:
            label = f"capture {capture.timestamp}"
            if capture.problem:
                importer.emit(ImportEvent("skipped", label, capture.timestamp[:16], detail=capture.problem))
                continue
            if capture.statuscode not in ("200", "-", ""):
                importer.skip(label, capture.at, f"the capture is an HTTP {capture.statuscode} answer")
                continue
            if capture.mimetype and "html" not in capture.mimetype:
                importer.skip(label, capture.at, f"the capture is {capture.mimetype}, not HTML")
                continue
            if importer.recorded_at(capture.at):  # imported by an earlier run: no need to fetch again
                importer.emit(ImportEvent("present", label, version_id(capture.at)))
                continue
            try:
                fetched = client.fetch(capture)
            except CaptureError as e:
                importer.skip(label, capture.at, str(e))
                continue
            page = extract_archived(fetched.body, fetched.url, document, fetched.content_type)
            if page.failure is not None:
                importer.skip(label, fetched.at, f"{page.failure.reason}: {page.failure.detail}")
                continue
            note = f"wayback capture {fetched.at.strftime('%Y%m%d%H%M%S')} of {capture.original}"
            importer.add(
                ImportItem(fetched.at, page.text, label, False, capture.original, page.extractor, note, fetched.body)
            )
        return ImportRun(importer.report, len(captures), [], _refresh(store, document_id, dry_run))
