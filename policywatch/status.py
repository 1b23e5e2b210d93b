"""The table `policywatch status` prints: each document's versions and health."""

from __future__ import annotations

from pathlib import Path

from archive.health import load_health
from archive.sources import load_sources
from archive.store import Store

from .pipeline import sources_path


def status_rows(data_dir: Path, sources: Path | None) -> list[list[str]]:
    path = sources_path(data_dir, sources)
    declared = [d.id for d in load_sources(path)] if path.exists() else []
    store = Store(data_dir)
    health = load_health(data_dir)
    rows = []
    for doc_id in sorted(set(declared) | set(store.document_ids())):
        paths = store.version_paths(doc_id)
        h = health.documents.get(doc_id)
        state = "ok" if h is None else ("broken" if h.broken else "failing")
        rows.append(
            [
                doc_id,
                str(len(paths)),
                paths[-1].stem if paths else "-",
                state,
                str(h.failures) if h else "0",
                h.last_reason if h else "",
            ]
        )
    return rows
