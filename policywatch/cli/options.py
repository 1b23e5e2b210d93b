"""What the commands share: the context settings, the clock, error translation, the data folder,
and the options written once (sources, wait, the crawl's, the publish's). Only click here."""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime
from pathlib import Path

import click

from policywatch.archive.errors import LockedError, NotifyConfigError, PolicywatchError, SourcesError

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
    """Turn policywatch errors into click errors: bad sources or notify.yml are a usage error (exit 2)."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except (SourcesError, NotifyConfigError) as e:
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


def apply(options):
    def decorator(f):
        for option in reversed(options):
            f = option(f)
        return f

    return decorator


class ShardType(click.ParamType):
    name = "I/N"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        from policywatch.archive.shards import parse_shard

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


crawl_options = [sources_option, *CRAWL_OPTIONS[:-1], wait_option, CRAWL_OPTIONS[-1]]


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

raw_url_option = click.option(
    "--raw-url",
    default="",
    envvar="POLICYWATCH_RAW_URL",
    metavar="URL",
    help="Where the stored raw pages can be read: a URL of the data folder's snapshots/ (e.g. "
    "https://github.com/you/tracker/blob/HEAD/data/snapshots/). Without it they are copied into the site.",
)


feed_size_option = click.option(
    "--feed-size",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    metavar="N",
    help="Entries per feed document; older entries go to RFC 5005 archive pages of N entries.",
)
flip_window_option = click.option(
    "--flip-window",
    type=click.FloatRange(min=0),
    default=7,
    show_default=True,
    metavar="DAYS",
    help="A text back to an earlier one within DAYS of the change that left it is a flip-flop: feeds and "
    "timelines show its records as one 'unstable' entry, kept out of the substantive feed (0: never).",
)
full_option = click.option(
    "--full",
    is_flag=True,
    help="Render every page again instead of only what changed (the output is the same bytes).",
)


publish_options = [out_option, base_url_option, feed_size_option, flip_window_option, full_option, raw_url_option]
