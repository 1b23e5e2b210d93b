"""Errors shared by every floor of policywatch; the CLI turns them into clear messages.

PolicywatchError          anything policywatch reports to a user
├── SourcesError          a sources file is malformed: names file, document and field
├── NotifyConfigError     data/notify.yml is malformed: names file, subscription or watch, field
├── StoreError            the data folder cannot be read or written as expected
│   ├── LockedError       another run holds the data folder
│   └── CorruptRecordError  one file of the record is malformed (the others are fine)
├── CrawlError            the crawl itself could not run (not a page failure)
└── ImportSourceError     an archive to import is unreadable or malformed
"""

from __future__ import annotations

from dataclasses import dataclass


class PolicywatchError(Exception):
    """Base of all errors policywatch reports to a user."""


@dataclass(frozen=True)
class SourceProblem:
    file: str
    document: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.document:
            where.append(f"document {self.document!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return ": ".join([*where, self.message])


class SourcesError(PolicywatchError):
    """One or more problems in sources files; nothing may be crawled or written."""

    def __init__(self, problems: list[SourceProblem]):
        self.problems = problems
        lines = [str(p) for p in problems]
        head = "invalid sources" if len(lines) != 1 else "invalid source"
        super().__init__(f"{head}:\n  " + "\n  ".join(lines))


@dataclass(frozen=True)
class NotifyProblem:
    file: str
    entry: str | None  # "subscription 'fees-digest'", "watch 'lithium'"
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.entry:
            where.append(self.entry)
        if self.field:
            where.append(f"field {self.field!r}")
        return ": ".join([*where, self.message])


class NotifyConfigError(PolicywatchError):
    """One or more problems in the notifications file; nothing may be sent."""

    def __init__(self, problems: list[NotifyProblem]):
        self.problems = problems
        lines = [str(p) for p in problems]
        head = (
            "invalid notifications file" if len(lines) == 1 else f"invalid notifications file ({len(lines)} problems)"
        )
        super().__init__(f"{head}:\n  " + "\n  ".join(lines))


class StoreError(PolicywatchError):
    """The data folder is unreadable, unwritable or holds a malformed file."""


class LockedError(StoreError):
    """Another policywatch run holds the data folder's lock."""


class CorruptRecordError(StoreError):
    """One file of the record (a version file) is malformed: truncated, edited by hand, misplaced.
    Only its document is affected; the message names the file."""


class CrawlError(PolicywatchError):
    """The crawl could not run at all (no browser, Scrapy failed to start, ...)."""


class ImportSourceError(PolicywatchError):
    """An archive given to `policywatch import` cannot be read."""
