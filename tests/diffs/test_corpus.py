"""The diff engine on every consecutive pair of the real corpus (`../shared/corpus/dev/`): the
rendered diff gives both texts back exactly, cosmetic hints come out cosmetic, flips back to an
earlier text are reverts, unchanged blocks stay unchanged, and docs/diff-quality.md is current."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import Counter
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import lxml.html
import pytest
from support import CORPUS

from policywatch.archive.changes import chain
from policywatch.archive.store import Version
from policywatch.diffs import compare, render
from policywatch.diffs.blocks import split_blocks

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
COSMETIC_HINTS = ("whitespace_only", "link_targets_only", "character_encoding_only")


def documents(corpus: Path):
    for d in sorted((corpus / "dev").iterdir()):
        if (d / "meta.json").is_file():
            yield d, json.loads((d / "meta.json").read_text(encoding="utf-8"))


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus_dir() -> Path:
    """conftest's `corpus`, once for the module: the comparisons below are shared by its tests."""
    if not (CORPUS / "dev").is_dir():
        if os.environ.get("POLICYWATCH_REQUIRE_CORPUS") == "1":
            pytest.fail(f"POLICYWATCH_REQUIRE_CORPUS=1 but the corpus is missing at {CORPUS}")
        pytest.skip(f"corpus not found at {CORPUS} (set POLICYWATCH_CORPUS)")
    return CORPUS


@pytest.fixture(scope="module")
def pairs(corpus_dir):
    out = []
    for d, meta in documents(corpus_dir):
        versions = meta["versions"]
        for a, b in pairwise(versions):
            old, new = read(d / a["file"]), read(d / b["file"])
            out.append((f"{d.name} {a['file'][:3]}->{b['file'][:3]}", b, old, new, compare(old, new)))
    assert len(out) >= 270
    return out


def texts_of_inline_html(html: str) -> tuple[str, str]:
    """The old and the new text a reader gets from the inline view (labels for screen readers,
    badges and fold captions aside). A moved block's old text is where it moved from; the block
    where it arrived shows the edits made on the way."""
    sides = []
    for edit, moved in (("ins", "pw-moved-in"), ("del", "pw-moved-out")):
        root = lxml.html.fragment_fromstring(html)
        for el in root.xpath(
            "//*[contains(@class, 'pw-sr') or contains(@class, 'pw-badge')] | //details/summary"
            f" | //{edit} | //div[contains(concat(' ', @class, ' '), ' {moved} ')]"
        ):
            el.drop_tree()
        sides.append("".join(pre.text_content() for pre in root.iter("pre")))
    return sides[0], sides[1]


def test_every_pair_gives_both_texts_back(pairs):
    for name, _, old, new, cmp in pairs:
        assert cmp.old_text() == old and cmp.new_text() == new, name
        assert texts_of_inline_html(render.inline_html(cmp)) == (old, new), name
        record = json.loads(json.dumps(cmp.record()))
        assert record["significance"] in ("cosmetic", "minor", "substantive") and record["summary"], name


def test_pairs_with_a_cosmetic_hint_are_cosmetic(pairs):
    hinted = [
        (name, cmp.significance, cmp.summary) for name, v, _, _, cmp in pairs if v.get("change_hint") in COSMETIC_HINTS
    ]
    assert len(hinted) >= 25
    assert [h for h in hinted if h[1] != "cosmetic"] == []


def test_flips_back_to_an_earlier_text_are_reverts(corpus):
    checked = 0
    for d, meta in documents(corpus):
        texts = [read(d / v["file"]) for v in meta["versions"]]
        versions = [
            Version(
                d.name, v["file"][:3], datetime(2020, 1, 1, tzinfo=UTC), hashlib.sha256(t.encode()).hexdigest(), "", ""
            )
            for v, t in zip(meta["versions"], texts, strict=True)
        ]
        links = chain(versions)
        for k, v in enumerate(meta["versions"]):
            if not v.get("identical_to") or texts[k] == texts[k - 1]:
                continue
            assert links[k].kind == "revert", (d.name, v["file"])
            back = next(j for j, x in enumerate(versions) if x.id == links[k].reverts_to)
            assert back < k and texts[back] == texts[k]
            assert read(d / v["identical_to"]) == texts[k]
            assert compare(texts[back], texts[k]).summary == "No change."
            checked += 1
    assert checked >= 40


def test_unchanged_blocks_are_never_reported_added_or_removed(pairs):
    """No pair degrades to a delete-all/insert-all: a block whose text is in both versions is
    kept (or moved), never counted as removed and added."""
    for name, _, old, new, cmp in pairs:
        old_keys = Counter(b.key for b in split_blocks(old) if b.word_count())
        new_keys = Counter(b.key for b in split_blocks(new) if b.word_count())
        shared = sum((old_keys & new_keys).values())
        assert cmp.stats["blocks_removed"] <= sum(old_keys.values()) - shared, name
        assert cmp.stats["blocks_added"] <= sum(new_keys.values()) - shared, name


def test_the_quality_tables_in_the_docs_are_current(corpus):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import diff_quality
    finally:
        sys.path.remove(str(ROOT / "bench"))
    assert diff_quality.documented() == diff_quality.tables(corpus), "run: python bench/diff_quality.py --write"
