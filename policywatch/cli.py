"""The command line (click). Each command parses options, calls one library function and turns
our errors into clear messages: exit 2 for bad input (sources, arguments), 1 when the run could
not complete."""

from __future__ import annotations

import functools
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from archive.errors import LockedError, PolicywatchError, SourcesError

from . import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def now() -> datetime:
    return datetime.now(UTC)


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
@errors_as_messages
def validate(sources: Path | None) -> None:
    """Check sources files: keys, unique ids, URLs, CSS selectors.

    Prints the documents found; any problem is reported with its file, document and field,
    and the exit status is 2.

    \b
    Examples:
      policywatch validate
      policywatch validate --sources data/sources/amazon.yml
    """
    from .pipeline import load_documents, sources_path

    path = sources_path(data_dir_of(click.get_current_context()), sources)
    documents = load_documents(path)
    files = sorted({d.file for d in documents})
    for d in documents:
        click.echo(f"{d.id}  {d.render:7}  {d.url}")
    click.echo(f"ok: {len(documents)} documents in {len(files)} file(s)", err=True)


def _outcome_line(outcome) -> str:
    if outcome.status == "new":
        return f"new version  {outcome.document_id}  {outcome.version.id}"
    if outcome.status == "failed":
        return f"failed       {outcome.document_id}  {outcome.reason}: {outcome.detail}"
    if outcome.status == "pending":
        return f"pending      {outcome.document_id}  ({outcome.detail})"
    return f"unchanged    {outcome.document_id}"


def _crawl(ctx: click.Context, sources: Path | None, only: tuple[str, ...], delay: float, wait: float, verbose: bool):
    from .pipeline import crawl, load_documents, sources_path

    data_dir = data_dir_of(ctx)
    documents = load_documents(sources_path(data_dir, sources), only)
    click.echo(f"crawling {len(documents)} document(s) into {data_dir}", err=True)

    def progress(outcome) -> None:
        click.echo(_outcome_line(outcome), err=True)
        if outcome.health_event:
            e = outcome.health_event
            click.echo(f"health       {e.document_id}  {e.event}" + (f" ({e.reason})" if e.reason else ""), err=True)

    report = crawl(data_dir, documents, clock=now, on_outcome=progress, delay=delay, wait=wait, verbose=verbose)
    counts = report.counts()
    failures = ", ".join(f"{n} {r}" for r, n in sorted(report.failures().items()))
    click.echo(
        f"done: {counts['new']} new, {counts['unchanged']} unchanged, {counts['pending']} pending, "
        f"{counts['failed']} failed" + (f" ({failures})" if failures else ""),
        err=True,
    )
    return report


crawl_options = [
    sources_option,
    click.option("--only", multiple=True, metavar="ID", help="Crawl only this document (repeatable)."),
    click.option(
        "--delay",
        type=float,
        default=1.0,
        show_default=True,
        metavar="SECONDS",
        help="Pause between two requests to the same domain.",
    ),
    wait_option,
    click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log."),
]


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
def crawl(
    ctx: click.Context, sources: Path | None, only: tuple[str, ...], delay: float, wait: float, verbose: bool
) -> None:
    """Fetch every document once and record the ones whose text changed.

    A page that fails (HTTP error, timeout, bot wall, selector missing, ...) is recorded in
    health.json, never as a version, and the crawl still exits 0. Exit 1 means the crawl
    itself could not run; exit 2, the sources are invalid.

    \b
    Examples:
      policywatch crawl
      policywatch --data-dir data crawl --sources data/sources/amazon.yml
      policywatch crawl --only example-fee-schedule --delay 0
    """
    _crawl(ctx, sources, only, delay, wait, verbose)


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


def _publish(ctx: click.Context, out: Path, base_url: str, sources: Path | None = None) -> None:
    from .pipeline import publish_site

    report = publish_site(data_dir_of(ctx), out, sources=sources, base_url=base_url)
    click.echo(
        f"published {report.changes} change record(s) of {report.documents} document(s) to {out}: "
        f"{report.files} files, {report.written} written, {report.removed} removed",
        err=True,
    )


@cli.command(context_settings=CONTEXT)
@out_option
@base_url_option
@click.pass_context
@errors_as_messages
def publish(ctx: click.Context, out: Path, base_url: str) -> None:
    """Write changes.json, Atom/RSS feeds, feeds.opml and the changelog site.

    The output depends only on the recorded data: publishing twice gives byte-identical files.

    \b
    Examples:
      policywatch publish
      policywatch publish --out public --base-url https://you.github.io/policywatch/
    """
    _publish(ctx, out, base_url)


@cli.command(context_settings=CONTEXT)
@apply(crawl_options)
@out_option
@base_url_option
@click.pass_context
@errors_as_messages
def run(
    ctx: click.Context,
    sources: Path | None,
    only: tuple[str, ...],
    delay: float,
    wait: float,
    verbose: bool,
    out: Path,
    base_url: str,
) -> None:
    """Crawl, then publish: the job the scheduled workflow runs.

    \b
    Examples:
      policywatch run
      policywatch --data-dir data run --out _site --base-url https://you.github.io/policywatch/
    """
    _crawl(ctx, sources, only, delay, wait, verbose)
    _publish(ctx, out, base_url, sources)


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
@click.pass_context
@errors_as_messages
def status(ctx: click.Context, sources: Path | None) -> None:
    """Print each document's versions and health.

    \b
    Examples:
      policywatch status
      policywatch --data-dir data status
    """
    from .status import status_rows

    rows = status_rows(data_dir_of(ctx), sources)
    headers = ["document", "versions", "last version", "health", "failures", "last reason"]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    for r in [headers, *rows]:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


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


@cli.command("report-issues", context_settings=CONTEXT)
@click.option("--repo", required=True, envvar="GITHUB_REPOSITORY", help="OWNER/NAME  [env: GITHUB_REPOSITORY]")
@click.option(
    "--api-url",
    default="https://api.github.com",
    envvar="GITHUB_API_URL",
    show_default=True,
    help="GitHub API base  [env: GITHUB_API_URL]",
)
@click.option(
    "--token-env",
    default="GITHUB_TOKEN",
    show_default=True,
    metavar="NAME",
    help="Environment variable holding the API token.",
)
@click.option("--label", default="policywatch-broken", show_default=True, help="Label of the issues we manage.")
@click.option("--site-url", default="", metavar="URL", help="Published site, to link each document's page.")
@sources_option
@click.pass_context
@errors_as_messages
def report_issues(
    ctx: click.Context, repo: str, api_url: str, token_env: str, label: str, site_url: str, sources: Path | None
) -> None:
    """Open one GitHub issue per broken document; close it when tracking resumes.

    Reads data/health.json. Idempotent: issues are found by their label and a marker naming
    the document, so a second run never duplicates one. The scheduled workflow runs this when
    the repository variable POLICYWATCH_REPORT_ISSUES is 'true'.

    \b
    Examples:
      GITHUB_TOKEN=... policywatch report-issues --repo you/policywatch
      policywatch report-issues --repo you/policywatch --site-url https://you.github.io/policywatch/
    """
    from archive.health import load_health
    from archive.sources import load_sources

    from .github import GitHub, report
    from .pipeline import sources_path

    token = os.environ.get(token_env)
    if not token:
        raise click.UsageError(f"no API token: set {token_env} (in Actions: secrets.GITHUB_TOKEN)")
    data_dir = data_dir_of(ctx)
    path = sources_path(data_dir, sources)
    titles = {d.id: d.title for d in load_sources(path)} if path.exists() else {}
    result = report(GitHub(repo, token, api_url), load_health(data_dir), titles, label, site_url)
    click.echo(
        f"issues: {len(result.opened)} opened, {len(result.updated)} updated, {len(result.closed)} closed"
        + "".join(f"\n  opened {d}" for d in result.opened)
        + "".join(f"\n  closed {d}" for d in result.closed),
        err=True,
    )


# The `import` group lives in its own module (this one would pass 500 lines); it uses the helpers
# above, so it is registered last.
from .import_commands import import_  # noqa: E402

cli.add_command(import_)
