"""The sources registry: `data/sources/*.yml` loaded into validated models (▶ sources contract).

Every problem names its file, document and field; loading either returns every document or raises
one SourcesError listing all problems, so a bad file never half-configures a crawl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from cssselect import GenericTranslator, SelectorError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import SourceProblem, SourcesError

ID_PATTERN = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: `$` would let a final newline through
LANG_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")  # a BCP 47 tag: en, fr, pt-BR, zh-Hant
_translator = GenericTranslator()


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


# Characters a title or a service name may not hold: control characters, and the bidirectional
# controls that can make a line on the site read backwards (U+202E "RIGHT-TO-LEFT OVERRIDE").
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f]")


def check_label(value: str) -> str:
    """ValueError when a title or service name holds a control or bidirectional control character."""
    m = BIDI_CONTROLS.search(value)
    if m:
        raise ValueError(
            f"contains the bidirectional control character U+{ord(m.group(0)):04X}, which can make the line read "
            "backwards on the site: remove it"
        )
    m = CONTROL_CHARS.search(value)
    if m:
        raise ValueError(f"contains the control character U+{ord(m.group(0)):04X}: remove it")
    return value


def check_selector(selector: str) -> None:
    """Raise ValueError if `selector` is not a CSS selector lxml/cssselect can apply."""
    if not selector.strip():
        raise ValueError("empty CSS selector")
    try:
        _translator.css_to_xpath(selector)
    except SelectorError as e:
        raise ValueError(f"not a valid CSS selector {selector!r} ({e})") from None


class DocumentSource(BaseModel):
    """One tracked document, as written in a sources file."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=120)
    title: str = Field(min_length=1)
    url: str
    select: tuple[str, ...] | None = None
    remove: tuple[str, ...] = ()
    render: Literal["http", "browser"] = "http"
    tags: tuple[str, ...] = ()
    wait_for: str | None = None
    confirm: int = Field(default=1, ge=1, le=5)
    ignore_robots: str | None = None  # the reason robots.txt is not obeyed for this document
    lang: str | None = None  # the language the page is written in (detected from its text when absent)

    @field_validator("lang")
    @classmethod
    def _lang(cls, v: str | None) -> str | None:
        if v is not None and not LANG_PATTERN.match(v):
            raise ValueError(f"must be a language tag such as 'en', 'fr' or 'pt-BR', got {v!r}")
        return v

    @field_validator("ignore_robots", mode="before")
    @classmethod
    def _robots_reason(cls, v: object) -> object:
        if v is not None and (not isinstance(v, str) or len(v.split()) < 2):
            raise ValueError("must give the reason robots.txt is ignored for this page (a few words)")
        return v

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return check_label(v)

    @field_validator("confirm", mode="before")
    @classmethod
    def _confirm(cls, v: object) -> object:
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5:
            raise ValueError(f"must be a whole number from 1 to 5 (the crawls that must agree), got {v!r}")
        return v

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError("must be lowercase letters, digits and single hyphens ([a-z0-9-])")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"must be an http(s) URL, got {v!r}")
        if not parts.hostname:
            raise ValueError(f"has no host: {v!r}")
        if any(c.isspace() for c in v):
            raise ValueError(f"contains whitespace: {v!r}")
        return v

    @field_validator("select", "remove", mode="before")
    @classmethod
    def _selector_list(cls, v: object) -> object:
        return _as_list(v)

    @field_validator("select", "remove")
    @classmethod
    def _selectors(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None:
            if not v:
                raise ValueError("an empty list: leave the key out instead")
            for s in v:
                check_selector(s)
        return v

    @field_validator("wait_for")
    @classmethod
    def _wait_for(cls, v: str | None) -> str | None:
        if v is not None:
            check_selector(v)
        return v

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v: object) -> object:
        if isinstance(v, str):
            raise ValueError(f"must be a list, e.g. [{v}] for one tag")
        return v

    @field_validator("tags")
    @classmethod
    def _tag_names(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for tag in v:
            if not ID_PATTERN.match(tag):
                raise ValueError(f"tag {tag!r} must be lowercase letters, digits and hyphens")
        return v


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    service: str = Field(min_length=1)
    documents: list[object] = Field(min_length=1)

    @field_validator("service")
    @classmethod
    def _service(cls, v: str) -> str:
        return check_label(v)


@dataclass(frozen=True)
class Document:
    """A tracked document with the service it belongs to and the file that declared it."""

    source: DocumentSource
    service: str
    file: str

    def __getattr__(self, name: str):  # doc.id, doc.url, ... read through to the source
        return getattr(self.source, name)


def _problems_from(error: ValidationError, file: str, document: str | None) -> list[SourceProblem]:
    problems = []
    for e in error.errors():
        field = ".".join(str(p) for p in e["loc"] if not isinstance(p, int)) or None
        if e["type"] == "extra_forbidden":
            message = "unknown key (see the README's sources reference)"
        elif e["type"] == "missing":
            message = "is required"
        elif e["type"] == "literal_error" and field == "render":
            message = f"must be 'http' or 'browser', got {e['input']!r}"
        else:
            message = e["msg"].removeprefix("Value error, ")
        problems.append(SourceProblem(file, document, field, message))
    return problems


def sources_files(path: Path) -> list[Path]:
    """The sources files at `path`: the file itself, or every *.yml/*.yaml in the folder."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
    raise SourcesError([SourceProblem(str(path), None, None, "no such file or folder")])


def load_file(path: Path) -> tuple[list[Document], list[SourceProblem]]:
    name = str(path)
    try:
        # libyaml's parser when PyYAML has it: ten times faster on a thousand documents
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except UnicodeDecodeError:
        return [], [SourceProblem(name, None, None, "is not UTF-8 text")]
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return [], [SourceProblem(name, None, None, f"is not valid YAML{at}: {getattr(e, 'problem', e)}")]
    except OSError as e:
        return [], [SourceProblem(name, None, None, f"cannot be read: {e.strerror}")]
    if raw is None:
        if path.read_text(encoding="utf-8").strip():  # comments only, as `policywatch init --empty` writes
            return [], [SourceProblem(name, None, None, "declares no documents yet: add them as its comments show")]
        return [], [SourceProblem(name, None, None, "is empty")]
    if not isinstance(raw, dict):
        return [], [SourceProblem(name, None, None, "must be a mapping with 'service' and 'documents'")]
    try:
        top = SourcesFile.model_validate(raw)
    except ValidationError as e:
        return [], _problems_from(e, name, None)

    documents, problems = [], []
    for i, entry in enumerate(top.documents):
        if not isinstance(entry, dict):
            problems.append(SourceProblem(name, f"#{i + 1}", None, "must be a mapping of keys"))
            continue
        label = entry.get("id") if isinstance(entry.get("id"), str) and entry.get("id") else f"#{i + 1}"
        try:
            documents.append(Document(DocumentSource.model_validate(entry), top.service, name))
        except ValidationError as e:
            problems.extend(_problems_from(e, name, label))
    return documents, problems


def load_sources(path: Path | str) -> list[Document]:
    """Every document declared at `path` (a file or a folder), sorted by id; SourcesError if any
    file is malformed or an id is declared twice."""
    path = Path(path)
    files = sources_files(path)
    if not files:
        raise SourcesError([SourceProblem(str(path), None, None, "holds no *.yml sources files")])
    documents: list[Document] = []
    problems: list[SourceProblem] = []
    for f in files:
        docs, probs = load_file(f)
        documents.extend(docs)
        problems.extend(probs)
    seen: dict[str, Document] = {}
    for doc in documents:
        if doc.id in seen:
            first = seen[doc.id].file
            problems.append(SourceProblem(doc.file, doc.id, "id", f"is already declared in {first}"))
        else:
            seen[doc.id] = doc
    if problems:
        raise SourcesError(problems)
    return sorted(documents, key=lambda d: d.id)
