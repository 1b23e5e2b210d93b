"""The notifications file, `data/notify.yml` (▶ contract): subscriptions and keyword watches loaded
into validated models. Every problem names the file, the subscription or watch, and the field;
loading returns the whole configuration or raises one NotifyConfigError listing every problem.

Secrets never live here: a subscription names the environment variables that hold its Apprise
URLs. Whether Apprise can use those URLs is checked where they are used (feeds/notify.py).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from policywatch.diffs.topics import TOPICS

from .errors import NotifyConfigError, NotifyProblem
from .sources import ID_PATTERN, Document

NOTIFY_FILE = "notify.yml"
SIGNIFICANCE_RANK = {"cosmetic": 0, "minor": 1, "substantive": 2}
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DEFAULT_AT = "08:00"
SNIPPET = 90  # characters of context kept on each side of a keyword match


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


def keyword_regex(keyword: str) -> str:
    """A keyword as a regular expression: case aside, whole words, any white space between the
    words of a phrase; a trailing * matches any ending ("suspen*": suspend, suspension)."""
    prefix = keyword.endswith("*")
    words = keyword[:-1].split() if prefix else keyword.split()
    body = r"\s+".join(re.escape(w) for w in words)
    return r"(?<!\w)" + body + (r"\w*" if prefix else r"(?!\w)")


def _check_keyword(keyword: str) -> str:
    if not re.search(r"\w", keyword):
        raise ValueError(f"keyword {keyword!r} has no letter or digit")
    if "*" in keyword[:-1]:
        raise ValueError(f"keyword {keyword!r}: '*' may only end a keyword (use patterns for more)")
    return keyword


def _check_pattern(pattern: str) -> str:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        raise ValueError(f"pattern {pattern!r} is not a valid regular expression ({e})") from None
    if compiled.match(""):
        raise ValueError(f"pattern {pattern!r} matches empty text, so it would match every change")
    return pattern


class _Terms(BaseModel):
    """What watches and subscriptions share: keywords and regular expressions."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    @field_validator("keywords", "patterns", mode="before")
    @classmethod
    def _lists(cls, v: object) -> object:
        return _as_list(v)

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_keyword(k) for k in v)

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_pattern(p) for p in v)


def _name(v: str) -> str:
    if not ID_PATTERN.match(v):
        raise ValueError("must be lowercase letters, digits and single hyphens ([a-z0-9-])")
    return v


class WatchModel(_Terms):
    name: str = Field(min_length=1, max_length=60)
    title: str | None = None

    _check_name = field_validator("name")(_name)

    @model_validator(mode="after")
    def _has_terms(self) -> WatchModel:
        if not self.keywords and not self.patterns:
            raise ValueError("a watch needs keywords or patterns")
        return self


class SubscriptionModel(_Terms):
    name: str = Field(min_length=1, max_length=60)
    urls: tuple[str, ...] = Field(min_length=1)
    mode: Literal["immediate", "daily", "weekly"] = "immediate"
    format: Literal["auto", "text", "markdown", "html"] = "auto"
    documents: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    significance: Literal["cosmetic", "minor", "substantive"] = "substantive"
    watches: tuple[str, ...] = ()
    health: bool = False
    welcome: bool = True
    at: str | None = None
    day: str | None = None
    timezone: str = "UTC"

    _check_name = field_validator("name")(_name)

    @field_validator("urls", "documents", "services", "tags", "topics", "watches", mode="before")
    @classmethod
    def _more_lists(cls, v: object) -> object:
        return _as_list(v)

    @field_validator("urls")
    @classmethod
    def _env_names(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for name in v:
            if "://" in name or not ENV_NAME.match(name):
                # never echo it: whoever wrote a URL here wrote a secret
                raise ValueError(
                    "must name environment variables (e.g. NOTIFY_EMAIL_URL) that hold the Apprise URLs, "
                    "not the URLs themselves: a URL carries a password or token and belongs in a secret"
                )
        if len(set(v)) != len(v):
            raise ValueError("names the same variable twice")
        return v

    @field_validator("topics")
    @classmethod
    def _topics(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for topic in v:
            if topic not in TOPICS:
                raise ValueError(f"unknown topic {topic!r} (one of {', '.join(TOPICS)})")
        return v

    @field_validator("at")
    @classmethod
    def _at(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and info.data.get("mode") == "immediate":
            raise ValueError("is the time of a daily or weekly digest: this subscription is immediate")
        if v is not None and not TIME_OF_DAY.match(v):
            raise ValueError(f"must be a time of day as HH:MM (24 hours), got {v!r}")
        return v

    @field_validator("day")
    @classmethod
    def _day(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and info.data.get("mode") != "weekly":
            raise ValueError("is the day of a weekly digest: this subscription is not weekly")
        if v is not None and v.lower() not in DAYS:
            raise ValueError(f"must be a day of the week ({', '.join(DAYS)}), got {v!r}")
        return v.lower() if v else v

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (an IANA name such as Europe/Berlin, or UTC)") from None
        return v


class NotifyFile(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    site_url: str | None = None
    watches: list[object] = []
    subscriptions: list[object] = []

    @field_validator("site_url")
    @classmethod
    def _site_url(cls, v: str | None) -> str | None:
        if v is not None:
            parts = urlsplit(v)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"must be the http(s) URL the site is published at, got {v!r}")
        return v


# ---------------------------------------------------------------------------- runtime objects


class Hit(NamedTuple):
    """Where a keyword or pattern matched the text a change added or removed."""

    term: str  # as written in notify.yml
    side: str  # added | removed
    text: str  # the sentence around it, cut to a snippet
    start: int  # the match within `text`
    end: int

    def as_dict(self) -> dict:
        return self._asdict()


class Matcher:
    """Keywords and patterns, each compiled once (case aside). A keyword is looked for only in
    text that holds each of its words: most changes meet most subscriptions' keywords without
    a regular expression being run."""

    def __init__(self, keywords: Iterable[str], patterns: Iterable[str]):
        keywords, patterns = list(keywords), list(patterns)
        self.terms = list(dict.fromkeys([*keywords, *patterns]))
        keyword_set = set(keywords)
        # (term, its regular expression, the lowercase words a text must hold, or None: a pattern)
        self.compiled = [
            (t, re.compile(keyword_regex(t), re.IGNORECASE), t.removesuffix("*").lower().split())
            if t in keyword_set
            else (t, re.compile(t, re.IGNORECASE), None)
            for t in self.terms
        ]
        self.any_pattern = bool(patterns)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def may_match(self, folded: str) -> bool:
        """False when no keyword can match `folded` (the texts joined, lowercased) and there is
        no pattern."""
        return self.any_pattern or any(all(w in folded for w in words) for _, _, words in self.compiled if words)

    def find(
        self, added: list[str], removed: list[str], most: int = 3, memo: dict[tuple, list] | None = None
    ) -> list[Hit]:
        """The first match of each term in the added, then in the removed text, in the order
        they appear; at most `most`. `memo`, kept with the texts, shares each term's matches
        between the subscriptions that look for it (most take their keywords from watches)."""
        found: list[tuple[int, int, int, Hit]] = []
        for entry in self.compiled:
            key = (entry[0], entry[2] is None)
            firsts = memo.get(key) if memo is not None else None
            if firsts is None:
                firsts = _firsts(entry, added, removed)
                if memo is not None:
                    memo[key] = firsts
            found.extend(firsts)
        found.sort(key=lambda f: f[:3])
        return [f[3] for f in found[:most]]


def _firsts(entry: tuple, added: list[str], removed: list[str]) -> list[tuple[int, int, int, Hit]]:
    """A term's first match in the added text and its first in the removed text, with where
    they are (side, text, offset) for ordering."""
    term, rx, words = entry
    out = []
    for rank, (side, texts) in enumerate((("added", added), ("removed", removed))):
        for n, text in enumerate(texts):
            if words is not None:
                low = text.lower()
                if not all(w in low for w in words):
                    continue
            m = next((m for m in rx.finditer(text) if m.end() > m.start()), None)
            if m is not None:
                out.append((rank, n, m.start(), _hit(term, side, text, m.start(), m.end())))
                break
    return out


def _hit(term: str, side: str, text: str, start: int, end: int) -> Hit:
    """The match with up to SNIPPET characters either side, cut at spaces."""
    lo, hi = max(0, start - SNIPPET), min(len(text), end + SNIPPET)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space >= 0 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space >= 0 else hi
    head, tail = ("…" if lo > 0 else ""), ("…" if hi < len(text) else "")
    snippet = head + text[lo:hi] + tail
    return Hit(term, side, snippet, start - lo + len(head), end - lo + len(head))


@dataclass(frozen=True)
class Watch:
    name: str
    title: str
    keywords: tuple[str, ...]
    patterns: tuple[str, ...]
    matcher: Matcher = field(compare=False, repr=False)

    @property
    def terms(self) -> list[str]:
        return [*self.keywords, *self.patterns]


class Subscription:
    """One subscription, with its filters compiled (a run asks them of every new change)."""

    __slots__ = ("_docs", "_rank", "_services", "_tags", "_topics", "matcher", "model")

    def __init__(self, model: SubscriptionModel, matcher: Matcher):
        self.model = model
        self.matcher = matcher
        docs = model.documents
        self._docs = re.compile("|".join(fnmatch.translate(d) for d in docs)) if docs else None
        self._services = frozenset(s.casefold() for s in model.services)
        self._tags = frozenset(model.tags)
        self._rank = SIGNIFICANCE_RANK[model.significance]
        self._topics = frozenset(model.topics)

    def __getattr__(self, name: str):  # sub.name, sub.mode, ... read through to the model
        if name == "model":
            raise AttributeError(name)
        return getattr(self.model, name)

    @property
    def schedule_at(self) -> str:
        return self.model.at or DEFAULT_AT

    @property
    def schedule_day(self) -> str:
        return self.model.day or "monday"

    def in_scope(self, doc_id: str, service: str, tags: Iterable[str]) -> bool:
        """Is the document one this subscription follows (documents, services, tags)?"""
        if self._docs is not None and not self._docs.match(doc_id):
            return False
        if self._services and service.casefold() not in self._services:
            return False
        return not self._tags or not self._tags.isdisjoint(tags)

    def why_not(self, significance: str, topics: Iterable[str]) -> str | None:
        """The first filter (beyond the scope and the keywords) a change fails, or None."""
        if SIGNIFICANCE_RANK.get(significance, 0) < self._rank:
            return "significance"
        if self._topics and self._topics.isdisjoint(topics):
            return "topic"
        return None


@dataclass
class NotifyConfig:
    file: str
    site_url: str | None = None
    subscriptions: list[Subscription] = field(default_factory=list)
    watches: list[Watch] = field(default_factory=list)

    def subscription(self, name: str) -> Subscription | None:
        return next((s for s in self.subscriptions if s.name == name), None)


# ---------------------------------------------------------------------------- loading


def _problems(error: ValidationError, file: str, entry: str | None) -> list[NotifyProblem]:
    out = []
    for e in error.errors():
        loc = [str(p) for p in e["loc"] if not isinstance(p, int)]
        name = ".".join(loc) or None
        if e["type"] == "extra_forbidden":
            message = "unknown key (see the README's notifications reference)"
        elif e["type"] == "missing":
            message = "is required"
        elif e["type"] == "literal_error":
            message = f"must be one of {e['ctx']['expected']}, got {e['input']!r}"
        elif e["type"] == "too_short" and name == "urls":
            message = "names no environment variable"
        else:
            message = e["msg"].removeprefix("Value error, ")
        out.append(NotifyProblem(file, entry, name, message))
    return out


M = TypeVar("M", bound="WatchModel | SubscriptionModel")


def _validated(
    entries: list, kind: str, model_type: type[M], file: str, problems: list[NotifyProblem]
) -> Iterator[tuple[str, M]]:
    """(where, model) of each entry of a list that is valid: a mapping of known keys and good
    values, with a name no entry before it took; a problem naming the entry for each other one."""
    names: set[str] = set()
    for n, entry in enumerate(entries, 1):
        ident = entry.get("name") if isinstance(entry, dict) else None
        where = f"{kind} {ident!r}" if isinstance(ident, str) and ident else f"{kind} #{n}"
        if not isinstance(entry, dict):
            problems.append(NotifyProblem(file, where, None, "must be a mapping of keys"))
            continue
        try:
            model = model_type.model_validate(entry)
        except ValidationError as e:
            problems.extend(_problems(e, file, where))
            continue
        if model.name in names:
            problems.append(NotifyProblem(file, where, "name", f"is already the name of another {kind}"))
            continue
        names.add(model.name)
        yield where, model


def read_yaml(path: Path) -> object:
    name = str(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise NotifyConfigError([NotifyProblem(name, None, None, "is not UTF-8 text")]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = NotifyProblem(name, None, None, f"is not valid YAML{at}: {getattr(e, 'problem', e)}")
        raise NotifyConfigError([problem]) from None
    except OSError as e:
        raise NotifyConfigError([NotifyProblem(name, None, None, f"cannot be read: {e.strerror}")]) from None


def target_urls(sub: Subscription, env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(target id, Apprise URL) of each URL in the subscription's variables: a variable may hold
    several URLs separated by white space; the first is named after the variable, the next
    VAR#2, VAR#3, ... (so adding a URL keeps the names of those before it)."""
    out = []
    for var in sub.urls:
        for n, url in enumerate(env.get(var, "").split(), 1):
            out.append((var if n == 1 else f"{var}#{n}", url))
    return out


def _env_problems(file: str, sub: Subscription, env: Mapping[str, str]) -> list[NotifyProblem]:
    problems = []
    entry = f"subscription {sub.name!r}"
    for var in sub.urls:
        value = env.get(var, "")
        if not value.strip():
            hint = "not set" if var not in env else "empty"
            problems.append(
                NotifyProblem(
                    file,
                    entry,
                    "urls",
                    f"environment variable {var} is {hint} (it must hold the Apprise URL; in GitHub Actions: "
                    "a repository secret passed to the notify step's env)",
                )
            )
            continue
        for n, url in enumerate(value.split(), 1):
            if "://" not in url:
                which = f"{var}" if n == 1 else f"{var} (URL {n})"
                problems.append(NotifyProblem(file, entry, "urls", f"{which} does not hold a URL (scheme://...)"))
    return problems


def load_notify(path: Path | str, env: Mapping[str, str] | None = None) -> NotifyConfig:
    """The configuration in `path`. With `env`, every variable a subscription names must be set
    to one or more URLs; without it (publishing the watches) the variables are not looked at."""
    path = Path(path)
    name = str(path)
    raw = read_yaml(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise NotifyConfigError([NotifyProblem(name, None, None, "must be a mapping with 'subscriptions'")])
    try:
        top = NotifyFile.model_validate(raw)
    except ValidationError as e:
        raise NotifyConfigError(_problems(e, name, None)) from None
    problems: list[NotifyProblem] = []
    config = NotifyConfig(name, top.site_url)

    for _, w in _validated(top.watches, "watch", WatchModel, name, problems):
        config.watches.append(Watch(w.name, w.title or w.name, w.keywords, w.patterns, Matcher(w.keywords, w.patterns)))
    watches = {w.name: w for w in config.watches}
    for where, model in _validated(top.subscriptions, "subscription", SubscriptionModel, name, problems):
        unknown = [w for w in model.watches if w not in watches]
        if unknown:
            problems.append(NotifyProblem(name, where, "watches", f"no watch is named {', '.join(unknown)}"))
            continue
        keywords = [*model.keywords, *(k for w in model.watches for k in watches[w].keywords)]
        patterns = [*model.patterns, *(p for w in model.watches for p in watches[w].patterns)]
        sub = Subscription(model, Matcher(keywords, patterns))
        if env is not None:
            problems.extend(_env_problems(name, sub, env))
        config.subscriptions.append(sub)
    if problems:
        raise NotifyConfigError(problems)
    return config


def check_against_sources(config: NotifyConfig, documents: list[Document]) -> list[NotifyProblem]:
    """Filters that can never match: documents, services and tags the sources do not declare."""
    ids = [d.id for d in documents]
    services = {d.service.casefold() for d in documents}
    tags = {t for d in documents for t in d.tags}
    problems = []
    for sub in config.subscriptions:
        entry = f"subscription {sub.name!r}"
        for pattern in sub.documents:
            if not any(fnmatch.fnmatchcase(i, pattern) for i in ids):
                problems.append(
                    NotifyProblem(config.file, entry, "documents", f"{pattern!r} names no declared document")
                )
        for service in sub.services:
            if service.casefold() not in services:
                problems.append(
                    NotifyProblem(config.file, entry, "services", f"no declared document is of {service!r}")
                )
        for tag in sub.tags:
            if tag not in tags:
                problems.append(NotifyProblem(config.file, entry, "tags", f"no declared document has the tag {tag!r}"))
    return problems
