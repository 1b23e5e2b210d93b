"""The diff engine's shortcuts compute what the plain way computes: each fast path is checked
against the straightforward computation on random inputs built to hit its edge cases, and on
real documents of the corpus where that matters."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from policywatch.diffs.align import (
    ALL_PAIRS,
    CANDIDATES,
    FEW_PAIRS,
    SIMILAR,
    SIMILAR_MOVED,
    _candidates,
    _most_hits,
    _size_range,
    align_docs,
    similarity,
)
from policywatch.diffs.blocks import ITEM, RULE, Block, Doc, doc_pair, kind_of, split_chunk
from policywatch.diffs.classify import (
    ENUM_TOKEN,
    Assessment,
    Run,
    _enumeration,
    _spelling_fix,
    is_spelling_fix,
    run_region,
)
from policywatch.diffs.facts import (
    DEFINITION,
    DIGIT,
    EFFECTIVE,
    EFFECTIVE_HINTS,
    NUMBER_WORDS,
    QUOTED,
    Mention,
    _four_digits,
    _has_digit,
    _may_hold_number_word,
    _mentions_in,
    _quantity,
    defined_terms,
    effective_dates,
    mentions,
)
from policywatch.diffs.normalize import (
    BARE_URL,
    CHARACTERS,
    ENUMERATION,
    INVISIBLE,
    LINK,
    LINK_MARK,
    NON_WORD,
    WORD,
    _link,
    _strip_marked,
    _unlink,
    _unurl,
    _urls,
    align_key,
    bag_of_words,
    clean,
    normalize,
    split_words,
    squash,
    strip_markup,
    word_spans,
    words,
)
from policywatch.diffs.sections import _TITLE_START, may_hold
from policywatch.diffs.topics import fold
from policywatch.diffs.words import (
    DELETE,
    EQUAL,
    INSERT,
    XOR_WINDOW,
    common_prefix,
    common_suffix,
    diff_codes,
    diff_lists,
    encode,
)

CORPUS = Path(__file__).resolve().parent.parent.parent.parent / "shared" / "corpus" / "dev"


def corpus_pairs(step: int) -> list[tuple[str, str]]:
    if not CORPUS.is_dir():
        pytest.skip("the corpus (../shared/corpus) is not here")
    out = []
    for d in sorted(p for p in CORPUS.iterdir() if (p / "meta.json").is_file()):
        files = [d / v["file"] for v in json.loads((d / "meta.json").read_text(encoding="utf-8"))["versions"]]
        out += [(a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) for a, b in pairwise(files)]
    return out[::step]


def rebuilt(runs: list[tuple[str, int]], a: list[str], b: list[str]) -> tuple[list[str], list[str], int]:
    """Both lists rebuilt from (op, length) runs, and the number of items kept equal."""
    i = j = kept = 0
    old: list[str] = []
    new: list[str] = []
    for op, n in runs:
        if op == EQUAL:
            assert a[i : i + n] == b[j : j + n]
            old += a[i : i + n]
            new += b[j : j + n]
            i, j, kept = i + n, j + n, kept + n
        elif op == DELETE:
            old += a[i : i + n]
            i += n
        else:
            assert op == INSERT
            new += b[j : j + n]
            j += n
    return old, new, kept


@pytest.mark.parametrize("seed", range(30))
def test_diff_lists_is_a_longest_common_subsequence(seed):
    """Items on one side only are set aside before diffing: the result is still a diff of the
    whole lists, keeping as many items as diff-match-patch on the whole lists does."""
    rng = random.Random(seed)
    vocab = [f"w{k}" for k in range(12)]
    for _ in range(40):
        a = [rng.choice(vocab) for _ in range(rng.randint(0, 40))]
        b = list(a)
        for _ in range(rng.randint(0, 12)):
            k = rng.randint(0, len(b))
            fresh = f"u{rng.randint(0, 10**6)}"  # an item only one side holds
            r = rng.random()
            if r < 0.3 and k < len(b):
                del b[k]
            elif r < 0.6 and k < len(b):
                b[k] = fresh if rng.random() < 0.5 else rng.choice(vocab)
            else:
                b.insert(k, fresh if rng.random() < 0.5 else rng.choice(vocab))
        runs = diff_lists(a, b)
        old, new, kept = rebuilt(runs, a, b)
        assert (old, new) == (a, b)
        _, _, whole = rebuilt(diff_codes(*encode(a, b), semantic=False), a, b)
        assert kept == whole


def test_diff_lists_on_the_chunks_of_real_documents():
    for old, new in corpus_pairs(step=7):
        a, b = Doc(old).keys, Doc(new).keys
        olds, news, kept = rebuilt(diff_lists(a, b), a, b)
        assert (olds, news) == (a, b)
        assert kept == rebuilt(diff_codes(*encode(a, b), semantic=False), a, b)[2]


def same_docs(old: str, new: str, window: int) -> None:
    x, y = doc_pair(old, new, window)
    for doc, text in ((x, old), (y, new)):
        plain = Doc(text)
        assert (doc.keys, doc.seps) == (plain.keys, plain.seps)
        for k in range(len(plain) + 1):
            assert doc.stack_before(k) == plain.stack_before(k)


@pytest.mark.parametrize("window", [4, 8, 16])
def test_doc_pair_splits_as_each_text_alone(window):
    """The shared head and tail are split once, for both versions: the chunks, separators and
    heading paths are those of splitting each text on its own, blank lines of spaces included."""
    rng = random.Random(window)
    parts = ["a", "b c", "\n", "\n\n", "\n \n", "\n\t\n", "\r\n", "  ", "x\n", "\n\n\n", "# h", "## k", "- i", " \r"]
    for _ in range(6000):
        base = "".join(rng.choice(parts) for _ in range(rng.randint(0, 30)))
        k = rng.randint(0, len(base)) if rng.random() < 0.5 else rng.randint(0, min(3, len(base)))
        other = base[:k] + rng.choice(parts) * rng.randint(0, 2) + base[k + rng.randint(0, 3) :]
        same_docs(base, other, window)
        same_docs(other, base, window)


def test_doc_pair_on_real_documents():
    for old, new in corpus_pairs(step=5):
        same_docs(old, new, 4096)


def test_squash_shortcut():
    rng = random.Random(1)
    alphabet = ["a", "é", "€", " ", "  ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85"]
    alphabet += ["\xa0", "\u2028", "\u3000"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert squash(text) == " ".join(text.split()), repr(text)


# Latin-1 characters of every kind: letters (upper case too, and "ß" and "µ", whose case folding
# leaves Latin-1), letter-like and numeric signs that are word characters ("ª", "²", "¼"), the
# symbols that are words ("£", "§", "©", "±"), and others that are not ("×", "«", "·", "¿", "\xa0",
# "\x85", "\xad"); then characters beyond Latin-1 ("€", "ł", "≤", "μ")
LATIN1 = "éÉàÀüÜçñøÿßµªº²¼£¥§©±×÷«»·¿¡\xa0\x85\xad"


def test_words_shortcut_for_ascii_and_latin1_keys():
    rng = random.Random(2)
    # every character class, then words with separators between and around them
    alphabets = ("aZ09_ .,:/'-$%<>+=()!?;\"\né", "aZ9_.,:/'- ;(", "a.,", "aZ9_ .,:/'-;" + LATIN1, "aÉ ß.,€ł≤μ")
    # the link mark's brackets, alone and with other wide characters
    alphabets += ("aZ9 .,:'-é" + LINK_MARK, "a9 .,:'é€⟨⟩")
    for alphabet in alphabets:
        for _ in range(20000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
            assert words(text) == WORD.findall(text.casefold()), repr(text)
            spans = [m.span() for m in WORD.finditer(text)]
            assert word_spans(text, words(text)) == (spans if len(spans) == len(words(text)) else None), repr(text)


def test_a_run_is_placed_through_the_split_text_as_through_the_spans_of_every_word():
    """`Assessment.region` finds a run's ends from the text the words were split from (a Latin-1
    key without symbols): the same place as the spans of every word give."""
    rng = random.Random(11)
    for alphabet in ("aZ09_ .,:/'-;(\"é", "aZ9_ .,:/'-;" + LATIN1, "ab  .,"):
        for _ in range(4000):
            mid = normalize("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))))
            tokens, spaced = split_words(mid)
            assert tokens == words(mid)
            spans = word_spans(mid, tokens)
            if spaced is None or spans is None:
                continue
            a = Assessment("minor", [], mid, mid, 3, mid, mid, tokens, tokens, (spaced, spaced))
            for i0 in range(len(tokens) + 1):
                for i1 in range(i0, len(tokens) + 1):
                    start, end = run_region(spans, i0, i1, len(mid))
                    run = Run(i0, i1, i0, i1)
                    assert a.region("-", run) == a.region("+", run) == (3 + start, 3 + end), (mid, i0, i1)


def test_four_digits_in_a_row_as_the_pattern_finds_them():
    rng = random.Random(12)
    alphabet = ["1", "2", "0", "9", "a", " ", ".", "\u0663", "\u00b2", "é", "12", "2024"]
    for _ in range(30000):
        key = "".join(rng.choices(alphabet, k=rng.randint(0, 8)))
        assert _four_digits(key) == (re.search(r"\d{4}", key) is not None), repr(key)


def test_effective_dates_skip_keys_without_a_year_as_the_search_would():
    """Every way of writing a date ends with a year of four digits: a key without four digits in
    a row is skipped before any search, and gets what searching it gives (none)."""
    rng = random.Random(13)
    pieces = ["effective on ", "with effect from ", "en vigueur le ", "effective", " ", ", ", ".", "12", "1234"]
    pieces += ["5 March 2026", "March 5, 26", "2026-03-05", "5/3/26", "05.03.2026", "1 mai 2025"]
    pieces += ["\u0661\u0662\u0663\u0664"]  # four digits, not ASCII ones
    for _ in range(5000):
        key = "".join(rng.choices(pieces, k=rng.randint(1, 10)))
        searched = [
            m.text
            for m in mentions(key)
            if m.kind == "date"
            and EFFECTIVE.search(key[max(0, m.start - 40) : m.start])
            and any(w in key.casefold() for w in EFFECTIVE_HINTS)
        ]
        assert [f["after"] for f in effective_dates(key)] == searched, repr(key)


def test_align_key_drops_a_leading_number_as_the_substitution_would():
    rng = random.Random(6)
    pieces = ["1", "12", "1.2", "(a)", "a.", "iv)", "IV.", "§", "§ 3", " ", "  ", "\t", "Seller", "é", "ß", "x", "."]
    for _ in range(20000):
        key = "".join(rng.choices(pieces, k=rng.randint(0, 5)))
        assert align_key(key) == ENUMERATION.sub("", key, count=1).casefold(), repr(key)


def test_bag_of_words_through_byte_tables_for_latin1_keys():
    """Alignment keys in Latin-1 (ASCII among them) are split through a byte table: the same words
    as the regular expression that the others go through."""
    rng = random.Random(5)
    alphabets = ("aZ09_ .,:/'-$%<>+=()\t\n\x1c", "a9_ -'$%" + LATIN1, "aé £€₹ł-≤μ\u2028", "a9 -é" + LINK_MARK, "aé⟨⟩€")
    for alphabet in alphabets:
        for _ in range(20000):
            akey = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))).casefold()
            assert bag_of_words(akey) == frozenset(NON_WORD.sub(" ", akey).split()), repr(akey)


def test_clean_shortcuts_for_latin1_and_wider_texts():
    """Latin-1 texts skip the NFC check and look only for the soft hyphen; wider texts made ASCII
    or Latin-1 by plain quotes skip the NFC check and the search for invisible characters."""

    def plain(text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        text = INVISIBLE.sub("", text)
        for c, replacement in CHARACTERS:
            text = text.replace(c, replacement)
        return text

    rng = random.Random(3)
    alphabet = ["a", " ", "é", "«", "»", "´", "\xa0", "\u00ad", "©", "\u2019", "\u201c", "\u2014", "\u200b"]
    alphabet += ["e\u0301", "€", "\u0301", "\u2000", "\u2001", "\u1ffd", "\u2026", "=\u0338", "\u2028"]
    for _ in range(40000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert clean(text) == plain(text), repr(text)


def test_bare_urls_in_two_passes():
    rng = random.Random(4)
    alphabet = ["http://", "https://", "www.", "a", ".", ",", " ", "x.com", "/", "(", ")", "[", "]", "<", "?", "_"]
    alphabet += ["'", '"', LINK_MARK, "ftp://", "http", "ww", "\n", ":"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert _unurl(text) == BARE_URL.sub(LINK_MARK, text), repr(text)
        # the test for a URL looks for "://" only where ":" and "/" are both found
        assert _urls(text) == ("://" in text or "www." in text), repr(text)


def test_links_without_images_through_a_pattern_with_one_opening():
    """Links are reduced by a pattern that opens with "[" alone unless the text holds "![": the
    same result as the pattern for both openings."""
    rng = random.Random(11)
    alphabet = ["[", "]", "(", ")", "![", "!", "\\", "\\[", "a b", "x", " ", "<", ">", "http://a.b", "a@b.co", '"t"']
    alphabet += ["\n", "/", "[x]", "(y)", "](", "www.c.d"]
    images = 0
    for _ in range(30000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        images += "![" in text and LINK.search(text) is not None
        assert _unlink(text) == LINK.sub(_link, text), repr(text)
    assert images > 200  # texts with an image opening and a link were tried too


def test_defined_terms_through_the_pattern_a_key_can_match():
    """A key without a defining verb, or without a bracket, is searched with the one kind of
    definition it can hold: the same terms as the pattern for both kinds."""

    def plain(key: str) -> list[str]:
        out = []
        for m in DEFINITION.finditer(key):
            term = m.group("term")
            out += [term.strip()] if term is not None else [t.strip() for t in QUOTED.findall(m.group("terms"))]
        return out

    rng = random.Random(12)
    pieces = ['"', '"Seller"', '"Services" ', "(", "(the ", ")", " means", " shall mean", " refers to", " mean"]
    pieces += [" is defined as", " has the meaning", ", ", " or ", " and ", "x", " ", "Mean", "collectively, "]
    found = 0
    for _ in range(30000):
        key = "".join(rng.choices(pieces, k=rng.randint(1, 9)))
        expected = plain(key)
        found += len(expected)
        assert defined_terms(key) == expected, repr(key)
    assert found > 3000
    for _, new in corpus_pairs(5):
        key = normalize(new)
        assert defined_terms(key) == plain(key)


def test_common_prefix_and_suffix():
    def prefix(a: str, b: str) -> int:
        n = 0
        while n < min(len(a), len(b)) and a[n] == b[n]:
            n += 1
        return n

    rng = random.Random(5)
    for alphabet in ("ab ", "ab é\u2019\U0001f600"):
        for _ in range(5000):
            a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            b = a[: rng.randint(0, len(a))] + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4)))
            if rng.random() < 0.5:
                a, b = a[::-1], b[::-1]
            assert common_prefix(a, b) == prefix(a, b)
            assert common_suffix(a, b) == prefix(a[::-1], b[::-1])
    # ASCII texts longer than the window compared at a time, differing anywhere (or nowhere)
    for _ in range(3000):
        a = "".join(rng.choices("ab ", k=rng.randint(0, 3 * XOR_WINDOW)))
        b = list(a)
        for _ in range(rng.randint(0, 2)):
            if b:
                b[rng.randrange(len(b))] = rng.choice("abc")
        b = "".join(b)[: rng.choice([len(b), rng.randint(0, len(b))])] + rng.choice(["", "", "x", "ab" * 200])
        if rng.random() < 0.5:
            a, b = b, a
        assert common_prefix(a, b) == prefix(a, b)
        assert common_suffix(a, b) == prefix(a[::-1], b[::-1])


def test_enumeration_and_digit_shortcuts():
    rng = random.Random(6)
    tokens = ["a", "b", "z", "i", "iv", "xii", "viii", "lxxvii", "cd", "ab", "1", "12", "1.2", "1.2.3", "1234"]
    tokens += ["_x", "$"]
    tokens += ["seller", "\u00e9", "\u0663", "ivxlcv", "2a"]
    for _ in range(5000):
        run = [rng.choice(tokens) for _ in range(rng.randint(0, 3))]
        assert _enumeration(run) == all(ENUM_TOKEN.fullmatch(t) for t in run), run
    for _ in range(5000):
        text = "".join(rng.choice("ab 7\u0663é") for _ in range(rng.randint(0, 12)))
        lo, hi = sorted((rng.randint(0, 14), rng.randint(0, 14)))
        assert _has_digit(text, lo, hi) == bool(DIGIT.search(text, lo, hi)), (text, lo, hi)


@pytest.mark.parametrize("threshold", [SIMILAR, SIMILAR_MOVED])
def test_candidates_in_a_size_window_are_every_similar_pair(threshold):
    """Gaps up to ALL_PAIRS pairs give the same pairs and similarities as comparing every pair:
    up to FEW_PAIRS each block compares the blocks whose sizes allow the threshold, above that
    the words pairs share are counted through an index of words."""
    rng = random.Random(7)
    vocab = [f"w{k}" for k in range(40)]
    assert 9 * 11 <= FEW_PAIRS < 20 * 22
    for size in (3, 9, 20, 60):
        dels = [Block("paragraph", " ".join(rng.choices(vocab, k=rng.randint(0, 12)))) for _ in range(size)]
        ins = [Block("paragraph", " ".join(rng.choices(vocab, k=rng.randint(0, 12)))) for _ in range(size + 2)]
        every = sorted(
            (-s, d, i)
            for d, x in enumerate(dels)
            for i, y in enumerate(ins)
            if (s := similarity(x.bag, y.bag)) >= threshold
        )
        assert len(dels) * len(ins) <= ALL_PAIRS
        assert sorted(_candidates(dels, ins, threshold)) == every


def _rare_word_candidates(dels: list[Block], ins: list[Block], threshold: float) -> list[tuple[float, int, int]]:
    """The large-gap rule written plainly: each block of the larger side looks at the six blocks
    of the smaller side sharing the most of its rare words (ties by position)."""
    flip = len(dels) > len(ins)
    small, large = (ins, dels) if flip else (dels, ins)
    freq = Counter(t for block in small for t in block.bag)
    rare = {t for t, n in freq.items() if n <= max(4, len(small) // 20)}
    out = []
    for j, block in enumerate(large):
        hits = {k: len(x.bag & block.bag & rare) for k, x in enumerate(small)}
        best = sorted((k for k in hits if hits[k]), key=lambda k: (-hits[k], k))[:CANDIDATES]
        for k in best:
            if (s := similarity(small[k].bag, block.bag)) >= threshold:
                out.append((-s, j, k) if flip else (-s, k, j))
    return sorted(out)


@pytest.mark.parametrize("threshold", [SIMILAR, SIMILAR_MOVED])
def test_rare_word_candidates_as_written_plainly(threshold):
    """Large gaps pick each block's candidates by counting rare words through an index, choose the
    six best without a full sort, and skip pairs a bound on their shared words rules out: the same
    pairs as the rule computed plainly. Few words, so counts tie often and bounds are tight."""
    rng = random.Random(11)
    for vocab_size, n_dels, n_ins in ((30, 70, 61), (30, 61, 70), (30, 45, 120), (400, 70, 61), (400, 12, 400)):
        assert n_dels * n_ins > ALL_PAIRS
        # a few frequent words and many rare ones; half the new blocks are old ones edited, so
        # similarities land on both sides of the threshold
        vocab = [f"w{k}" for k in range(vocab_size)]
        weights = [50 if k < 8 else 1 for k in range(vocab_size)]

        def text(rng=rng, vocab=vocab, weights=weights) -> str:
            return " ".join(rng.choices(vocab, weights, k=rng.randint(0, 14)))

        dels = [Block("paragraph", text()) for _ in range(n_dels)]
        ins = []
        for _ in range(n_ins):
            words_ = rng.choice(dels).raw.split() if rng.random() < 0.5 else text().split()
            for _ in range(rng.randint(0, 4)):
                if words_:
                    words_[rng.randrange(len(words_))] = rng.choice(vocab)
            ins.append(Block("paragraph", " ".join(words_)))
        assert sorted(_candidates(dels, ins, threshold)) == _rare_word_candidates(dels, ins, threshold)


def test_most_hits_is_a_sort_by_count_then_position():
    rng = random.Random(5)
    for _ in range(3000):
        hits = Counter({k: rng.randint(1, 4) for k in rng.sample(range(40), rng.randint(0, 15))})
        expected = sorted(hits, key=lambda k: (-hits[k], k))[:CANDIDATES]
        counts = [hits[k] for k in range(40)]
        assert sorted(_most_hits(counts, list(hits), CANDIDATES)) == sorted(expected)


def test_number_word_search_finds_every_number_word_among_the_words():
    # quantity_facts splits the words before an edit only when this search finds a number word
    rng = random.Random(3)
    pieces = [
        *NUMBER_WORDS,
        "con",
        "tent",
        "mon",
        "ey",
        "fourty",
        "-",
        "'s",
        ".",
        ",",
        " ",
        "\u00e9",
        "\ufb01",
        "TEN",
        "x",
    ]
    found = 0
    for _ in range(20000):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 6)))
        if not NUMBER_WORDS.isdisjoint(words(text)):
            found += 1
            assert _may_hold_number_word(text), text
    assert found > 1000


QUANTITY_PIECES = [
    "US$5",
    "us$ 10",
    "plus$5",
    "$ 1,000",
    "\u20ac20",
    "20 \u20ac",
    "EUR 5",
    "5eur",
    "10%",
    "ten percent",
    "a week",
    "one day",
    "thirty (30) days",
    "5-day",
    "Jan. 5, 2024",
    "5th March 2024",
    "2024-01-05",
    "1/2/2024",
    "1.2.2024",
    "A4 days",
    "x30 days",
    "1.000,50",
    "3 million USD",
    "f\u00e9vrier 2024",
    "m\u00e4rz 2024",
    "twenty-four hours",
    "Section 9",
    "Sept. 5, 2024",
    "ONE DAY",
    "A\tweek",
    "\u017fep. 5, 2024",
    "\u212aRW 5",
    "twelve months",
    "usd 5",
    "Us$5",
    "kr 5,000",
    "5 000 kr",
    "KR.10",
    "kr5",
    "krona 5",
    "in",
    "a1",
    "ab",
    "thirty-one",
    "jan",
    "ju",
    "9.1",
    "(30)",
    "amay 2024",
    "\u0663 days",
    "\uff15 days",
    "the",
    "within",
    ",",
    ".",
    "(",
    "-",
]


def test_quantities_found_where_they_can_begin_are_every_quantity():
    def every_position(key: str, start: int, end: int) -> list[Mention]:
        return [
            Mention(m.lastgroup or "number", " ".join(m.group(0).split()), start + m.start(), start + m.end())
            for m in _quantity().finditer(key[start:end])
        ]

    rng = random.Random(11)
    found = 0
    for _ in range(20000):
        key = " ".join(rng.choices(QUANTITY_PIECES, k=rng.randint(1, 12)))
        key = "".join(c if rng.random() > 0.05 else rng.choice(" .,-$5a") for c in key)
        start = rng.randrange(len(key))
        end = rng.randrange(start, len(key) + 1)
        expected = every_position(key, start, end)
        assert _mentions_in(key, start, end) == expected, key[start:end]
        found += len(expected)
    for _, new in corpus_pairs(9):
        key = normalize(new)
        for start in range(0, len(key), 97):
            assert _mentions_in(key, start, start + 160) == every_position(key, start, start + 160)
    assert found > 20000


def test_plain_text_skips_the_markup_steps():
    """Text without any marker character (nor a URL) skips every markup step but the rule line and
    the leading bullet: the same result as trying them all."""
    rng = random.Random(9)
    pieces = ["word", " ", "  ", "\t", "-", "+", "*", "\u2022", "=", ":", ".", "\n", "#", "<b>", "]", "[", "_", "|"]
    pieces += ["`", "~", ">", "\\", "www.x", "http://a.b", "\u00e9", "\u00a0", "1."]
    for _ in range(20000):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 7)))
        assert strip_markup(text) == _strip_marked(text.rstrip("\n")), repr(text)


def test_spelling_fixes_keep_the_first_letter():
    rng = random.Random(2)
    words_ = ["colour", "color", "centre", "center", "organisation", "organization", "licence", "license"]
    words_ += ["receive", "recieve", "seperate", "separate", "account", "acount", "accounts", "not", "now"]
    letters = "aeioucolrstn"
    for _ in range(20000):
        if rng.random() < 0.5:
            a, b = rng.choice(words_), rng.choice(words_)
        else:
            a = "".join(rng.choices(letters, k=rng.randint(0, 9)))
            b = list(a)
            for _ in range(rng.randint(1, 2)):
                k = rng.randint(0, len(b))
                op = rng.random()
                if op < 0.4 and k < len(b):
                    b[k] = rng.choice(letters)
                elif op < 0.7:
                    b.insert(k, rng.choice(letters))
                elif b:
                    del b[min(k, len(b) - 1)]
            b = "".join(b)
        assert is_spelling_fix(a, b) == _spelling_fix(a, b), (a, b)


def test_list_items_found_by_string_tests_as_by_the_pattern():
    rng = random.Random(7)
    pieces = [" ", "\t", "-", "*", "+", "\u2022", "(", ")", ".", "1", "12", "1234567890", "a", "Z", "iv", "é"]
    pieces += ["\u0663", "\u00b2", "abcde", "x y", "\n", "\r", "#"]  # (a decimal digit of Arabic, a digit that is not)
    for _ in range(40000):
        line = "".join(rng.choices(pieces, k=rng.randint(1, 6)))
        if line.strip(" \t") and line.lstrip(" \t")[:1] not in ("#", "|", "`", "~", "\n", "\r"):
            expected = "item" if ITEM.match(line) and not RULE.match(line) else None
            assert (kind_of(line) == "item") == (expected == "item"), repr(line)


def test_rule_lines_found_after_a_cheap_test():
    """(Lines longer than the few characters the cheap test looks at first, and blanks in runs.)"""
    rng = random.Random(4)
    for _ in range(40000):
        line = "".join(rng.choices([" ", "\t", "-", "*", "_", "x", "      "], k=rng.randint(1, 16)))
        if line.strip(" \t"):
            assert (kind_of(line) == "rule") == bool(RULE.match(line)), repr(line)


@pytest.mark.parametrize("threshold", [SIMILAR, SIMILAR_MOVED])
def test_size_range_is_every_size_that_can_reach_the_threshold(threshold):
    for n in range(1, 2000):
        lo, hi = _size_range(n, threshold)
        allowed = [b for b in range(1, 4 * n + 10) if 2 * min(n, b) >= threshold * (n + b)]
        assert allowed == list(range(lo, hi + 1)), n


def test_keys_hold_single_spaces_only():
    """Word counts count the spaces of a key: every kind of white space, however repeated, ends
    up as single spaces between words."""
    rng = random.Random(8)
    spaces = [c for c in map(chr, range(0x3100)) if c.isspace()] + ["\u3000", "\ufeff", "\u200b", "\u00ad"]
    pieces = [*spaces, "word", "é", "*", "- ", "|", "\n\n", "[a](b)", "#"]
    for _ in range(20000):
        key = normalize("".join(rng.choices(pieces, k=rng.randint(0, 8))))
        assert key.split(" ") == key.split() or key == "", repr(key)


def test_headings_recorded_while_splitting_are_those_the_index_finds():
    """Splitting the chunks next in line records their headings in the index: every chunk's
    heading path is then what scanning the whole document finds."""
    rng = random.Random(6)
    texts = [a for a, _ in corpus_pairs(40)]
    pieces = ["# One", "## Two ##", "Title\n===", "Sub\n---", "```\n# not a heading\n```", "- item", "text", "#tag"]
    texts += ["\n\n".join(rng.choices(pieces, k=60)) for _ in range(30)]
    for text in texts:
        scanned, split = Doc(text), Doc(text)
        k = 0
        while k < len(split):  # gaps and equal stretches in turn, as an alignment asks for them
            stop = min(len(split), k + rng.randint(1, 8))
            split.blocks(k, stop)
            k = stop + rng.randint(0, 8)
        for k in range(len(scanned)):
            assert split.stack_before(k) == scanned.stack_before(k), k


def test_the_index_skips_only_chunks_that_hold_no_heading():
    """The heading index tries only chunks that start like a title, are short all-caps lines or
    have lines: the stacks it finds are those splitting every chunk finds."""
    rng = random.Random(10)
    pieces = [
        "PART A", "Part a", "FEES AND PAYMENTS", "NOTE: SEE BELOW.", "Short line", "a. item", "(b) item",
        "- item", "* item", "*NOTE*", "**Bold title**", "1. Fees", "2.3 Rates. You pay", '"Seller" means you',
        "Section 4 \u2013 Payments", "Artikel 2", "# One", "## Two", "Title\n===", "=== ", "--- ", "> QUOTE",
        "| A | B |", "\u00a71 Scope", "\u201cTerm\u201d means", "x" * 130, "Y" * 121, " INDENTED CAPS",
    ]  # fmt: skip
    for _ in range(300):
        text = "\n\n".join(rng.choices(pieces, k=rng.randint(1, 30)))
        doc = Doc(text)
        stack: list = []
        for k in range(len(doc)):
            assert doc.stack_before(k) == stack, (k, text)
            split_chunk(doc.keys[k], doc.seps[k], stack)


def test_headings_of_equal_runs_found_once_are_those_each_text_has():
    """An alignment scans the headings of an unchanged run once and gives the other version the
    same ones: each version's heading paths are still what scanning it alone finds, also where a
    changed heading leaves different headings open at the start of the run."""
    rng = random.Random(7)
    pairs = corpus_pairs(5)
    pieces = ["# One", "## Two", "**1. Fees**", "1.1 Rates", "2. **Terms**. You", "text", "PART A", "- item"]
    for _ in range(40):
        a = rng.choices(pieces, k=50)
        b = [rng.choice(pieces) if rng.random() < 0.1 else p for p in a]
        pairs.append(("\n\n".join(a), "\n\n".join(b)))
    for old, new in pairs:
        x, y = doc_pair(old, new)
        align_docs(x, y)
        for doc, text in ((x, old), (y, new)):
            plain = Doc(text)
            for k in range(len(plain) + 1):
                assert doc.stack_before(k) == plain.stack_before(k), k


def test_fold_makes_each_run_of_other_characters_one_space():
    """Topics fold text by a translation and a search for runs of spaces: the same as substituting
    one space for each run of characters other than ASCII letters and digits."""
    rng = random.Random(8)
    alphabet = [chr(i) for i in range(128)] + list("éüßÉ—“”\u00a0\u2009İﬁ")
    for _ in range(50000):
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 12)))
        plain = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode("ascii")
        assert fold(text) == re.sub(r"[^a-z0-9]+", " ", plain), repr(text)


def test_may_hold_finds_a_title_start_on_any_line():
    """A chunk of lines may hold a title when any of its lines starts like one: matched at the
    start and searched for after each line break, as a search for the start of any line would."""
    rng = random.Random(9)
    any_line = re.compile(r"(?m)^" + _TITLE_START)
    pieces = ["\n", " ", "\t", "**", "*", "1", "x", '"', "\u201c", "§", "Section ", "Art. ", "Article", "a"]
    for _ in range(20000):
        key = "x\n" + "".join(rng.choices(pieces, k=rng.randint(0, 10)))
        assert may_hold(key) == (any_line.search(key) is not None), repr(key)
