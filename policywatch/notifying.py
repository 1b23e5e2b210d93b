"""The notify job: read data/notify.yml, take each subscription's new changes and health events
into its state (outbox or digest queue), then deliver the outbox, recording each delivery before
and after it leaves, so that every change reaches every subscription once.

Exactly once, and where it cannot be: a delivery is marked `sending` (written to disk) before it
is handed to the service and `sent` right after. A crash between two deliveries, a rerun, a
failed send (retried with backoff), a sharded crawl: each message arrives once. A kill while a
message is on the wire leaves it `sending`; the next run cannot know whether it arrived, reports
it as `unconfirmed` and does not send it again (never twice, at the price of possibly never).
Webhooks and e-mails carry the message's key in an X-Policywatch-Key header for receivers that
want to check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from policywatch.archive.alerts import (
    ChangeView,
    DocMeta,
    behind,
    due_digest,
    new_events,
    new_records,
    start,
    store_differ,
    take,
)
from policywatch.archive.errors import NotifyConfigError, NotifyProblem
from policywatch.archive.files import data_lock
from policywatch.archive.health import load_health
from policywatch.archive.index import Index
from policywatch.archive.notify_config import (
    NOTIFY_FILE,
    NotifyConfig,
    Subscription,
    check_against_sources,
    load_notify,
)
from policywatch.archive.notify_state import (
    OutboxEntry,
    SubscriptionState,
    known_states,
    load_state,
    save_state,
    state_path,
)
from policywatch.archive.sources import Document, load_sources
from policywatch.archive.store import Store, iso
from policywatch.feeds import messages
from policywatch.feeds.messages import Message
from policywatch.feeds.notify import Masker, Target, open_targets, send
from policywatch.feeds.paths import Linker

RETRY_FIRST = timedelta(minutes=10)  # a failed delivery waits this long, doubled after each failure
RETRY_MOST = timedelta(hours=6)  # (the scheduled workflow runs every 6 hours)


def retry_after(attempts: int) -> timedelta:
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MOST)


@dataclass
class Line:
    """One thing the run did, for the report."""

    subscription: str
    status: str  # sent | failed | deferred | unconfirmed | dropped | would-send
    key: str
    target: str = ""
    detail: str = ""


@dataclass
class NotifyReport:
    configured: bool = True  # False: there is no notify.yml
    subscriptions: int = 0
    started: list[str] = field(default_factory=list)
    queued: dict[str, int] = field(default_factory=dict)  # changes queued for a digest this run
    removed: list[str] = field(default_factory=list)  # states of subscriptions gone from the file
    lines: list[Line] = field(default_factory=list)
    previews: list[tuple[Subscription, list[Target], Message]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)


@dataclass
class Setup:
    config: NotifyConfig
    documents: list[Document]
    targets: dict[str, list[Target]]
    masker: Masker
    linker: Linker


def notify_path(data_dir: Path) -> Path:
    return Path(data_dir) / NOTIFY_FILE


def check_config(data_dir: Path, env: Mapping[str, str] | None, documents: list[Document]) -> NotifyConfig | None:
    """The notifications file, checked against the sources (and, with `env`, every variable it
    names must hold URLs); None when there is no notify.yml."""
    path = notify_path(data_dir)
    if not path.exists():
        return None
    config = load_notify(path, env)
    if documents:
        problems = check_against_sources(config, documents)
        if problems:
            raise NotifyConfigError(problems)
    return config


def prepare(
    data_dir: Path,
    env: Mapping[str, str],
    *,
    sources: Path | None = None,
    base_url: str = "",
    documents: list[Document] | None = None,
) -> Setup | None:
    """Load and check everything before anything is read or sent: the file, its filters against
    the sources (`documents`, else those at `sources`), and each URL with Apprise. None when
    there is no notify.yml."""
    if documents is None:
        sources_at = sources if sources is not None else Path(data_dir) / "sources"
        documents = load_sources(sources_at) if sources_at.exists() else []
    config = check_config(data_dir, env, documents)
    if config is None:
        return None
    masker = Masker()
    targets = open_targets(config, env, masker)
    return Setup(config, documents, targets, masker, Linker(base_url or config.site_url or ""))


def message_of(entry: OutboxEntry, sub: Subscription, setup: Setup) -> Message:
    linker = setup.linker
    if entry.kind == "alert":
        return messages.alert(entry.key, entry.items[0], sub, linker)
    if entry.kind == "health":
        return messages.health(entry.key, entry.events[0], sub, linker)
    if entry.kind == "digest":
        return messages.digest(entry.key, entry.items, entry.events, entry.info, sub, linker)
    return messages.welcome(entry.key, entry.info, sub, linker)


def notify(
    data_dir: Path,
    setup: Setup,
    *,
    now: datetime,
    wait: float = 30.0,
    dry_run: bool = False,
    pause: Callable[[], None] | None = None,
    progress: Callable[[Line], None] | None = None,
) -> NotifyReport:
    """Take new changes into each subscription's state and deliver its outbox (see the module's
    docstring). With `dry_run`, report what would be sent and write nothing. `pause` runs
    between two deliveries (a test holds the run there to kill it)."""
    data_dir = Path(data_dir)
    report = NotifyReport(subscriptions=len(setup.config.subscriptions))
    if not setup.linker.base_url:
        report.notes.append(
            "no --base-url (nor site_url in notify.yml): messages link to the tracked pages, not to the change pages"
        )
    store = Store(data_dir)
    metas = {d.id: DocMeta(d.title, d.service, tuple(d.tags), d.url) for d in setup.documents}
    with data_lock(data_dir, wait):
        saved = {sub.name: load_state(data_dir, sub.name) for sub in setup.config.subscriptions}
        with Index(store) as index:
            # only the documents with versions past a cursor need their change records (derived
            # here when no publish did: the commit job of the workflow starts from the files)
            index.refresh(derive=False)
            latest = index.latest_versions()
            needed = set().union(*(behind(s, latest) for s in saved.values() if s is not None))
            records: dict[str, list] = {}
            for doc_id in sorted(needed):
                if doc_id in index.underived:
                    index.derive_changes(doc_id)
                records.update(index.changes_by_document(doc_id))
        events = load_health(data_dir).events
        differ = store_differ(store)
        views: dict[str, ChangeView] = {}

        def meta(doc_id: str) -> DocMeta:
            return metas.get(doc_id) or DocMeta(doc_id, "(not in the sources)")

        def view(record) -> ChangeView:
            if record.id not in views:
                views[record.id] = ChangeView(record, meta(record.document_id), differ)
            return views[record.id]

        states: dict[str, SubscriptionState] = {}
        for sub in setup.config.subscriptions:
            tids = [t.id for t in setup.targets[sub.name]]
            state = saved[sub.name]
            if state is None:
                state = start(sub, now, latest, events, tids, len(setup.documents) or len(latest))
                report.started.append(sub.name)
            else:
                _recover(state, report)
                before = len(state.queue)
                fresh = [view(r) for r in new_records(state, records)]
                happened = [(e, meta(e.document_id)) for e in new_events(state, events)]
                take(sub, state, fresh, happened, latest, tids, now)
                report.queued[sub.name] = len(state.queue) - before
                due_digest(sub, state, now, tids)
            _drop_gone_targets(state, set(tids), report)
            if not dry_run:
                save_state(data_dir, state)
            states[sub.name] = state
        for name in known_states(data_dir):
            if name not in states:
                report.removed.append(name)
                if not dry_run:
                    state_path(data_dir, name).unlink()
        for sub in setup.config.subscriptions:
            _deliver(data_dir, sub, states[sub.name], setup, now, dry_run, pause, progress, report)
    return report


def _recover(state: SubscriptionState, report: NotifyReport) -> None:
    """Deliveries a killed run left on the wire: perhaps received, so never sent again."""
    for entry in list(state.outbox):
        for tid, d in sorted(entry.targets.items()):
            if d.status == "sending":
                d.status = "unconfirmed"
                detail = f"a run was stopped while sending it at {d.at}; not sent again, so it cannot arrive twice"
                report.lines.append(Line(state.name, "unconfirmed", entry.key, tid, detail))
        if entry.done:
            state.finish(entry)


def _drop_gone_targets(state: SubscriptionState, tids: set[str], report: NotifyReport) -> None:
    for entry in list(state.outbox):
        for tid in sorted(set(entry.targets) - tids):
            del entry.targets[tid]
            report.lines.append(Line(state.name, "dropped", entry.key, tid, "the subscription no longer names it"))
        if entry.done:
            state.finish(entry)


def _deliver(
    data_dir: Path,
    sub: Subscription,
    state: SubscriptionState,
    setup: Setup,
    now: datetime,
    dry_run: bool,
    pause: Callable[[], None] | None,
    progress: Callable[[Line], None] | None,
    report: NotifyReport,
) -> None:
    targets = {t.id: t for t in setup.targets[sub.name]}
    when = iso(now)

    def note(line: Line) -> None:
        report.lines.append(line)
        if progress:
            progress(line)

    for entry in list(state.outbox):
        message = message_of(entry, sub, setup)
        due = [
            targets[tid]
            for tid, d in sorted(entry.targets.items())
            if d.status == "pending" or (d.status == "failed" and (d.next_try or "") <= when)
        ]
        for tid, d in sorted(entry.targets.items()):
            if d.status == "failed" and (d.next_try or "") > when:
                note(Line(sub.name, "deferred", entry.key, targets[tid].label, f"retried after {d.next_try}"))
        if dry_run:
            if due:
                report.previews.append((sub, due, message))
                for target in due:
                    report.lines.append(Line(sub.name, "would-send", entry.key, target.label))
            continue
        for target in due:
            if pause is not None and (report.count("sent") or report.count("failed")):
                pause()
            d = entry.targets[target.id]
            d.status, d.attempts, d.at, d.error, d.next_try = "sending", d.attempts + 1, when, "", None
            save_state(data_dir, state)  # the intent, on disk before the message leaves
            ok, error = send(target, message, setup.masker)
            if ok:
                d.status = "sent"
            else:
                d.status, d.error, d.next_try = "failed", error, iso(now + retry_after(d.attempts))
            if entry.done:
                state.finish(entry)
            save_state(data_dir, state)
            if ok:
                note(Line(sub.name, "sent", entry.key, target.label))
            else:
                detail = f"attempt {d.attempts}, retried after {d.next_try}: {error}"
                note(Line(sub.name, "failed", entry.key, target.label, detail))


def send_test(setup: Setup, name: str, now: datetime, masker: Masker | None = None) -> list[Line]:
    """One test message to each target of subscription `name`; nothing is recorded."""
    sub = setup.config.subscription(name)
    if sub is None:
        known = ", ".join(s.name for s in setup.config.subscriptions) or "none"
        problem = NotifyProblem(setup.config.file, None, None, f"no subscription is named {name!r} (known: {known})")
        raise NotifyConfigError([problem])
    message = messages.test(sub, setup.linker, now, len(setup.documents))
    lines = []
    for target in setup.targets[name]:
        ok, error = send(target, message, masker or setup.masker)
        lines.append(Line(name, "sent" if ok else "failed", message.key, target.label, error))
    return lines
