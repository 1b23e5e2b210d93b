"""The tally of a comparison (counts, sections, facts, the edits a headline quotes) and its second
line, the counts: "2 sections changed (Fees, Returns), 1 added (Batteries); +40 −12 words".
The headline itself is headline.py's."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .blocks import Block, display_title
from .classify import Assessment
from .facts import section_fact, term_fact
from .words import Codes

NAME_CHARS = 48
PATH_SEPARATOR = " \u203a "  # "8. Insurance › Insurance Limits"


@dataclass
class Tally:
    levels: list[str] = field(default_factory=list)
    cosmetic: set[str] = field(default_factory=set)
    minor: set[str] = field(default_factory=set)
    # sections with minor or substantive edits, and with substantive ones (dicts as ordered sets)
    changed: dict[str, None] = field(default_factory=dict)
    changed_substantive: dict[str, None] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)  # headings added
    removed: list[str] = field(default_factory=list)
    moved_sections: list[str] = field(default_factory=list)
    blocks_added: int = 0
    blocks_removed: int = 0
    blocks_modified: int = 0
    blocks_moved: int = 0
    blocks_renumbered: int = 0
    words_added: int = 0
    words_removed: int = 0
    facts: list[dict] = field(default_factory=list)
    substantive_facts: list[dict] = field(default_factory=list)  # facts of substantive edits only
    titles: dict[str, str] = field(default_factory=dict)  # raw heading → its display name
    title_keys: dict[str, str] = field(default_factory=dict)  # raw heading → its alignment key
    labels: dict[tuple[str, ...], str] = field(default_factory=dict)  # heading path → `label`
    paths_shown: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # heading path → `path`
    old_terms: list[str] = field(default_factory=list)
    new_terms: list[str] = field(default_factory=list)
    changed_text: list[str] = field(default_factory=list)  # the words edits added or removed, for topics
    context_text: list[str] = field(default_factory=list)  # the words before each edit in its clause
    codes: Codes = field(default_factory=Codes)  # word codes shared by the word diffs of blocks
    # for the headline: edited blocks (their word edits are quoted), blocks added or removed
    # (op, text, section), effective dates stated by added text
    quotes: list[tuple[Assessment, str, tuple[str, str]]] = field(default_factory=list)
    passages: list[tuple[str, str, str]] = field(default_factory=list)
    effective: list[dict] = field(default_factory=list)
    paths: dict[tuple[str, ...], None] = field(default_factory=dict)  # sections with edits, by their path

    def touch(self, block: Block, section: str | None, significance: str, reasons: list[str]) -> None:
        """A block edited (or moved): `section` None when its words did not change."""
        self.levels.append(significance)
        if significance == "minor":
            self.minor.update(reasons)
        if section is not None:
            self.changed[section] = None
            self.paths[self.path(block)] = None
            if significance == "substantive":
                self.changed_substantive[section] = None

    def label(self, block: Block) -> str:
        """How a headline names a block's section: its title, and the one above too when its own is
        only a number ("13. Relationship of Parties › 13.2"). Made once per heading path."""
        path = block.path
        name = self.labels.get(path)
        if name is None:
            name = self.labels[path] = self._label(path)
        return name

    def _label(self, path: tuple[str, ...]) -> str:
        if not path:
            return ""
        own = self.title(path[-1])
        if len(path) > 1 and not any(ch.isalpha() for ch in own.lstrip("SF-.")):
            return self.title(path[-2]) + PATH_SEPARATOR + own
        return own

    def path(self, block: Block) -> tuple[str, ...]:
        """The display names of the headings above a block (a heading's ends with itself), made
        once per heading path: the blocks of a section share it."""
        names = self.paths_shown.get(block.path)
        if names is None:
            names = self.paths_shown[block.path] = tuple(self.title(raw) for raw in block.path)
        return names

    def add_facts(self, facts: list[dict], significance: str) -> None:
        self.facts.extend(facts)
        if significance == "substantive":
            self.substantive_facts.extend(facts)

    def block_added_or_removed(self, op: str, block: Block, words: int, section: str) -> None:
        self.levels.append("substantive")
        if op == "added":
            self.blocks_added += 1
            self.words_added += words
        else:
            self.blocks_removed += 1
            self.words_removed += words
        path = self.path(block)
        self.paths[path] = None
        if block.kind == "heading":  # (a heading's section is itself: `section` is its title)
            (self.added if op == "added" else self.removed).append(section)
            self.facts.append(section_fact(f"section_{op}", section, PATH_SEPARATOR.join(path[:-1])))
        else:
            self.changed[section] = None
            self.changed_substantive[section] = None
            self.passages.append((op, block.key, self.label(block)))

    def moved(self, block: Block, section: str) -> None:
        self.blocks_moved += 1
        if block.kind == "heading":
            self.moved_sections.append(section)

    def title(self, raw: str) -> str:
        """A heading's display name, made once per comparison: every block under it names its
        section by it, and every heading under it its parents."""
        name = self.titles.get(raw)
        if name is None:
            name = self.titles[raw] = display_title(raw)
        return name

    def settle_terms(self) -> None:
        """Defined terms on one side of the changed blocks only: added or removed."""
        old, new = Counter(self.old_terms), Counter(self.new_terms)
        for term in dict.fromkeys(self.old_terms):
            if not new[term]:
                self.facts.append(term_fact("term_removed", term, ""))
        for term in dict.fromkeys(self.new_terms):
            if not old[term]:
                self.facts.append(term_fact("term_added", term, ""))

    def stats(self) -> dict:
        # sections added or removed are not also counted as changed
        changed = [s for s in self.changed if s not in self.added and s not in self.removed]
        return {
            "words_added": self.words_added,
            "words_removed": self.words_removed,
            "sections_changed": len(changed),
            "sections_added": len(self.added),
            "sections_removed": len(self.removed),
            "sections_moved": len(self.moved_sections),
            "blocks_added": self.blocks_added,
            "blocks_removed": self.blocks_removed,
            "blocks_modified": self.blocks_modified,
            "blocks_moved": self.blocks_moved,
            "blocks_renumbered": self.blocks_renumbered,
        }


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


def _names(names: list[str], limit: int = 2) -> str:
    shown = [_short(n) for n in names[:limit]]
    more = len(names) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def details(t: Tally, significance: str) -> str:
    """The counts under the headline: sections changed, added, removed and moved (named),
    paragraphs moved, words added and removed."""
    if significance == "cosmetic":
        return ""
    changed = [s for s in t.changed if s not in t.added and s not in t.removed]
    if significance == "substantive":
        # name what matters; sections with minor edits only (a date, a number) are counted after
        main = [s for s in t.changed_substantive if s not in t.added and s not in t.removed]
        minor_only = [s for s in changed if s not in main]
    else:
        main, minor_only = changed, []
    parts = []
    if main:
        named = [n for n in main if n]
        parts.append(_plural(len(main), "section") + " changed" + (f" ({_names(named)})" if named else ""))
    if t.added:
        parts.append(f"{len(t.added)} added ({_names(t.added)})")
    if t.removed:
        parts.append(f"{len(t.removed)} removed ({_names(t.removed)})")
    if t.moved_sections:
        parts.append(_plural(len(t.moved_sections), "section") + f" moved ({_names(t.moved_sections)})")
    elif t.blocks_moved:
        parts.append(_plural(t.blocks_moved, "paragraph") + " moved")
    if minor_only:
        parts.append(f"minor edits in {len(minor_only)} more")
    if significance == "minor" and t.minor:
        parts.append(f"minor ({', '.join(sorted(t.minor))})")
    words = f"+{t.words_added} \u2212{t.words_removed} words"
    return (", ".join(parts) + "; " if parts else "") + words


def cosmetic_summary(t: Tally, identical: bool) -> str:
    if identical:
        return "No change."
    kinds = sorted(t.cosmetic) or ["formatting"]
    return f"Formatting only ({', '.join(kinds)}); no wording changed."


def first_summary_text(words: int, sections: int) -> str:
    return f"First version recorded: {_plural(words, 'word')}, {_plural(sections, 'section')}."


def first_details(words: int, sections: int) -> str:
    return f"{_plural(sections, 'section')}; {words} words"
