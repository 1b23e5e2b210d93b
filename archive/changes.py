"""Change records derived from a document's versions: one per version, the first one too.

kind: first | change | revert (the text returned to an earlier version's, which it names) |
technical (a re-extraction after our own rules changed: kept, never published as a change).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policywatch.diffs import Comparison, compare
from policywatch.diffs.engine import first_summary, first_topics

from .store import Version


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


def chain(versions: list[Version]) -> list[Link]:
    """Kinds of each version in order, decided by text hashes alone.

    Published kinds are decided against the published texts only: a technical version never
    starts the history, is never what a later version "reverts" to, and a version whose text is
    the last published one (back after a re-extraction, or an imported archive that overlaps
    the crawl) is not a change, so it is kept as technical too."""
    links = []
    latest_with: dict[str, str] = {}  # sha256 -> id of the newest published-text version with it
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
            link = Link(v, prev, "revert", latest_with[v.sha256])
        else:
            link = Link(v, prev, "change")
        links.append(link)
        if not v.technical:
            latest_with[v.sha256] = v.id
            last = v
        prev = v
    return links


def derive(link: Link, text: str, previous_text: str | None, keep: dict[str, Comparison] | None = None) -> ChangeRecord:
    """The full change record of one link (runs the diff engine; `keep` gets the comparison under
    the record's id, for a caller that renders it next)."""
    v = link.version
    if link.previous is None or previous_text is None:
        summary, stats = first_summary(text)
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
        )
    cmp = compare(previous_text, text)
    if keep is not None:
        keep[f"{v.document_id}/{v.id}"] = cmp
    summary = cmp.summary
    if link.kind == "revert":
        summary = f"Back to the text of {link.reverts_to}: {summary}"
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
    )
