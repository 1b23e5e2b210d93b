"""The command line (click). Each command parses options, calls one library function and turns
our errors into clear messages: exit 2 for bad input (sources, arguments), 1 when the run could
not complete."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from archive.errors import LockedError, PolicywatchError, SourcesError

from . import __version__
from .crawl_options import CRAWL_OPTIONS, DELAY_OPTION

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def now() -> datetime:
    """The crawl's clock: the real time, or $POLICYWATCH_NOW (an ISO 8601 time) for reproducible runs."""
    fixed = os.environ.get("POLICYWATCH_NOW")
    if not fixed:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
    except ValueError:
        raise click.UsageError(f"POLICYWATCH_NOW={fixed!r} is not an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def errors_as_messages(f):
    """Turn policywatch errors into click errors: bad sources are a usage error (exit 2)."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except SourcesError as e:
            raise click.UsageError(str(e)) from e
        except LockedError as e:
            raise click.ClickException(str(e)) from e
        except PolicywatchError as e:
            raise click.ClickException(str(e)) from e

    return wrapper


def data_dir_of(ctx: click.Context) -> Path:
    return ctx.find_root().params["data_dir"]


sources_option = click.option(
    "--sources",
    "sources",
    type=click.Path(path_type=Path),
    default=None,
    help="A sources file or a folder of them.  [default: DATA_DIR/sources]",
)
wait_option = click.option(
    "--wait",
    type=float,
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="If another run holds the data folder, wait this long for it before giving up.",
)


@click.group(context_settings=CONTEXT)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    envvar="POLICYWATCH_DATA_DIR",
    show_default=True,
    help="The recorded history (versions, snapshots, health) and the sources/ folder.",
)
@click.version_option(__version__, "--version", prog_name="policywatch")
def cli(data_dir: Path) -> None:
    """Track policy pages, keep every version, explain what changed, publish feeds and a site.

    \b
    Examples:
      policywatch validate                    # check data/sources/*.yml
      policywatch run                         # crawl every source, then publish _site/
      policywatch crawl --only amazon-us-business-solutions-agreement
      policywatch publish --out _site --base-url https://you.github.io/policywatch/
      policywatch diff old.md new.md          # what changed between two files
      policywatch demo                        # the bundled example, served on :8000
    """


@cli.command(context_settings=CONTEXT)
@sources_option
@click.option("--live", is_flag=True, help="Also fetch every document twice from the web and check the pages.")
@click.option("--only", multiple=True, metavar="ID", help="With --live: check only this document (repeatable).")
@DELAY_OPTION
@errors_as_messages
def validate(sources: Path | None, live: bool, only: tuple[str, ...], delay: float) -> None:
    """Check sources files: keys, unique ids, URLs, CSS selectors.

    Prints the documents found; any problem is reported with its file, document and field,
    and the exit status is 2. With --live (where the internet is reachable, as in Actions),
    each document is also fetched twice by the real crawler into a scratch folder: it passes
    when the selector matches, the text is long enough and both fetches give the same text.
    A document that does not pass makes the exit status 1.

    \b
    Examples:
      policywatch validate
      policywatch validate --sources data/sources/amazon.yml
      policywatch validate --live --only amazon-us-business-solutions-agreement
    """
    from .pipeline import load_documents, sources_path

    path = sources_path(data_dir_of(click.get_current_context()), sources)
    documents = load_documents(path, only)
    files = sorted({d.file for d in documents})
    if not live:
        for d in documents:
            click.echo(f"{d.id}  {d.render:7}  {d.url}")
        click.echo(f"ok: {len(documents)} documents in {len(files)} file(s)", err=True)
        return
    from .live import validate_live

    results = validate_live(documents, path, delay=delay, progress=lambda line: click.echo(line, err=True))
    width = max((len(r.document_id) for r in results), default=0)
    for r in results:
        click.echo(f"{r.verdict:8}  {r.document_id:{width}}  {r.detail}")
    bad = [r for r in results if not r.ok]
    click.echo(f"live: {len(results) - len(bad)} of {len(results)} document(s) pass", err=True)
    if bad:
        raise click.exceptions.Exit(1)


def _crawl(ctx: click.Context, sources: Path | None, only: tuple[str, ...], **opts):
    from .crawl_options import crawl_with_progress

    return crawl_with_progress(data_dir_of(ctx), sources, only, opts, clock=now)


crawl_options = [sources_option, *CRAWL_OPTIONS[:-1], wait_option, CRAWL_OPTIONS[-1]]


def apply(options):
    def decorator(f):
        for option in reversed(options):
            f = option(f)
        return f

    return decorator


@cli.command(context_settings=CONTEXT)
@apply(crawl_options)
@click.pass_context
@errors_as_messages
def crawl(ctx: click.Context, sources: Path | None, only: tuple[str, ...], **opts) -> None:
    """Fetch every document once and record the ones whose text changed.

    Each page is checked before anything is recorded: a page that fails (HTTP error, timeout,
    bot or login wall, error page, selector missing, too short, ...) is recorded in
    health.json with its reason, never as a version, and the crawl still exits 0. A text that
    keeps only a small part of the last version is held until the next crawl confirms it.
    Exit 1 means the crawl itself could not run (no browser for render: browser, another run
    holding the data folder); exit 2, the sources are invalid.

    \b
    Examples:
      policywatch crawl
      policywatch --data-dir data crawl --sources data/sources/amazon.yml
      policywatch crawl --only example-fee-schedule --delay 0
      policywatch crawl --contact mailto:ops@example.com --broken-after 5
      policywatch crawl --timeout 10 --retries 1 --wait 600
    """
    _crawl(ctx, sources, only, **opts)


out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("_site"),
    show_default=True,
    help="Folder to write the site and feeds to.",
)
base_url_option = click.option(
    "--base-url",
    default="",
    metavar="URL",
    help="Absolute URL the site is served at, for links in feeds and changes.json "
    "(e.g. https://you.github.io/policywatch/).",
)


feed_size_option = click.option(
    "--feed-size",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    metavar="N",
    help="Entries per feed document; older entries go to RFC 5005 archive pages of N entries.",
)
full_option = click.option(
    "--full",
    is_flag=True,
    help="Render every page again instead of only what changed (the output is the same bytes).",
)


def _publish(
    ctx: click.Context, out: Path, base_url: str, feed_size: int, full: bool, sources: Path | None = None
) -> None:
    from .pipeline import publish_site

    started = time.monotonic()
    report = publish_site(
        data_dir_of(ctx),
        out,
        sources=sources,
        base_url=base_url,
        feed_size=feed_size,
        incremental=not full,
        progress=lambda line: click.echo(line, err=True),
    )
    click.echo(
        f"published {report.changes} change record(s) of {report.documents} document(s) to {out}: "
        f"{report.files} files ({report.rendered} rendered, {report.skipped} unchanged and kept), "
        f"{report.written} written, {report.removed} removed, {report.diffs} diff(s) computed "
        f"in {time.monotonic() - started:.1f}s",
        err=True,
    )


@cli.command(context_settings=CONTEXT)
@out_option
@base_url_option
@feed_size_option
@full_option
@click.pass_context
@errors_as_messages
def publish(ctx: click.Context, out: Path, base_url: str, feed_size: int, full: bool) -> None:
    """Write changes.json, Atom/RSS feeds, feeds.opml and the changelog site.

    The output depends only on the recorded data and the options: publishing twice gives
    byte-identical files. Only pages whose inputs changed since the last publish to the same
    folder are rendered again (data/publish-cache.db remembers them; --full ignores it).
    Feeds hold the newest --feed-size entries and link to archive pages of older ones.

    \b
    Examples:
      policywatch publish
      policywatch publish --out public --base-url https://you.github.io/policywatch/
      policywatch publish --full --feed-size 100
    """
    _publish(ctx, out, base_url, feed_size, full)


@cli.command(context_settings=CONTEXT)
@apply(crawl_options)
@out_option
@base_url_option
@feed_size_option
@full_option
@click.pass_context
@errors_as_messages
def run(
    ctx: click.Context,
    sources: Path | None,
    only: tuple[str, ...],
    out: Path,
    base_url: str,
    feed_size: int,
    full: bool,
    **opts,
) -> None:
    """Crawl, then publish: the job the scheduled workflow runs.

    \b
    Examples:
      policywatch run
      policywatch --data-dir data run --out _site --base-url https://you.github.io/policywatch/
      policywatch run --contact mailto:ops@example.com --wait 600
    """
    _crawl(ctx, sources, only, **opts)
    _publish(ctx, out, base_url, feed_size, full, sources)


def _read_for_diff(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise click.BadParameter(f"cannot read {path}: {e.strerror}") from e
    head = data[:2048].lstrip().lower()
    if path.suffix.lower() in (".html", ".htm") or head.startswith((b"<!doctype html", b"<html")):
        from crawler.extract import extract

        return extract(data, path.resolve().as_uri()).markdown
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise click.BadParameter(f"{path} is not UTF-8 text") from None


@cli.command(context_settings=CONTEXT)
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
    from diffs import compare  # the renderers only for the formats that need them

    cmp = compare(_read_for_diff(old), _read_for_diff(new))
    if fmt == "json":
        click.echo(json.dumps({"kind": "change", **cmp.record()}, indent=2, ensure_ascii=False))
    elif fmt == "html":
        from .diffpage import standalone_html

        click.echo(standalone_html(cmp, old.name, new.name), nl=False)
    else:
        from diffs import render

        use_color = sys.stdout.isatty() and "NO_COLOR" not in os.environ if color is None else color
        click.echo(render.text(cmp, color=use_color), nl=False)


@cli.command(context_settings=CONTEXT)
@click.option("--rebuild", is_flag=True, help="Delete the index and derive it again from the files.")
@click.pass_context
@errors_as_messages
def index(ctx: click.Context, rebuild: bool) -> None:
    """Bring the SQLite index (data/policywatch.db) up to date with the version files.

    The index is derived: deleting it loses nothing. Only new or changed files are read.

    \b
    Examples:
      policywatch index
      policywatch index --rebuild
    """
    from .pipeline import refresh_index

    r = refresh_index(data_dir_of(ctx), rebuild)
    click.echo(
        f"indexed {r.documents} document(s): {r.versions_read} version file(s) read, "
        f"{r.versions_removed} removed, {r.changes_derived} change record(s) derived",
        err=True,
    )


@cli.command(context_settings=CONTEXT)
@sources_option
@click.option("--failing", is_flag=True, help="Only documents whose last crawls failed.")
@click.pass_context
@errors_as_messages
def status(ctx: click.Context, sources: Path | None, failing: bool) -> None:
    """Print each document's versions and health.

    health is ok, pending (a new text waits for confirmation), failing (the last crawls
    failed) or broken (failed --broken-after times in a row: reported in the health feed);
    failures counts consecutive failed crawls, with the first one's time and the last reason.
    Exit 0 whatever the health.

    \b
    Examples:
      policywatch status
      policywatch --data-dir data status --failing
    """
    from .status import HEADERS, status_rows

    rows = status_rows(data_dir_of(ctx), sources, only_failing=failing)
    widths = [max(len(str(r[i])) for r in [HEADERS, *rows]) for i in range(len(HEADERS))]
    for r in [HEADERS, *rows]:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    broken = sum(r[3] == "broken" for r in rows)
    failing_n = sum(r[3] == "failing" for r in rows)
    click.echo(f"{len(rows)} document(s): {broken} broken, {failing_n} failing", err=True)


@cli.command(context_settings=CONTEXT)
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
    from .demo import run_demo

    report = run_demo(work, out, lambda line: click.echo(line, err=True))
    click.echo(
        f"demo: {report.records} change records from {report.steps} steps "
        f"(expected {report.expected}); data in {report.data_dir}",
        err=True,
    )
    if serve:
        _serve(out, port)


def _serve(folder: Path, port: int) -> None:
    from .servers import static_server

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


@cli.command(context_settings=CONTEXT)
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


# The `import` group and the commands of scheduled tracking live in their own modules (this one
# would pass 500 lines); they use the helpers above, so they are registered last.
from .import_commands import import_  # noqa: E402
from .tracking_commands import merge, report_issues  # noqa: E402

cli.add_command(import_)
cli.add_command(merge)
cli.add_command(report_issues)
