"""Failpoints: a real exception raised inside one stage (fetch, check, extract, record) for one
named document, so tests can show that crash isolation holds at every stage of a real crawl.
The CLI takes them from $POLICYWATCH_FAILPOINTS ("stage:doc-id,..."); nothing else sets them."""

from __future__ import annotations

STAGES = ("fetch", "check", "extract", "record")


class FailpointError(RuntimeError):
    """Raised by a failpoint: stands for any bug or hostile page that breaks a stage."""


def parse_failpoints(value: str) -> frozenset[str]:
    """'stage:doc-id,...' → the set of failpoints; ValueError naming an unknown stage."""
    points = frozenset(p.strip() for p in value.split(",") if p.strip())
    for point in points:
        stage, _, doc = point.partition(":")
        if stage not in STAGES or not doc:
            raise ValueError(f"failpoint {point!r} is not STAGE:DOC-ID with STAGE one of {', '.join(STAGES)}")
    return points


def failpoint(points: frozenset[str], stage: str, document_id: str) -> None:
    if points and f"{stage}:{document_id}" in points:
        raise FailpointError(f"failpoint {stage} for {document_id}")
