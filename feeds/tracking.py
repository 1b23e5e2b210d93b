"""What the site says about how a document is tracked, from what really happened: when it was last
checked (this machine's fetch log, or the newest crawled version), whether its history was only
imported, whether its last crawls fail and since when."""

from __future__ import annotations

from dataclasses import dataclass

from policywatch.archive.changes import ChangeRecord
from policywatch.archive.health import DocHealth


@dataclass(frozen=True)
class Tracking:
    state: str  # ok | failing | broken | imported (never crawled) | never fetched
    last_checked: str | None  # ISO 8601 UTC: the last fetch, good or not
    last_outcome: str  # what the last fetch gave: "new version", "unchanged", "failed: <reason>", ""
    failing_since: str | None
    reason: str  # the last failure's reason and detail
    imported: bool  # some versions came from an import

    @property
    def label(self) -> str:
        """One word or two, for lists."""
        return {"imported": "imported, never crawled", "never": "never fetched"}.get(self.state, self.state)

    def view(self) -> dict:
        return {
            "state": self.state,
            "label": self.label,
            "last_checked": self.last_checked,
            "last_outcome": self.last_outcome,
            "failing_since": self.failing_since,
            "reason": self.reason,
            "imported": self.imported,
        }


OUTCOMES = {"new": "a new version", "unchanged": "no change", "pending": "a change waiting for confirmation"}


def tracking_of(records: list[ChangeRecord], fetch: dict | None, health: DocHealth | None) -> Tracking:
    """A document's tracking from its change records, its last fetch on this machine (or None)
    and its health entry (or None)."""
    crawled = [r.detected_at for r in records if r.source == "crawl"]
    imported = any(r.source != "crawl" for r in records)
    checked = max(
        [
            *crawled,
            *([fetch["at"]] if fetch else []),
            *([health.last_failure] if health and health.last_failure else []),
        ],
        default=None,
    )
    outcome = ""
    if fetch and fetch["at"] == checked:
        o = fetch.get("outcome") or ""
        outcome = f"failed: {fetch.get('reason') or 'error'}" if o == "failed" else OUTCOMES.get(o, o)
    elif health and health.last_failure == checked:
        outcome = f"failed: {health.last_reason}"
    elif checked:
        outcome = "a new version"
    if health is not None:
        state = "broken" if health.broken else "failing"
        reason = f"{health.last_reason}: {health.last_detail}" if health.last_detail else health.last_reason
        return Tracking(state, checked, outcome, health.failing_since, reason, imported)
    if checked is None:
        return Tracking("imported" if records else "never", None, "", None, "", imported)
    return Tracking("ok", checked, outcome, None, "", imported)
