"""The tools: diff (two files, no data folder needed), demo (the bundled example), serve (a
published site) and init (a new tracking repository)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

from .options import CONTEXT, errors_as_messages, out_option

# What a terminal obeys rather than shows: C0 and C1 controls (escape sequences, a one-byte CSI)
# and the bidirectional controls that reorder what a line shows.
C1_CONTROLS = re.compile("[\x80-\x9f]")
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible_controls(text: str) -> str:
    """The text with every terminal control made visible: C0 as its control picture (␛ for ESC),
    DEL as ␡, C1 and bidirectional controls as <U+XXXX>."""

    def show(m: re.Match) -> str:
        c = ord(m.group(0))
        if c < 0x20:
            return chr(0x2400 + c)
        if c == 0x7F:
            return "\u2421"
        return f"<U+{c:04X}>"

    return TERMINAL_CONTROLS.sub(show, text)


def _read_for_diff(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise click.BadParameter(f"cannot read {path}: {e.strerror}") from e
    head = data[:2048].lstrip().lower()
    if path.suffix.lower() in (".html", ".htm") or head.startswith((b"<!doctype html", b"<html")):
        from policywatch.crawler.extract import extract

        return extract(data, path.resolve().as_uri()).markdown
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise click.BadParameter(f"{path} is not UTF-8 text") from None


@click.command(context_settings=CONTEXT)
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "html", "json"]), default="text", show_default=True)
@click.option("--color/--no-color", default=None, help="Colour the text format  [default: when a terminal]")
def diff(old: Path, new: Path, fmt: str, color: bool | None) -> None:
    """Show what changed between two files (Markdown, text or HTML).

    HTML files are extracted to Markdown first. The JSON format is the change record of
    changes.json (significance, summary, stats, facts), without ids and dates.

    \b
    Examples:
      policywatch diff v1.md v2.md
      policywatch diff old.html new.html --format html > diff.html
      policywatch diff v1.md v2.md --format json | jq .summary
    """
    from policywatch.diffs import compare  # the renderers only for the formats that need them

    old_text, new_text = _read_for_diff(old), _read_for_diff(new)
    if fmt == "text":  # for a terminal: the files' control characters shown, never obeyed
        old_text, new_text = visible_controls(old_text), visible_controls(new_text)
    cmp = compare(old_text, new_text)
    if fmt == "json":
        text = json.dumps({"kind": "change", **cmp.record()}, indent=2, ensure_ascii=False)
        click.echo(C1_CONTROLS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text))
    elif fmt == "html":
        from policywatch.diffpage import standalone_html

        click.echo(standalone_html(cmp, old.name, new.name), nl=False)
    else:
        from policywatch.diffs import render

        terminal = sys.stdout.isatty()
        use_color = terminal and "NO_COLOR" not in os.environ if color is None else color
        # colours alone on a terminal; into a pipe or a file the [-removed-]{+added+} marks stay,
        # for whoever reads it without colours
        click.echo(render.text(cmp, color=use_color, marks=not (use_color and terminal)), nl=False, color=use_color)


@click.command(context_settings=CONTEXT)
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".demo"),
    show_default=True,
    help="Folder for the demo's data (recreated on every run).",
)
@out_option
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the site when done.")
@click.option("--port", type=int, default=8000, show_default=True)
@errors_as_messages
def demo(work: Path, out: Path, serve: bool, port: int) -> None:
    """Run the whole job on the bundled Example Marketplace and serve the result.

    Serves four example policies on 127.0.0.1, takes them through 7 steps of realistic edits
    (a deadline 24 → 48 hours, a fee 15% → 17%, a section added and one removed, a paragraph
    moved, a whitespace-only change, a flip back to an earlier text), crawls after each step
    with the real crawler, publishes the site and serves it on http://127.0.0.1:PORT/.

    \b
    Examples:
      policywatch demo
      policywatch demo --out /tmp/site --no-serve
    """
    from policywatch.demo import run_demo

    report = run_demo(work, out, lambda line: click.echo(line, err=True))
    click.echo(
        f"demo: {report.records} change records from {report.steps} steps "
        f"(expected {report.expected}); data in {report.data_dir}",
        err=True,
    )
    if serve:
        _serve(out, port)


def _serve(folder: Path, port: int) -> None:
    from policywatch.servers import static_server

    try:
        server = static_server(folder, port=port)
    except OSError as e:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port} ({e.strerror}); try --port") from e
    click.echo(f"serving {folder} at http://127.0.0.1:{server.server_address[1]}/  (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command(context_settings=CONTEXT)
@click.option(
    "--dir",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("_site"),
    show_default=True,
    help="The published folder.",
)
@click.option("--port", type=int, default=8000, show_default=True)
def serve(folder: Path, port: int) -> None:
    """Preview a published site on http://127.0.0.1:PORT/.

    \b
    Examples:
      policywatch serve
      policywatch serve --dir public --port 8080
    """
    _serve(folder, port)


@click.command(context_settings=CONTEXT)
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--service", "services", multiple=True, metavar="NAME", help="Only this service's documents (repeatable)."
)
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only documents with this tag (repeatable).")
@click.option("--empty", is_flag=True, help="A commented template instead of the registry's documents.")
@click.option(
    "--requirement",
    default="",
    metavar="SPEC",
    help="The pip requirement the workflows install policywatch from  [default: this version, from PyPI]",
)
@errors_as_messages
def init(folder: Path, services: tuple[str, ...], tags: tuple[str, ...], empty: bool, requirement: str) -> None:
    """Make FOLDER (default: here) a ready tracking repository.

    Writes data/sources/ (the shipped registry of seller pages: all of it, only the documents of
    the chosen --service and --tag, or with --empty a commented template), the tracking
    workflows and their shared set-up under .github/, scripts/commit-data.sh, requirements.txt,
    .gitignore and a README with the next steps (enable Actions and Pages). Nothing is written
    when one of these files exists already.

    \b
    Examples:
      policywatch init my-tracker
      policywatch init my-tracker --service "Amazon Seller Central" --tag fees
      policywatch init my-tracker --empty
      policywatch init . --requirement "policywatch @ git+https://github.com/you/policywatch@v0.1.0"
    """
    from policywatch.init import init_repository

    if empty and (services or tags):
        raise click.UsageError("--empty writes a template: it takes no --service or --tag")
    report = init_repository(folder, services=services, tags=tags, empty=empty, requirement=requirement)
    for name in report.written:
        click.echo(f"wrote {folder / name}", err=True)
    what = (
        f"a template to fill in ({folder / 'data' / 'sources'})"
        if empty
        else f"{report.documents} document(s) of {len(report.services)} service(s)"
    )
    click.echo(f"tracking repository ready in {folder}: {what}. Next steps: {folder / 'README.md'}", err=True)


COMMANDS = (diff, demo, serve, init)
