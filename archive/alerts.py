"""Which changes and health events each subscription is told of, and when: new changes read past
the subscription's cursor, filtered, and either put in the outbox at once (immediate) or queued
for the next digest; digests made when their time comes. Pure functions of the records, the
state and the time given: nothing here sends or reads the clock.

Each change is diffed at most once per run, and only when a subscription needs what it added or
removed (keywords) or a message shows it (sections).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from policywatch.diffs import compare
from policywatch.diffs.changed import ChangedText, changed_text

from .changes import ChangeRecord
from .health import HealthEvent
from .notify_config import DAYS, Subscription
from .notify_state import Delivery, OutboxEntry, SubscriptionState
from .store import Store, iso, order_key, parse_iso, parse_version_file, version_id

SILENT_KINDS = ("first", "technical")  # a first version or a re-extraction is not news


@dataclass(frozen=True)
class DocMeta:
    title: str
    service: str
    tags: tuple[str, ...] = ()
    url: str = ""


class ChangeView:
    """A change record with its document, and what it added and removed (diffed on first use)."""

    __slots__ = ("_changed", "_diff", "_folded", "_item", "doc", "memo", "record")

    def __init__(self, record: ChangeRecord, doc: DocMeta, diff: Callable[[ChangeRecord], ChangedText]):
        self.record = record
        self.doc = doc
        self._diff = diff
        self._changed: ChangedText | None = None
        self._folded: str | None = None
        self.memo: dict[tuple, list] = {}  # each keyword's matches, shared by the subscriptions
        self._item: dict | None = None

    @property
    def changed(self) -> ChangedText:
        if self._changed is None:
            self._changed = self._diff(self.record)
        return self._changed

    @property
    def folded(self) -> str:
        """What it added and removed, joined and lowercased: for Matcher.may_match."""
        if self._folded is None:
            self._folded = "\n".join([*self.changed.added, *self.changed.removed]).lower()
        return self._folded

    def item(self, hits: list[dict]) -> dict:
        """What a message about it needs, kept in the state until it is delivered."""
        if self._item is None:
            self._item = self._base()
        return {**self._item, "hits": hits}

    def _base(self) -> dict:
        r = self.record
        return {
            "id": r.id,
            "document_id": r.document_id,
            "to_version": r.to_version,
            "title": self.doc.title,
            "service": self.doc.service,
            "page_url": self.doc.url,
            "detected_at": r.detected_at,
            "kind": r.kind,
            "reverts_to": r.reverts_to,
            "significance": r.significance,
            "summary": r.summary,
            "facts": r.facts,
            "topics": r.topics,
            "sections": self.changed.sections,
        }


def store_differ(store: Store) -> Callable[[ChangeRecord], ChangedText]:
    """Diff a change from its two version files (a first version added nothing to compare)."""

    def diff(record: ChangeRecord) -> ChangedText:
        if record.from_version is None:
            return ChangedText()
        folder = store.versions_dir / record.document_id
        old = parse_version_file(folder / f"{record.from_version}.md")[1]
        new = parse_version_file(folder / f"{record.to_version}.md")[1]
        return changed_text(compare(old, new))

    return diff


def event_dict(event: HealthEvent, doc: DocMeta) -> dict:
    return {
        "id": event.id,
        "document_id": event.document_id,
        "title": doc.title,
        "service": doc.service,
        "page_url": doc.url,
        "event": event.event,
        "at": event.at,
        "reason": event.reason,
        "detail": event.detail,
    }


# ---------------------------------------------------------------------------- cursors


def behind(state: SubscriptionState, latest: dict[str, str]) -> set[str]:
    """The documents with versions past the state's cursor: the only ones whose change records
    a run needs (see new_records)."""
    start = order_key(version_id(parse_iso(state.started)))
    return {
        doc
        for doc, vid in latest.items()
        if order_key(vid) > (order_key(state.cursor[doc]) if doc in state.cursor else start)
    }


def new_records(state: SubscriptionState, records: dict[str, list[ChangeRecord]]) -> list[ChangeRecord]:
    """The records past the state's cursor, oldest first. A document the cursor does not know
    yet (new since the subscription started) is read from the subscription's start: versions
    an import dates earlier are history, not news."""
    start = order_key(version_id(parse_iso(state.started)))
    out = []
    for doc, rs in records.items():
        seen = order_key(state.cursor[doc]) if doc in state.cursor else start
        out.extend(r for r in rs if order_key(r.to_version) > seen)
    return sorted(out, key=lambda r: (r.detected_at, r.id))


def new_events(state: SubscriptionState, events: Iterable[HealthEvent]) -> list[HealthEvent]:
    at = state.health_cursor.get("at", "")
    ids = set(state.health_cursor.get("ids", []))
    found = [e for e in events if e.at > at or (e.at == at and e.id not in ids)]
    return sorted(found, key=lambda e: (e.at, e.document_id, e.event))


def _advance_health(state: SubscriptionState, events: list[HealthEvent]) -> None:
    if not events:
        return
    newest = max(e.at for e in events)
    old = state.health_cursor
    ids = set(old.get("ids", [])) if old.get("at") == newest else set()
    ids.update(e.id for e in events if e.at == newest)
    state.health_cursor = {"at": newest, "ids": sorted(ids)}


# ---------------------------------------------------------------------------- planning


def start(
    sub: Subscription,
    now: datetime,
    latest: dict[str, str],
    events: list[HealthEvent],
    targets: list[str],
    n_documents: int,
) -> SubscriptionState:
    """A new subscription's state: it reads from now on (`latest`: each document's newest
    version; no history) and, unless told not to, says once that it is set up."""
    state = SubscriptionState(sub.name, iso(now), cursor=dict(latest))
    _advance_health(state, events)
    if sub.welcome:
        info = {"documents": n_documents, "mode": sub.mode}
        state.outbox.append(OutboxEntry("welcome", "welcome", iso(now), info=info, targets=_deliveries(targets)))
    return state


def _deliveries(targets: list[str]) -> dict[str, Delivery]:
    return {t: Delivery() for t in targets}


def take(
    sub: Subscription,
    state: SubscriptionState,
    views: list[ChangeView],
    events: list[tuple[HealthEvent, DocMeta]],
    latest: dict[str, str],
    targets: list[str],
    now: datetime,
) -> None:
    """Read the new changes and health events into the outbox (immediate) or the digest queue,
    and move the cursors past them (`latest`: each document's newest version)."""
    when = iso(now)
    left_out: Counter[str] = Counter()
    scope: dict[str, bool] = {}  # per document: most documents bring several changes
    matcher = sub.matcher if sub.matcher else None
    immediate = sub.mode == "immediate"
    for view in views:
        r = view.record
        if r.kind in SILENT_KINDS:
            continue
        inside = scope.get(r.document_id)
        if inside is None:
            inside = scope[r.document_id] = sub.in_scope(r.document_id, view.doc.service, view.doc.tags)
        if not inside:
            continue
        why = sub.why_not(r.significance, r.topics)
        hits: list[dict] = []
        if why is None and matcher is not None:
            if matcher.may_match(view.folded):
                hits = [h.as_dict() for h in matcher.find(view.changed.added, view.changed.removed, memo=view.memo)]
            if not hits:
                why = "keywords"
        if why is not None:
            left_out[why] += 1
            continue
        item = view.item(hits)
        if immediate:
            state.outbox.append(OutboxEntry(f"alert/{r.id}", "alert", when, [item], targets=_deliveries(targets)))
        else:
            state.queue.append({**item, "queued": when})
    if sub.health:
        for event, doc in events:
            if not sub.in_scope(event.document_id, doc.service, doc.tags):
                continue
            data = event_dict(event, doc)
            if sub.mode == "immediate":
                entry = OutboxEntry(f"health/{event.id}", "health", when, events=[data], targets=_deliveries(targets))
                state.outbox.append(entry)
            else:
                state.queued_events.append({**data, "queued": when})
    if not immediate:  # counted for the digest ("left out: 3 changes below substantive")
        state.left_out.extend({"queued": when, "why": why, "n": n} for why, n in sorted(left_out.items()))
    for doc, vid in latest.items():
        if doc not in state.cursor or order_key(vid) > order_key(state.cursor[doc]):
            state.cursor[doc] = vid
    _advance_health(state, [e for e, _ in events])


def last_digest_time(sub: Subscription, now: datetime) -> tuple[str, datetime]:
    """(period, scheduled time) of the newest digest due at or before `now`: daily at `at`, or
    weekly on `day` at `at`, in the subscription's time zone."""
    tz = ZoneInfo(sub.timezone)
    local = now.astimezone(tz)
    hour, minute = (int(x) for x in sub.schedule_at.split(":"))
    when = datetime(local.year, local.month, local.day, hour, minute, tzinfo=tz)
    if sub.mode == "weekly":
        when -= timedelta(days=(when.weekday() - DAYS.index(sub.schedule_day)) % 7)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    if when > local:
        day = (when - step).date()
        when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    if sub.mode == "weekly":
        year, week, _ = when.isocalendar()
        return f"{year}-W{week:02d}", when
    return when.date().isoformat(), when


def due_digest(sub: Subscription, state: SubscriptionState, now: datetime, targets: list[str]) -> OutboxEntry | None:
    """The digest due now, if its time has come and something was queued before it; the queue
    keeps what arrived after the digest's time, for the next one."""
    if sub.mode == "immediate":
        _flush(state, now, targets)
        return None
    period, when = last_digest_time(sub, now)
    if state.last_digest == period:
        return None
    cut = iso(when)
    items = [q for q in state.queue if q["queued"] <= cut]
    events = [q for q in state.queued_events if q["queued"] <= cut]
    if not items and not events:
        return None
    left: Counter[str] = Counter()
    for x in state.left_out:
        if x["queued"] <= cut:
            left[x["why"]] += x.get("n", 1)
    state.queue = [q for q in state.queue if q["queued"] > cut]
    state.queued_events = [q for q in state.queued_events if q["queued"] > cut]
    state.left_out = [x for x in state.left_out if x["queued"] > cut]
    state.last_digest = period
    info = {"period": period, "mode": sub.mode, "scheduled": cut, "left_out": dict(sorted(left.items()))}
    strip = [{k: v for k, v in q.items() if k != "queued"} for q in items]
    stripped_events = [{k: v for k, v in q.items() if k != "queued"} for q in events]
    entry = OutboxEntry(f"digest/{period}", "digest", iso(now), strip, stripped_events, info, _deliveries(targets))
    state.outbox.append(entry)
    return entry


def _flush(state: SubscriptionState, now: datetime, targets: list[str]) -> None:
    """A digest subscription turned immediate: what waited for its digest goes out as alerts."""
    when = iso(now)
    for q in state.queue:
        item = {k: v for k, v in q.items() if k != "queued"}
        state.outbox.append(OutboxEntry(f"alert/{item['id']}", "alert", when, [item], targets=_deliveries(targets)))
    for q in state.queued_events:
        event = {k: v for k, v in q.items() if k != "queued"}
        entry = OutboxEntry(f"health/{event['id']}", "health", when, events=[event], targets=_deliveries(targets))
        state.outbox.append(entry)
    state.queue, state.queued_events, state.left_out = [], [], []
