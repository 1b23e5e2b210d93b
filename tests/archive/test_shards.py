"""Sharded crawls: every document in exactly one shard, and N shards crawled separately from the
same record, then merged, give the same data folder as one crawl of everything."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from support.helpers import policy_text, tree_digest, write_sources

from policywatch.archive.errors import StoreError
from policywatch.archive.shards import merge_shards, parse_shard, shard_of

NOT_THE_RECORD = ("policywatch.db", ".lock")
IDS = [f"market-doc-{k}" for k in range(7)]


def test_every_document_is_in_exactly_one_shard():
    ids = [f"doc-{k}" for k in range(1000)]
    for n in (1, 2, 3, 8):
        shards = Counter(shard_of(i, n) for i in ids)
        assert set(shards) == set(range(1, n + 1)) and sum(shards.values()) == 1000
        assert min(shards.values()) > 1000 / n * 0.8  # roughly even
    # stable: the same id lands in the same shard on any machine and Python
    assert [shard_of("amazon-us-business-solutions-agreement", n) for n in (2, 3, 4, 5)] == [1, 3, 1, 5]


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "x", "1-3", ""])
def test_bad_shards_are_refused(text, cli):
    with pytest.raises(ValueError):
        parse_shard(text)
    r = cli("crawl", "--shard", text)
    assert r.returncode == 2 and "--shard" in r.stderr


@pytest.mark.slow
def test_shards_merged_equal_one_crawl(server, cli, tmp_path, monkeypatch):
    pages = {i: policy_text(f"Rule {k}: reply within {k + 1} days.") for k, i in enumerate(IDS)}
    for i in IDS:
        server.set(f"/{i}", lambda n, i=i: f"<html><body><main id='policy'>{pages[i]}</main></body></html>")
    full, base = tmp_path / "full" / "data", tmp_path / "base" / "data"
    for data in (full, base):
        write_sources(
            data / "sources" / "market.yml",
            [{"id": i, "title": i, "url": server.url(f"/{i}"), "select": "#policy", "tags": ["t"]} for i in IDS],
        )
    fast = ("--delay", "0", "--backoff", "0", "--retries", "1")

    def round_(n: int, when: str) -> None:
        monkeypatch.setenv("POLICYWATCH_NOW", when)
        cli("crawl", *fast, data_dir=full, check=True)
        crawled = 0
        shards = []
        for k in range(1, 4):
            shard = tmp_path / f"round{n}-shard{k}" / "data"
            shutil.copytree(base, shard, ignore=shutil.ignore_patterns(*NOT_THE_RECORD))
            out = cli("crawl", *fast, "--shard", f"{k}/3", data_dir=shard, check=True).stderr
            crawled += int(out.split("crawling ", 1)[1].split(" ", 1)[0])
            shards.append(str(shard))
        assert crawled == len(IDS)
        cli("merge", *shards, data_dir=base, check=True)
        assert tree_digest(base, NOT_THE_RECORD) == tree_digest(full, NOT_THE_RECORD)

    round_(1, "2026-03-01T10:00:00Z")
    pages[IDS[2]] = policy_text("Rule 2: reply within 9 days.")
    server.set(f"/{IDS[5]}", "<h1>Service unavailable</h1>", status=503)
    round_(2, "2026-03-02T10:00:00Z")
    assert len(list((base / "versions" / IDS[2]).glob("*.md"))) == 2
    assert "market-doc-5" in (base / "health.json").read_text(encoding="utf-8")


def test_conflicting_shards_are_refused_before_writing(tmp_path):
    base, a, b = (tmp_path / n for n in ("base", "a", "b"))
    for shard, text in ((a, "one"), (b, "two")):
        (shard / "versions" / "doc").mkdir(parents=True)
        (shard / "versions" / "doc" / "20260101T000000Z.md").write_text(text, encoding="utf-8")
    base.mkdir()
    with pytest.raises(StoreError, match=r"both changed versions/doc/20260101T000000Z\.md"):
        merge_shards(base, [a, b])
    assert not (base / "versions").exists()
