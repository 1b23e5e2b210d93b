"""The engine's results on the real corpus are what tests/diffs/golden/corpus-digests.txt says:
every dev pair, technical re-extraction, first-to-last pair and the stress pair, record, changes
and all three renderings. A deliberate change of results regenerates the file
(`.venv/bin/python tests/support/corpus_digest.py --write`) and is reviewed as a diff."""

from __future__ import annotations

from support.corpus_digest import GOLDEN, lines


def test_the_engine_gives_the_recorded_results_on_the_corpus(corpus):
    want = GOLDEN.read_text(encoding="utf-8").splitlines()
    got = lines(corpus)
    assert len(got) == len(want) > 300
    differ = [f"{g}  (expected {w.rsplit(' ', 1)[1]})" for g, w in zip(got, want, strict=True) if g != w]
    assert not differ, f"{len(differ)} results differ:\n" + "\n".join(differ[:20])
