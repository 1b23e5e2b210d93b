"""Publishing speed and memory: a synthetic archive of 1,000 documents × 20 versions, published in
full, then incrementally after one new change, side by side in the same run.

    .venv/bin/python bench/publish_bench.py                 # 1000 × 20, 5 incremental runs
    .venv/bin/python bench/publish_bench.py --docs 100 --versions 10 --runs 3

Each publish runs in its own process, so its peak memory (ru_maxrss) is its own. The archive is
built once into --work (default build/publish-bench) and reused while its size matches.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    *("seller", "account", "listing", "order", "buyer", "refund", "fee", "payment", "shipment", "policy"),
    *("notice", "review", "product", "claim", "marketplace", "service", "agreement", "term", "right"),
    *("obligation", "data", "tax", "invoice", "carrier", "return", "warranty"),
]
START = datetime(2024, 1, 1, tzinfo=UTC)


def paragraph(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(25, 45))]
    words[rng.randrange(len(words))] = f"{rng.randint(2, 90)} days"
    return " ".join(words).capitalize() + "."


def first_text(rng: random.Random, title: str) -> list[list[str]]:
    return [[f"## {k + 1}. {rng.choice(WORDS).title()}"] + [paragraph(rng) for _ in range(3)] for k in range(8)]


def render(title: str, sections: list[list[str]]) -> str:
    return f"# {title}\n\n" + "\n\n".join("\n\n".join(s) for s in sections) + "\n"


def edit(rng: random.Random, sections: list[list[str]]) -> None:
    """One realistic edit: a changed deadline, a reworded paragraph, a paragraph added or removed."""
    s = rng.choice(sections)
    k = rng.randrange(1, len(s))
    roll = rng.random()
    if roll < 0.4:
        s[k] = s[k].replace(" days", " business days", 1) if " days" in s[k] else paragraph(rng)
    elif roll < 0.7:
        s[k] = paragraph(rng)
    elif roll < 0.85 or len(s) < 3:
        s.insert(k, paragraph(rng))
    else:
        s.pop(k)


def write_version(store, doc_id: str, text: str, at: datetime) -> None:
    """What Store.add writes, without its fsyncs (setting up 20,000 files is not what we measure)."""
    from policywatch.archive.store import Version, render_version_file, sha256_text, version_id

    version = Version(doc_id, version_id(at), at, sha256_text(text), f"https://example.test/{doc_id}", "b")
    path = store.versions_dir / doc_id / f"{version.id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_version_file(version, text))


def build(work: Path, n_docs: int, n_versions: int) -> None:
    from policywatch.archive.index import Index
    from policywatch.archive.store import Store

    stamp = work / "archive.json"
    want = {"docs": n_docs, "versions": n_versions, "format": 1}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return
    if work.exists():
        shutil.rmtree(work)
    data = work / "data"
    store = Store(data)
    rng = random.Random(5)
    started = time.perf_counter()
    services = [f"Marketplace {chr(65 + k)}" for k in range(10)]
    lines = []
    for d in range(n_docs):
        doc_id = f"doc-{d:04d}"
        title = f"Seller policy {d}"
        lines.append((services[d % 10], doc_id, title, ["policy", f"group-{d % 25}"]))
        sections = first_text(rng, title)
        for v in range(n_versions):
            if v:
                edit(rng, sections)
            at = START + timedelta(days=v * 7, minutes=d)
            write_version(store, doc_id, render(title, sections), at)
        if (d + 1) % 100 == 0:
            print(f"  wrote {d + 1}/{n_docs} documents", file=sys.stderr)
    sources = data / "sources"
    sources.mkdir(parents=True)
    for service in services:
        docs = [
            {"id": i, "title": t, "url": f"https://example.test/{i}", "tags": tags}
            for s, i, t, tags in lines
            if s == service
        ]
        (sources / f"{service[-1].lower()}.yml").write_text(json.dumps({"service": service, "documents": docs}))
    print(f"  archive written in {time.perf_counter() - started:.0f}s; deriving the index", file=sys.stderr)
    with Index(store) as index:
        index.refresh()
    stamp.write_text(json.dumps(want))


def measure(args: list[str]) -> dict:
    """Run one publish in a child process; its wall time and peak RSS."""
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child failed: {out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(data: Path, out: Path, full: bool) -> None:
    from policywatch.pipeline import publish_site

    started = time.perf_counter()
    report = publish_site(data, out, incremental=not full, base_url="https://example.test/site/")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_mb,
                "files": report.files,
                "rendered": report.rendered,
                "written": report.written,
                "diffs": report.diffs,
            }
        )
    )


def add_change(data: Path, doc_id: str, k: int) -> None:
    from policywatch.archive.store import Store

    store = Store(data)
    version, text = store.latest(doc_id)
    at = version.fetched_at + timedelta(days=400 + k)
    new = text.replace(" days", " calendar days", 1) if " days" in text else text + "\nA new rule.\n"
    store.add(doc_id, new, fetched_at=at, url=version.url, extractor="b")


def digest(folder: Path) -> dict[str, int]:
    import zlib

    return {
        p.relative_to(folder).as_posix(): zlib.crc32(p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--versions", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5, help="incremental publishes (one new change each)")
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "publish-bench")
    ap.add_argument("--child", nargs=3, metavar=("DATA", "OUT", "FULL"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(Path(a.child[0]), Path(a.child[1]), a.child[2] == "full")
        return

    print(f"publish_bench: {a.docs} documents × {a.versions} versions", file=sys.stderr)
    build(a.work, a.docs, a.versions)
    data, out = a.work / "data", a.work / "site"
    # the archive is reused between runs; each run starts from its pristine copy
    run_data = a.work / "run-data"
    if run_data.exists():
        shutil.rmtree(run_data)
    shutil.copytree(data, run_data)
    for folder in (out, a.work / "rebuild"):
        if folder.exists():
            shutil.rmtree(folder)

    full = measure([str(run_data), str(out), "full"])
    print(f"  full publish: {full}", file=sys.stderr)
    nochange = measure([str(run_data), str(out), "incremental"])
    incs = []
    for k in range(a.runs):
        add_change(run_data, f"doc-{(k * 197) % a.docs:04d}", k)
        incs.append(measure([str(run_data), str(out), "incremental"]))
        print(f"  incremental publish {k + 1}: {incs[-1]}", file=sys.stderr)
    rebuild = measure([str(run_data), str(a.work / "rebuild"), "full"])
    same = digest(out) == digest(a.work / "rebuild")

    inc_median = statistics.median(i["seconds"] for i in incs)
    full_median = statistics.median([full["seconds"], rebuild["seconds"]])
    print()
    n = a.docs * a.versions
    print(f"archive: {a.docs} documents × {a.versions} versions = {n} versions, {full['files']} files published")
    print("| publish | time (s) | peak RSS (MB) | pages rendered | diffs computed |")
    print("|---|---|---|---|---|")
    rows = [
        ("full (median of 2)", full_median, max(full["peak_mb"], rebuild["peak_mb"]), full["rendered"], full["diffs"]),
        ("nothing changed", nochange["seconds"], nochange["peak_mb"], nochange["rendered"], nochange["diffs"]),
        (
            f"one new change (median of {len(incs)})",
            inc_median,
            max(i["peak_mb"] for i in incs),
            statistics.median(i["rendered"] for i in incs),
            statistics.median(i["diffs"] for i in incs),
        ),
    ]
    for name, seconds, peak, rendered, diffs in rows:
        print(f"| {name} | {seconds:.2f} | {peak:.0f} | {rendered:.0f} | {diffs:.0f} |")
    ratio = inc_median / full_median
    print(f"incremental / full = {ratio:.2%} (goal ≤ 2%); incremental output byte-identical to a full rebuild: {same}")


if __name__ == "__main__":
    main()
