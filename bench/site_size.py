"""What the published site weighs: the dev corpus imported (all 19 documents of
../shared/corpus/dev, `import dir` each) and published, measured by kind of file; or any
published folder (--site, e.g. the publish bench's 1,000 × 20 site).

    .venv/bin/python bench/site_size.py                      # import + publish the corpus, measure
    .venv/bin/python bench/site_size.py --site build/publish-bench/site

Goals (issue 21): change pages median ≤ 30 KB and 95th percentile ≤ 120 KB, the whole site
≤ 60 KB per change record; the publish bench's site ≤ 500 MB (GitHub Pages allows 1 GB).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.corpus_site import import_corpus, site_sizes  # noqa: E402  (shared with the corpus site tests)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "site-size")
    ap.add_argument("--site", type=Path, help="measure this published folder instead")
    a = ap.parse_args()
    if a.site:
        print(f"{a.site}:")
        print(site_sizes(a.site).report())
        return
    from policywatch.pipeline import publish_site

    data, out = a.work / "data", a.work / "site"
    for folder in (data, out):
        if folder.exists():
            shutil.rmtree(folder)
    started = time.perf_counter()
    n = import_corpus(data, a.corpus)
    imported = time.perf_counter() - started
    started = time.perf_counter()
    publish_site(data, out, incremental=False)
    published = time.perf_counter() - started
    print(f"dev corpus: {n} documents imported in {imported:.1f}s, published in {published:.1f}s into {out}")
    sizes = site_sizes(out)
    print(sizes.report())
    ok = sizes.median <= 30_000 and sizes.percentile(95) <= 120_000 and sizes.per_record <= 60_000
    print(f"goals (median ≤ 30 KB, 95th percentile ≤ 120 KB, ≤ 60 KB per record): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
