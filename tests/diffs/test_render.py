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
    "compact.html": render.compact_html,
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
    for fn in (render.inline_html, render.side_by_side_html, render.excerpt_html, render.compact_html):
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
    assert 'style="background:#fdd' in html and 'style="background:#dfd' in html and "class=" not in html
    # marked in words as well as styles: a reader without CSS still sees what was removed
    assert "[removed: 24]" in html and "[added: 48]" in html
    assert "See" not in html  # a whitespace-only block is not news
    assert "more change" not in html  # nothing left out, nothing to link


def test_excerpt_puts_the_important_edits_first_and_counts_the_rest():
    old = "# T\n\n## A\n\nLast updated 1 March.\n\n## B\n\nThe fee is 15%.\n\n" + "".join(
        f"Rule {k} applies to sellers.\n\n" for k in range(5)
    )
    new = old.replace("1 March", "2 March").replace("15%", "17%")
    for k in range(5):
        new = new.replace(f"Rule {k} applies to sellers.", f"Rule {k} applies to all sellers.")
    html = render.excerpt_html(compare(old, new), limit=3, more_href="page.html")
    parts = html.split("</p>")
    assert "[added: 17]" in parts[0] or "[added: all ]" in parts[0]  # substantive edits before the date
    assert "March" not in html  # the minor date edit is past the first three
    assert '<a href="page.html">+4 more changes</a>' in html


def _compact(old: str, new: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(render.compact_html(compare(old, new)))


def test_compact_shows_formatted_text_not_markdown():
    old = (
        "# Terms\n\n## Insurance\n\n**Insurance** is required; see [the policy](https://a.example/p1).\n\n"
        "- Sellers pay within 10 days.\n\n| Category | Fee |\n|---|---|\n| Books | 15% |\n| Toys | 12% |\n"
    )
    new = (
        old.replace("required", "optional")
        .replace("p1)", "p2)")
        .replace("10 days", "20 days")
        .replace("| Toys | 12% |", "| Toys | 14% |")
    )
    root = _compact(old, new)
    text = root.text_content()
    for markup in ("**", "](", "## ", "| "):
        assert markup not in text, markup
    assert root.xpath("//strong[text()='Insurance']")
    assert "https://a.example/p" in text  # a link reads as its text, its target beside it
    assert root.xpath("//ul[@class='pw-items']/li[contains(., 'Sellers pay within')]")
    # a changed table row is shown as a table row under its header, each cell named for small screens
    (cell,) = root.xpath("//div[@class='pw-table']//td[@data-label='Fee']")
    assert cell.xpath("del")[0].text_content() == "12" and cell.xpath("ins")[0].text_content() == "14"
    assert [h.text_content() for h in root.xpath("//h3")] == ["Insurance"]


def test_compact_keeps_one_sentence_of_context():
    sentences = [f"Sentence number {k} says something about sellers." for k in range(10)]
    old = "# T\n\n" + " ".join(sentences) + "\n"
    new = old.replace("number 5 says something", "number 5 says nothing")
    text = _compact(old, new).text_content()
    assert "number 4" in text and "number 6" in text  # one sentence either side
    assert "number 3" not in text and "number 7" not in text
    assert "…" in text


def test_compact_folds_renumbering_and_formatting_into_one_line():
    old = "# T\n\n" + "".join(f"## {k}. Part {k}\n\nText of part {k}.\n\n" for k in range(1, 8))
    new = old.replace("## 1. Part 1\n\nText of part 1.\n\n", "")
    new = new.replace("Text of part 7.", "Text of part seven.")
    for k in range(2, 8):
        new = new.replace(f"## {k}. Part {k}", f"## {k - 1}. Part {k}")
    root = _compact(old, new)
    (fold,) = root.xpath("//details[@class='pw-minor']")
    assert fold.xpath("summary")[0].text_content() == "6 formatting edits (renumbering 6)"
    assert len(fold.xpath(".//li")) == 6
    shown = [e for e in root.xpath("//div[contains(@class, 'pw-edit')]") if not e.xpath("ancestor::details")]
    assert len(shown) == 3  # the removed heading and text, and the edited sentence
    assert "seven" in root.xpath("//div[contains(@class, 'pw-modified')]")[0].text_content()


def test_compact_counts_what_it_leaves_out():
    old = "# T\n\n" + "".join(f"Rule {k} applies.\n\n" for k in range(12))
    new = old
    for k in range(12):
        new = new.replace(f"Rule {k} applies.", f"Rule {k} applies always.")
    html = render.compact_html(compare(old, new), max_edits=5, more_href="../compare.html?a=1&b=2")
    assert html.count('class="pw-edit') == 5
    assert "7 more edits" in html and 'href="../compare.html?a=1&amp;b=2"' in html


def test_search_text_holds_the_changed_sentences_and_sections():
    old = "# T\n\n## Suspension\n\nWe may suspend accounts. Other text stays here.\n"
    new = old.replace("We may suspend accounts.", "We will suspend accounts quickly.")
    text = render.search_text(compare(old, new))
    assert "Suspension" in text and "suspend accounts" in text and "may will" in text
    assert "Other text" not in text  # the changed sentences alone
    assert render.search_text(compare(old, old)) == ""


def test_the_change_page_shows_the_headline_edits_and_facts(tmp_path):
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
    # the headline comes first, then the edits; what the page is about comes after them
    main = root.xpath("//main")[0]
    order = [el.tag + ("." + el.get("class") if el.get("class") else "") for el in main]
    assert order.index("h1.headline") < order.index("h2") < order.index("dl.meta")
    assert "24 hours → 48 hours" in root.xpath("//h1")[0].text_content()
    facts = [r.text_content() for r in root.xpath("//table[contains(@class, 'facts')]//tr")]
    assert any("percent" in f and "15%" in f and "17%" in f for f in facts)
    assert root.xpath("//div[contains(@class, 'pw-compact')]//ins")
    assert root.xpath("//script[contains(@src, 'site.js')]")  # its side-by-side view
