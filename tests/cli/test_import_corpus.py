"""Issue 7's acceptance on the real corpus: every `dev` document imported with `import dir`, then
published; per document, one change per consecutive pair whose texts differ, reverts where
meta.json says `identical_to`, technical re-extractions kept and out of the feeds."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.helpers import feed_entry_ids, tree_digest
from support.import_expect import check_document, table

from policywatch.cli import cli

pytestmark = pytest.mark.slow


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_import_every_dev_document_then_publish(corpus, tmp_path):
    data, site = tmp_path / "data", tmp_path / "site"
    docs = sorted(p for p in (corpus / "dev").iterdir() if (p / "meta.json").is_file())
    assert len(docs) == 19
    for doc in docs:
        out = run("--data-dir", str(data), "import", "dir", str(doc), "--doc", doc.name)
        assert f"version(s) of {doc.name}" in out
    run("--data-dir", str(data), "publish", "--out", str(site))

    changes = json.loads((site / "changes.json").read_text(encoding="utf-8"))
    everything = feed_entry_ids(site, "feed.atom")  # the feed and its archive pages
    checks = []
    for doc in docs:
        records = [c for c in changes if c["document_id"] == doc.name]
        feed = feed_entry_ids(site, f"docs/{doc.name}/feed.atom")
        checks.append(check_document(doc, records, "import", set(feed)))
    print("\nimport dir of ../shared/corpus/dev, then publish:\n" + table(checks))
    assert sum(c.versions for c in checks) == 297
    assert all(not c.problems for c in checks), table(checks)
    published = [c for c in changes if c["kind"] != "technical"]
    # one entry per published record, the records of a flip-flop one entry
    assert len(everything) == len({c["flip_flop"] or c["id"] for c in published})
    assert not {e.rsplit(":", 1)[-1] for e in everything} & {c["id"] for c in changes if c["kind"] == "technical"}

    # a second import of everything adds nothing and leaves the record byte-identical
    record = tree_digest(data, ("policywatch.db", ".lock"))
    for doc in docs:
        out = run("--data-dir", str(data), "import", "dir", str(doc), "--doc", doc.name)
        assert f"imported 0 version(s) of {doc.name}" in out
    assert tree_digest(data, ("policywatch.db", ".lock")) == record
