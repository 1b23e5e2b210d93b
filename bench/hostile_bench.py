"""Hostile pages through the page checks and extraction: 10,000 generated pages (deep, wide, odd
encodings, control characters, huge attributes, cut anywhere; tests/support/hostile.py), each
decoded, checked and extracted as a crawled page is, beside the real corpus pages as a baseline
measured in the same run.

    .venv/bin/python bench/hostile_bench.py [--pages 10000] [--seed 19] [--corpus ../shared/corpus]

Prints the size and time of both sets (throughput, median, 99th percentile and slowest page) and
the ratio of the hostile throughput to the real one, the process's peak resident memory, the typed results, and
every exception (there must be none).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.hostile import hostile_page  # noqa: E402  (the generator the property test uses)

from policywatch.crawler.decode import decode_page  # noqa: E402
from policywatch.crawler.examine import examine  # noqa: E402


def judge(body: bytes, content_type: str, url: str) -> str:
    text = decode_page(body, content_type)
    _, failure = examine(
        status=200,
        url=url,
        requested_url=url,
        body=body,
        text=text,
        select=None,
        remove=(),
        min_words=30,
        content_type=content_type,
    )
    return failure.reason if failure else "ok"


def timed(pages) -> tuple[list[float], Counter[str], list[str], int]:
    seconds, results, errors, size = [], Counter(), [], 0
    for name, body, content_type, url in pages:
        size += len(body)
        start = time.perf_counter()
        try:
            results[judge(body, content_type, url)] += 1
        except Exception:
            errors.append(f"{name}: {traceback.format_exc(limit=3)}")
            results["EXCEPTION"] += 1
        seconds.append(time.perf_counter() - start)
    return seconds, results, errors, size


def figures(label: str, seconds: list[float], size: int) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{label:8} {len(seconds):6} pages {size / 2**20:7.1f} MiB {sum(seconds):6.1f} s"
        f" ({size / 2**20 / sum(seconds):5.1f} MiB/s)  median {statistics.median(seconds) * 1000:6.2f} ms"
        f"  p99 {p99 * 1000:7.1f} ms  slowest {ordered[-1] * 1000:7.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()

    real = [
        (p.name, p.read_bytes(), "text/html", "https://example.com/policy")
        for p in sorted((args.corpus / "dev_html").rglob("*.html"))
    ]
    rng = random.Random(args.seed)

    def generated():
        for n in range(args.pages):
            page = hostile_page(rng)
            yield f"page {n}", page.body, page.content_type, page.url

    base_seconds, _, base_errors, base_size = timed(real) if real else ([], Counter(), [], 0)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    seconds, results, errors, size = timed(generated())
    wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"hostile pages: {args.pages} generated (seed {args.seed}), {wall:.1f} s in all (with generation)")
    if base_seconds:
        print(figures("real", base_seconds, base_size))
    print(figures("hostile", seconds, size))
    if base_seconds:
        speed = (size / sum(seconds)) / (base_size / sum(base_seconds))
        print(f"hostile throughput / real throughput (MiB/s): {speed:.2f}")
    print(f"peak memory (RSS of the process): {base_rss:.0f} MiB after the real pages, {rss:.0f} MiB after all")
    print("results: " + ", ".join(f"{k} {v}" for k, v in sorted(results.items(), key=lambda kv: -kv[1])))
    print(f"exceptions: {len(errors) + len(base_errors)}")
    for e in (base_errors + errors)[:5]:
        print(e)
    return 1 if errors or base_errors else 0


if __name__ == "__main__":
    sys.exit(main())
