"""The diff engine against tests/diffs/diff_cases.yaml: normalisation, classification, alignment, facts
and summaries, one small (old, new, expected) case per row."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policywatch.diffs import compare
from policywatch.diffs.blocks import Doc, display_title, split_blocks, split_chunk
from policywatch.diffs.normalize import normalize

CASES = yaml.safe_load((Path(__file__).parent / "diff_cases.yaml").read_text(encoding="utf-8"))


def rows(section: str):
    return [
        pytest.param(c, id=f"{k}-{(c.get('why') or c.get('old') or c['text'])[:40]}")
        for k, c in enumerate(CASES[section])
    ]


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


@pytest.mark.parametrize("case", rows("headline"))
def test_headline(case):
    summary = compare(case["old"], case["new"]).summary
    for want in case.get("contains", []):
        assert want.casefold() in summary.casefold(), summary
    for unwanted in case.get("excludes", []):
        assert unwanted.casefold() not in summary.casefold(), summary


@pytest.mark.parametrize("case", rows("sections"))
def test_sections(case):
    block = next(b for b in split_blocks(case["text"]) if b.text.startswith(case["block"]))
    assert [display_title(t) for t in block.path] == case["path"]
    # the cheap index of headings finds the same sections as the full split
    doc = Doc(case["text"])
    stack: list = []
    for k in range(len(doc)):
        assert doc.stack_before(k) == stack
        split_chunk(doc.keys[k], doc.seps[k], stack)


@pytest.mark.parametrize("case", rows("topics"))
def test_topics(case):
    topics = compare("", case["text"]).topics
    assert set(case["topics"]) <= set(topics), topics
    assert not set(case.get("not", [])) & set(topics), topics
