"""The commands of history: the `import` group (dir, git, wayback), with options and progress
lines around the jobs of policywatch/importing.py."""

from __future__ import annotations

from pathlib import Path

import click

from .options import CONTEXT, apply, data_dir_of, errors_as_messages, now, sources_option, wait_option


@click.group("import", context_settings=CONTEXT)
def import_() -> None:
    """Record years of history on day one: import an existing archive of a document.

    Each version keeps its archive's date and merges in time order with crawled versions; only
    real changes become versions, and importing twice adds nothing. Import `--dry-run` first to
    see what would be recorded. Then `policywatch publish` puts the history in feeds and site.

    \b
    Examples:
      policywatch import dir archive/bsa/ --doc amazon-us-business-solutions-agreement
      policywatch import git ../p2b-compliance-versions --path "Amazon/Terms of Service.md" --doc amazon-terms
      policywatch import wayback --doc amazon-us-business-solutions-agreement --from 2021 --to 2023
    """


import_options = [
    click.option(
        "--doc", "document_id", required=True, metavar="ID", help="The document the versions belong to ([a-z0-9-])."
    ),
    sources_option,
    click.option("--dry-run", is_flag=True, help="Show what would be recorded; write nothing."),
    wait_option,
]

_IMPORT_LINES = {"new": "new version", "present": "present", "unchanged": "unchanged", "skipped": "skipped"}


def _import_event(dry_run: bool):
    def show(event) -> None:
        if event.status == "present":  # recorded by an earlier import: counted, not listed
            return
        status = "would add" if dry_run and event.status == "new" else _IMPORT_LINES[event.status]
        kind = "  (technical)" if event.version is not None and event.version.technical else ""
        detail = f"  ({event.detail})" if event.detail else ""
        name = event.version.id if event.version is not None else event.at
        click.echo(f"{status:12} {name:18} {event.label}{kind}{detail}", err=True)

    return show


def _import_done(run, document_id: str, dry_run: bool) -> None:
    r = run.report
    verb = "would add" if dry_run else "imported"
    line = (
        f"{verb} {r.count('new')} version(s) of {document_id} ({run.found} in the archive): "
        f"{r.count('present')} already present, {r.count('unchanged')} unchanged, {r.count('skipped')} skipped"
    )
    if run.ignored:
        line += f"; not versions: {', '.join(run.ignored[:5])}" + (" ..." if len(run.ignored) > 5 else "")
    click.echo(line, err=True)
    if run.index is not None:
        click.echo(
            f"index: {run.index.versions_read} version(s) read; `policywatch publish` derives and shows the changes",
            err=True,
        )


@import_.command("dir", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@apply(import_options)
@click.pass_context
@errors_as_messages
def import_dir_command(
    ctx: click.Context, path: Path, document_id: str, sources: Path | None, dry_run: bool, wait: float
) -> None:
    """Import a folder of dated versions: <ISO 8601 time>.md|.html or NNN_<YYYYMMDDTHHMMSSZ>.md.

    Markdown (.md, .markdown, .txt) is taken as the canonical text; HTML (.html, .htm) goes through
    the document's select/remove rules and the crawler's page checks (so the document must be
    declared in the sources). Times without an offset are UTC. Files in a `technical/` subfolder
    are re-extractions after a change of extraction rules: recorded as kind technical, kept out
    of the feeds. Other files (meta.json, ...) are ignored.

    \b
    Examples:
      policywatch import dir archive/bsa/ --doc amazon-us-business-solutions-agreement
      policywatch --data-dir data import dir ../shared/corpus/dev/paypal-terms-of-service --doc paypal-terms-of-service
      policywatch import dir snapshots/ --doc example-fee-schedule --dry-run
    """
    from policywatch.importing import import_dir

    click.echo(f"importing {path} into {document_id}", err=True)
    run = import_dir(
        data_dir_of(ctx),
        document_id,
        path,
        now=now(),
        sources=sources,
        dry_run=dry_run,
        wait=wait,
        on_event=_import_event(dry_run),
    )
    _import_done(run, document_id, dry_run)


@import_.command("git", context_settings=CONTEXT)
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--path", "file", required=True, metavar="FILE", help="The file, relative to the repository's root.")
@click.option("--rev", default="HEAD", show_default=True, metavar="REV", help="The branch or commit to read from.")
@apply(import_options)
@click.pass_context
@errors_as_messages
def import_git_command(
    ctx: click.Context,
    repo: Path,
    file: str,
    rev: str,
    document_id: str,
    sources: Path | None,
    dry_run: bool,
    wait: float,
) -> None:
    """Import every commit of a local git repository that touched FILE, dated by its commit date.

    The layout of Open Terms Archive's *-versions datasets: one Markdown file per document, one
    commit per version (renames are followed). Commits whose subject says "Apply technical or
    declaration upgrade" or "Refilter" are re-extractions: recorded as kind technical, kept out
    of the feeds.

    \b
    Examples:
      git clone https://github.com/OpenTermsArchive/p2b-compliance-versions
      policywatch import git p2b-compliance-versions --path "Airbnb/Terms of Service.md" --doc airbnb-terms
      policywatch import git ../history --path terms.md --doc market-terms --rev main --dry-run
    """
    from policywatch.importing import import_git

    click.echo(f"importing the history of {file} in {repo} into {document_id}", err=True)
    run = import_git(
        data_dir_of(ctx),
        document_id,
        repo,
        file,
        now=now(),
        rev=rev,
        sources=sources,
        dry_run=dry_run,
        wait=wait,
        on_event=_import_event(dry_run),
    )
    _import_done(run, document_id, dry_run)


def _cdx_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from policywatch.crawler.history.wayback import cdx_bound

    try:
        return cdx_bound(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@import_.command("wayback", context_settings=CONTEXT)
@click.argument("url", required=False)
@click.option("--from", "since", metavar="DATE", callback=_cdx_date, help="First capture date (YYYY, YYYY-MM-DD, ...).")
@click.option("--to", "until", metavar="DATE", callback=_cdx_date, help="Last capture date (YYYY, YYYY-MM-DD, ...).")
@click.option(
    "--wayback-url",
    "api",
    default="https://web.archive.org",
    show_default=True,
    metavar="URL",
    help="The Wayback Machine (or a server speaking its CDX and id_ formats).",
)
@click.option(
    "--delay", type=float, default=4.0, show_default=True, metavar="SECONDS", help="Pause between two requests."
)
@apply(import_options)
@click.pass_context
@errors_as_messages
def import_wayback_command(
    ctx: click.Context,
    url: str | None,
    since: str | None,
    until: str | None,
    api: str,
    delay: float,
    document_id: str,
    sources: Path | None,
    dry_run: bool,
    wait: float,
) -> None:
    """Import the Internet Archive's captures of URL (default: the document's URL).

    Lists the captures with the CDX API (collapsed by digest), fetches each original page
    (`id_`), one request at a time with a pause and policywatch's User-Agent, extracts it with
    the document's select/remove rules and records only captures whose text changed. Captures
    that are errors, walls or not the policy are skipped and listed. Exit 1 if the Wayback
    Machine cannot be reached; versions recorded before that are kept, and a second run
    resumes without fetching them again.

    \b
    Examples:
      policywatch import wayback --doc amazon-us-business-solutions-agreement
      policywatch import wayback https://www.etsy.com/legal/sellers/ --doc etsy-sellers --from 2020 --to 2022-06
      policywatch import wayback --doc market-terms --wayback-url http://127.0.0.1:8080 --delay 0
    """
    from policywatch.importing import import_wayback

    def captures(n: int) -> None:
        click.echo(f"{n} capture(s) listed by {api}", err=True)

    click.echo(f"importing Wayback Machine captures into {document_id}", err=True)
    run = import_wayback(
        data_dir_of(ctx),
        document_id,
        url,
        now=now(),
        since=since,
        until=until,
        api=api,
        delay=delay,
        sources=sources,
        dry_run=dry_run,
        wait=wait,
        on_event=_import_event(dry_run),
        on_captures=captures,
    )
    _import_done(run, document_id, dry_run)


COMMANDS = (import_,)
