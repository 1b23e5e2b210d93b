"""Crawl throughput, CPU and memory against a plain concurrent client (the floor), side by side.

N documents of about 300 KB each are served from a local asyncio server (its own process); the
same N URLs are fetched by (1) a plain asyncio client that only reads the bytes, the floor, and
(2) policywatch's crawler with politeness off (no delay, no robots.txt, 16 requests at a time),
once into an empty data folder (every page recorded) and once more (nothing changed). Each runs
in its own process, so its CPU time and peak RSS are its own. Medians over --repeat runs.

    .venv/bin/python bench/crawl_bench.py                      # 1,000 and 5,000 documents
    .venv/bin/python bench/crawl_bench.py --docs 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 16

# ---------------------------------------------------------------- the pages


def page_parts(size_kb: int) -> tuple[bytes, bytes, bytes]:
    """(before the number, between, after) of a policy page of about `size_kb` KB: a head heavy with
    scripts and styles, navigation, a long policy in <main id="policy"> (about a fifth of the
    bytes, as on real agreement pages), a footer."""
    words = [
        "seller",
        "account",
        "order",
        "refund",
        "fee",
        "listing",
        "buyer",
        "shipping",
        "days",
        "notice",
        "policy",
        "terms",
    ]
    paragraphs = []
    n = 0
    while sum(len(p) for p in paragraphs) < size_kb * 1024 // 5:
        sentence = " ".join(words[(n + k) % len(words)] for k in range(18))
        link = f" See <a href='/help/topic-{n}?utm_source=policy&ref=x{n}'>topic {n}</a>."
        paragraphs.append(f"<p>{n}. Sellers must {sentence} within {n % 30 + 1} days.{link}</p>")
        if n % 12 == 0:
            paragraphs.append(f"<h2>Section {n // 12 + 1}</h2><ul><li>{sentence}</li><li>{sentence[::-1]}</li></ul>")
        n += 1
    script = "<script>window.__data=" + json.dumps({"k": ["v" * 60] * 200}) + ";</script>"
    style = "<style>" + ".c{color:#123456;margin:0 auto;padding:1px}" * 200 + "</style>"
    head = "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Seller Agreement "
    nav = "<nav>" + "".join(f"<a href='/n{k}'>Menu {k}</a>" for k in range(300)) + "</nav>"
    body_start = f"</title>{style}</head><body>{nav}<main id='policy'><h1>Seller Agreement "
    policy = "</h1>" + "".join(paragraphs) + "</main>"
    before_footer = policy + "<footer>"
    filler = ""
    while len(head) + len(body_start) + len(before_footer) + len(filler) + len(script) < size_kb * 1024:
        filler += script
    return head.encode(), body_start.encode(), (before_footer + "Footer</footer>" + filler + "</body></html>").encode()


async def serve(size_kb: int) -> None:
    head, middle, tail = page_parts(size_kb)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                path = request.split(b" ", 2)[1]
                if path == b"/robots.txt":
                    body, ctype = b"User-agent: *\nAllow: /\n", b"text/plain"
                else:
                    number = path.rsplit(b"/", 1)[-1]
                    body, ctype = b"".join((head, number, middle, number, tail)), b"text/html; charset=utf-8"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: "
                    + ctype
                    + b"\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=256)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


# ---------------------------------------------------------------- the two clients


async def floor(base: str, n: int) -> dict:
    """The plain concurrent client: GET every URL over keep-alive connections, read the bytes."""
    host, port = base.split("//", 1)[1].split(":")
    todo = iter(range(n))
    got = {"pages": 0, "bytes": 0}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        for i in todo:
            writer.write(f"GET /d/{i} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
            body = await reader.readexactly(length)
            got["pages"] += 1
            got["bytes"] += len(body)
        writer.close()

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return got


def crawl(base: str, n: int, data: Path) -> dict:
    from datetime import UTC, datetime

    from policywatch.archive.record import Recorder
    from policywatch.archive.sources import Document, DocumentSource
    from policywatch.archive.store import Store
    from policywatch.crawler.run import CrawlOptions
    from policywatch.crawler.run import crawl as run_crawl

    documents = [
        Document(DocumentSource(id=f"doc-{i:05d}", title=f"Doc {i}", url=f"{base}/d/{i}", select="#policy"), "B", "b")
        for i in range(n)
    ]
    recorder = Recorder(Store(data))
    options = CrawlOptions(delay=0, obey_robots=False, per_domain=CONCURRENCY, retries=0, timeout=60)
    outcomes = run_crawl(documents, recorder, clock=lambda: datetime.now(UTC), options=options)
    recorder.close()
    statuses: dict[str, int] = {}
    for o in outcomes:
        statuses[o.status] = statuses.get(o.status, 0) + 1
    return {"pages": len(outcomes), "statuses": statuses}


class DiscardPipeline:
    """For the fetch-only run: Scrapy and the spider as in a crawl, the items dropped unjudged."""

    def process_item(self, item):
        return None


def fetch_only(base: str, n: int) -> dict:
    """Scrapy with our spider and settings but no checks, extraction or record: the framework's cost."""
    from datetime import UTC, datetime

    from scrapy.crawler import CrawlerProcess

    from policywatch.archive.sources import Document, DocumentSource
    from policywatch.crawler.settings import crawl_settings
    from policywatch.crawler.spider import PolicySpider

    documents = [
        Document(DocumentSource(id=f"doc-{i:05d}", title=f"Doc {i}", url=f"{base}/d/{i}"), "B", "b") for i in range(n)
    ]
    settings = crawl_settings(delay=0, obey_robots=False, per_domain=CONCURRENCY, retries=0, timeout=60)
    settings["ITEM_PIPELINES"] = {"crawl_bench.DiscardPipeline": 100}
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PolicySpider)
    process.crawl(crawler, documents=documents, clock=lambda: datetime.now(UTC))
    process.start()
    return {"pages": crawler.stats.get_value("item_scraped_count", 0), "statuses": {}}


def child(args: argparse.Namespace) -> None:
    """One measured run, in its own process: prints wall and CPU seconds of the work alone."""
    sys.path.insert(0, str(ROOT))
    wall, cpu = time.perf_counter(), time.process_time()
    if args.child == "floor":
        result = asyncio.run(floor(args.base, args.n))
    elif args.child == "fetch":
        sys.path.insert(0, str(Path(__file__).parent))
        result = fetch_only(args.base, args.n)
    else:
        result = crawl(args.base, args.n, Path(args.data))
    result.update(wall=time.perf_counter() - wall, cpu=time.process_time() - cpu)
    print(json.dumps(result), flush=True)


# ---------------------------------------------------------------- the parent


def run_child(argv: list[str]) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, *argv], stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.stdout.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench child {argv} failed (exit {proc.returncode})")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    result["cpu_total"] = usage.ru_utime + usage.ru_stime
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="1000,5000", help="document counts to measure (comma-separated)")
    parser.add_argument("--size", type=int, default=300, help="page size in KB")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (medians are shown)")
    parser.add_argument("--child", choices=["floor", "fetch", "crawl"], help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.size))
        return
    if args.child:
        child(args)
        return

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--size", str(args.size)], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
    page = sum(len(p) for p in page_parts(args.size)) + 2
    print(f"crawl_bench: pages of {page / 1024:.0f} KB from {base}, {CONCURRENCY} at a time; ", end="")
    print(f"medians of {args.repeat} run(s)")
    print(f"{'docs':>5}  {'run':<15} {'pages/s':>8} {'vs floor':>8} {'CPU ms/page':>11} {'peak MB':>8}")
    work = Path(tempfile.mkdtemp(prefix="pw-crawl-bench-"))
    try:
        for n in [int(x) for x in args.docs.split(",")]:
            runs: dict[str, list[dict]] = {"floor": [], "fetch only": [], "crawl (record)": [], "crawl (unchanged)": []}
            for _ in range(args.repeat):
                runs["floor"].append(run_child(["--child", "floor", "--base", base, "--n", str(n)]))
                runs["fetch only"].append(run_child(["--child", "fetch", "--base", base, "--n", str(n)]))
                data = work / f"data-{n}"
                shutil.rmtree(data, ignore_errors=True)
                crawl_args = ["--child", "crawl", "--base", base, "--n", str(n), "--data", str(data)]
                first = run_child(crawl_args)
                again = run_child(crawl_args)
                assert first["statuses"] == {"new": n}, first["statuses"]
                assert again["statuses"] == {"unchanged": n}, again["statuses"]
                runs["crawl (record)"].append(first)
                runs["crawl (unchanged)"].append(again)
            floor_rate = statistics.median(n / r["wall"] for r in runs["floor"])
            for name, rs in runs.items():
                rate = statistics.median(n / r["wall"] for r in rs)
                cpu = statistics.median(r["cpu"] / n * 1000 for r in rs)
                peak = statistics.median(r["peak_mb"] for r in rs)
                ratio = floor_rate / rate
                print(f"{n:>5}  {name:<15} {rate:>8.0f} {ratio:>7.2f}x {cpu:>11.2f} {peak:>8.0f}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
