"""The compiled diff engine (scripts/build_native.py, diffs/native.py): it gives what the source
gives on every pair of the corpus, it is used only while it matches the sources, and CI runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import diffs
from diffs import native

ROOT = Path(__file__).resolve().parent.parent
DIFFS = ROOT / "diffs"

# Every pair of the corpus: the change record and every change with its pieces and significance,
# and both renderings, as one JSON line per pair
EVERY_PAIR = """
import json, sys
from itertools import pairwise
from pathlib import Path
from diffs import compare, native, render
corpus = Path(sys.argv[1])
out = [native.COMPILED]
for d in sorted(p for p in (corpus / "dev").iterdir() if (p / "meta.json").is_file()):
    files = [d / v["file"] for v in json.loads((d / "meta.json").read_text(encoding="utf-8"))["versions"]]
    for a, b in pairwise(files):
        c = compare(a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8"))
        changes = [(x.op, x.significance, x.reasons, x.changed, x.pieces) for x in c.changes]
        out.append([d.name, a.name, c.record(), changes, render.inline_html(c), render.side_by_side_html(c)])
print(json.dumps(out))
"""


def compiled_or_skip() -> None:
    if native.COMPILED:
        return
    if os.environ.get("POLICYWATCH_REQUIRE_NATIVE") == "1":
        pytest.fail(f"POLICYWATCH_REQUIRE_NATIVE=1 but the diff engine runs as {native.describe()}")
    pytest.skip(f"the diff engine is not compiled here ({native.WHY})")


def run(code: str, *args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "POLICYWATCH_PURE_PYTHON"}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, env={**environ, **env}, check=True
    )


def test_the_engine_runs_compiled_where_it_was_built():
    compiled_or_skip()
    assert native.describe() == "compiled (mypyc)"
    assert Path(diffs.engine.__file__).suffix == ".so"
    # the build script finds it current and leaves it alone
    before = {f: f.stat().st_mtime_ns for f in native.extensions(DIFFS)}
    r = subprocess.run([sys.executable, "scripts/build_native.py"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and "up to date" in r.stdout
    assert {f: f.stat().st_mtime_ns for f in native.extensions(DIFFS)} == before


@pytest.mark.slow
def test_compiled_and_source_engines_agree_on_every_corpus_pair(corpus):
    compiled_or_skip()
    source = json.loads(run(EVERY_PAIR, str(corpus), POLICYWATCH_PURE_PYTHON="1").stdout)
    compiled = json.loads(run(EVERY_PAIR, str(corpus)).stdout)
    assert source[0] is False and compiled[0] is True
    assert len(compiled) > 270
    for a, b in zip(source[1:], compiled[1:], strict=True):
        assert a == b, f"{a[0]} {a[1]}: compiled engine differs from source"


def test_an_edited_source_wins_over_its_older_build(tmp_path):
    compiled_or_skip()
    shutil.copytree(DIFFS, tmp_path / "diffs", ignore=shutil.ignore_patterns("__pycache__"))
    probe = "import diffs, diffs.align, diffs.native as n; print(diffs.__file__, n.COMPILED, diffs.align.__file__)"

    def state(**env: str) -> tuple[bool, str]:
        out = run(probe, cwd=tmp_path, PYTHONPATH=str(tmp_path), **env).stdout.split()
        assert out[0] == str(tmp_path / "diffs" / "__init__.py")  # the copy, not the project
        return out[1] == "True", Path(out[2]).name

    assert state() == (True, next(f.name for f in (tmp_path / "diffs").glob("align.*.so")))
    assert state(POLICYWATCH_PURE_PYTHON="1") == (False, "align.py")

    engine = tmp_path / "diffs" / "engine.py"
    engine.write_text(engine.read_text(encoding="utf-8").replace('ENGINE_VERSION = "', 'ENGINE_VERSION = "edited-'))
    assert state() == (False, "align.py")
    code = "import diffs, diffs.native as n; print(diffs.ENGINE_VERSION, '|', n.describe())"
    version, why = run(code, cwd=tmp_path, PYTHONPATH=str(tmp_path)).stdout.strip().split(" | ")
    assert version.startswith("edited-")  # the edit is what runs, not the compiled module
    assert "sources changed" in why

    engine.write_text(engine.read_text(encoding="utf-8").replace('"edited-', '"'))
    assert state() == (True, next(f.name for f in (tmp_path / "diffs").glob("align.*.so")))  # as built
    kernel = tmp_path / "diffs" / f"{native.KERNEL}.c"  # the C similarity search is a source too
    kernel.write_text(kernel.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    assert state() == (False, "align.py")
    kernel.write_text(kernel.read_text(encoding="utf-8").replace("\n/* edited */\n", ""), encoding="utf-8")
    assert state()[0]
    next((tmp_path / "diffs").glob("words.*.so")).unlink()  # one module's build lost
    assert state() == (False, "align.py")
    (tmp_path / "diffs" / native.DIGEST).unlink()  # a build that never finished
    assert state() == (False, "align.py")


def test_compare_leaves_the_garbage_collector_as_it_found_it():
    import gc

    from diffs import compare

    assert gc.isenabled()
    assert compare("# Fees\n\nA fee of $5.\n", "# Fees\n\nA fee of $6.\n").significance == "substantive"
    assert gc.isenabled()  # paused while comparing, then on again
    gc.disable()
    try:
        compare("one\n", "two\n")
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()
    with pytest.raises((TypeError, AttributeError)):  # (compiled, the argument's type is checked)
        compare(None, "text\n")  # type: ignore[arg-type]  # an error still restores it
    assert gc.isenabled()


def test_side_by_side_bench_times_two_checkouts(tmp_path):
    """bench/diff_ab.py times the same pairs with the engine of each checkout in turn."""
    bench = [sys.executable, str(ROOT / "bench" / "diff_ab.py")]
    r = subprocess.run(
        [*bench, str(ROOT), str(ROOT), "--rounds", "1", "--pairs", "stress"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"before: {ROOT} ({native.describe()})" and lines[1] == f"after: {ROOT} ({native.describe()})"
    _, before, after, ratio = next(line for line in lines if line.startswith("stress ")).split()
    assert (
        float(before) > 0 and float(after) > 0 and float(ratio) == pytest.approx(float(after) / float(before), abs=1e-3)
    )
    assert any(line.startswith("total ") for line in lines)
    # a folder that is no checkout: a clear error, nothing timed
    r = subprocess.run([*bench, str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert r.returncode != 0 and f"{tmp_path} is not a policywatch checkout" in r.stderr and not r.stdout


def test_the_word_diff_is_built_without_clock_polling():
    """`make native` builds fast-diff-match-patch again without its clock() calls, and then leaves it."""
    library = native.dmp_library()
    assert library is not None and library.is_file()
    if native.polls_clock(library):
        why = "fast-diff-match-patch is the wheel's build, which polls clock() (`make native` rebuilds it)"
        if os.environ.get("POLICYWATCH_REQUIRE_NATIVE") == "1":
            pytest.fail(f"POLICYWATCH_REQUIRE_NATIVE=1 but {why}")
        pytest.skip(why)
    assert native.describe_dmp() == "fast-diff-match-patch built without clock polling"
    before = library.stat().st_mtime_ns
    r = subprocess.run([sys.executable, "scripts/build_native.py"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and "fast-diff-match-patch built without clock polling, up to date" in r.stdout
    assert library.stat().st_mtime_ns == before  # not built again


@pytest.mark.parametrize("header", [False, True])
def test_the_clock_check_reads_what_a_library_imports(tmp_path, header):
    """A C++ library that calls clock() imports it, and one built with scripts/noclock.h does not:
    the check `make native` relies on tells them apart."""
    cxx = shutil.which("g++") or shutil.which("c++")
    if cxx is None:
        if os.environ.get("POLICYWATCH_REQUIRE_NATIVE") == "1":
            pytest.fail("POLICYWATCH_REQUIRE_NATIVE=1 but there is no C++ compiler")
        pytest.skip("no C++ compiler here")
    source = tmp_path / "ticks.cpp"
    source.write_text('#include <ctime>\nextern "C" long ticks(void) { return (long)clock(); }\n', encoding="ascii")
    include = ["-include", str(ROOT / "scripts" / "noclock.h")] if header else []
    library = tmp_path / "libticks.so"
    subprocess.run([cxx, *include, "-O2", "-shared", "-fPIC", str(source), "-o", str(library)], check=True)
    assert native.polls_clock(library) is not header
    import ctypes

    ticks = ctypes.CDLL(str(library)).ticks
    ticks.restype = ctypes.c_long
    if header:
        assert ticks() == 0  # answered without asking
    else:
        sum(i * i for i in range(200_000))  # some processor time, so clock() has more than 0 to say
        assert ticks() > 0


def pick_python(candidates: str) -> str:
    env = {**os.environ, "PICK_PYTHON_CANDIDATES": candidates}
    out = subprocess.run(["sh", str(ROOT / "scripts" / "pick-python.sh")], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_make_picks_the_first_interpreter_that_can_make_a_venv(tmp_path: Path) -> None:
    # a candidate that is missing, one too old, then one that will do: the last is picked
    old = tmp_path / "python-old"
    old.write_text("#!/bin/sh\nexec python3 -c 'import sys; sys.exit(1)'\n")
    old.chmod(0o755)
    assert pick_python(f"{tmp_path / 'missing'} {old} {sys.executable}") == sys.executable
    # none will do: python3 from PATH, whose error `make` then shows
    assert pick_python(f"{tmp_path / 'missing'} {old}") == "python3"
    # and make uses what it picks unless PYTHON is given
    picked = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "--eval", "print-python: ; @echo $(PYTHON)", "print-python"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert picked == pick_python("/usr/bin/python3 python3")


# Words for random gaps: a small vocabulary, so blocks share words, with what splits differently
# (inner separators, symbols, letters beyond ASCII and beyond Latin-1, digits, case)
WORDS = (
    "seller account fee fees refund days hours within notice Amazon amazon terms policy may must not "
    "1,000 e.g. seller's 30 24h $5 €10 ₹500 § 3.1 50% naïve Straße MÜNCHEN café 東京 データ ß µ ½ ² _x a-b "
    "(c) [link](https://example.com/x) «quoted» ça-va x/y x:y"
)
VOCABULARY = WORDS.split(" ")


def random_blocks(rng, n: int, words: tuple[int, int]):
    from diffs.blocks import Block

    out = []
    for _ in range(n):
        picked = rng.choices(VOCABULARY, k=rng.randint(*words))
        # sometimes a word made up for this block alone (rare words for the index)
        picked += [f"w{rng.randrange(10**6)}" for _ in range(rng.randint(0, max(3, len(picked) // 4)))]
        rng.shuffle(picked)
        out.append(Block("paragraph", " ".join(picked)))
    return out


@pytest.mark.parametrize(
    ("sizes", "length"),
    [
        ((4, 5), (0, 40)),
        ((1, 30), (0, 40)),
        ((20, 40), (0, 40)),
        ((64, 64), (0, 40)),
        ((90, 130), (0, 40)),
        ((200, 40), (0, 40)),
        ((6, 8), (300, 3000)),
    ],
    ids=["every-pair-small", "one-against-many", "every-pair-indexed", "at-the-limit", "rare-words", "flipped", "long"],
)
def test_the_c_similarity_search_finds_what_the_python_one_does(sizes, length):
    """Gaps of each size the search treats its own way (every pair, every pair through an index,
    the rarest words), both thresholds, with and without a minimum of words: the same pairs and
    the same similarities, to the last bit."""
    compiled_or_skip()
    import random

    from diffs import align

    assert align.KERNEL is not None
    rng = random.Random(sum(sizes))
    for trial in range(6):
        dels = random_blocks(rng, sizes[0], length)
        ins = random_blocks(rng, sizes[1], length)
        # blocks that are edits of others: some pairs well above the thresholds
        for k in range(max(1, min(len(dels), len(ins)) // 3)):
            words = dels[k].raw.split(" ")
            words[rng.randrange(len(words))] = "changed"
            ins[rng.randrange(len(ins))] = type(dels[k])("paragraph", " ".join(words))
        for threshold, min_words in ((align.SIMILAR, 0), (align.SIMILAR_MOVED, align.MIN_MOVED_WORDS)):
            want = sorted(align._candidates_py(dels, ins, threshold, min_words))
            dkeys, ikeys = [b.akey for b in dels], [b.akey for b in ins]
            args = (threshold, min_words, align.ALL_PAIRS, align.CANDIDATES)
            got = sorted(align.KERNEL.candidates(dkeys, ikeys, *args))
            assert got == want, (sizes, trial, threshold)
            if trial == 0 and threshold == align.SIMILAR:
                assert want, "a gap with no similar pair tests little"


def test_the_c_similarity_search_refuses_what_is_not_a_gap():
    compiled_or_skip()
    from diffs import align

    with pytest.raises(TypeError, match="must be str, not int"):
        align.KERNEL.candidates(["a b"], [1], 0.5, 0, 4096, 6)
    with pytest.raises(TypeError):
        align.KERNEL.candidates(("a",), ["a"], 0.5, 0, 4096, 6)
    with pytest.raises(ValueError, match="threshold"):
        align.KERNEL.candidates(["a"], ["a"], 0.0, 0, 4096, 6)


def test_the_c_similarity_search_breaks_ties_by_position_as_the_python_one_does():
    """A gap too large for every pair: a new block with ten identical old partners shares as
    many rare words with each (a word is rare in up to a twentieth of the blocks), and the
    CANDIDATES of them that get a similarity are the first."""
    compiled_or_skip()
    import random

    from diffs import align
    from diffs.blocks import Block

    rng = random.Random(7)
    dels = random_blocks(rng, 200, (5, 30))
    twin = " ".join(f"twin{k}" for k in range(20))
    copies = sorted(rng.sample(range(200), 10))
    for k in copies:
        dels[k] = Block("paragraph", twin)
    ins = [*random_blocks(rng, 219, (5, 30)), Block("paragraph", twin)]
    assert len(dels) * len(ins) > align.ALL_PAIRS
    want = sorted(align._candidates_py(dels, ins, align.SIMILAR))
    assert [d for _, d, i in want if i == 219] == copies[: align.CANDIDATES]
    dkeys, ikeys = [b.akey for b in dels], [b.akey for b in ins]
    args = (align.SIMILAR, 0, align.ALL_PAIRS, align.CANDIDATES)
    assert sorted(align.KERNEL.candidates(dkeys, ikeys, *args)) == want
