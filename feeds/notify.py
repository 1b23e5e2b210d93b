"""Sending through Apprise (SMTP e-mail, Slack, Teams, Discord, Telegram, ntfy, Matrix, JSON
webhooks, ...): each subscription's URLs, read from the environment, opened as targets; a message
sent to one target in the format it takes; secrets masked in everything we print.

Apprise is imported only here, and only when something is checked or sent, so the command line
starts without it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from policywatch.archive.errors import NotifyConfigError, NotifyProblem
from policywatch.archive.notify_config import NotifyConfig, Subscription, target_urls

from .messages import Message

KEY_HEADER = "X-Policywatch-Key"  # the message's idempotency key, for services that take headers
SECRET_PART = re.compile(r"[^/:@?&=#,;+ ]{4,}")


@contextlib.contextmanager
def _quiet_imports() -> Iterator[None]:
    # Apprise's e-mail plugin imports the standard library's imghdr, deprecated since 3.11: a
    # warning about Apprise's code, not ours, and an error under `python -W error`
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _apprise() -> Any:
    with _quiet_imports():
        import apprise

    return apprise


class Masker:
    """Replaces every secret part of the URLs it knows with ***."""

    def __init__(self, secrets: set[str] | None = None):
        self.secrets = sorted(secrets or set(), key=len, reverse=True)

    def add(self, url: str, public: str) -> None:
        """Learn the secret parts of `url`: whatever Apprise's privacy form of it (`public`)
        does not show, and the password, decoded or not."""
        found = {url}
        parts = urlsplit(url)
        if parts.password:
            found.update({parts.password, unquote(parts.password)})
        for token in SECRET_PART.findall(url):
            for t in {token, unquote(token)}:
                if t not in public:
                    found.add(t)
        self.secrets = sorted(set(self.secrets) | {s for s in found if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "***")
        return text


@dataclass
class Target:
    """One Apprise URL of a subscription."""

    id: str  # the environment variable (VAR#2 for its second URL)
    subscription: str
    service: str  # as Apprise names it: E-Mail, Slack, JSON, ...
    format: str  # text | markdown | html: what messages are rendered as for it
    plugin: Any = field(repr=False)

    @property
    def label(self) -> str:
        return f"{self.id} ({self.service})"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextlib.contextmanager
def _apprise_log() -> Iterator[_Collect]:
    """Apprise's warnings collected (and not printed) while it works."""
    logger = logging.getLogger("apprise")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _format(sub: Subscription, plugin: Any) -> str:
    if sub.format != "auto":
        return sub.format
    formats = plugin.notify_format
    first = formats[0] if isinstance(formats, tuple) else formats
    return str(getattr(first, "value", first))


def open_targets(config: NotifyConfig, env: Mapping[str, str], masker: Masker) -> dict[str, list[Target]]:
    """Every subscription's targets; NotifyConfigError naming each URL Apprise cannot use (by
    its variable, never by its text)."""
    apprise = _apprise()
    asset = apprise.AppriseAsset()
    asset.app_id, asset.app_desc = "policywatch", "policywatch alerts"
    out: dict[str, list[Target]] = {}
    problems = []
    for sub in config.subscriptions:
        targets = []
        for tid, url in target_urls(sub, env):
            with _quiet_imports(), _apprise_log() as log:
                plugin = apprise.Apprise.instantiate(url, asset=asset)
            if plugin is None:
                scheme = url.split("://", 1)[0]
                said = f" ({masker(log.lines[-1])})" if log.lines else ""
                problems.append(
                    NotifyProblem(
                        config.file,
                        f"subscription {sub.name!r}",
                        "urls",
                        f"{tid} holds a URL Apprise cannot use: scheme {scheme!r} is not a service it knows, "
                        f"or the URL lacks something the service needs{said}",
                    )
                )
                continue
            masker.add(url, plugin.url(privacy=True))
            targets.append(Target(tid, sub.name, plugin.service_name, _format(sub, plugin), plugin))
        out[sub.name] = targets
    if problems:
        raise NotifyConfigError(problems)
    return out


def send(target: Target, message: Message, masker: Masker) -> tuple[bool, str]:
    """Send `message` to `target`: (True, "") or (False, what went wrong, secrets masked)."""
    apprise = _apprise()
    plugin = target.plugin
    if isinstance(getattr(plugin, "headers", None), dict):
        # receivers that keep it (a webhook, a mail filter) can drop a message they already have
        plugin.headers[KEY_HEADER] = message.key
    body = message.body(target.format)
    with _quiet_imports(), _apprise_log() as log:
        sender = apprise.Apprise()
        sender.add(plugin)
        try:
            ok = bool(sender.notify(body=body, title=message.title, body_format=apprise.NotifyFormat(target.format)))
        except Exception as e:  # a plugin's bug must not stop the other deliveries
            log.lines.append(f"{type(e).__name__}: {e}")
            ok = False
    if ok:
        return True, ""
    said = "; ".join(dict.fromkeys(line.strip() for line in log.lines if line.strip()))
    return False, masker(said or f"{target.service} did not accept the message")[:500]
