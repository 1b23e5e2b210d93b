"""Alignment of two documents: unchanged runs, then inside each gap modified, added, removed blocks,
and across gaps moved blocks.

1. Spine: the chunks (text between blank lines) of both documents, one character per distinct chunk,
   diffed by diff-match-patch; equal runs are unchanged text and are never split into blocks.
2. Gaps: the chunks between equal runs are split into blocks and aligned by their alignment key
   (words only, leading number dropped), so a block that only changed case, punctuation, markup or
   its number lines up with its old self; what is left is paired by word similarity, in order.
3. Moves: blocks left removed in one place and added in another, with the same key or at least
   75% of their words in common, are one block moved.
Every old block and every new block appears exactly once, old and new each in document order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from operator import attrgetter

from .blocks import Block, Doc
from .classify import Assessment, assess
from .words import DELETE, EQUAL, Codes, common_prefix, common_suffix, diff_codes, diff_lists, encode

SIMILAR = 0.5  # paired as "modified" in place
SIMILAR_MOVED = 0.75  # paired as "moved" across the document
MIN_MOVED_WORDS = 6  # a shorter block matches another by accident ("Yes.", a bare number)
FEW_PAIRS = 256  # gaps up to this many (old × new) pairs intersect the word sets of each pair
ALL_PAIRS = 4096  # gaps up to this many find every similar pair; larger ones use rare words
CANDIDATES = 6  # per block, the most promising partners that get an exact similarity


@dataclass(slots=True)
class BlockOp:
    op: str  # equal | modified | added | removed | moved_out | moved_in
    old: Block | None = None
    new: Block | None = None
    partner: BlockOp | None = None  # for moved_out/moved_in: the other half
    common: tuple[int, int] | None = None  # modified: common head and tail of the keys, if known
    assessment: Assessment | None = None  # modified: the classification, if alignment made it


@dataclass(slots=True)
class EqualRun:
    """Chunks old[i:i+n] and new[j:j+n]: the same text (blank lines after them may differ)."""

    i: int
    j: int
    n: int


Segment = EqualRun | list[BlockOp]


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two word sets."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _size_range(size: int, threshold: float) -> tuple[int, int]:
    """The sizes a word set may have to reach the threshold with one of `size` words: Dice ≥ t
    needs 2·min(a, b) ≥ t·(a + b), which holds for b from about size·t/(2 − t) to size·(2 − t)/t.
    The ends are found with that very test, so a pair outside them never reaches the threshold."""
    r = threshold / (2 - threshold)
    lo = max(1, int(size * r) - 1)
    while 2 * min(size, lo) < threshold * (size + lo):
        lo += 1
    hi = int(size / r) + 2
    while 2 * min(size, hi) < threshold * (size + hi):
        hi -= 1
    return lo, hi


def _candidates(
    dels: list[Block], ins: list[Block], threshold: float, min_words: int = 0
) -> list[tuple[float, int, int]]:
    """(-similarity, d, i) of pairs at or above the threshold, in no particular order, blocks with
    fewer than `min_words` words left out. Gaps up to ALL_PAIRS pairs find every such pair; in
    larger ones the smaller side's rarer words are indexed and each block of the other side gets
    an exact similarity with the CANDIDATES blocks it shares most of them with."""
    if not min_words:
        return _search(dels, ins, threshold)
    keep_i = [i for i, b in enumerate(ins) if len(b.bag) >= min_words]
    if not keep_i:  # (before the word sets of the other side are made)
        return []
    keep_d = [d for d, b in enumerate(dels) if len(b.bag) >= min_words]
    found = _search([dels[d] for d in keep_d], [ins[i] for i in keep_i], threshold)
    return [(s, keep_d[d], keep_i[i]) for s, d, i in found]


def _search(dels: list[Block], ins: list[Block], threshold: float) -> list[tuple[float, int, int]]:
    """`_candidates` through the blocks' word sets: gaps up to ALL_PAIRS pairs count the words each pair shares
    through an index of the new side's words; larger ones index the rarer words."""
    out: list[tuple[float, int, int]] = []
    if len(dels) * len(ins) <= FEW_PAIRS:
        # the new side by size: each old block compares only the blocks in its size window
        sized = sorted([(len(x.bag), i) for i, x in enumerate(ins) if x.bag])
        lengths = [x[0] for x in sized]
        for d, block in enumerate(dels):
            a = block.bag
            la = len(a)
            if not la:
                continue
            lo, hi = _size_range(la, threshold)
            for lb, i in sized[bisect_left(lengths, lo) : bisect_right(lengths, hi)]:
                s = 2 * len(a & ins[i].bag) / (la + lb)
                if s >= threshold:
                    out.append((-s, d, i))
        return out
    if len(dels) * len(ins) <= ALL_PAIRS:
        # the words each pair shares counted through the blocks of each new word (without a set
        # made per pair)
        index = _word_blocks([x.bag for x in ins])
        sizes = [len(x.bag) for x in ins]
        counts = [0] * len(ins)
        for d, block in enumerate(dels):
            a = block.bag
            la = len(a)
            if not la:
                continue
            hit = _hits(a, index, counts)
            lo, hi = _size_range(la, threshold)
            for i in hit:
                lb = sizes[i]
                if lo <= lb <= hi:
                    s = 2 * counts[i] / (la + lb)
                    if s >= threshold:
                        out.append((-s, d, i))
                counts[i] = 0
        return out
    flip = len(dels) > len(ins)
    small, large = (ins, dels) if flip else (dels, ins)
    bags = [block.bag for block in small]
    # words in more than `limit` blocks are frequent and leave the index
    index = _word_blocks(bags)
    limit = max(4, len(small) // 20)
    frequent = frozenset([t for t, post in index.items() if len(post) > limit])
    for t in frequent:
        del index[t]
    words = frozenset(index)  # (a set intersects faster with a set than with a dict's keys)
    sizes = [len(bag) for bag in bags]
    # the words a pair shares are its rare words in common (the hits below) and its frequent
    # words in common: only the smaller frequent parts are intersected
    frequent_parts = [bag & frequent for bag in bags]
    n_frequent = [len(part) for part in frequent_parts]
    by_size = sorted(sizes)
    counts = [0] * len(small)  # hits per block of the small side (reset after each block)
    for j, block in enumerate(large):
        b = block.bag
        if not b:
            continue
        lb = len(b)
        lo, hi = _size_range(lb, threshold)
        first = bisect_left(by_size, lo)
        if first == bisect_right(by_size, hi):
            continue  # no block of the other side has a size that could reach the threshold
        rare_shared = b & words
        frequent_b = b & frequent
        fb = len(frequent_b)
        # nor can any reach it sharing all these words with the smallest block of that size
        if 2 * (len(rare_shared) + fb) < threshold * (by_size[first] + lb):
            continue
        hit = _hits(rare_shared, index, counts)
        for k in _most_hits(counts, hit, CANDIDATES):
            la = sizes[k]
            # the words two blocks share are at most their rare words in common (the hits) and
            # as many frequent words as the one with fewer has: skip pairs that cannot reach
            if not lo <= la <= hi or 2 * (counts[k] + min(n_frequent[k], fb)) < threshold * (la + lb):
                continue
            s = 2 * (counts[k] + len(frequent_parts[k] & frequent_b)) / (la + lb)
            if s >= threshold:
                out.append((-s, j, k) if flip else (-s, k, j))
        for k in hit:
            counts[k] = 0
    return out


def _word_blocks(bags: list[frozenset[str]]) -> dict[str, list[int]]:
    """The positions of the bags that hold each word, in order."""
    index: dict[str, list[int]] = {}
    for k, bag in enumerate(bags):
        for t in bag:
            post = index.get(t)
            if post is None:
                index[t] = [k]
            else:
                post.append(k)
    return index


def _hits(words: frozenset[str], index: dict[str, list[int]], counts: list[int]) -> list[int]:
    """Add to `counts` one per word of `words` a block holds (through `index`); the blocks with a
    hit, in the order found. The caller sets their counts back to 0."""
    hit: list[int] = []
    for t in words:
        post = index.get(t)
        if post is not None:
            for k in post:
                c = counts[k]
                if not c:
                    hit.append(k)
                counts[k] = c + 1
    return hit


def _most_hits(counts: list[int], hit: list[int], n: int) -> list[int]:
    """The n blocks of `hit` with the most hits (`counts`), ties by position (set order varies by
    process), in no particular order: those above the n-th highest count, then the first of those
    at it. (Cheaper than sorting every block by a key made per block.)"""
    if len(hit) <= n:
        return hit
    cut = sorted([counts[k] for k in hit], reverse=True)[n - 1]
    above = [k for k in hit if counts[k] > cut]
    return above + sorted([k for k in hit if counts[k] == cut])[: n - len(above)]


def _monotone(cands: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """Best pairs first, keeping only those that do not cross a pair already kept."""
    cands.sort()
    keys: list[int] = []  # chosen d, sorted
    chosen: dict[int, int] = {}
    used: set[int] = set()
    for _, d, i in cands:
        if d in chosen or i in used:
            continue
        p = bisect_left(keys, d)
        if p and chosen[keys[p - 1]] > i:
            continue
        if p < len(keys) and chosen[keys[p]] < i:
            continue
        keys.insert(p, d)
        chosen[d] = i
        used.add(i)
    return [(d, chosen[d]) for d in keys]


def _pair_in_order(old: Block, new: Block, codes: Codes | None) -> tuple[BlockOp | None, bool]:
    """One block against one, as modified, and whether they pair: if their keys share a head and
    a tail covering half the longer one (a few words edited inside), with no word sets needed;
    else if the word diff its classification needs anyway keeps half the old text in place (the
    op then carries that classification, even when they do not pair)."""
    ko, kn = old.key, new.key
    if not ko or not kn:
        return None, False
    p = common_prefix(ko, kn)
    common = p, common_suffix(ko[p:], kn[p:])
    longer = max(len(ko), len(kn))
    if 2 * (common[0] + common[1]) >= longer:
        return BlockOp("modified", old, new, common=common), True
    a = assess(old.raw, new.raw, ko, kn, codes, common)
    return BlockOp("modified", old, new, assessment=a), 2 * a.kept() >= longer


def _pair_gap(dels: list[Block], ins: list[Block], ops: list[BlockOp], codes: Codes | None = None) -> None:
    """Similar blocks of one gap paired in order as modified; the rest removed or added."""
    known: dict[int, BlockOp] = {}  # position k: what pairing dels[k] with ins[k] found
    if len(dels) == len(ins):
        # As many blocks on each side, each edited in place or keeping half its text in order:
        # paired in order, without comparing every block with every other.
        for k, (old, new) in enumerate(zip(dels, ins, strict=True)):
            op, paired = _pair_in_order(old, new, codes)
            if op is not None:
                known[k] = op
            if not paired:
                break
        else:
            ops.extend(known.values())
            return
    pairs = _monotone(_candidates(dels, ins, SIMILAR)) if dels and ins else []
    d0 = i0 = 0
    for d, i in pairs:
        ops.extend(BlockOp("removed", old=b) for b in dels[d0:d])
        ops.extend(BlockOp("added", new=b) for b in ins[i0:i])
        # a pair the first pass already looked at keeps what it found (the same classification)
        ops.append(known[d] if d == i and d in known else BlockOp("modified", dels[d], ins[i]))
        d0, i0 = d + 1, i + 1
    ops.extend(BlockOp("removed", old=b) for b in dels[d0:])
    ops.extend(BlockOp("added", new=b) for b in ins[i0:])


def _lcs(old: list[Block], new: list[Block], by: str, then) -> list[BlockOp]:
    """Blocks with equal keys (attribute `by`) paired in order, as equal when their normalised
    keys agree and as modified otherwise; each stretch between them handed to `then`."""
    ops: list[BlockOp] = []
    if not old or not new:
        then(old, new, ops)
        return ops
    key = attrgetter(by)
    if len(old) == 1 and len(new) == 1:  # the common gap: one block edited in place
        o, w = old[0], new[0]
        if key(o) == key(w):
            ops.append(BlockOp("equal" if by != "akey" or o.key == w.key else "modified", o, w))
        else:
            then(old, new, ops)
        return ops
    ka, kb = list(map(key, old)), list(map(key, new))
    if set(ka).isdisjoint(kb):  # nothing in common (a rewritten stretch): no diff to run
        then(old, new, ops)
        return ops
    a, b = encode(ka, kb)
    i = j = 0
    dels: list[Block] = []
    ins: list[Block] = []
    for op, n in diff_codes(a, b, semantic=False):
        if op == EQUAL:
            if dels or ins:
                then(dels, ins, ops)
                dels, ins = [], []
            for k in range(n):
                o, w = old[i + k], new[j + k]
                same = by != "akey" or o.key == w.key
                ops.append(BlockOp("equal" if same else "modified", o, w))
            i += n
            j += n
        elif op == DELETE:
            dels.extend(old[i : i + n])
            i += n
        else:
            ins.extend(new[j : j + n])
            j += n
    if dels or ins:
        then(dels, ins, ops)
    return ops


def align_blocks(old: list[Block], new: list[Block], codes: Codes | None = None) -> list[BlockOp]:
    """The ops of one gap, old and new each in order: blocks with the same text (a list's
    untouched items), then blocks equal once normalised, then equal by alignment key, then similar
    blocks. Each pass only sees what the one before left, so normalising is paid where needed.
    `codes`: word codes shared by the comparison's word diffs."""

    def similar(old: list[Block], new: list[Block], ops: list[BlockOp]) -> None:
        _pair_gap(old, new, ops, codes)

    def loose(old: list[Block], new: list[Block], ops: list[BlockOp]) -> None:
        # third pass: alignment keys (case, punctuation and leading numbers aside), then similarity
        ops.extend(_lcs(old, new, "akey", similar))

    def normalised(old: list[Block], new: list[Block], ops: list[BlockOp]) -> None:
        # second pass: normalised keys (whitespace, characters, markup, link targets aside)
        ops.extend(_lcs(old, new, "key", loose))

    return _lcs(old, new, "text", normalised)


def _link(out_op: BlockOp, in_op: BlockOp) -> None:
    out_op.op, in_op.op = "moved_out", "moved_in"
    out_op.partner, in_op.partner = in_op, out_op
    # each half knows the other's block, so a moved-and-edited block can be word-diffed
    in_op.old = out_op.old
    out_op.new = in_op.new


def find_moves(ops: list[BlockOp]) -> None:
    """Removed and added blocks with the same alignment key, or very similar words, become moves."""
    removed = [(o, o.old) for o in ops if o.op == "removed" and o.old is not None and o.old.akey]
    added = [(o, o.new) for o in ops if o.op == "added" and o.new is not None and o.new.akey]
    if not removed or not added:
        return
    by_key: dict[str, list[BlockOp]] = {}
    for o, block in added:
        by_key.setdefault(block.akey, []).append(o)
    left_removed = []
    for o, block in removed:
        same = by_key.get(block.akey)
        if same:
            _link(o, same.pop(0))
        else:
            left_removed.append((o, block))
    ins = [(o, block) for o, block in added if o.op == "added"]
    if not ins or not left_removed:
        return
    dels = left_removed
    pairs = _candidates([b for _, b in dels], [b for _, b in ins], SIMILAR_MOVED, MIN_MOVED_WORDS)
    used_d: set[int] = set()
    used_i: set[int] = set()
    for _, d, i in sorted(pairs):
        if d not in used_d and i not in used_i:
            used_d.add(d)
            used_i.add(i)
            _link(dels[d][0], ins[i][0])


def align_docs(old: Doc, new: Doc, codes: Codes | None = None) -> list[Segment]:
    """Equal runs of chunks and, between them, the block ops of each gap (moves linked across)."""
    segments: list[Segment] = []
    i = j = 0
    gap = [0, 0, 0, 0]  # i0, i1, j0, j1

    def flush() -> None:
        if gap[1] > gap[0] or gap[3] > gap[2]:
            if segments and isinstance(run := segments[-1], EqualRun):
                old.index_alike(new, run.i, run.j, run.n)  # the headings of the run found once
            segments.append(align_blocks(old.blocks(gap[0], gap[1]), new.blocks(gap[2], gap[3]), codes))

    for op, n in diff_lists(old.keys, new.keys):
        if op == EQUAL:
            flush()
            segments.append(EqualRun(i, j, n))
            i += n
            j += n
            gap = [i, i, j, j]
        elif op == DELETE:
            i += n
            gap[1] = i
        else:
            j += n
            gap[3] = j
    flush()
    find_moves([o for s in segments if isinstance(s, list) for o in s])
    return segments
