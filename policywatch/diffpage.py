"""A standalone HTML page for `policywatch diff --format html` (the site's stylesheet inlined)."""

from __future__ import annotations

from html import escape
from importlib.resources import files

from policywatch.diffs import Comparison, render


def standalone_html(cmp: Comparison, old_name: str, new_name: str) -> str:
    css = files("policywatch.feeds").joinpath("static/style.css").read_text(encoding="utf-8")
    facts = "".join(
        f"<li>{escape(f['kind'])}: {escape(str(f['before']))} → {escape(str(f['after']))}"
        f"{' (' + escape(f['context']) + ')' if f.get('context') else ''}</li>"
        for f in cmp.facts
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(old_name)} → {escape(new_name)}</title>
<style>{css}</style></head>
<body><main>
<h1>{escape(old_name)} → {escape(new_name)}</h1>
<p class="lede"><span class="badge sig">{escape(cmp.significance)}</span> {escape(cmp.summary)}</p>
{f"<ul>{facts}</ul>" if facts else ""}
<h2>What changed</h2>
{render.compact_html(cmp)}
<details><summary>The whole text with its edits</summary>
{render.inline_html(cmp)}
</details>
<details><summary>The whole text, side by side</summary>
{render.side_by_side_html(cmp)}
</details>
</main></body></html>
"""
