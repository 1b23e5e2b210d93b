"""The command line (click): the group and its global options; the commands live by job in
track.py (tracking runs), alerts.py (notify), history.py (imports) and tools.py (diff, demo, serve, init).
Each command parses options, calls one library function and turns our errors into clear
messages: exit 2 for bad input (sources, arguments), 1 when the run could not complete."""

from __future__ import annotations

from pathlib import Path

import click

from policywatch import __version__

from . import alerts, history, tools, track
from .options import CONTEXT


class Commands(click.Group):
    """The group, which knows the mistake of giving --data-dir after the command."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as e:
            if e.option_name != "--data-dir":
                raise
            command = e.ctx.command_path.removeprefix(ctx.command_path).strip() if e.ctx else "COMMAND"
            raise click.UsageError(
                f"{e.message}: --data-dir goes before the command, as in "
                f"`policywatch --data-dir DIR {command} ...` (or set POLICYWATCH_DATA_DIR)",
                e.ctx,
            ) from None


@click.group(cls=Commands, context_settings=CONTEXT)
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
      policywatch notify --dry-run            # what data/notify.yml's subscriptions would get
      policywatch diff old.md new.md          # what changed between two files
      policywatch demo                        # the bundled example, served on :8000
    """


for command in (*track.COMMANDS, *alerts.COMMANDS, *history.COMMANDS, *tools.COMMANDS):
    cli.add_command(command)
