"""fast-diff-match-patch (C++) gives the same edits as the pure-Python diff-match-patch on the
strings the engine feeds it: random token lists and real ones from the corpus, in both encodings,
with and without semantic cleanup."""

from __future__ import annotations

import json
import random

import pytest
from diff_match_patch import diff_match_patch

from policywatch.diffs import compare
from policywatch.diffs.normalize import words
from policywatch.diffs.words import diff_codes, encode, encode_by_class, tokenize

OPS = {-1: "-", 0: "=", 1: "+"}


def reference(a: str, b: str, semantic: bool) -> list[tuple[str, int]]:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # like the engine: no time limit
    diffs = dmp.diff_main(a, b, False)
    if semantic:
        dmp.diff_cleanupSemantic(diffs)
    return [(OPS[op], len(text)) for op, text in diffs]


def same_edits(a_tokens: list[str], b_tokens: list[str]) -> None:
    for enc in (encode, encode_by_class):
        a, b = enc(a_tokens, b_tokens)
        for semantic in (False, True):
            assert list(diff_codes(a, b, semantic)) == reference(a, b, semantic), (enc.__name__, semantic)


VOCAB = ["the", "seller", "may", "must", "not", " ", "  ", "\n", "\n\n", ",", ".", "%", "24", "48", "hours", "€"]


def edited(rng: random.Random, tokens: list[str]) -> list[str]:
    out = list(tokens)
    for _ in range(rng.randint(0, 10)):
        k = rng.randint(0, len(out))
        r = rng.random()
        if r < 0.4 and k < len(out):
            del out[k]
        elif r < 0.7 and k < len(out):
            out[k] = rng.choice(VOCAB)
        else:
            out.insert(k, rng.choice(VOCAB))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_random_token_lists(seed):
    rng = random.Random(seed)
    for _ in range(25):
        old = [rng.choice(VOCAB) for _ in range(rng.randint(0, 60))]
        same_edits(old, edited(rng, old))


def test_many_distinct_tokens():
    rng = random.Random(7)
    old = [f"w{rng.randint(0, 3000)}" for _ in range(800)]
    same_edits(old, edited(rng, old))


@pytest.mark.slow
def test_real_blocks_from_the_corpus(corpus):
    checked = 0
    for d in sorted((corpus / "dev").iterdir())[::3]:
        versions = json.loads((d / "meta.json").read_text(encoding="utf-8"))["versions"]
        for a, b in zip(versions[::4], versions[1::4], strict=False):
            cmp = compare((d / a["file"]).read_text(encoding="utf-8"), (d / b["file"]).read_text(encoding="utf-8"))
            for c in cmp.changes:
                if c.op == "modified" and len(c.old.raw) < 3000:
                    same_edits(words(c.old.key), words(c.new.key))  # what classification diffs
                    same_edits(tokenize(c.old.raw), tokenize(c.new.raw))  # what the display diffs
                    checked += 1
    assert checked > 50
