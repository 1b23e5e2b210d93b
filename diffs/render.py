"""Renderers of a Comparison: inline and side-by-side HTML (unchanged context folded, readable
without colour), a short excerpt with inline styles for feed readers, and terminal text."""

from __future__ import annotations

from html import escape

from .blocks import display_title
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


DEL_STYLE = "background:#ffe5e5;color:#8a1010;text-decoration:line-through"
INS_STYLE = "background:#e3f7e3;color:#0b5d0b;text-decoration:underline"


def excerpt_html(cmp: Comparison, limit: int = 6, chars: int = 600) -> str:
    """A short diff of the changes that matter, with inline styles (feed readers drop stylesheets)."""
    parts = []
    for c in cmp.changes:
        if not c.changed or c.significance == "cosmetic" or c.op == "moved_out":
            continue
        body = [f'<span style="font-size:smaller;color:#555">[{escape(label(c))}]</span> ']
        for op, text in c.pieces:
            if op == EQUAL:
                body.append(escape(_trim(text, 120)))
                continue
            t = escape(text if len(text) <= chars else text[:chars] + "…")
            body.append(
                f'<del style="{DEL_STYLE}">{t}</del>' if op == DELETE else f'<ins style="{INS_STYLE}">{t}</ins>'
            )
        parts.append(f'<p style="white-space:pre-wrap;margin:0 0 .6em">{"".join(body)}</p>')
        if len(parts) >= limit:
            break
    return "".join(parts)


def _trim(text: str, n: int) -> str:
    if len(text) <= 2 * n:
        return text
    return text[:n] + " … " + text[-n:]


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
