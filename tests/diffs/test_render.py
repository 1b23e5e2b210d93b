"""The renderers: inline and side-by-side HTML, the feed excerpt and terminal text, against golden
files (regenerate with `POLICYWATCH_REGENERATE=1 pytest tests/diffs/test_render.py` and review the
diff), plus what must hold whatever the layout: escaping, labels a screen reader reads, folding,
and the site's change page showing summary, facts and both views."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from policywatch.diffs import compare, render

GOLDEN = Path(__file__).parent / "golden" / "diff"
OLD = """# Seller Agreement

Last updated: 1 March 2026.

## 1. Your account

You must keep your account information accurate.

We may suspend your account if you do not reply within 24 hours.

## 2. Listings

Each listing must describe the product.

## 3. Fees

The referral fee is 15% of the price.

Paid out every 14 days.

Fees are charged in euro.

Taxes are added where the law requires them.

Invoices are sent by email each month.
"""
NEW = """# Seller Agreement

Last updated: 1 April 2026.

## 1. Your account

We may suspend your account if you do not reply within 48 hours.

You must keep your account information accurate.

## 2. Returns

Buyers may return items within 30 days. <script>alert(1)</script>

## 3. Listings

Each listing must describe the product.

## 4. Fees

The referral fee is 17% of the price.

Paid out every 14 days.

Fees are charged in euro.

Taxes are added where the law requires them.

Invoices are sent by email each month.
"""

RENDERERS = {
    "inline.html": render.inline_html,
    "side-by-side.html": render.side_by_side_html,
    "excerpt.html": render.excerpt_html,
    "text.txt": render.text,
    "text-color.txt": lambda c: render.text(c, color=True),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_renderers_match_their_golden_files(name):
    out = RENDERERS[name](compare(OLD, NEW))
    path = GOLDEN / name
    if os.environ.get("POLICYWATCH_REGENERATE") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"{name} changed; regenerate and review the diff"


def test_the_comparison_behind_the_golden_files():
    cmp = compare(OLD, NEW)
    assert cmp.significance == "substantive"
    assert cmp.stats["sections_added"] == 1 and cmp.stats["blocks_moved"] == 1
    assert cmp.stats["blocks_renumbered"] == 2
    # (kinds as a seller names them: a duration after "within" is a deadline)
    assert {("deadline", "24 hours", "48 hours"), ("percentage", "15%", "17%")} <= {
        (f["kind"], f["before"], f["after"]) for f in cmp.facts
    }


def test_hostile_text_is_escaped_everywhere():
    cmp = compare(OLD, NEW)
    for fn in (render.inline_html, render.side_by_side_html, render.excerpt_html):
        html = fn(cmp)
        assert "<script>" not in html and "&lt;script&gt;" in html


def test_edits_are_labelled_for_screen_readers():
    root = lxml.html.fragment_fromstring(
        render.inline_html(compare("Reply within 24 hours.", "Reply within 48 hours."))
    )
    dels, inss = root.xpath("//del"), root.xpath("//ins")
    assert [d.text_content() for d in dels] == ["[removed: 24]"] and [i.text_content() for i in inss] == ["[added: 48]"]
    assert root.xpath("//span[@class='pw-badge']")[0].text_content() == "changed · substantive"


def test_unchanged_context_is_folded():
    old = "".join(f"Paragraph number {k} stays.\n\n" for k in range(20)) + "The fee is 15%.\n"
    new = old.replace("15%", "17%")
    cmp = compare(old, new)
    root = lxml.html.fragment_fromstring(render.inline_html(cmp))
    (fold,) = root.xpath("//details[@class='pw-fold']")
    assert fold.xpath("summary")[0].text_content() == "19 unchanged blocks"
    assert len(fold.xpath("div")) == 19  # folded, not dropped: the page still holds the whole text
    assert "19 unchanged blocks" in render.side_by_side_html(cmp)
    assert "… 19 unchanged blocks …" in render.text(cmp)


def test_moves_say_where_from():
    old = "## A\n\nA long paragraph that will move somewhere else.\n\n## B\n\nStays here.\n"
    new = "## A\n\n## B\n\nStays here.\n\nA long paragraph that will move somewhere else.\n"
    labels = [render.label(c) for c in compare(old, new).changes if c.changed]
    assert labels == ["moved to B", "moved here from A · substantive"]


def test_excerpt_shows_only_what_matters_with_inline_styles():
    html = render.excerpt_html(
        compare("# T\n\nReply within 24 hours.\n\nSee  it.\n", "# T\n\nReply within 48 hours.\n\nSee it.\n")
    )
    assert 'style="background:#ffe5e5' in html and 'style="background:#e3f7e3' in html and "class=" not in html
    assert "See" not in html  # a whitespace-only block is not news


def test_the_change_page_shows_summary_facts_and_both_views(tmp_path):
    from policywatch.archive.health import load_health
    from policywatch.archive.index import Index
    from policywatch.archive.record import Recorder
    from policywatch.archive.store import Store
    from policywatch.feeds.publish import publish

    store = Store(tmp_path / "data")
    rec = Recorder(store)
    t0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    for k, text in enumerate((OLD, NEW)):
        rec.fetched("agreement", text=text, at=t0 + timedelta(hours=k), url="https://a.test/", extractor="x")
    rec.close()
    with Index(store) as index:
        index.refresh()
        publish(index, {}, load_health(tmp_path / "data"), tmp_path / "site")
    (page,) = (tmp_path / "site" / "docs" / "agreement" / "changes").glob("20260105T110000Z.html")
    root = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    assert "24 hours → 48 hours" in root.xpath("//p[@class='lede']")[0].text_content()
    facts = [r.text_content() for r in root.xpath("//table[@class='facts']//tr")]
    assert any("percent" in f and "15%" in f and "17%" in f for f in facts)
    assert any("section added" in f and "Returns" in f for f in facts)
    assert root.xpath("//div[contains(@class, 'pw-inline')]//ins") and root.xpath("//table[contains(@class, 'pw-sbs')]")
