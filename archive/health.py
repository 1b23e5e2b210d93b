"""Per-document health (`data/health.json`): consecutive failures, failing since, last reason, and
the broken/resumed events published in the health feed.

Only failing documents are listed, so the file changes only when health changes: a run in which
every page is fine and unchanged leaves it byte-identical.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import StoreError
from .files import atomic_write
from .store import parse_iso

BROKEN_AFTER = 3  # consecutive failed crawls before a document is reported broken


@dataclass
class DocHealth:
    failures: int
    failing_since: str
    last_reason: str
    last_detail: str = ""
    last_failure: str = ""
    broken: bool = False


@dataclass
class HealthEvent:
    document_id: str
    event: str  # broken | resumed
    at: str
    reason: str = ""
    detail: str = ""

    @property
    def id(self) -> str:
        return f"{self.document_id}/{self.event}/{self.at}"


@dataclass
class Health:
    documents: dict[str, DocHealth] = field(default_factory=dict)
    events: list[HealthEvent] = field(default_factory=list)

    def failed(
        self, doc_id: str, at: str, reason: str, detail: str = "", broken_after: int = BROKEN_AFTER
    ) -> HealthEvent | None:
        h = self.documents.get(doc_id)
        if h is None:
            h = self.documents[doc_id] = DocHealth(0, at, reason)
        h.failures += 1
        h.last_reason, h.last_detail, h.last_failure = reason, detail, at
        if not h.broken and h.failures >= broken_after:
            h.broken = True
            event = HealthEvent(doc_id, "broken", at, reason, detail)
            self.events.append(event)
            return event
        return None

    def ok(self, doc_id: str, at: str) -> HealthEvent | None:
        h = self.documents.pop(doc_id, None)
        if h is not None and h.broken:
            event = HealthEvent(doc_id, "resumed", at, "", f"after {h.failures} failed crawls")
            self.events.append(event)
            return event
        return None

    def to_json(self) -> str:
        data = {
            "documents": {k: asdict(v) for k, v in sorted(self.documents.items())},
            # in time order, not arrival order: a crawl judges pages concurrently
            "events": [asdict(e) for e in sorted(self.events, key=lambda e: (e.at, e.document_id, e.event))],
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def health_path(data_dir: Path) -> Path:
    return Path(data_dir) / "health.json"


def load_health(data_dir: Path) -> Health:
    """data/health.json; StoreError naming the file and what is wrong if it is malformed (it is
    part of the record: left as it is for the operator to fix, never overwritten)."""
    path = health_path(data_dir)
    if not path.exists():
        return Health()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise StoreError(f"{path} cannot be read: {e}") from e
    except (ValueError, RecursionError) as e:
        raise StoreError(f"{path} is not JSON ({e}): fix it, or remove it to start the failure counts again") from None
    try:
        return _health(data)
    except ValueError as e:
        raise StoreError(f"{path}: {e}; fix it, or remove it to start the failure counts again") from None


_DOC_FIELDS = {
    "failures": int,
    "failing_since": str,
    "last_reason": str,
    "last_detail": str,
    "last_failure": str,
    "broken": bool,
}
_EVENT_FIELDS = {"document_id": str, "event": str, "at": str, "reason": str, "detail": str}
_TIMES = ("failing_since", "last_failure", "at")


def _fields(entry: object, kinds: dict[str, type], required: tuple[str, ...], where: str) -> dict:
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be an object")
    unknown = sorted(set(entry) - set(kinds))
    if unknown:
        raise ValueError(f"{where} has unknown field(s) {', '.join(map(repr, unknown))}")
    missing = [k for k in required if k not in entry]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(map(repr, missing))}")
    for key, value in entry.items():
        kind = kinds[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{where}: {key!r} must be {kind.__name__}, not {value!r}")
        if key in _TIMES and (value or key != "last_failure"):
            try:
                parse_iso(value)
            except ValueError:
                raise ValueError(f"{where}: {key} {value!r} is not an ISO 8601 time") from None
    return entry


def _event(entry: object, where: str) -> dict:
    fields = _fields(entry, _EVENT_FIELDS, ("document_id", "event", "at"), where)
    if fields["event"] not in ("broken", "resumed"):
        raise ValueError(f"{where}: event {fields['event']!r} is not 'broken' or 'resumed'")
    return fields


def _health(data: object) -> Health:
    if not isinstance(data, dict) or not set(data) <= {"documents", "events"}:
        raise ValueError("must be an object with 'documents' and 'events'")
    documents, events = data.get("documents", {}), data.get("events", [])
    if not isinstance(documents, dict) or not isinstance(events, list):
        raise ValueError("must be an object with 'documents' and 'events'")
    return Health(
        {
            doc_id: DocHealth(
                **_fields(v, _DOC_FIELDS, ("failures", "failing_since", "last_reason"), f"document {doc_id!r}")
            )
            for doc_id, v in documents.items()
        },
        [HealthEvent(**_event(e, f"event #{n + 1}")) for n, e in enumerate(events)],
    )


def save_health(data_dir: Path, health: Health) -> bool:
    """Write health.json if its content changed; True if written."""
    path = health_path(data_dir)
    text = health.to_json()
    empty = not health.documents and not health.events
    if path.exists():
        if path.read_text(encoding="utf-8") == text:
            return False
    elif empty:
        return False
    atomic_write(path, text.encode("utf-8"))
    return True
