"""Alert matching speed and memory: 1,000 new changes to 100 subscriptions with filters
(documents, services, tags, topics, significance, keywords and patterns), as `policywatch notify`
takes them into each subscription's outbox or digest queue (archive.alerts.take).

    .venv/bin/python bench/notify_bench.py                      # 1000 changes, 100 subscriptions, 5 runs
    .venv/bin/python bench/notify_bench.py --changes 5000 --subscriptions 500 --runs 3

What each change added and removed is computed once per change and shared by every subscription
(here: made up beforehand, as a run's diffs would have been); sending is the servers' time and is
not measured. The baseline, measured in the same run, is the bare loop over every (subscription,
change) pair with the cheapest test (is the document in scope), so the ratio says what the
filters and the keyword search cost on top of visiting each pair once. With the corpus beside the
repository (../shared/corpus), the cost of working out what each change added and removed is
timed too, beside the diff it comes from.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policywatch.archive.alerts import ChangeView, DocMeta, take  # noqa: E402
from policywatch.archive.changes import ChangeRecord  # noqa: E402
from policywatch.archive.notify_config import Matcher, Subscription, SubscriptionModel  # noqa: E402
from policywatch.archive.notify_state import SubscriptionState  # noqa: E402
from policywatch.diffs.changed import ChangedText  # noqa: E402
from policywatch.diffs.topics import TOPICS  # noqa: E402

SERVICES = [f"Marketplace {c}" for c in "ABCDEFGHIJKLMNOP"]
TAGS = ["agreement", "fees", "conduct", "account-health", "shipping", "returns", "ads", "privacy", "us", "de"]
# the words of policy text; the keywords subscriptions watch for are rarer (RARE of the sentences)
WORDS = [
    *("seller", "account", "listing", "order", "buyer", "refund", "fee", "payment", "shipment", "policy"),
    *("notice", "review", "product", "claim", "marketplace", "service", "agreement", "term", "right"),
    *("obligation", "data", "tax", "invoice", "carrier", "return", "warranty", "information", "law"),
    *("applicable", "including", "without", "provide", "required", "may", "must", "will", "any", "such"),
    *("party", "parties", "section", "time", "days", "business", "customer", "content", "use", "access"),
    *("third", "request", "responsible", "comply", "standards", "performance", "program", "price", "item"),
]
RARE = 0.05
KEYWORDS = ["suspension", "reserve", "lithium", "chargeback", "deactivat*", "payout", "hazmat", "appeal", "a-to-z"]
PATTERNS = [r"within \d+ (?:hours|days)", r"\d+(?:\.\d+)?%", r"\$\d+", r"\breserves?\b"]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 30))]
    if rng.random() < RARE:
        words[rng.randrange(len(words))] = rng.choice(["suspension", "reserve", "lithium", "chargeback", "payout"])
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = f"within {rng.randint(2, 90)} days"
    if rng.random() < 0.2:
        words[rng.randrange(len(words))] = f"{rng.randint(1, 30)}%"
    return " ".join(words).capitalize() + "."


def changes(rng: random.Random, n: int) -> tuple[list[ChangeView], int]:
    """n change records over n/5 documents, with what each added and removed."""
    docs = {
        f"{rng.choice(['amazon', 'ebay', 'etsy', 'walmart'])}-{k:03d}": DocMeta(
            f"Document {k}", rng.choice(SERVICES), tuple(rng.sample(TAGS, 2)), f"https://example.com/{k}"
        )
        for k in range(max(1, n // 5))
    }
    ids = sorted(docs)
    texts: dict[str, ChangedText] = {}
    views = []
    for k in range(n):
        doc = rng.choice(ids)
        at = NOW - timedelta(minutes=n - k)
        vid = at.strftime("%Y%m%dT%H%M%SZ")
        sig = rng.choices(["substantive", "minor", "cosmetic"], [6, 3, 1])[0]
        topics = rng.sample(list(TOPICS), rng.randint(1, 3)) if sig != "cosmetic" else []
        facts = [{"kind": "duration", "before": "14 days", "after": "30 days", "context": "within"}] if k % 3 else []
        summary = f"1 section changed (Section {k % 9}); 14 days → 30 days"
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        record = ChangeRecord(doc, vid, "20260101T000000Z", "change", stamp, sig, summary, {}, facts, topics=topics)
        texts[record.id] = ChangedText(
            [sentence(rng) for _ in range(rng.randint(1, 6))],
            [sentence(rng) for _ in range(rng.randint(0, 4))],
            [f"Section {k % 9}"],
        )
        views.append(ChangeView(record, docs[doc], lambda r: texts[r.id]))
    return views, len(docs)


def subscriptions(rng: random.Random, n: int, doc_ids: list[str]) -> list[Subscription]:
    out = []
    for k in range(n):
        spec: dict = {"name": f"s{k}", "urls": ["NOTIFY_URL"], "mode": rng.choice(["immediate", "daily", "weekly"])}
        roll = rng.random()
        if roll < 0.3:
            spec["services"] = rng.sample(SERVICES, rng.randint(1, 3))
        elif roll < 0.45:
            spec["documents"] = [f"{rng.choice(['amazon', 'ebay', 'etsy', 'walmart'])}-*"]
        elif roll < 0.6:
            spec["tags"] = rng.sample(TAGS, rng.randint(1, 2))
        if rng.random() < 0.5:
            spec["topics"] = rng.sample(list(TOPICS), rng.randint(1, 2))
        spec["significance"] = rng.choice(["cosmetic", "minor", "substantive"])
        if rng.random() < 0.5:
            spec["keywords"] = rng.sample(KEYWORDS, rng.randint(1, 4))
        if rng.random() < 0.2:
            spec["patterns"] = rng.sample(PATTERNS, rng.randint(1, 2))
        model = SubscriptionModel.model_validate(spec)
        out.append(Subscription(model, Matcher(model.keywords, model.patterns)))
    return out


def match_all(subs: list[Subscription], views: list[ChangeView]) -> int:
    """What notify does per run: every subscription takes the new changes; returns the messages
    and digest entries made."""
    made = 0
    for sub in subs:
        state = SubscriptionState(sub.name, "2026-01-01T00:00:00Z")
        take(sub, state, views, [], {}, ["NOTIFY_URL"], NOW)  # (no cursor to move: {})
        made += len(state.outbox) + len(state.queue)
    return made


def floor(subs: list[Subscription], views: list[ChangeView]) -> int:
    n = 0
    for sub in subs:
        for v in views:
            n += sub.in_scope(v.record.document_id, v.doc.service, v.doc.tags)
    return n


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def corpus_pairs(limit: int) -> list[tuple[str, str]]:
    corpus = ROOT.parent / "shared" / "corpus" / "dev"
    pairs = []
    if corpus.is_dir():
        for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
            files = sorted(folder.glob("*.md"))
            pairs += [(a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")) for a, b in pairwise(files)]
    return pairs[:limit]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--subscriptions", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--pairs", type=int, default=1000, help="at most this many corpus pairs for the added/removed text timing"
    )
    args = ap.parse_args()
    rng = random.Random(22)
    views, n_docs = changes(rng, args.changes)
    subs = subscriptions(rng, args.subscriptions, [v.record.document_id for v in views])
    for v in views:
        v.changed  # noqa: B018  (a run diffs each change once, before any subscription looks)

    ours, base = [], []
    made = 0
    for _ in range(args.runs):
        for v in views:
            v.memo.clear()  # as in a run: each keyword looked for once per change, then shared
        t, made = timed(match_all, subs, views)
        ours.append(t)
        t, _ = timed(floor, subs, views)
        base.append(t)
    for v in views:
        v.memo.clear()
    tracemalloc.start()
    match_all(subs, views)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    pairs = args.changes * args.subscriptions
    med, bmed = statistics.median(ours), statistics.median(base)
    print(f"{args.changes} changes in {n_docs} documents × {args.subscriptions} subscriptions ({pairs:,} pairs), "
          f"{args.runs} runs")  # fmt: skip
    print(f"matching (take):   median {med * 1000:.0f} ms (min {min(ours) * 1000:.0f}, max {max(ours) * 1000:.0f}); "
          f"{med / pairs * 1e6:.2f} µs per pair; {made} alerts and digest entries made")  # fmt: skip
    print(f"baseline (scope):  median {bmed * 1000:.0f} ms; matching / baseline = {med / bmed:.1f}x")
    print(f"peak memory of one matching pass (tracemalloc): {peak / 1e6:.1f} MB")

    sample = corpus_pairs(args.pairs)
    if sample:
        from policywatch.diffs import compare
        from policywatch.diffs.changed import changed_text

        diff_t, text_t = [], []
        for old, new in sample:
            t, cmp = timed(compare, old, new)
            diff_t.append(t)
            t, _ = timed(changed_text, cmp)
            text_t.append(t)
        print(f"corpus, {len(sample)} dev pairs: compare median {statistics.median(diff_t) * 1000:.1f} ms, "
              f"then what it added and removed (changed_text) median {statistics.median(text_t) * 1000:.1f} ms "
              f"(max {max(text_t) * 1000:.0f} ms): once per change, whatever the subscriptions")  # fmt: skip


if __name__ == "__main__":
    main()
