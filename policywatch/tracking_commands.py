"""Commands of scheduled tracking in GitHub Actions: `merge` (the shards of a sharded crawl) and
`report-issues` (one issue per broken document). Registered on the main group at the end of cli.py."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .cli import CONTEXT, data_dir_of, errors_as_messages, sources_option, wait_option


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
    from archive.files import data_lock
    from archive.shards import merge_shards

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
