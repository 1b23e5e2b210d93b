"""The record stage: a checked, extracted page either becomes a new version or does not.

A version is recorded only when the canonical text differs from the latest version's. A document
with `confirm: N` needs N consecutive crawls with the same new text first, and a suspicious new
text (a mass deletion, undecodable characters) is held until the next crawl sees it again; both
wait in `data/pending/<doc-id>.json`, and the version carries the time it was first seen.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .files import atomic_write
from .health import BROKEN_AFTER, Health, HealthEvent, load_health, save_health
from .store import Store, Version, iso, parse_iso, sha256_text

# (previous text or None, new text) -> (reason, detail) when the new text must be held
Vet = Callable[[str | None, str], tuple[str, str] | None]
# a version recorded by older extraction rules -> its raw page extracted by today's (None: no page)
Reextract = Callable[[Version], str | None]


@dataclass
class Outcome:
    document_id: str
    status: str  # new | unchanged | pending | failed
    at: str
    reason: str = ""  # the failure's typed reason
    detail: str = ""
    version: Version | None = None
    health_event: HealthEvent | None = None
    # what the fetch itself gave, for the fetch log (not part of the record)
    http_status: int | None = None
    url: str = ""
    etag: str = ""
    last_modified: str = ""
    trace: str = ""  # the traceback of an internal_error, for the log


class Recorder:
    """Turns fetch results into versions and health, one document at a time."""

    def __init__(self, store: Store, broken_after: int = BROKEN_AFTER):
        self.store = store
        self.health: Health = load_health(store.root)
        self.broken_after = broken_after
        self.pending_dir = store.root / "pending"
        self.outcomes: list[Outcome] = []

    def _pending_path(self, doc_id: str) -> Path:
        return self.pending_dir / f"{doc_id}.json"

    def _pending(self, doc_id: str) -> dict | None:
        path = self._pending_path(doc_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and {"sha256", "seen", "first_seen"} <= data.keys() else None

    def has_pending(self, doc_id: str) -> bool:
        return self._pending_path(doc_id).exists()

    def _clear_pending(self, doc_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._pending_path(doc_id).unlink()

    def fetched(
        self,
        doc_id: str,
        *,
        text: str,
        at: datetime,
        url: str,
        extractor: str,
        raw: bytes | None = None,
        confirm: int = 1,
        source: str = "crawl",
        vet: Vet | None = None,
        reextract: Reextract | None = None,
    ) -> Outcome:
        """A good page: record it if its text is new (and confirmed, and not held by `vet`).

        When the latest version was extracted by other rules (`extractor` differs) and its own raw
        page, extracted again by `reextract`, gives the new text, the page did not change: the
        new text is recorded at once as a `technical` version, kept out of the feeds."""
        if not text.endswith("\n"):
            text += "\n"
        latest = self.store.latest(doc_id)
        previous = latest[1] if latest is not None else None
        if previous == text:
            self._clear_pending(doc_id)
            event = self.health.ok(doc_id, iso(at))
            return self._done(Outcome(doc_id, "unchanged", iso(at), health_event=event))
        if latest is not None and at.replace(microsecond=0) < latest[0].fetched_at:
            # the machine's clock runs behind the record: a version dated before the latest one
            # would rewrite history (the real change would turn technical and sink in the feeds)
            detail = (
                f"the clock says {iso(at)}, before the latest version {latest[0].id} ({latest[0].detected_at}): "
                "nothing is recorded until the clock is right"
            )
            return self.failed(doc_id, at=at, reason="clock_behind", detail=detail)
        if latest is not None and reextract is not None and latest[0].extractor != extractor:
            again = reextract(latest[0])
            if again is not None and (again if again.endswith("\n") else again + "\n") == text:
                note = f"re-extraction by {extractor} of the page behind {latest[0].id} ({latest[0].extractor})"
                version = self.store.add(
                    doc_id,
                    text,
                    fetched_at=at,
                    url=url,
                    extractor=extractor,
                    raw=raw,
                    source=source,
                    technical=True,
                    note=note,
                )
                self._clear_pending(doc_id)
                event = self.health.ok(doc_id, iso(at))
                return self._done(
                    Outcome(doc_id, "new", iso(at), detail="technical", version=version, health_event=event)
                )
        held = vet(previous, text) if vet is not None else None
        needed = max(confirm, 2 if held else 1)
        first_seen = at
        if needed > 1:
            sha = sha256_text(text)
            pending = self._pending(doc_id)
            same = pending is not None and pending["sha256"] == sha
            seen = pending["seen"] + 1 if same else 1
            if same:
                first_seen = parse_iso(pending["first_seen"])
            if seen < needed:
                note = {"sha256": sha, "seen": seen, "first_seen": iso(first_seen)}
                if held:
                    note["held"] = held[0]
                atomic_write(
                    self._pending_path(doc_id), (json.dumps(note, indent=2, sort_keys=True) + "\n").encode("utf-8")
                )
                if held:
                    reason, detail = held
                    detail = f"{detail}; held until the next crawl sees the same text"
                    event = self.health.failed(doc_id, iso(at), reason, detail, self.broken_after)
                    return self._done(Outcome(doc_id, "failed", iso(at), reason, detail, health_event=event))
                event = self.health.ok(doc_id, iso(at))
                return self._done(
                    Outcome(doc_id, "pending", iso(at), detail=f"{seen}/{needed} crawls agree", health_event=event)
                )
        version = self.store.add(
            doc_id, text, fetched_at=first_seen, url=url, extractor=extractor, raw=raw, source=source
        )
        self._clear_pending(doc_id)
        event = self.health.ok(doc_id, iso(at))
        return self._done(Outcome(doc_id, "new", iso(at), version=version, health_event=event))

    def unchanged(self, doc_id: str, *, at: datetime) -> Outcome:
        """The server said the page is as at the last good fetch (HTTP 304)."""
        event = self.health.ok(doc_id, iso(at))
        return self._done(Outcome(doc_id, "unchanged", iso(at), detail="HTTP 304", health_event=event))

    def failed(self, doc_id: str, *, at: datetime, reason: str, detail: str = "") -> Outcome:
        """A fetch that is not the policy: never a version; counts against the document's health."""
        event = self.health.failed(doc_id, iso(at), reason, detail, self.broken_after)
        return self._done(Outcome(doc_id, "failed", iso(at), reason, detail, health_event=event))

    def _done(self, outcome: Outcome) -> Outcome:
        self.outcomes.append(outcome)
        return outcome

    def close(self) -> None:
        save_health(self.store.root, self.health)
