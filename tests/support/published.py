"""Helpers for the publishing tests: a recorded history written straight into a data folder (the
Example Marketplace's steps as Markdown versions, a technical re-extraction, health), publishing
it, serving a folder on 127.0.0.1, and the external checkers (Chromium, vnu.jar, newsboat)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from policywatch import example
from policywatch.archive.health import DocHealth, Health, HealthEvent
from policywatch.archive.index import Index
from policywatch.archive.store import Store, sha256_text
from policywatch.feeds.publish import DocInfo, PublishReport, publish
from policywatch.servers import static_server

ROOT = Path(__file__).resolve().parent.parent.parent
START = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)
SERVICE = "Example Marketplace"


def markdown_of(page: example.Page) -> str:
    parts = [f"# {page.title}", page.intro]
    for heading, paragraphs in page.sections:
        parts.append(f"## {heading}")
        parts.extend(paragraphs)
    return "\n\n".join(parts) + "\n"


def infos() -> dict[str, DocInfo]:
    return {p.id: DocInfo(p.id, p.title, SERVICE, f"https://market.example/{p.path}", p.tags) for p in example.PAGES}


def write_history(data_dir: Path, steps: int | None = None) -> int:
    """Record the Example Marketplace's steps as versions (one day apart), a technical
    re-extraction of the fee schedule, and health with a broken and a resumed document.
    Returns the number of versions recorded."""
    store = Store(data_dir)
    n = 0
    all_steps = example.steps()
    for k, pages in enumerate(all_steps[:steps]):
        at = START + timedelta(days=k)
        for page in pages.values():
            text = markdown_of(page)
            latest = store.latest(page.id)
            if latest is None or latest[0].sha256 != sha256_text(text):
                store.add(page.id, text, fetched_at=at, url=f"https://market.example{page.path}", extractor="test")
                n += 1
    if steps is None:
        fees = store.latest(example.FEES.id)
        assert fees is not None
        at = START + timedelta(days=len(all_steps), hours=1)
        store.add(
            example.FEES.id,
            fees[1].replace("Referral fees", "Referral  fees"),
            fetched_at=at,
            url=fees[0].url,
            extractor="test-2",
            technical=True,
        )
        n += 1
        write_health(data_dir)
    return n


def write_health(data_dir: Path) -> Health:
    health = Health(
        {
            example.HEALTH.id: DocHealth(
                4, "2026-01-10T09:00:00Z", "http_status", "HTTP 503", "2026-01-12T09:00:00Z", True
            )
        },
        [
            HealthEvent(example.AGREEMENT.id, "broken", "2026-01-06T21:00:00Z", "bot_wall", "captcha page"),
            HealthEvent(example.AGREEMENT.id, "resumed", "2026-01-07T09:00:00Z", "", "after 3 failed crawls"),
            HealthEvent(example.HEALTH.id, "broken", "2026-01-11T09:00:00Z", "http_status", "HTTP 503"),
        ],
    )
    (data_dir / "health.json").write_text(health.to_json(), encoding="utf-8")
    return health


def load_health(data_dir: Path) -> Health:
    from policywatch.archive.health import load_health as load

    return load(data_dir)


def publish_data(
    data_dir: Path,
    out: Path,
    *,
    base_url: str = "",
    feed_size: int = 50,
    cache: bool = True,
    full: bool = False,
    documents: dict[str, DocInfo] | None = None,
) -> PublishReport:
    with Index(Store(data_dir)) as index:
        index.refresh(derive=False)  # as publish_site: the publish derives the change records
        return publish(
            index,
            infos() if documents is None else documents,
            load_health(data_dir),
            out,
            base_url,
            feed_size=feed_size,
            cache_path=data_dir / "publish-cache.db" if cache else None,
            full=full,
        )


def all_published(records_path: Path) -> list[dict]:
    return [r for r in json.loads(records_path.read_text(encoding="utf-8")) if r["kind"] != "technical"]


def feed_entries(records: list[dict]) -> list[str]:
    """The entry ids a feed of these records holds: technical ones left out, the records of a
    flip-flop one entry (its id, the first record's)."""
    out: list[str] = []
    for r in records:
        if r["kind"] != "technical" and (r["flip_flop"] or r["id"]) not in out:
            out.append(r["flip_flop"] or r["id"])
    return out


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port); yields the base URL, with a trailing slash."""
    server = static_server(folder, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def chromium() -> str | None:
    from policywatch.crawler.browser import find_chromium

    found = find_chromium()
    return str(found) if found else None


def vnu_jar() -> Path | None:
    """vnu.jar from `make checkers` (npm's vnu-jar in .tools/), or $POLICYWATCH_VNU_JAR."""
    candidates = [
        os.environ.get("POLICYWATCH_VNU_JAR", ""),
        str(ROOT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"),
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def newsboat() -> str | None:
    return shutil.which("newsboat")


def run_cli(cwd: Path, data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m policywatch --data-dir DATA ARGS` in a subprocess (Scrapy runs once per process)."""
    argv = [sys.executable, "-m", "policywatch", "--data-dir", str(data_dir), *args]
    r = subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, cwd=cwd, env={**os.environ, "NO_COLOR": "1"}
    )
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def vnu_messages(files: list[Path]) -> list[dict]:
    """The Nu HTML Checker's messages about `files` (one Java run for all of them)."""
    jar = vnu_jar()
    assert jar is not None
    r = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stderr or r.stdout)["messages"]


ACCEPTED_WARNINGS = {
    # vnu reads the pages as file: URLs, whose origin matches no 'self' source; served over
    # HTTP(S) the stylesheet and scripts are same-origin, and the browser tests show they
    # load without a CSP report (no console error)
    r"^Resource violates Content Security Policy \(meta tag\): external (stylesheet|script) "
    r"“[./]*(style\.css|search\.js|site\.js)” blocked by “(style|script)-src” directive\.$": (
        "file: URLs in the checker; same-origin when served"
    ),
}


def vnu_check(files: list[Path]) -> tuple[list[dict], list[dict]]:
    """(errors, warnings not accepted) of the checker over `files`."""
    messages = vnu_messages(files)
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    unexplained = [
        m
        for m in messages
        if m["type"] == "info"
        and m.get("subType") == "warning"
        and not any(re.match(p, m["message"]) for p in ACCEPTED_WARNINGS)
    ]
    return errors, unexplained
