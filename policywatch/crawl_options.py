"""The crawl command's options (shared by `crawl` and `run`) and its progress output: one line per
document as it is judged, then a summary. Only click here; the crawl itself loads on use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click


# --sources and --wait are the CLI's shared options; cli.py places them around these.
class ShardType(click.ParamType):
    name = "I/N"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        from archive.shards import parse_shard

        try:
            return parse_shard(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)


DELAY_OPTION = click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="Pause between two requests to the same domain.",
)
CRAWL_OPTIONS = [
    click.option("--only", multiple=True, metavar="ID", help="Crawl only this document (repeatable)."),
    click.option(
        "--shard",
        type=ShardType(),
        default=None,
        help="Crawl only shard I of N (a stable hash of the ids puts every document in exactly one shard).",
    ),
    DELAY_OPTION,
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        metavar="SECONDS",
        help="Give up on a page (or a browser page's navigation and wait_for) after this long.",
    ),
    click.option(
        "--retries",
        type=click.IntRange(min=0, max=10),
        default=2,
        show_default=True,
        metavar="N",
        help="Retries of a timeout, a dropped or cut connection, HTTP 429 or 5xx within the run.",
    ),
    click.option(
        "--backoff",
        type=click.FloatRange(min=0),
        default=2.0,
        show_default=True,
        metavar="SECONDS",
        help="Wait before the first retry, doubled for each next one (a Retry-After header wins, up to 60 s).",
    ),
    click.option(
        "--contact",
        default="https://github.com/policywatch/policywatch",
        show_default=True,
        envvar="POLICYWATCH_CONTACT",
        metavar="URL",
        help="Contact URL (or mailto:) sent in the User-Agent so site owners can reach you.",
    ),
    click.option(
        "--broken-after",
        type=click.IntRange(min=1),
        default=3,
        show_default=True,
        metavar="N",
        help="Report a document broken after this many consecutive failed crawls.",
    ),
    click.option(
        "--conditional/--no-conditional",
        default=True,
        show_default=True,
        help="Ask with the last ETag/Last-Modified; a 304 then means unchanged.",
    ),
    click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log."),
]


def outcome_line(outcome) -> str:
    if outcome.status == "new":
        technical = "  (technical: re-extracted under new extraction rules)" if outcome.detail == "technical" else ""
        return f"new version  {outcome.document_id}  {outcome.version.id}{technical}"
    if outcome.status == "failed":
        return f"failed       {outcome.document_id}  {outcome.reason}: {outcome.detail}"
    if outcome.status == "pending":
        return f"pending      {outcome.document_id}  ({outcome.detail})"
    return f"unchanged    {outcome.document_id}" + (f"  ({outcome.detail})" if outcome.detail else "")


def crawl_with_progress(
    data_dir: Path, sources: Path | None, only: tuple[str, ...], opts: dict, *, clock: Callable[[], datetime]
):
    """Run the crawl job with the command's options, printing progress to stderr."""
    from crawler.run import CrawlOptions

    from .pipeline import crawl, load_documents, sources_path

    shard = opts.get("shard")
    documents = load_documents(sources_path(data_dir, sources), only, shard)
    where = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    click.echo(f"crawling {len(documents)} document(s) into {data_dir}{where}", err=True)
    for d in documents:
        if d.ignore_robots:
            click.echo(f"robots.txt  {d.id}  not obeyed: {d.ignore_robots}", err=True)

    def progress(outcome) -> None:
        click.echo(outcome_line(outcome), err=True)
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
    counts = report.counts()
    failures = ", ".join(f"{n} {r}" for r, n in sorted(report.failures().items()))
    click.echo(
        f"done: {counts['new']} new, {counts['unchanged']} unchanged, {counts['pending']} pending, "
        f"{counts['failed']} failed" + (f" ({failures})" if failures else ""),
        err=True,
    )
    return report
