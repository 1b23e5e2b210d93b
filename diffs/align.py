"""Alignment of old and new blocks: unchanged, modified, added, removed and moved.

Blocks are compared by their normalised key. A block-level diff (diff-match-patch over one
character per distinct key) finds the unchanged spine; inside each gap, similar blocks are paired
as modified, in order; what is left is matched across gaps as moved (same or similar text).
Every old block and every new block appears exactly once, old and new each in document order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import fast_diff_match_patch as fdmp

from .blocks import Block
from .words import tokenize

SIMILAR = 0.5  # paired as "modified" in place
SIMILAR_MOVED = 0.75  # paired as "moved and modified" across the document
MAX_PAIRINGS = 200_000  # similarity computations per gap before falling back to positional pairing


@dataclass
class BlockOp:
    op: str  # equal | modified | added | removed | moved_out | moved_in
    old: Block | None = None
    new: Block | None = None
    partner: int | None = None  # for moved_out/moved_in: index of the other op in the list


def _bag(block: Block) -> Counter[str]:
    return Counter(t for t in tokenize(block.key.casefold()) if not t.isspace())


def similarity(a: Counter[str], b: Counter[str]) -> float:
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 1.0
    return 2 * sum((a & b).values()) / total


def _spine(old: list[Block], new: list[Block]) -> list[tuple[str, int]]:
    table: dict[str, str] = {}

    def enc(blocks: list[Block]) -> str:
        out = []
        for b in blocks:
            ch = table.get(b.key)
            if ch is None:
                code = len(table) + 0x100
                if code >= 0xD800:
                    code += 0x800
                ch = table[b.key] = chr(code)
            out.append(ch)
        return "".join(out)

    return fdmp.diff(enc(old), enc(new), timelimit=0, cleanup="No", counts_only=True)


def _pair_gap(dels: list[Block], ins: list[Block], bags: dict[int, Counter[str]]) -> list[tuple[int, int]]:
    """Monotone pairs (index in dels, index in ins) of similar blocks within one gap."""
    if not dels or not ins:
        return []
    if len(dels) * len(ins) > MAX_PAIRINGS:
        n = min(len(dels), len(ins))
        return [(k, k) for k in range(n) if similarity(bags[id(dels[k])], bags[id(ins[k])]) >= SIMILAR]
    pairs = []
    start = 0
    for di, d in enumerate(dels):
        best, best_j = SIMILAR, None
        for j in range(start, len(ins)):
            s = similarity(bags[id(d)], bags[id(ins[j])])
            if s > best or (s == best and best_j is None and s > SIMILAR):
                best, best_j = s, j
        if best_j is not None:
            pairs.append((di, best_j))
            start = best_j + 1
    return pairs


def align(old: list[Block], new: list[Block]) -> list[BlockOp]:
    bags = {id(b): _bag(b) for b in (*old, *new)}
    ops: list[BlockOp] = []
    i = j = 0
    dels: list[Block] = []
    ins: list[Block] = []

    def flush() -> None:
        pairs = _pair_gap(dels, ins, bags)
        di = ii = 0
        for pd, pi in pairs:
            ops.extend(BlockOp("removed", old=b) for b in dels[di:pd])
            ops.extend(BlockOp("added", new=b) for b in ins[ii:pi])
            ops.append(BlockOp("modified", old=dels[pd], new=ins[pi]))
            di, ii = pd + 1, pi + 1
        ops.extend(BlockOp("removed", old=b) for b in dels[di:])
        ops.extend(BlockOp("added", new=b) for b in ins[ii:])
        dels.clear()
        ins.clear()

    for op, n in _spine(old, new):
        if op == "=":
            flush()
            for k in range(n):
                ops.append(BlockOp("equal", old=old[i + k], new=new[j + k]))
            i += n
            j += n
        elif op == "-":
            dels.extend(old[i : i + n])
            i += n
        else:
            ins.extend(new[j : j + n])
            j += n
    flush()
    _find_moves(ops, bags)
    return ops


def _find_moves(ops: list[BlockOp], bags: dict[int, Counter[str]]) -> None:
    """Turn removed/added pairs with the same (or very similar) text into moved_out/moved_in."""
    removed = [k for k, o in enumerate(ops) if o.op == "removed" and o.old.key]
    added = [k for k, o in enumerate(ops) if o.op == "added" and o.new.key]
    if not removed or not added:
        return
    by_key: dict[str, list[int]] = {}
    for k in added:
        by_key.setdefault(ops[k].new.key, []).append(k)
    unmatched = []
    for k in removed:
        cands = by_key.get(ops[k].old.key)
        if cands:
            _link(ops, k, cands.pop(0))
        else:
            unmatched.append(k)
    left = [k for k in added if ops[k].op == "added"]
    if len(unmatched) * len(left) > MAX_PAIRINGS:
        return
    for k in unmatched:
        # only substantial blocks: short ones ("Yes.", a bare number) match by accident
        if sum(bags[id(ops[k].old)].values()) < 6:
            continue
        best, best_a = SIMILAR_MOVED, None
        for a in left:
            if ops[a].op != "added":
                continue
            s = similarity(bags[id(ops[k].old)], bags[id(ops[a].new)])
            if s >= best:
                best, best_a = s, a
        if best_a is not None:
            _link(ops, k, best_a)


def _link(ops: list[BlockOp], out_k: int, in_k: int) -> None:
    ops[out_k].op, ops[out_k].partner = "moved_out", in_k
    ops[in_k].op, ops[in_k].partner = "moved_in", out_k
    # each side knows the other's block, so a moved-and-edited block can be word-diffed
    ops[in_k].old = ops[out_k].old
    ops[out_k].new = ops[in_k].new
