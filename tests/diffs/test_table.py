"""The diff engine against tests/diffs/diff_cases.yaml: normalisation, classification, alignment, facts
and summaries, one small (old, new, expected) case per row."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policywatch.diffs import compare
from policywatch.diffs.normalize import normalize

CASES = yaml.safe_load((Path(__file__).parent / "diff_cases.yaml").read_text(encoding="utf-8"))


def rows(section: str):
    return [pytest.param(c, id=f"{k}-{c.get('why', c['old'])[:40]}") for k, c in enumerate(CASES[section])]


def test_the_table_is_large_enough():
    assert sum(len(v) for v in CASES.values()) >= 60


@pytest.mark.parametrize("case", rows("normalize"))
def test_normalize(case):
    assert (normalize(case["old"]) == normalize(case["new"])) is case["same"], (
        normalize(case["old"]),
        normalize(case["new"]),
    )


def _reasons(cmp) -> set[str]:
    return {r for c in cmp.changes if c.changed for r in c.reasons}


@pytest.mark.parametrize("case", rows("classify"))
def test_classify(case):
    cmp = compare(case["old"], case["new"])
    assert cmp.significance == case["significance"], (cmp.summary, _reasons(cmp))
    if "reason" in case:
        assert case["reason"] in _reasons(cmp), _reasons(cmp)
    # whatever the verdict, the diff gives both texts back
    assert cmp.old_text() == case["old"] and cmp.new_text() == case["new"]


@pytest.mark.parametrize("case", rows("align"))
def test_align(case):
    cmp = compare(case["old"], case["new"])
    assert case["stats"].items() <= cmp.stats.items(), cmp.stats
    if "significance" in case:
        assert cmp.significance == case["significance"], cmp.summary
    assert cmp.old_text() == case["old"] and cmp.new_text() == case["new"]


@pytest.mark.parametrize("case", rows("facts"))
def test_facts(case):
    facts = compare(case["old"], case["new"]).facts
    for want in case.get("facts", []):
        assert any(want.items() <= f.items() for f in facts), facts
    for kind in case.get("none", []):
        assert not [f for f in facts if f["kind"] == kind], facts


@pytest.mark.parametrize("case", rows("summary"))
def test_summary(case):
    assert compare(case["old"], case["new"]).summary == case["summary"]
