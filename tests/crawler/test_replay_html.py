"""Real pages: the raw HTML of ../shared/corpus/dev_html (every version page and every noise page,
in date order, with each document's declaration.json selectors for the page's date) served from
a local server, one crawl per page. A version must be recorded for every page whose text changed
and none for any noise page (HTML changed, text did not)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from support.helpers import PageServer, write_sources

pytestmark = pytest.mark.slow

# Corpus quirk (corpus README, "Known quirks"): Markdown versions 002-008 of this document were
# recorded with a stale selector, so pages 002-008 and the first version page after them may or
# may not give a version.
STALE = {"mistral-ai-data-processor-agreement": ("002", "008")}


@dataclass
class Page:
    kind: str  # version | noise | not_noise
    path: Path
    date: datetime
    text_id: str  # which text OTA extracted from it: equal ids, equal texts
    optional: bool = False


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def load_pages(doc_dir: Path) -> list[Page]:
    meta = json.loads((doc_dir / "meta.json").read_text(encoding="utf-8"))
    pages = [Page("version", doc_dir / v["file"], _when(v["date"]), v["md_file"]) for v in meta["versions"]]
    for n in meta.get("noise_snapshots", []):
        if n.get("not_noise"):
            pages.append(Page("not_noise", doc_dir / n["file"], _when(n["date"]), n["file"]))
        else:
            pages.append(Page("noise", doc_dir / n["file"], _when(n["date"]), n["expected_same_text_as_md"]))
    pages.sort(key=lambda p: p.date)
    if doc_dir.name in STALE:
        first, last = STALE[doc_dir.name]
        versions = [p for p in pages if p.kind == "version"]
        numbers = [p.path.name[:3] for p in versions]
        for p, number in zip(versions, numbers, strict=True):
            if first <= number <= last:
                p.optional = True
        after = [p for p, number in zip(versions, numbers, strict=True) if number > last]
        if after:
            after[0].optional = True
    return pages


def selectors_at(declaration: dict, date: datetime) -> dict:
    """OTA history semantics: the first period still valid at the page's date, else the current one."""
    periods = declaration["periods"]
    chosen = next((p for p in periods if p["valid_until"] and _when(p["valid_until"]) >= date), None)
    chosen = chosen or next(p for p in periods if not p["valid_until"])
    out = {"select": chosen["select"]}
    if chosen.get("remove"):
        out["remove"] = chosen["remove"]
    return out


def test_real_pages_record_every_change_and_no_noise(corpus, server: PageServer, cli, tmp_path, capsys):
    data = tmp_path / "data"
    docs = {}
    for doc_dir in sorted((corpus / "dev_html").iterdir()):
        if (doc_dir / "declaration.json").exists():
            docs[doc_dir.name] = (load_pages(doc_dir), json.loads((doc_dir / "declaration.json").read_text()))
    assert docs
    steps = max(len(pages) for pages, _ in docs.values())
    counts = dict.fromkeys(("expected", "recorded", "noise", "silent", "optional", "optional_recorded"), 0)
    problems, previous = [], {}
    last_second = 0
    for step in range(steps):
        sources = []
        for doc_id, (pages, declaration) in docs.items():
            page = pages[min(step, len(pages) - 1)]
            server.set(f"/{doc_id}", page.path.read_bytes())
            sources.append(
                {"id": doc_id, "title": doc_id, "url": server.url(f"/{doc_id}"), **selectors_at(declaration, page.date)}
            )
        write_sources(data / "sources" / "replay.yml", sources)
        while int(time.time()) == last_second:  # version ids have one-second resolution
            time.sleep(0.05)
        r = cli("crawl", "--delay", "0", check=True)
        last_second = int(time.time())
        for doc_id, (pages, _) in docs.items():
            if step >= len(pages):
                continue
            page = pages[step]
            n = len(list((data / "versions" / doc_id).glob("*.md")))
            recorded = n - previous.get(doc_id, 0)
            previous[doc_id] = n
            changed = step == 0 or page.text_id != pages[step - 1].text_id
            where = f"{doc_id} {page.kind} {page.path.name}"
            if recorded > 1:
                problems.append(f"{where}: {recorded} versions for one page")
            if page.optional:
                counts["optional"] += 1
                counts["optional_recorded"] += recorded
            elif page.kind == "noise":
                counts["noise"] += 1
                counts["silent"] += recorded == 0
                if recorded:
                    problems.append(f"{where}: a noise page recorded a version")
            elif changed:
                counts["expected"] += 1
                counts["recorded"] += recorded == 1
                if not recorded:
                    line = next((ln for ln in r.stderr.splitlines() if f" {doc_id} " in f"{ln} "), "")
                    problems.append(f"{where}: change not recorded ({line.strip()})")
    with capsys.disabled():
        print(
            f"\nreplay of dev_html, one crawl per page: {counts['recorded']}/{counts['expected']} changed pages "
            f"recorded, {counts['silent']}/{counts['noise']} noise pages silent, "
            f"{counts['optional_recorded']}/{counts['optional']} optional pages recorded"
        )
    assert not problems, "\n".join(problems)
    assert counts["expected"] >= 50 and counts["noise"] >= 10
