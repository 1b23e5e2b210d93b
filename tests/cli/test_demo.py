"""The bundled demo runs end to end (`policywatch demo --no-serve`) and records what each step of
the Example Marketplace's history should give."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

import feedparser
import pytest

from policywatch import example

pytestmark = pytest.mark.slow


def test_demo_records_the_expected_changes(tmp_path):
    out = tmp_path / "site"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "policywatch",
            "demo",
            "--work",
            str(tmp_path / "demo"),
            "--out",
            str(out),
            "--no-serve",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert f"demo: {example.EXPECTED_RECORDS} change records from 7 steps" in r.stderr
    records = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    assert len(records) == example.EXPECTED_RECORDS == 12

    by_doc = defaultdict(list)
    for rec in sorted(records, key=lambda r: r["detected_at"]):
        by_doc[rec["document_id"]].append(rec)
    expected = defaultdict(list)
    for step in example.EXPECTED:
        for doc, kind in step.items():
            expected[doc].append(kind)
    assert {d: [r["kind"] for r in recs] for d, recs in by_doc.items()} == dict(expected)

    health, fees, prohibited, agreement = (
        by_doc[p.id] for p in (example.HEALTH, example.FEES, example.PROHIBITED, example.AGREEMENT)
    )
    assert "24 hours → 48 hours" in health[1]["summary"] and health[1]["significance"] == "substantive"
    assert "15% → 17%" in fees[1]["summary"]
    assert fees[2]["significance"] == "cosmetic"  # the reindented page with one no-break space
    assert prohibited[1]["facts"][0]["kind"] == "section_added" and prohibited[1]["facts"][0]["after"] == "Batteries"
    assert prohibited[2]["kind"] == "revert" and prohibited[2]["reverts_to"] == prohibited[0]["to_version"]
    assert any(f["kind"] == "section_removed" for f in agreement[1]["facts"])
    assert agreement[2]["stats"]["blocks_moved"] == 1 and agreement[2]["significance"] == "minor"
    assert agreement[3]["significance"] == "minor"  # only the "last updated" date

    feed = feedparser.parse((out / "feed.atom").read_bytes())
    # the section added and removed again three days later (a flip back) is one "unstable" entry
    assert not feed.bozo and len(feed.entries) == 11
    assert [e.title for e in feed.entries if "Unstable: 2 changes back and forth" in e.title]
    page = (out / prohibited[1]["url"]).read_text(encoding="utf-8")
    assert "<ins" in page and "Batteries" in page
