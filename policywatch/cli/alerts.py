"""The notify command: new changes to the subscriptions of data/notify.yml (e-mail, chat,
webhooks through Apprise), each once; `run` calls the same code after publishing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from .options import CONTEXT, base_url_option, data_dir_of, errors_as_messages, now, sources_option, wait_option

# Test-only hook: seconds to sleep between two deliveries, so a test can kill the run there
# (tests/cli/test_notify.py). Never set it in a real run.
PAUSE_VARIABLE = "POLICYWATCH_NOTIFY_PAUSE"


def _pause():
    value = os.environ.get(PAUSE_VARIABLE)
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise click.UsageError(f"{PAUSE_VARIABLE}={value!r} is not a number of seconds") from None
    return lambda: time.sleep(seconds)


def line_text(line) -> str:
    to = f"  → {line.target}" if line.target else ""
    detail = f"  ({line.detail})" if line.detail else ""
    return f"{line.status:11} {line.subscription}  {line.key}{to}{detail}"


def run_notify(data_dir: Path, *, sources: Path | None, base_url: str, wait: float, dry_run: bool = False) -> int:
    """The notify job with the command's printing; the exit status it asks for (0, or 1 when a
    delivery failed, waits for its retry or is unconfirmed)."""
    from policywatch.notifying import notify, prepare

    setup = prepare(data_dir, os.environ, sources=sources, base_url=base_url)
    if setup is None:
        click.echo(f"notify: no {data_dir / 'notify.yml'}: nothing to send", err=True)
        return 0
    n = len(setup.config.subscriptions)
    click.echo(f"notify: {n} subscription(s) in {setup.config.file}" + (" (dry run)" if dry_run else ""), err=True)
    report = notify(
        data_dir,
        setup,
        now=now(),
        wait=wait,
        dry_run=dry_run,
        pause=_pause(),
        progress=lambda line: click.echo(setup.masker(line_text(line)), err=True),
    )
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for name in report.started:
        click.echo(f"started     {name}  reads changes from now on; earlier history is not sent", err=True)
    for name in report.removed:
        click.echo(f"removed     {name}  no longer in notify.yml: its delivery state was deleted", err=True)
    for line in report.lines:
        if line.status in ("unconfirmed", "dropped"):  # the others were printed as they happened
            click.echo(setup.masker(line_text(line)), err=True)
    for name, count in sorted(report.queued.items()):
        if count:
            click.echo(f"queued      {name}  {count} change(s) for its next digest", err=True)
    for sub, targets, message in report.previews:
        to = ", ".join(f"{t.label} as {t.format}" for t in targets)
        click.echo(f"=== {sub.name} → {to}")
        click.echo(f"{message.key}: {message.title}")
        click.echo(message.text)
    counts = {s: report.count(s) for s in ("sent", "failed", "deferred", "unconfirmed", "would-send")}
    if dry_run:
        click.echo(f"dry run: {counts['would-send']} deliveries would be made; nothing sent or written", err=True)
        return 0
    click.echo(
        f"done: {counts['sent']} sent, {counts['failed']} failed (kept for a retry), "
        f"{counts['deferred']} waiting for a retry, {counts['unconfirmed']} unconfirmed",
        err=True,
    )
    return 1 if counts["failed"] or counts["deferred"] or counts["unconfirmed"] else 0


@click.command(context_settings=CONTEXT)
@sources_option
@base_url_option
@click.option("--dry-run", is_flag=True, help="Print what would be sent to whom; send nothing, write nothing.")
@click.option(
    "--test",
    "test_name",
    metavar="NAME",
    default=None,
    help="Send one test message to each URL of subscription NAME (nothing is recorded).",
)
@wait_option
@click.pass_context
@errors_as_messages
def notify(
    ctx: click.Context, sources: Path | None, base_url: str, dry_run: bool, test_name: str | None, wait: float
) -> None:
    """Send new changes to the subscriptions of DATA_DIR/notify.yml, each change once.

    Subscriptions name environment variables holding Apprise URLs (e-mail, Slack, Teams,
    Discord, Telegram, ntfy, JSON webhooks, ...); see the README. Immediate subscriptions
    get an alert per change; daily and weekly ones a digest when its time comes. A new
    subscription starts from now (one welcome message, no history). A delivery that fails
    is kept and retried by later runs with a growing delay, never sent twice; the state
    lives in DATA_DIR/notify-state/ and is committed with the data. Exit 2: notify.yml is
    invalid (nothing sent); 1: a delivery failed or waits for its retry; 0 otherwise.

    \b
    Examples:
      policywatch notify --dry-run
      policywatch notify --base-url https://you.github.io/policywatch/
      policywatch notify --test fees-digest
      NOTIFY_EMAIL_URL='mailto://127.0.0.1:2525/?from=pw@example.com&to=me@example.com' policywatch notify
    """
    data_dir = data_dir_of(ctx)
    if test_name is not None:
        from policywatch.notifying import prepare, send_test

        setup = prepare(data_dir, os.environ, sources=sources, base_url=base_url)
        if setup is None:
            raise click.UsageError(f"no {data_dir / 'notify.yml'}: there is no subscription to test")
        lines = send_test(setup, test_name, now())
        for line in lines:
            click.echo(setup.masker(line_text(line)), err=True)
        if not lines or any(line.status != "sent" for line in lines):
            raise click.exceptions.Exit(1)
        return
    status = run_notify(data_dir, sources=sources, base_url=base_url, wait=wait, dry_run=dry_run)
    if status:
        raise click.exceptions.Exit(status)


COMMANDS = (notify,)
