"""Renderers of a Comparison: the compact diff a reader scans (edits grouped by section, changed
sentences with a sentence of context, formatted text) and its side-by-side twin; the whole text
with its edits (inline and side by side, unchanged context folded); a feed excerpt, styled inline
and marked in words; the text a search index holds; terminal text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from weakref import WeakKeyDictionary

from .align import EqualRun
from .blocks import atx, display_title
from .display import Run, Shown, compact, plain, sentences, show, trim_words, words_in
from .engine import Change, Comparison
from .words import DELETE, EQUAL, INSERT

CONTEXT = 1  # unchanged blocks shown around each change; longer runs fold
LABEL = {
    "modified": "changed",
    "added": "added",
    "removed": "removed",
    "moved_out": "moved away",
    "moved_in": "moved here",
    "equal": "formatting",
}


def _where(c: Change | None) -> str:
    if c is None or not c.path:
        return ""
    return display_title(c.path[-1])


def label(c: Change) -> str:
    """What happened to a block, in words: "changed · minor (date)", "moved here from Fees"."""
    what = LABEL[c.op]
    p = c.partner
    if c.op == "moved_in" and p is not None and _where(p) and p.path != c.path:
        what = f"moved here from {_where(p)}"
    elif c.op == "moved_out" and p is not None and _where(p) and p.path != c.path:
        what = f"moved to {_where(p)}"
    if c.op == "moved_out":
        return what
    reasons = [r for r in c.reasons if r not in ("moved", "moved to another section", "wording")]
    return f"{what} · {c.significance}" + (f" ({', '.join(reasons)})" if reasons else "")


def _pieces_html(pieces, show: str = "both") -> str:
    out = []
    for op, text in pieces:
        t = escape(text)
        if op == EQUAL:
            out.append(t)
        elif op == DELETE and show in ("both", "old"):
            out.append(
                f'<del class="pw-del"><span class="pw-sr">[removed: </span>{t}<span class="pw-sr">]</span></del>'
            )
        elif op == INSERT and show in ("both", "new"):
            out.append(f'<ins class="pw-ins"><span class="pw-sr">[added: </span>{t}<span class="pw-sr">]</span></ins>')
    return "".join(out)


def _runs(changes: list[Change]):
    """Yield ('show', [k...]) and ('fold', [k...]) runs of change indices."""
    near: set[int] = set()
    for k, c in enumerate(changes):
        if c.changed:
            near.update(range(k - CONTEXT, k + CONTEXT + 1))
    run: list[int] = []
    state = None
    for k in range(len(changes)):
        s = "show" if k in near else "fold"
        if s != state and run:
            yield state, run
            run = []
        state = s
        run.append(k)
    if run:
        yield state, run


def _pre(html: str) -> str:
    # HTML drops a newline right after <pre>: double it so the text survives exactly
    return f'<pre class="pw-text">{chr(10) if html.startswith(chr(10)) else ""}{html}</pre>'


def _unchanged(n: int) -> str:
    return f"{n} unchanged block{'s' if n != 1 else ''}"


def _block_class(c: Change) -> str:
    return f"pw-block pw-{c.op.replace('_', '-')}" + (f" pw-{c.significance}" if c.changed else "")


def _badge(c: Change) -> str:
    return f'<span class="pw-badge">{escape(label(c))}</span>' if c.changed else ""


def inline_html(cmp: Comparison) -> str:
    """Every block in order, edits marked with <del>/<ins>; unchanged runs folded into <details>
    (still in the page, so the page holds both texts)."""
    out = ['<div class="pw-diff pw-inline">']
    for state, run in _runs(cmp.changes):
        blocks = "".join(
            f'<div class="{_block_class(cmp.changes[k])}">{_badge(cmp.changes[k])}'
            f"{_pre(_pieces_html(cmp.changes[k].pieces))}</div>"
            for k in run
        )
        if state == "show":
            out.append(blocks)
        else:
            out.append(f'<details class="pw-fold"><summary>{_unchanged(len(run))}</summary>{blocks}</details>')
    out.append("</div>")
    return "".join(out)


def side_by_side_html(cmp: Comparison) -> str:
    """A two-column table, before and after; unchanged runs shown as one folded row."""
    out = [
        '<table class="pw-diff pw-sbs"><thead><tr><th scope="col">Before</th><th scope="col">After</th></tr></thead>'
    ]
    for state, run in _runs(cmp.changes):
        if state == "fold":
            out.append(f'<tbody class="pw-folded"><tr><td colspan="2">{_unchanged(len(run))}</td></tr></tbody>')
            continue
        rows = []
        for k in run:
            c = cmp.changes[k]
            old = "" if c.op in ("added", "moved_in") else _pieces_html(c.pieces, "old")
            new = "" if c.op in ("removed", "moved_out") else _pieces_html(c.pieces, "new")
            rows.append(f'<tr class="{_block_class(c)}"><td>{_pre(old)}</td><td>{_badge(c)}{_pre(new)}</td></tr>')
        out.append("<tbody>" + "".join(rows) + "</tbody>")
    out.append("</table>")
    return "".join(out)


# ---------------------------------------------------------------- the compact diff

SIG_RANK = {"substantive": 0, "minor": 1, "cosmetic": 2}
FOLDED_REASONS = frozenset({"renumbering"})  # minor edits folded with the cosmetic ones
BLOCK_WORDS = 150  # an added or removed block is cut after this many words
MAX_EDITS = 80  # edits shown on one page; the rest are counted (and compared in full elsewhere)
FEED_WORDS = 40  # words of one edit in a feed excerpt
START = "Top of the document"


def folded(c: Change) -> bool:
    """Edits a reader need not read one by one: formatting, whitespace, link targets, renumbering."""
    return c.significance == "cosmetic" or (c.significance == "minor" and set(c.reasons) <= FOLDED_REASONS)


@dataclass
class Edit:
    """One changed block as the compact views show it."""

    change: Change
    index: int  # its place among the changes (unchanged runs between edits leave a gap)
    shown: Shown
    section: tuple[str, ...]

    @property
    def weight(self) -> int:
        """Characters added or removed (how much the edit changes)."""
        return sum(len(t) for op, t in self.change.pieces if op != EQUAL)


def _section_of(c: Change, title: str | None) -> tuple[str, ...]:
    # (a heading's own path ends with itself: an edited heading is listed under its own name)
    path = c.path
    return path[1:] if title is not None and path[:1] == (title,) else path


def _title(cmp: Comparison) -> str | None:
    """The document's title, when one level-1 heading opens it (sections are named below it).
    Read from the new text's chunks: C-level string tests, nothing split into blocks."""
    keys = cmp._new.keys
    if not keys or not keys[0].startswith("# "):
        return None
    if sum(1 for k in keys if k.startswith("# ") or "\n# " in k) != 1:
        return None  # more than one: they name sections
    found = atx(keys[0].split("\n", 1)[0])
    return found[1] if found else None


def _title_text(raw: str) -> str:
    """A heading's text as a reader sees it: markup and link targets left out."""
    shown = show([(EQUAL, raw)], "heading")
    return " ".join("".join(t for _, t, style in shown.runs if style != "url").split())


def section_name(path: tuple[str, ...]) -> str:
    return " › ".join(_title_text(t) for t in path) if path else START


def _common_head(paths: list[tuple[str, ...]]) -> int:
    """How many leading headings every path shares, each keeping at least its last heading."""
    if not paths:
        return 0
    n = 0
    first = paths[0]
    while all(len(p) > n + 1 and p[n] == first[n] for p in paths):
        n += 1
    return n


_EDITS: WeakKeyDictionary[Comparison, tuple[list[Edit], list[Edit]]] = WeakKeyDictionary()


def edits(cmp: Comparison) -> tuple[list[Edit], list[Edit]]:
    """(edits to read, folded edits), in document order. The far half of a move is left out:
    its other half says where it went. (Worked out once per comparison: a change page, its feed
    excerpt and its search text all ask.)"""
    found = _EDITS.get(cmp)
    if found is None:
        found = _EDITS[cmp] = _edits(cmp)
    return found


def _changed(cmp: Comparison) -> list[tuple[int, Change]]:
    """The changes of the stretches that differ, numbered so that an unchanged run between two
    leaves a gap. (The comparison's own segments: `cmp.changes` would split every unchanged run
    of the document into blocks, which the compact views never show.)"""
    out: list[tuple[int, Change]] = []
    at = 0
    for seg in cmp._segments:
        if isinstance(seg, EqualRun):
            at += 1
            continue
        for c in seg:
            out.append((at, c))
            at += 1
    return out


def _edits(cmp: Comparison) -> tuple[list[Edit], list[Edit]]:
    shown: list[Edit] = []
    minor: list[Edit] = []
    title = _title(cmp)
    for k, c in _changed(cmp):
        if not c.changed or (c.op == "moved_out" and c.partner is not None):
            continue
        block = c.old if c.op in ("removed", "moved_out") else c.new
        s = show(c.pieces, c.kind, int(block.level))  # type: ignore[union-attr]
        if s.kind in ("separator", "rule") or (not s.changed and c.op in ("modified", "equal")):
            minor.append(Edit(c, k, s, _section_of(c, title)))  # a change markup alone makes, invisible once formatted
            continue
        (minor if folded(c) else shown).append(Edit(c, k, s, _section_of(c, title)))
    # headings every edit sits under (the document's title, a part) would open every name
    head = _common_head([e.section for e in shown + minor])
    for e in shown + minor:
        e.section = e.section[head:]
    return shown, minor


def _styled(runs: list[Run]) -> str:
    out = []
    for _, t, style in runs:
        h = escape(t)
        if style == "strong":
            h = f"<strong>{h}</strong>"
        elif style == "em":
            h = f"<em>{h}</em>"
        elif style == "code":
            h = f"<code>{h}</code>"
        elif style == "url":
            h = f'<span class="pw-url">{h}</span>'
        out.append(h)
    return "".join(out)


# a feed reader keeps <del> struck and <ins> underlined; the colours are the page's
DEL_STYLE = "background:#fdd"
INS_STYLE = "background:#dfd"


def runs_html(runs: list[Run], side: str = "both", words: bool = False) -> str:
    """Runs as HTML: removed text in <del>, added in <ins> (the site's stylesheet labels them for
    screen readers); with `words`, marked "[removed: …]" and "[added: …]" in the text itself and
    styled inline, for feed readers, which drop stylesheets and often styles too."""
    out = []
    k = 0
    while k < len(runs):
        op = runs[k][0]
        j = k
        while j < len(runs) and runs[j][0] == op:
            j += 1
        body = _styled(runs[k:j])
        if op == EQUAL:
            out.append(body)
        elif op == DELETE and side in ("both", "old"):
            out.append(f'<del style="{DEL_STYLE}">[removed: {body}]</del>' if words else f"<del>{body}</del>")
        elif op == INSERT and side in ("both", "new"):
            out.append(f'<ins style="{INS_STYLE}">[added: {body}]</ins>' if words else f"<ins>{body}</ins>")
        k = j
    return "".join(out)


def _cut_block(runs: list[Run], limit: int) -> tuple[list[Run], int]:
    """Runs cut after `limit` words; (runs, words left out)."""
    total = words_in(runs)
    if total <= limit:
        return runs, 0
    out: list[Run] = []
    n = 0
    for op, t, s in runs:
        w = t.split(" ")
        if n + len(w) > limit:
            out.append((op, " ".join(w[: max(limit - n, 0)]), s))
            break
        out.append((op, t, s))
        n += len(w)
    return out, total - limit


def _sentences_html(e: Edit, side: str, words: bool, context: int, long_context: int, limit: int | None = None) -> str:
    """The edit's changed sentences with `context` sentences around them, as inline HTML."""
    c, runs = e.change, e.shown.runs
    if c.op == "moved_in" and not any(op != EQUAL for op, _, _ in runs):
        first = sentences(runs)[:1]
        parts: list[list[Run] | None] = [trim_words(first[0], 25, "head")] if first else []
        if len(sentences(runs)) > 1:
            parts.append(None)
    else:
        parts = compact(runs, context, long_context)
    parts = _joined(parts)
    # a whole block added or removed is cut after BLOCK_WORDS words; an edited one shows every
    # edit (unless a `limit` applies to all)
    budget = limit if limit is not None else BLOCK_WORDS if c.op in ("added", "removed") else None
    html = []
    for k, part in enumerate(parts):
        if part is None:
            html.append('<span class="pw-gap">… </span>' if not words else "… ")
            continue
        if budget is None:
            html.append(runs_html(part, side, words))
            continue
        cut, more = _cut_block(part, budget)
        budget -= words_in(cut)
        html.append(runs_html(cut, side, words))
        if more or budget <= 0:
            rest = more + sum(words_in(p) for p in parts[k + 1 :] if p)
            if rest:
                html.append(f" … ({rest} more word{'s' if rest != 1 else ''})")
            break
    return "".join(html).strip()


def _joined(parts: list[list[Run] | None]) -> list[list[Run] | None]:
    """Consecutive sentences as one list of runs (an edit that spans them stays one <ins>)."""
    out: list[list[Run] | None] = []
    for part in parts:
        if part is not None and out and out[-1] is not None:
            out[-1] = _merge_runs([*out[-1], *part])  # type: ignore[list-item]
        else:
            out.append(part)
    return out


def _merge_runs(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for op, t, s in runs:
        if out and out[-1][0] == op and out[-1][2] == s:
            out[-1] = (op, out[-1][1] + t, s)
        else:
            out.append((op, t, s))
    return out


def _row_cells(e: Edit, side: str) -> list[str]:
    return [runs_html(cell, side) for cell in e.shown.cells]


def _header_of(cmp: Comparison, row: Change) -> list[str] | None:
    """The header cells of the table the row is in (None if it is the header). Found among all
    the blocks, which are split for this (a changed table row is rare)."""
    changes = cmp.changes
    k = next(n for n, c in enumerate(changes) if c is row)
    j = k
    while j > 0 and changes[j - 1].kind == "row":
        j -= 1
    if j == k:
        return None
    first = changes[j]
    head = show([(EQUAL, first.new_text() or first.old_text())], "row")
    return [plain(cell) for cell in head.cells]


def _table(cmp: Comparison, rows: list[Edit], side: str = "both") -> str:
    header = _header_of(cmp, rows[0].change)
    width = max([len(header or [])] + [len(r.shown.cells) for r in rows])
    labels = [(header[n] if header and n < len(header) else "") for n in range(width)]
    out = ['<div class="pw-table"><table>']
    if header:
        out.append("<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in labels) + "</tr></thead>")
    out.append("<tbody>")
    for r in rows:
        cells = _row_cells(r, side) + [""] * (width - len(r.shown.cells))
        tds = "".join(
            f'<td data-label="{escape(labels[n])}">{cell}</td>' if labels[n] else f"<td>{cell}</td>"
            for n, cell in enumerate(cells)
        )
        out.append(f'<tr class="pw-{r.change.op.replace("_", "-")}">{tds}</tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def _edit_body(e: Edit, side: str = "both", context: int = 1, long_context: int = 20) -> str:
    s = e.shown
    text = _sentences_html(e, side, False, context, long_context)
    if s.kind == "heading":
        return f'<p class="pw-h">{text}</p>'
    if s.kind == "item":
        return f'<ul class="pw-items"><li>{text}</li></ul>'
    if s.kind == "code":
        return f"<pre>{runs_html(s.runs, side)}</pre>"
    return f"<p>{text}</p>"


def _groups(cmp: Comparison, chosen: list[Edit]):
    """(section, [edit or [table rows]]) in document order; consecutive rows of a table together."""
    out: list[tuple[tuple[str, ...], list]] = []
    for e in chosen:
        if not out or out[-1][0] != e.section:
            out.append((e.section, []))
        items = out[-1][1]
        prev = items[-1] if items else None
        if e.shown.kind == "row" and isinstance(prev, list) and prev[-1].index + 1 == e.index:
            prev.append(e)
        elif e.shown.kind == "row":
            items.append([e])
        else:
            items.append(e)
    return out


def _badge_of(c: Change) -> str:
    return f'<p class="pw-badge">{escape(label(c))}</p>'


def _minor_summary(minor: list[Edit]) -> str:
    kinds: dict[str, int] = {}
    for e in minor:
        c = e.change
        reasons = [r for r in c.reasons if r not in ("moved", "wording")] or (
            ["formatting"] if c.op != "equal" or c.reasons == [] else []
        )
        for r in reasons[:1] or ["formatting"]:
            kinds[r] = kinds.get(r, 0) + 1
    what = ", ".join(f"{r} {n}" for r, n in sorted(kinds.items(), key=lambda x: (-x[1], x[0])))
    n = len(minor)
    return f"{n} formatting edit{'s' if n != 1 else ''} ({what})"


def compact_html(cmp: Comparison, heading: str = "h3", max_edits: int = MAX_EDITS, more_href: str | None = None) -> str:
    """The edits a reader needs, grouped by section in document order: each changed sentence with
    one sentence of context, as formatted text; renumbering, whitespace and link-target edits
    folded into one line (a <details>). Past `max_edits` edits the rest are counted, with a link
    to `more_href` (where both texts are compared in full) when given."""
    shown, minor = edits(cmp)
    out = ['<div class="pw-diff pw-compact">']
    if not shown and not minor:
        out.append('<p class="pw-none">No visible difference.</p>')
    for section, items in _groups(cmp, shown[:max_edits]):
        out.append(
            f'<section class="pw-section"><{heading} class="pw-where">{escape(section_name(section))}</{heading}>'
        )
        for item in items:
            if isinstance(item, list):
                badge = _badge_of(item[0].change) if len({label(r.change) for r in item}) == 1 else ""
                out.append(f'<div class="pw-edit pw-row">{badge}{_table(cmp, item)}</div>')
                continue
            c = item.change
            kind = f"pw-{c.op.replace('_', '-')} pw-{c.significance}"
            out.append(f'<div class="pw-edit {kind}">{_badge_of(c)}{_edit_body(item)}</div>')
        out.append("</section>")
    if len(shown) > max_edits:
        n = len(shown) - max_edits
        what = f"{n} more edit{'s' if n != 1 else ''}"
        link = f' <a href="{escape(more_href)}">Compare the two texts in full</a>.' if more_href else ""
        out.append(f'<p class="pw-more">{what} in later sections, not shown here.{link}</p>')
    if minor:
        rows = []
        for e in minor[:max_edits]:
            body = (
                _sentences_html(e, "both", False, 0, 10)
                if e.shown.runs
                else (" | ".join(_row_cells(e, "both")) if e.shown.cells else "")
            )
            rows.append(
                f'<li><span class="pw-where">{escape(section_name(e.section))}</span> · '
                f'<span class="pw-badge">{escape(label(e.change))}</span> {body}</li>'
            )
        if len(minor) > max_edits:
            rows.append(f"<li>… and {len(minor) - max_edits} more</li>")
        summary = escape(_minor_summary(minor))
        out.append(f'<details class="pw-minor"><summary>{summary}</summary><ul>{"".join(rows)}</ul></details>')
    out.append("</div>")
    return "".join(out)


# ---------------------------------------------------------------- feeds and search

MORE = "pw-more:page"  # stands for the link of an excerpt's "+N more changes", put in by each feed


def ranked(cmp: Comparison) -> list[Edit]:
    """The edits to read, most important first: substantive before minor, then the larger."""
    shown, _ = edits(cmp)
    sections = {e.section for e in shown}
    # an added or removed heading is named by the edits under it
    chosen = [
        e
        for e in shown
        if not (
            e.shown.kind == "heading"
            and e.change.op in ("added", "removed")
            and (*e.section, e.change.path[-1]) in sections
        )
    ]
    # edits of wording before whole blocks added or removed, then the larger first
    return sorted(
        chosen,
        key=lambda e: (SIG_RANK[e.change.significance], e.change.op in ("added", "removed"), -e.weight, e.index),
    )


def excerpt_html(cmp: Comparison, limit: int = 3, more_href: str | None = MORE) -> str:
    """The most important edits (at most `limit`), each with a little context, styled inline and
    marked in words ("[removed: …]", "[added: …]") for feed readers without stylesheets; then
    "+N more changes", linked to `more_href` when given."""
    chosen = ranked(cmp)
    _, minor = edits(cmp)
    parts = []
    for e in chosen[:limit]:
        c = e.change
        where = "" if not e.section else f"{escape(section_name(e.section[-1:]))}: "
        if e.shown.kind == "row":
            body = " | ".join(runs_html(cell, "both", True) for cell in e.shown.cells)
        else:
            body = _sentences_html(e, "both", True, 1, 10, limit=FEED_WORDS)
        parts.append(f"<p><small>[{escape(label(c))}]</small> {where}{body}</p>")
    more = max(len(chosen) - limit, 0)
    if more or minor:
        what = f"+{more} more change{'s' if more != 1 else ''}" if more else ""
        if minor:
            formatting = f"{len(minor)} formatting edit{'s' if len(minor) != 1 else ''}"
            what = f"{what} and {formatting}" if what else f"+{formatting}"
        parts.append(f'<p><a href="{more_href}">{what}</a></p>' if more_href else f"<p>{what}</p>")
    return "".join(parts)


def _words(runs: list[Run]) -> str:
    """The text of both sides, a space between removed and added words ("15 17%", not "1517%")."""
    out = []
    for k, (op, t, _) in enumerate(runs):
        out.append(t)
        if op == DELETE and k + 1 < len(runs) and runs[k + 1][0] == INSERT:
            out.append(" ")
    return "".join(out)


SEARCH_WORD = re.compile(r"\w+")


def search_text(cmp: Comparison, limit: int = 8_000) -> str:
    """What a search index holds of a change: the sections it touched and its changed sentences,
    old and new words both (at most `limit` characters), then every other word an edit removed
    or added (once each), so that a word of any edit is found however long the change."""
    shown, _ = edits(cmp)
    out: list[str] = []
    size = 0
    for name in dict.fromkeys(section_name(e.section) for e in shown if e.section):
        out.append(name)
    for e in shown:
        if e.shown.kind == "row":
            parts = [" | ".join(_words(cell) for cell in e.shown.cells)]
        else:
            parts = [_words(p) for p in compact(e.shown.runs, 0, 40) if p]
        for p in parts:
            out.append(p.strip())
            size += len(p)
        if size > limit:
            break
    text = "\n".join(x for x in out if x)[:limit]
    seen = {w.lower() for w in SEARCH_WORD.findall(text)}
    rest = []
    for c in cmp.edits():  # the unchanged runs hold no edit: not split into blocks for nothing
        if not c.changed:
            continue
        for op, t in c.pieces:
            if op == EQUAL:
                continue
            for w in SEARCH_WORD.findall(t):
                if w.lower() not in seen:
                    seen.add(w.lower())
                    rest.append(w)
    return text + ("\n" + " ".join(rest) if rest else "")


RED, GREEN, DIM, RESET = "\x1b[31m", "\x1b[32m", "\x1b[2m", "\x1b[0m"


def text(cmp: Comparison, color: bool = False, marks: bool | None = None) -> str:
    """Terminal rendering: changed blocks with [-removed-]{+added+} marks, or colours, or both
    (`marks` defaults to "when not coloured")."""
    marks = not color if marks is None else marks
    left, right = ("[-", "-]") if marks else ("", "")
    plus, close = ("{+", "+}") if marks else ("", "")
    lines = [f"{cmp.significance}: {cmp.summary}"]
    for state, run in _runs(cmp.changes):
        if state == "fold":
            lines.append(f"{DIM if color else ''}  … {_unchanged(len(run))} …{RESET if color else ''}")
            continue
        for k in run:
            c = cmp.changes[k]
            body = []
            for op, t in c.pieces:
                if op == EQUAL:
                    body.append(t)
                elif op == DELETE:
                    body.append(f"{left}{RED}{t}{RESET}{right}" if color else f"{left}{t}{right}")
                else:
                    body.append(f"{plus}{GREEN}{t}{RESET}{close}" if color else f"{plus}{t}{close}")
            mark = f"[{label(c)}] " if c.changed else ""
            lines.append(mark + "".join(body).rstrip("\n"))
    return "\n".join(lines) + "\n"
