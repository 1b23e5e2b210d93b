"""The headline of a change, in a seller's words: effective dates and facts with their direction
first, then one substitution repeated in many places said once with its count, sections added or
removed, short edits quoted with their section, longer passages by their first words, moves; at
most HEADLINE characters, the rest counted as "+N more".

    effective March 5, 2026 (was June 1, 2024); "Amazon Services Europe" → "Amazon EU" (12×);
    removed "suspend a shipping option" (Penalties); +2 more
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .classify import MEANING, Assessment, Run
from .normalize import LINK_MARK, URL_LABEL
from .summary import PATH_SEPARATOR, Tally
from .values import direction

HEADLINE = 200  # characters of a headline before "+N more"
QUOTE_WORDS = 8  # an edit of at most this many words a side is quoted whole
QUOTE_CHARS = 70  # a quote is cut (…) beyond this
FIRST_WORDS = 7  # a longer passage is named by its first words
NAME_CHARS = 48  # a section named in brackets is cut beyond this
NEGATIONS = ("non", "un", "in", "im", "ir", "il", "dis")
LONG_RUNS = 20  # longer insertions and deletions inside paragraphs named by their first words
FLIP_WORDS = 3  # an edit of at most this many words a side can be a flip of meaning
MANY = 3  # a substitution made in this many places leads the headline
CONTEXT_WORDS = 2  # an insertion or deletion of at most this many words is shown with a word either side
FACT_CONTEXT_WORDS = 5
TRIM = ".,;:!?\"'«» "
LINKISH = re.compile(
    r"<((?:https?|ftp)://[^\s<>]+|mailto:[^\s<>]+|[^\s<>@]+@[^\s<>@]+\.[a-zA-Z]{2,})>"
    r"|!?\[((?:[^\[\]\\]|\\.)*)\]\([^)\s]*\)"
    r"|((?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"*_])"
)
QUANTITY_KINDS = ("amount", "percentage", "duration", "deadline", "quantity", "date")


@dataclass(slots=True)
class Item:
    rank: int  # lower first
    order: int  # document order within a rank
    text: str
    new: str = ""  # the new words an edit quotes (so a fact that says them is not repeated)


def _trim(text: str) -> str:
    """Punctuation and quotes off both ends, and an unmatched bracket (as a reader trims a quote)."""
    while True:
        t = text.strip(TRIM)
        if t.startswith("(") and ")" not in t:
            t = t[1:]
        if t.endswith(")") and "(" not in t:
            t = t[:-1]
        if t.startswith("[") and "]" not in t:
            t = t[1:]
        if t.endswith("]") and "[" not in t:
            t = t[:-1]
        if t == text:
            return t
        text = t


def _cut(text: str, chars: int = QUOTE_CHARS) -> str:
    if len(text) <= chars:
        return text
    return text[: chars - 1].rsplit(" ", 1)[0].rstrip(TRIM) + "…"


def _first_words(text: str, n: int = FIRST_WORDS) -> str:
    words = text.split(None, n)  # (n words and the rest: a long passage is not split whole)
    return _cut(" ".join(words[:n]) + ("…" if len(words) > n else ""))


def _few_words(text: str) -> bool:
    """Has a text at most QUOTE_WORDS words? (split no further than one word past them)"""
    return len(text.split(None, QUOTE_WORDS)) <= QUOTE_WORDS


def _name(section: str) -> str:
    return _cut(section, NAME_CHARS)


def _left(key: str, s: int, extend: bool) -> int:
    """Where a quote starting at key[s] begins: at the start of the whitespace word it begins
    inside of, or with `extend` the whitespace word before it."""
    if s <= 0:
        return 0
    if key[s - 1] != " ":
        return key.rfind(" ", 0, s) + 1
    return key.rfind(" ", 0, s - 1) + 1 if extend else s


def _right(key: str, e: int, extend: bool) -> int:
    n = len(key)
    if e >= n:
        return n
    if key[e] != " ":
        k = key.find(" ", e)
        return n if k < 0 else k
    if extend:
        k = key.find(" ", e + 1)
        return n if k < 0 else k
    return e


def _links(raw: str) -> list[str]:
    """The texts that normalisation set aside as links (URL labels, bare URLs, autolinks), in order."""
    out = []
    for m in LINKISH.finditer(raw):
        if m.group(2) is not None:  # [label](target): only a label that is itself a URL or address
            label = m.group(2).replace("\\", "").strip("*_` ")
            if ("/" in label or "@" in label or "www." in label) and URL_LABEL.fullmatch(label):
                out.append(label.strip())
        else:
            out.append(m.group(1) or m.group(3))
    return out


def _unmarked(key: str, start: int, end: int, raw: str) -> str:
    """key[start:end] with each link mark replaced by the text it stands for in `raw`."""
    text = key[start:end]
    if LINK_MARK not in text:
        return text
    links = _links(raw)
    k = key.count(LINK_MARK, 0, start)
    parts = text.split(LINK_MARK)
    out = [parts[0]]
    for n, part in enumerate(parts[1:]):
        out.append(links[k + n] if k + n < len(links) else "link")
        out.append(part)
    return "".join(out)


def quote_run(a: Assessment, run: Run, raws: tuple[str, str] = ("", ""), name: bool = False) -> tuple[str, str]:
    """The old and the new text of one edit, as whole words of the normalised text (markup and
    link targets aside): "Amazon.com.ca, Inc." → "Amazon.com.ca ULC". An insertion or deletion of
    a word or two is shown with a word either side ("will refund" → "will not refund"); with
    `name`, a capitalised word before a capitalised edit is taken along ("Amazon Services
    Europe" → "Amazon EU")."""
    ro, rn = a.region("-", run), a.region("+", run)
    if ro is None or rn is None:
        return " ".join(a.old_words[run.i0 : run.i1]), " ".join(a.new_words[run.j0 : run.j1])
    ko, kn = a.old_key, a.new_key
    # a run's region reaches from the word before to the word after: its edges are spaces, and
    # at its end the quote or bracket that opens the next word
    so, eo = _inner(ko, *ro)
    sn, en = _inner(kn, *rn)
    size = max(run.i1 - run.i0, run.j1 - run.j0)
    if run.i0 == run.i1 or run.j0 == run.j1:  # an insertion or a deletion
        if size > CONTEXT_WORDS:  # quoted alone, without the punctuation it takes along
            old = _unmarked(ko, so, eo, raws[0]) if run.i1 > run.i0 else ""
            new = _unmarked(kn, sn, en, raws[1]) if run.j1 > run.j0 else ""
            return _shown(old), _shown(new)
        ext_l = ext_r = True  # a word or two: with a word either side
    else:
        # a side that starts (ends) inside a word takes that word whole, and then so does the other
        ext_l = (so > 0 and ko[so - 1] != " ") or (sn > 0 and kn[sn - 1] != " ")
        ext_r = (eo < len(ko) and ko[eo] != " ") or (en < len(kn) and kn[en] != " ")
        if name and not ext_l and ko[so : so + 1].isupper() and kn[sn : sn + 1].isupper():
            before = ko[_left(ko, so, True) : so].strip()
            ext_l = before[:1].isupper() and before == kn[_left(kn, sn, True) : sn].strip()
    old = _unmarked(ko, _left(ko, so, ext_l), _right(ko, eo, ext_r), raws[0])
    new = _unmarked(kn, _left(kn, sn, ext_l), _right(kn, en, ext_r), raws[1])
    return _shown(old), _shown(new)


def _inner(key: str, start: int, end: int) -> tuple[int, int]:
    """A run's region without its outer spaces and the quotes or brackets that open the word after."""
    while start < end and key[start] == " ":
        start += 1
    while end > start and key[end - 1] in " \"'([":
        end -= 1
    return start, end


def _shown(text: str) -> str:
    """A quote as shown: trimmed, a URL set aside by normalisation named as a link."""
    return (_trim(text) or text.strip()).replace(LINK_MARK, "link")


def _flips(old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    """Does a short edit flip meaning: a word like "may", "must", "not", "or" on one side only,
    or a word negated with a prefix ("revocable" → "non-revocable")?"""
    if max(len(old), len(new)) > FLIP_WORDS:
        return False
    return not MEANING.isdisjoint(set(old).symmetric_difference(new)) or _negated(old, new)


def _negated(old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    """Does one side negate a word of the other with a prefix ("revocable" → "non-revocable")?"""
    for a, b in ((old, new), (new, old)):
        for w in b:
            for prefix in NEGATIONS:
                if w.startswith(prefix) and w[len(prefix) :].lstrip("-") in a:
                    return True
    return False


def _own_clause(text: str, section: str) -> bool:
    """Is a text the numbered clause its section is named after ("24.3 No Waiver")?"""
    own = section.rsplit(PATH_SEPARATOR, 1)[-1]
    return text.startswith(own) and any(ch.isdigit() for ch in own)


def _shouting(found: tuple) -> bool:
    """Is an edit's old text in capitals ("SERVICES EUROPE"), so another occurrence reads better?"""
    a, run = found[0], found[1]
    ro = a.region("-", run)
    text = a.old_key[ro[0] : ro[1]] if ro else ""
    return text.isupper()


def _quote(old: str, new: str) -> str:
    if not old:
        return f'added "{_cut(new)}"'
    if not new:
        return f'removed "{_cut(old)}"'
    return f'"{_cut(old)}" → "{_cut(new)}"'


def fact_text(fact: dict) -> str:
    """A fact as a headline says it: "Respond within 24 hours → 48 hours (longer)",
    "Insurance Limits: €500,000 → €5,000 (lower)", "effective March 5, 2026 (was June 1, 2024)"."""
    before, after = fact.get("before"), fact.get("after")
    if fact.get("kind") == "effective_date":
        return f"effective {after}" + (f" (was {before})" if before else "")
    way = direction(fact)
    change = f"{before} → {after}" + (f" ({way})" if way else "")
    words = str(fact.get("context") or "").split()
    context = " ".join(words[-FACT_CONTEXT_WORDS:])
    if not context:
        return change
    # a clause that leads into the value reads on ("Respond within 24 hours"); a title takes a colon
    last = words[-1]
    return f"{context} {change}" if last[:1].islower() else f"{_cut(context, NAME_CHARS)}: {change}"


def _grouped(items: list[Item], facts: list[tuple[int, dict]]) -> None:
    """Facts of one rank and one context said once: "Insurance Limits: €500,000 → €5,000,
    £400,000 → £4,000 (lower)"."""
    by_context: dict[tuple[int, str, str], list[dict]] = {}
    for rank, f in facts:
        by_context.setdefault((rank, f["kind"], str(f.get("context") or "")), []).append(f)
    for n, ((rank, _, _), group) in enumerate(by_context.items()):
        if len(group) == 1:
            items.append(Item(rank, n, fact_text(group[0]), str(group[0]["after"])))
            continue
        ways = {direction(f) for f in group}
        changes = ", ".join(f"{f['before']} → {f['after']}" for f in group)
        way = f" ({ways.pop()})" if len(ways) == 1 and "" not in ways else ""
        head = fact_text({**group[0], "before": "\0", "after": "\0"}).split("\0 → \0")[0]
        items.append(Item(rank, n, f"{head}{changes}{way}", " ".join(str(f["after"]) for f in group)))


def _items(t: Tally, significance: str) -> list[Item]:
    items: list[Item] = []
    for n, f in enumerate(t.effective):
        items.append(Item(0, n, fact_text(f), str(f.get("after") or "")))
    substantive = {id(f) for f in t.substantive_facts}
    seen: set[tuple] = set()
    ranked = []
    for f in t.facts:
        if f["kind"] not in (*QUANTITY_KINDS, "effective_date"):
            continue
        same = (f["kind"], f["before"], f["after"], f.get("context"))
        if same in seen:
            continue
        seen.add(same)
        if f["kind"] == "effective_date":
            rank = 0
        elif significance != "substantive" or id(f) in substantive:
            rank = 1
        else:
            rank = 9  # a date or number of a minor edit beside wording that changed
        ranked.append((rank, f))
    _grouped(items, ranked)
    for kind, names in (("added", t.added), ("removed", t.removed)):
        if names:
            shown = ", ".join(f'"{_name(x)}"' for x in names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")
            items.append(Item(4, 0, f"{kind} section{'s' if len(names) > 1 else ''} {shown}", ""))
    items.extend(_edit_items(t))
    if t.moved_sections:
        names = t.moved_sections
        more = f" (+{len(names) - 2})" if len(names) > 2 else ""
        named = ", ".join(f'"{_name(x)}"' for x in names[:2]) + more
        items.append(Item(8, 0, f"moved section{'s' if len(names) > 1 else ''} {named}"))
    elif t.blocks_moved:
        items.append(Item(8, 0, f"moved {t.blocks_moved} paragraph{'s' if t.blocks_moved > 1 else ''}"))
    return items


def _edit_items(t: Tally) -> list[Item]:
    """Quoted edits (repeated ones once, with their count), added and removed passages, and the
    sections reworded at length."""
    items: list[Item] = []
    groups: Counter = Counter()
    first: dict[tuple, tuple[Assessment, Run, str, int, tuple[str, str]]] = {}
    reworded: dict[str, int] = {}
    long_runs: list[tuple[Assessment, Run, str, int, tuple[str, str]]] = []
    renumbered = [r for a, _, _ in t.quotes for r in a.runs if r.reason == "renumbering"]
    order = 0
    for a, section, raws in t.quotes:
        for run in a.runs:
            if run.reason == "character encoding" or (run.reason == "renumbering" and len(renumbered) > 3):
                continue
            order += 1
            size = max(run.i1 - run.i0, run.j1 - run.j0)
            if size > QUOTE_WORDS:
                if (run.i0 == run.i1 or run.j0 == run.j1) and len(long_runs) < LONG_RUNS:
                    long_runs.append((a, run, section, order, raws))  # a sentence added or removed
                else:
                    reworded.setdefault(section, order)
                continue
            same = (tuple(a.old_words[run.i0 : run.i1]), tuple(a.new_words[run.j0 : run.j1]), run.reason)
            groups[same] += 1
            if same not in first or (_shouting(first[same]) and not _shouting((a, run, section, order, raws))):
                first[same] = (a, run, section, order, raws)
    for same, (a, run, section, n, raws) in first.items():
        old, new = quote_run(a, run, raws, name=groups[same] > 1)
        if old == new:
            continue  # the words differ only where the quote does not show (markup, a link target)
        count = groups[same]
        minor = same[2] != "wording"
        text = _quote(old, new)
        # an edit of a word that flips meaning ("may" → "must", an added "not") comes first
        flips = _flips(same[0], same[1])
        if count > 1:
            text += f" ({count}×)"
            # one substitution made in many places is the news: the more places, the sooner
            rank = 10 if minor else 2 if flips or count >= MANY else 3
            if rank == 2 and count >= MANY:
                n = -count
        else:
            text += f" ({_name(section)})" if section and not _own_clause(old or new, section) else ""
            rank = 10 if minor else 2 if flips else 5
        items.append(Item(rank, n, text, new))
    for a, run, section, n, raws in long_runs:
        old, new = quote_run(a, run, raws)
        op, text = ("added", new) if new else ("removed", old)
        where = f" ({_name(section)})" if section else ""
        items.append(Item(6, n, f'{op} "{_first_words(text)}"{where}', ""))
    sections = set(t.added) | set(t.removed)
    passages = list(t.passages)
    k = 0
    while k + 1 < len(passages):  # a short passage replaced by another in its place: one substitution
        (op1, key1, sec1), (op2, key2, sec2) = passages[k], passages[k + 1]
        if op1 == "removed" and op2 == "added" and sec1 == sec2 and _few_words(key1) and _few_words(key2):
            where = f" ({_name(sec1)})" if sec1 else ""
            text = f'"{_cut(_trim(key1))}" → "{_cut(_trim(key2))}"{where}'
            items.append(Item(5, order + k, text, _trim(key2)))
            del passages[k : k + 2]
        else:
            k += 1
    for n, (op, key, section) in enumerate(passages):
        # a clause that is its own section ("24.3 No Waiver") needs no section named after it
        where = f" ({_name(section)})" if section and not _own_clause(key, section) else ""
        # what a section added or removed holds comes after the sections named
        inside = section.rsplit(PATH_SEPARATOR, 1)[-1] in sections
        if _few_words(key):
            text = f'{op} "{_trim(key)}"{where}'
            items.append(Item(7 if inside else 5, order + n, text, _trim(key) if op == "added" else ""))
        else:
            items.append(Item(7 if inside else 6, order + n, f'{op} "{_first_words(key)}"{where}', ""))
    for section, n in reworded.items():
        items.append(Item(7, n, f"reworded {_name(section)}" if section else "reworded a passage"))
    if len(renumbered) > 3:
        items.append(Item(10, 0, f"renumbered {len(renumbered)} clauses"))
    return items


def headline(t: Tally, significance: str) -> str:
    """The headline of a change that is not cosmetic (see the module's docstring)."""
    items = sorted(_items(t, significance), key=lambda i: (i.rank, i.order))
    # an edit a fact already states is not quoted again
    facts = [i.text for i in items if i.rank <= 1 or i.rank == 9]
    items = [i for i in items if i.rank <= 1 or i.rank == 9 or not i.new or not any(i.new in f for f in facts)]
    out: list[str] = []
    size = 0
    left = 0  # items that did not fit
    for item in items:
        room = HEADLINE - size - len(f"; +{len(items)} more")
        if out and len(item.text) + 2 > room:
            left += 1  # (a shorter item after it may still fit)
            continue
        out.append(item.text)
        size += len(item.text) + 2
    if out:
        return "; ".join(out) + (f"; +{left} more" if left else "")
    # edits that show no words of their own (a link label, markup around a word)
    named = [n for n in t.changed if n]
    return f'edited "{_name(named[0])}"' + (f" (+{len(named) - 1})" if len(named) > 1 else "") if named else "edited"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def uncapitalised(text: str) -> str:
    """A headline inside a sentence ("Reverts the change of …: removed …"); "EU …" stays."""
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text
