"""The commands of tracking: validate, crawl, publish, run (what the scheduled job calls),
index, status, and for GitHub Actions merge (the shards of a sharded crawl) and report-issues."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click

from .options import (
    CONTEXT,
    DELAY_OPTION,
    apply,
    crawl_options,
    data_dir_of,
    errors_as_messages,
    now,
    publish_options,
    sources_option,
    wait_option,
)


@click.command(context_settings=CONTEXT)
@sources_option
@click.option("--live", is_flag=True, help="Also fetch every document twice from the web and check the pages.")
@click.option(
    "--only", multiple=True, metavar="ID", help="List (and with --live, check) only this document (repeatable)."
)
@DELAY_OPTION
@click.option(
    "--skip-secrets",
    is_flag=True,
    help="Do not check that the variables notify.yml names hold usable URLs (on a machine without the secrets).",
)
@errors_as_messages
def validate(sources: Path | None, live: bool, only: tuple[str, ...], delay: float, skip_secrets: bool) -> None:
    """Check sources files (keys, unique ids, URLs, CSS selectors) and DATA_DIR/notify.yml.

    Prints the documents found; any problem is reported with its file, document (or
    subscription) and field, and the exit status is 2. notify.yml's subscriptions must name
    environment variables that are set to URLs Apprise can use (--skip-secrets: only the
    file is checked). With --live (where the internet is reachable, as in Actions), each
    document is also fetched twice by the real crawler into a scratch folder: it passes
    when the selector matches, the text is long enough and both fetches give the same text.
    A document that does not pass makes the exit status 1.

    \b
    Examples:
      policywatch validate
      policywatch validate --sources data/sources/amazon.yml
      policywatch validate --skip-secrets
      policywatch validate --live --only amazon-us-business-solutions-agreement
    """
    from policywatch.pipeline import load_documents, sources_path

    data_dir = data_dir_of(click.get_current_context())
    path = sources_path(data_dir, sources)
    documents = load_documents(path, only)
    files = sorted({d.file for d in documents})
    _validate_notify(data_dir, load_documents(path) if only else documents, skip_secrets)
    if not live:
        for d in documents:
            click.echo(f"{d.id}  {d.render:7}  {d.url}")
        click.echo(f"ok: {len(documents)} documents in {len(files)} file(s)", err=True)
        return
    from policywatch.live import validate_live

    results = validate_live(documents, path, delay=delay, progress=lambda line: click.echo(line, err=True))
    width = max((len(r.document_id) for r in results), default=0)
    for r in results:
        click.echo(f"{r.verdict:8}  {r.document_id:{width}}  {r.detail}")
    bad = [r for r in results if not r.ok]
    click.echo(f"live: {len(results) - len(bad)} of {len(results)} document(s) pass", err=True)
    if bad:
        raise click.exceptions.Exit(1)


def _validate_notify(data_dir: Path, documents, skip_secrets: bool) -> None:
    """notify.yml, when there is one: the file, its filters against the sources and, unless
    skipped, each variable's URLs opened with Apprise."""
    from policywatch.notifying import check_config, notify_path, prepare

    if skip_secrets:
        config = check_config(data_dir, None, documents)
    else:
        setup = prepare(data_dir, os.environ, documents=documents)
        config = setup.config if setup else None
    if config is not None:
        what = "subscriptions' files only" if skip_secrets else "subscriptions and their URLs"
        click.echo(
            f"ok: {len(config.subscriptions)} subscription(s), {len(config.watches)} watch(es) "
            f"in {notify_path(data_dir)} ({what} checked)",
            err=True,
        )


def _crawl(ctx: click.Context, sources: Path | None, only: tuple[str, ...], **opts):
    return crawl_with_progress(data_dir_of(ctx), sources, only, opts, clock=now)


@click.command(context_settings=CONTEXT)
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


def _watches(data_dir: Path) -> list:
    """The keyword watches of notify.yml; a broken file is reported and publishes none (the
    site is still written; `notify` and `validate` name the problem and fail)."""
    from policywatch.archive.errors import NotifyConfigError
    from policywatch.archive.notify_config import load_notify
    from policywatch.notifying import notify_path

    path = notify_path(data_dir)
    if not path.exists():
        return []
    try:
        return load_notify(path).watches
    except NotifyConfigError as e:
        click.echo(f"warning: keyword watches not published: {e}", err=True)
        return []


def _publish(
    ctx: click.Context,
    out: Path,
    base_url: str,
    feed_size: int,
    full: bool,
    flip_window: float,
    raw_url: str = "",
    sources: Path | None = None,
) -> None:
    from datetime import timedelta

    from policywatch.pipeline import publish_site

    started = time.monotonic()
    report = publish_site(
        data_dir_of(ctx),
        out,
        sources=sources,
        base_url=base_url,
        feed_size=feed_size,
        incremental=not full,
        flip_window=timedelta(days=flip_window),
        raw_url=raw_url,
        progress=lambda line: click.echo(line, err=True),
        watches=_watches(data_dir_of(ctx)),
    )
    click.echo(
        f"published {report.changes} change record(s) of {report.documents} document(s) to {out}: "
        f"{report.files} files ({report.rendered} rendered, {report.skipped} unchanged and kept), "
        f"{report.written} written, {report.removed} removed, {report.diffs} diff(s) computed "
        f"in {time.monotonic() - started:.1f}s",
        err=True,
    )


@click.command(context_settings=CONTEXT)
@apply(publish_options)
@click.pass_context
@errors_as_messages
def publish(
    ctx: click.Context, out: Path, base_url: str, feed_size: int, flip_window: float, full: bool, raw_url: str
) -> None:
    """Write changes.json, Atom/RSS feeds, feeds.opml and the changelog site.

    The output depends only on the recorded data and the options: publishing twice gives
    byte-identical files. Only pages whose inputs changed since the last publish to the same
    folder are rendered again (data/publish-cache.db remembers them; --full ignores it).
    Feeds hold the newest --feed-size entries and link to archive pages of older ones. A text
    that goes back and forth within --flip-window days shows as one "unstable" entry.

    \b
    Examples:
      policywatch publish
      policywatch publish --out public --base-url https://you.github.io/policywatch/
      policywatch publish --full --feed-size 100
      policywatch publish --raw-url https://github.com/you/tracker/blob/HEAD/data/snapshots/
      policywatch publish --flip-window 3
    """
    _publish(ctx, out, base_url, feed_size, full, flip_window, raw_url)


@click.command(context_settings=CONTEXT)
@apply(crawl_options)
@apply(publish_options)
@click.option(
    "--notify/--no-notify",
    "send_alerts",
    default=True,
    show_default=True,
    help="After publishing, send new changes to the subscriptions of DATA_DIR/notify.yml (if it exists).",
)
@click.pass_context
@errors_as_messages
def run(
    ctx: click.Context,
    sources: Path | None,
    only: tuple[str, ...],
    out: Path,
    base_url: str,
    feed_size: int,
    flip_window: float,
    full: bool,
    raw_url: str,
    send_alerts: bool,
    **opts,
) -> None:
    """Crawl, publish, then notify: the job the scheduled workflow runs.

    Notifications come last and never undo the crawl: if notify.yml is invalid or a delivery
    fails, the new versions are recorded and the site is published, the problem is printed,
    and the exit status is 2 (invalid notify.yml, nothing sent) or 1 (a delivery failed and
    is kept for the next run).

    \b
    Examples:
      policywatch run
      policywatch --data-dir data run --out _site --base-url https://you.github.io/policywatch/
      policywatch run --contact mailto:ops@example.com --wait 600
      policywatch run --no-notify
    """
    _crawl(ctx, sources, only, **opts)
    _publish(ctx, out, base_url, feed_size, full, flip_window, raw_url, sources)
    if not send_alerts:
        return
    from policywatch.archive.errors import NotifyConfigError, PolicywatchError

    from .alerts import run_notify

    try:
        status = run_notify(data_dir_of(ctx), sources=sources, base_url=base_url, wait=opts["wait"])
    except NotifyConfigError as e:
        click.echo(f"Error: {e}\nnotify: nothing sent; the crawl and the publish above are recorded.", err=True)
        raise click.exceptions.Exit(2) from e
    except PolicywatchError as e:
        click.echo(f"Error: {e}\nnotify: the crawl and the publish above are recorded.", err=True)
        raise click.exceptions.Exit(1) from e
    if status:
        raise click.exceptions.Exit(status)


@click.command(context_settings=CONTEXT)
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
    from policywatch.pipeline import refresh_index

    r = refresh_index(data_dir_of(ctx), rebuild)
    for problem in r.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(
        f"indexed {r.documents} document(s): {r.versions_read} version file(s) read, "
        f"{r.versions_removed} removed, {r.changes_derived} change record(s) derived",
        err=True,
    )


@click.command(context_settings=CONTEXT)
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
    from policywatch.status import HEADERS, status_rows

    rows = status_rows(data_dir_of(ctx), sources, only_failing=failing)
    widths = [max(len(str(r[i])) for r in [HEADERS, *rows]) for i in range(len(HEADERS))]
    for r in [HEADERS, *rows]:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    broken = sum(r[3] == "broken" for r in rows)
    failing_n = sum(r[3] == "failing" for r in rows)
    click.echo(f"{len(rows)} document(s): {broken} broken, {failing_n} failing", err=True)


@click.command(context_settings=CONTEXT)
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@wait_option
@click.pass_context
@errors_as_messages
def merge(ctx: click.Context, shards: tuple[Path, ...], wait: float) -> None:
    """Merge the data folders of sharded crawls (`crawl --shard I/N`) into the data folder.

    Each SHARDS folder is a data folder a shard crawled, starting from the same record as the
    data folder. New versions and snapshots are added, pending files follow the shard that
    owns them, and health.json is merged document by document. Two shards changing the same
    file is an error, reported before anything is written.

    \b
    Examples:
      policywatch merge shard-1/data shard-2/data shard-3/data
      policywatch --data-dir data merge shards/*/
    """
    from policywatch.archive.files import data_lock
    from policywatch.archive.shards import merge_shards

    data_dir = data_dir_of(ctx)
    with data_lock(data_dir, wait):
        r = merge_shards(data_dir, list(shards))
    click.echo(
        f"merged {len(shards)} shard(s) into {data_dir}: {r.added} file(s) added, {r.replaced} replaced, "
        f"{r.deleted} deleted, health of {len(r.health)} document(s) updated",
        err=True,
    )


@click.command("report-issues", context_settings=CONTEXT)
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
    from policywatch.archive.health import load_health
    from policywatch.archive.sources import load_sources
    from policywatch.github import GitHub, report
    from policywatch.pipeline import sources_path

    token = os.environ.get(token_env)
    if not token:
        raise click.UsageError(f"no API token: set {token_env} (in Actions: secrets.GITHUB_TOKEN)")
    data_dir = data_dir_of(ctx)
    if not data_dir.is_dir():  # no health at all would close every open issue
        raise click.ClickException(f"no data folder at {data_dir} (check --data-dir): no issue opened or closed")
    path = sources_path(data_dir, sources)
    titles = {d.id: d.title for d in load_sources(path)} if path.exists() else {}
    result = report(GitHub(repo, token, api_url), load_health(data_dir), titles, label, site_url)
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(
        f"issues: {len(result.opened)} opened, {len(result.updated)} updated, {len(result.closed)} closed"
        + (f", {len(result.failed)} failed" if result.failed else "")
        + "".join(f"\n  opened {d}" for d in result.opened)
        + "".join(f"\n  closed {d}" for d in result.closed)
        + "".join(f"\n  failed {d}: {why}" for d, why in result.failed),
        err=True,
    )
    if result.failed:
        raise click.exceptions.Exit(1)


def outcome_line(outcome) -> str:
    if outcome.status == "new":
        technical = "  (technical: re-extracted under new extraction rules)" if outcome.detail == "technical" else ""
        return f"new version  {outcome.document_id}  {outcome.version.id}{technical}"
    if outcome.status == "failed":
        return f"failed       {outcome.document_id}  {outcome.reason}: {outcome.detail}"
    if outcome.status == "pending":
        return f"pending      {outcome.document_id}  ({outcome.detail})"
    return f"unchanged    {outcome.document_id}" + (f"  ({outcome.detail})" if outcome.detail else "")


def failpoints() -> frozenset[str]:
    """$POLICYWATCH_FAILPOINTS ("stage:doc-id,..."): exceptions raised inside a stage of a real
    crawl, for the tests of crash isolation (docs/reliability.md)."""
    from policywatch.crawler.failpoints import parse_failpoints

    try:
        return parse_failpoints(os.environ.get("POLICYWATCH_FAILPOINTS", ""))
    except ValueError as e:
        raise click.UsageError(f"POLICYWATCH_FAILPOINTS: {e}") from None


def crawl_with_progress(
    data_dir: Path, sources: Path | None, only: tuple[str, ...], opts: dict, *, clock: Callable[[], datetime]
):
    """Run the crawl job with the command's options, printing progress to stderr."""
    from policywatch.crawler.run import CrawlOptions
    from policywatch.pipeline import crawl, load_documents, sources_path

    shard = opts.get("shard")
    documents = load_documents(sources_path(data_dir, sources), only, shard)
    where = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    click.echo(f"crawling {len(documents)} document(s) into {data_dir}{where}", err=True)
    for d in documents:
        if d.ignore_robots:
            click.echo(f"robots.txt  {d.id}  not obeyed: {d.ignore_robots}", err=True)

    def progress(outcome) -> None:
        click.echo(outcome_line(outcome), err=True)
        if outcome.trace:  # an internal error: the traceback goes to the log, indented under its line
            click.echo("".join(f"    {line}\n" for line in outcome.trace.rstrip("\n").split("\n")), err=True, nl=False)
        if outcome.health_event:
            e = outcome.health_event
            click.echo(f"health       {e.document_id}  {e.event}" + (f" ({e.reason})" if e.reason else ""), err=True)

    options = CrawlOptions(
        delay=opts["delay"],
        timeout=opts["timeout"],
        retries=opts["retries"],
        backoff=opts["backoff"],
        contact=opts["contact"],
        verbose=opts["verbose"],
        failpoints=failpoints(),
    )
    report = crawl(
        data_dir,
        documents,
        clock=clock,
        on_outcome=progress,
        options=options,
        wait=opts["wait"],
        broken_after=opts["broken_after"],
        conditional=opts["conditional"],
    )
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    counts = report.counts()
    failures = ", ".join(f"{n} {r}" for r, n in sorted(report.failures().items()))
    click.echo(
        f"done: {counts['new']} new, {counts['unchanged']} unchanged, {counts['pending']} pending, "
        f"{counts['failed']} failed" + (f" ({failures})" if failures else ""),
        err=True,
    )
    return report


COMMANDS = (validate, crawl, publish, run, index, status, merge, report_issues)
