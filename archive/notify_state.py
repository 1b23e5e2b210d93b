"""The delivery state of each subscription, `data/notify-state/<name>.json`, committed with the
data: how far it has read each document's history, what waits for its next digest, and the
outbox of messages with the state of each one's delivery to each target.

A delivery goes pending → sending → sent, or → failed (retried after next_try). `sending` is
written before the message leaves and `sent` right after: a delivery found `sending` when a run
starts was cut by a crash while it was on the wire, so nobody knows whether it arrived; it
becomes `unconfirmed` and is not sent again (a message never arrives twice).

The file changes only when something happened: a run with nothing new leaves it byte-identical.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import StoreError
from .files import atomic_write

STATE_FOLDER = "notify-state"
LOG_SIZE = 50  # deliveries remembered per subscription, newest last (the outbox holds the rest)


@dataclass
class Delivery:
    """One message to one target."""

    status: str = "pending"  # pending | sending | sent | failed | unconfirmed
    attempts: int = 0
    at: str | None = None  # when the last attempt started
    next_try: str | None = None  # failed: not before this time
    error: str = ""  # failed: what the service said (secrets masked)


@dataclass
class OutboxEntry:
    key: str  # stable, unique within the subscription: alert/<change id>, digest/<period>, ...
    kind: str  # alert | digest | health | welcome
    created: str
    items: list[dict] = field(default_factory=list)  # the changes it tells of (see archive/alerts.py)
    events: list[dict] = field(default_factory=list)  # the health events it tells of
    info: dict = field(default_factory=dict)  # digest period and what it left out; welcome facts
    targets: dict[str, Delivery] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return all(d.status in ("sent", "unconfirmed") for d in self.targets.values())


@dataclass
class SubscriptionState:
    name: str
    started: str
    cursor: dict[str, str] = field(default_factory=dict)  # document id -> newest version id read
    health_cursor: dict = field(default_factory=dict)  # {"at": time, "ids": [events at that time]}
    queue: list[dict] = field(default_factory=list)  # changes waiting for the next digest
    queued_events: list[dict] = field(default_factory=list)  # health events waiting for it
    left_out: list[dict] = field(default_factory=list)  # {"queued", "why", "n"}: in scope, filtered out
    last_digest: str | None = None  # the period of the last digest made
    outbox: list[OutboxEntry] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)  # {"key", "target", "status", "at"}

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    def finish(self, entry: OutboxEntry) -> None:
        """Move a message whose every delivery ended from the outbox to the log."""
        for target, d in sorted(entry.targets.items()):
            self.log.append({"key": entry.key, "target": target, "status": d.status, "at": d.at})
        self.log = self.log[-LOG_SIZE:]
        self.outbox = [e for e in self.outbox if e.key != entry.key]


def state_path(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / STATE_FOLDER / f"{name}.json"


def _entry(data: dict) -> OutboxEntry:
    targets = {k: Delivery(**v) for k, v in data.pop("targets", {}).items()}
    return OutboxEntry(**data, targets=targets)


def load_state(data_dir: Path, name: str) -> SubscriptionState | None:
    """The subscription's state, or None if it never ran."""
    path = state_path(data_dir, name)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        outbox = [_entry(e) for e in data.pop("outbox", [])]
        return SubscriptionState(**data, outbox=outbox)
    except (OSError, ValueError, TypeError) as e:
        raise StoreError(f"{path} is unreadable or malformed: {e}") from e


def save_state(data_dir: Path, state: SubscriptionState) -> bool:
    """Write the state atomically if it changed; True if written."""
    path = state_path(data_dir, state.name)
    text = state.to_json()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    atomic_write(path, text.encode("utf-8"))
    return True


def known_states(data_dir: Path) -> list[str]:
    folder = Path(data_dir) / STATE_FOLDER
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.json") if not p.name.startswith("."))
