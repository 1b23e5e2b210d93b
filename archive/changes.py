"""Change records derived from a document's versions: one per version, the first one too, and the
flip-flops among them (a text that goes back and forth within a window).

kind: first | change | revert (the text returned to an earlier version's, which it names, undoing
the change that left it) | technical (a re-extraction after our own rules changed: kept, never
published as a change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from policywatch.diffs import Comparison, compare
from policywatch.diffs.engine import first_summary, first_topics
from policywatch.diffs.headline import uncapitalised

from .store import Version, parse_iso

FLIP_WINDOW = timedelta(days=7)  # a text back within this long after it changed is a flip-flop


@dataclass
class ChangeRecord:
    document_id: str
    to_version: str
    from_version: str | None
    kind: str
    detected_at: str
    significance: str
    summary: str
    stats: dict = field(default_factory=dict)
    facts: list[dict] = field(default_factory=list)
    reverts_to: str | None = None
    source: str = "crawl"
    topics: list[str] = field(default_factory=list)  # the seller workflows it touches (diffs.topics)
    details: str = ""  # the line under the summary: sections and words counted
    sections: list[str] = field(default_factory=list)  # paths of the sections with edits
    undoes: str | None = None  # for a revert: the version whose change it undoes

    @property
    def id(self) -> str:
        return f"{self.document_id}/{self.to_version}"

    @property
    def published(self) -> bool:
        """Technical re-extractions are kept in the record but stay out of the feeds."""
        return self.kind != "technical"


@dataclass(frozen=True)
class Link:
    """How one version relates to the one before it (cheap: hashes only, no texts)."""

    version: Version
    previous: Version | None
    kind: str
    reverts_to: str | None = None
    undoes: Version | None = None  # for a revert: the first version after the one it returns to


def chain(versions: list[Version]) -> list[Link]:
    """Kinds of each version in order, decided by text hashes alone.

    Published kinds are decided against the published texts only: a technical version never
    starts the history, is never what a later version "reverts" to, and a version whose text is
    the last published one (back after a re-extraction, or an imported archive that overlaps
    the crawl) is not a change, so it is kept as technical too."""
    links = []
    latest_with: dict[str, str] = {}  # sha256 -> id of the newest published-text version with it
    after: dict[str, Version] = {}  # id of a published version -> the published version after it
    prev: Version | None = None
    last: Version | None = None  # the newest version that is not a technical re-extraction
    for v in versions:
        if v.technical:
            link = Link(v, prev, "technical")
        elif last is None:
            link = Link(v, None, "first")
        elif v.sha256 == last.sha256:
            link = Link(v, prev, "technical")
        elif v.sha256 in latest_with:
            back = latest_with[v.sha256]
            link = Link(v, prev, "revert", back, after.get(back))
        else:
            link = Link(v, prev, "change")
        links.append(link)
        if not v.technical:
            if last is not None and link.kind != "technical":
                after[last.id] = v
            latest_with[v.sha256] = v.id
            last = v
        prev = v
    return links


def readable_date(at: str) -> str:
    """An ISO time as a reader writes the day: "8 Sep 2022"."""
    d = parse_iso(at)
    return f"{d.day} {d:%b %Y}"


def derive(link: Link, text: str, previous_text: str | None, keep: dict[str, Comparison] | None = None) -> ChangeRecord:
    """The full change record of one link (runs the diff engine; `keep` gets the comparison under
    the record's id, for a caller that renders it next)."""
    v = link.version
    if link.previous is None or previous_text is None:
        summary, stats, details = first_summary(text)
        if link.kind == "technical":  # a re-extraction dated before the first published text
            summary = f"Re-extraction after a change of extraction rules (not a policy change): {summary}"
        return ChangeRecord(
            v.document_id,
            v.id,
            None,
            link.kind,
            v.detected_at,
            "substantive",
            summary,
            stats,
            [],
            source=v.source,
            topics=first_topics(text),
            details=details,
        )
    cmp = compare(previous_text, text)
    if keep is not None:
        keep[f"{v.document_id}/{v.id}"] = cmp
    summary = cmp.summary
    if link.kind == "revert":
        undone = f"the change of {readable_date(link.undoes.detected_at)}" if link.undoes else "an earlier change"
        summary = f"Reverts {undone}: {uncapitalised(summary)}"
    elif link.kind == "technical" and not v.technical:
        summary = f"Same text as the last published version, recorded again (not a policy change): {summary}"
    elif link.kind == "technical":
        summary = f"Re-extraction after a change of extraction rules (not a policy change): {summary}"
    return ChangeRecord(
        v.document_id,
        v.id,
        link.previous.id,
        link.kind,
        v.detected_at,
        cmp.significance,
        summary,
        cmp.stats,
        cmp.facts,
        link.reverts_to,
        v.source,
        cmp.topics,
        cmp.details,
        cmp.sections,
        link.undoes.id if link.undoes else None,
    )


@dataclass(frozen=True)
class FlipFlop:
    """Records of one document whose text went back and forth: `records` in order, the first the
    change that started it; `settled` when the last one returned to the text before it."""

    records: tuple[ChangeRecord, ...]
    settled: bool

    @property
    def id(self) -> str:
        """The episode's id: its first record's (stable while the episode grows)."""
        return self.records[0].id

    @property
    def first(self) -> ChangeRecord:
        return self.records[0]

    @property
    def last(self) -> ChangeRecord:
        return self.records[-1]


def flip_flops(records: list[ChangeRecord], window: timedelta = FLIP_WINDOW) -> list[FlipFlop]:
    """The flip-flops of one document's records (in order): a revert within `window` of the change
    that left the text it returns to makes that change, the revert and every record between them
    one episode; episodes that overlap are one. A window of zero finds none."""
    if window <= timedelta(0):
        return []
    shown = [r for r in records if r.published]
    position = {r.to_version: k for k, r in enumerate(shown)}
    spans: list[list[int]] = []
    for k, r in enumerate(shown):
        if r.kind != "revert" or r.reverts_to not in position:
            continue
        start = position[r.reverts_to] + 1  # the record that left the text this one returns to
        if start >= k or parse_iso(r.detected_at) - parse_iso(shown[start].detected_at) > window:
            continue
        if spans and start <= spans[-1][1]:  # it overlaps the one before: the text kept flipping
            spans[-1][1] = k
            spans[-1][0] = min(spans[-1][0], start)
        else:
            spans.append([start, k])
    out = []
    for start, end in spans:
        before = shown[start - 1].to_version
        last = shown[end]
        settled = last.kind == "revert" and last.reverts_to == before
        out.append(FlipFlop(tuple(shown[start : end + 1]), settled))
    return out


def episode_summary(ff: FlipFlop) -> str:
    """What a flip-flop's one entry says: what flips, how often, when, and how it ended."""
    first, last = ff.first, ff.last
    when = readable_date(first.detected_at)
    if readable_date(last.detected_at) != when:
        when += f" to {readable_date(last.detected_at)}"
    what = first.summary
    ended = "back to the earlier text" if ff.settled else "ending on the new text"
    return f"Unstable: {len(ff.records)} changes back and forth ({when}), {ended}; what flips: {what}"
