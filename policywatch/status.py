"""The table `policywatch status` prints: each document's versions and health (consecutive
failures, failing since, last reason), from the version files and data/health.json."""

from __future__ import annotations

from pathlib import Path

from policywatch.archive.health import load_health
from policywatch.archive.sources import load_sources
from policywatch.archive.store import Store

from .pipeline import sources_path

HEADERS = ["document", "versions", "last version", "health", "failures", "failing since", "last reason"]


def status_rows(data_dir: Path, sources: Path | None, only_failing: bool = False) -> list[list[str]]:
    path = sources_path(data_dir, sources)
    declared = [d.id for d in load_sources(path)] if path.exists() else []
    store = Store(data_dir)
    health = load_health(data_dir)
    pending = {p.stem for p in (Path(data_dir) / "pending").glob("*.json")}
    rows = []
    for doc_id in sorted(set(declared) | set(store.document_ids())):
        paths = store.version_paths(doc_id)
        h = health.documents.get(doc_id)
        if h is None:
            state = "pending" if doc_id in pending else ("ok" if paths else "never fetched")
        else:
            state = "broken" if h.broken else "failing"
        if only_failing and h is None:
            continue
        reason = f"{h.last_reason}: {h.last_detail}" if h and h.last_detail else (h.last_reason if h else "")
        rows.append(
            [
                doc_id,
                str(len(paths)),
                paths[-1].stem if paths else "-",
                state,
                str(h.failures) if h else "0",
                h.failing_since if h else "",
                reason,
            ]
        )
    return rows
