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
<h2>Inline</h2>
{render.inline_html(cmp)}
<h2>Side by side</h2>
{render.side_by_side_html(cmp)}
</main></body></html>
"""
