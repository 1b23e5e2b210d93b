"""The dev corpus as a user gets it: every document of ../shared/corpus/dev imported (`import dir`)
into a data folder and published; and what a published folder weighs, by kind of file. Used by
the corpus site tests and by bench/site_size.py."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# kinds of published files, by where they live (first match wins)
KINDS = (
    ("change pages", lambda p: "/changes/" in p and p.endswith(".html")),
    ("version pages", lambda p: "/versions/" in p and p.endswith(".html")),
    ("version texts", lambda p: "/versions/" in p or p.endswith("/texts.json")),
    ("feeds", lambda p: p.endswith((".atom", ".rss", ".opml"))),
    ("search index", lambda p: p.startswith(("pagefind/", "search-index"))),
    ("changes.json", lambda p: p == "changes.json"),
    ("other pages", lambda p: p.endswith(".html")),
    ("other files", lambda p: True),
)


def corpus_documents(corpus: Path) -> list[Path]:
    return sorted(p for p in (corpus / "dev").iterdir() if (p / "meta.json").is_file())


def import_corpus(data_dir: Path, corpus: Path) -> int:
    """Import every dev document (its versions and technical re-extractions), as
    `policywatch import dir <corpus>/dev/<doc> --doc <doc>` does; returns the number of documents."""
    from policywatch.importing import import_dir

    docs = corpus_documents(corpus)
    now = datetime(2026, 12, 1, tzinfo=UTC)  # only the import's own notes see it
    for folder in docs:
        import_dir(data_dir, folder.name, folder, now=now)
    return len(docs)


@dataclass
class SiteSizes:
    records: int  # change records in changes.json (one per recorded version)
    total: int  # bytes of every file
    files: int
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (files, bytes)
    change_pages: list[int] = field(default_factory=list)  # each change page's bytes, sorted

    @property
    def per_record(self) -> float:
        return self.total / max(self.records, 1)

    def percentile(self, q: float) -> int:
        """The q-th percentile (0-100) of the change pages' sizes (nearest rank)."""
        pages = self.change_pages
        if not pages:
            return 0
        rank = max(1, -(-len(pages) * q // 100))  # ceil
        return pages[int(rank) - 1]

    @property
    def median(self) -> float:
        return statistics.median(self.change_pages) if self.change_pages else 0

    def report(self) -> str:
        kb = 1000
        lines = [
            f"{self.records} change records, {self.files} files, {self.total / kb / kb:.1f} MB in all, "
            f"{self.per_record / kb:.1f} KB per change record",
            f"change pages: {len(self.change_pages)}, median {self.median / kb:.1f} KB, "
            f"95th percentile {self.percentile(95) / kb:.1f} KB, "
            f"largest {max(self.change_pages, default=0) / kb:.1f} KB",
            "| kind | files | MB | KB per record |",
            "|---|---|---|---|",
        ]
        for kind, (n, size) in self.by_kind.items():
            lines.append(f"| {kind} | {n} | {size / kb / kb:.2f} | {size / max(self.records, 1) / kb:.1f} |")
        return "\n".join(lines)


def site_sizes(out: Path) -> SiteSizes:
    records = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    by_kind = {kind: [0, 0] for kind, _ in KINDS}
    change_pages = []
    total = files = 0
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        rel = path.relative_to(out).as_posix()
        size = path.stat().st_size
        total += size
        files += 1
        kind = next(k for k, test in KINDS if test(rel))
        by_kind[kind][0] += 1
        by_kind[kind][1] += size
        if kind == "change pages":
            change_pages.append(size)
    return SiteSizes(
        len(records),
        total,
        files,
        {k: (n, b) for k, (n, b) in by_kind.items() if n},
        sorted(change_pages),
    )
