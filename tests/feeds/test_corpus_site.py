"""The site of the real corpus, as a new user gets it: all 19 dev documents imported (`import dir`)
and published once for the module, then read in real Chromium on a phone (390×844) and a desktop
(1366×900): every change is reachable from the home page by links, no page logs a console error,
has a broken link or is wider than the screen; axe-core finds no serious or critical violation on
each kind of page; every page passes the Nu HTML Checker; two chosen versions compare; search
finds the changes whose edited text holds a word; the site stays small (change pages median
≤ 30 KB, 95th percentile ≤ 120 KB, ≤ 60 KB per change record). Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import CORPUS
from support.browser import VIEWPORTS, Watched, axe_problems, open_details, screenshot, walk
from support.corpus_site import import_corpus, site_sizes
from support.published import serving, vnu_jar, vnu_messages

from policywatch.archive.store import parse_version_file
from policywatch.diffs import compare
from policywatch.diffs.words import EQUAL
from policywatch.pipeline import publish_site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory) -> Iterator[tuple[str, Path, Path]]:
    """(base URL, site folder, data folder) of the imported corpus, published once."""
    if not (CORPUS / "dev").is_dir():
        if os.environ.get("POLICYWATCH_REQUIRE_CORPUS") == "1":
            pytest.fail(f"POLICYWATCH_REQUIRE_CORPUS=1 but the corpus is missing at {CORPUS}")
        pytest.skip(f"corpus not found at {CORPUS} (set POLICYWATCH_CORPUS)")
    data = tmp_path_factory.mktemp("corpus") / "data"
    import_corpus(data, CORPUS)
    out = tmp_path_factory.mktemp("corpus-site") / "out"
    out.mkdir()
    with serving(out) as base:
        publish_site(data, out, base_url=base)
        yield base, out, data


def published_records(out: Path) -> list[dict]:
    return [r for r in json.loads((out / "changes.json").read_text(encoding="utf-8")) if r["kind"] != "technical"]


def test_the_site_is_small(corpus_site):
    _, out, _ = corpus_site
    sizes = site_sizes(out)
    assert sizes.records == 320
    assert sizes.median <= 30_000, sizes.report()
    assert sizes.percentile(95) <= 120_000, sizes.report()
    assert sizes.per_record <= 60_000, sizes.report()


def test_every_change_is_reachable_and_every_page_fits(corpus_site, watched):
    base, out, _ = corpus_site
    done = walk(watched, base, settle=".fallback")
    visited = set(done.pages)
    for r in published_records(out):
        assert r["url"] in visited, f"no link reaches {r['url']}"
    every_page = {base + p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert every_page <= visited, sorted(every_page - visited)[:5]
    assert not done.broken, done.broken[:5]
    assert not done.wide, f"pages wider than a {watched.name} screen: {done.wide[:5]}"
    assert watched.errors == [], watched.errors[:5]


def _largest_change(out: Path) -> str:
    pages = sorted(out.glob("docs/*/changes/*.html"), key=lambda p: p.stat().st_size)
    return pages[-1].relative_to(out).as_posix()


def test_each_kind_of_page_passes_axe_and_is_photographed(corpus_site, watched):
    base, out, _ = corpus_site
    doc = "zalando-general-conditions-of-sale-fr"
    versions = sorted(p.name for p in (out / "docs" / doc / "versions").glob("*.html"))
    pages = {
        "home": "index.html",
        "home-page-1": "index-1.html",
        "documents": "documents.html",
        "status": "status.html",
        "subscribe": "subscribe.html",
        "document": f"docs/{doc}/index.html",
        "change-largest": _largest_change(out),
        "change": f"docs/{doc}/changes/{versions[-1]}",
        "version-current": f"docs/{doc}/versions/{versions[-1]}",
        "version-earlier": f"docs/{doc}/versions/{versions[0]}",
        "compare": f"docs/{doc}/compare.html?a={versions[0].removesuffix('.html')}",
        "search": "search.html?q=insurance",
    }
    page = watched.page
    problems = {}
    for name, path in pages.items():
        page.goto(base + path)
        if page.locator(".fallback").count():
            page.locator(".fallback").first.wait_for(state="detached")
        if name == "search":
            page.locator("#results li").first.wait_for()
        screenshot(page, f"corpus-{watched.name}-{name}")
        open_details(page)
        bad = axe_problems(page)
        if name.startswith("change"):
            page.locator("button.pw-toggle").click()
            bad += axe_problems(page)
        if bad:
            problems[name] = bad
    assert not problems
    assert watched.errors == []


@pytest.mark.skipif(vnu_jar() is None, reason="vnu.jar is not installed (make checkers installs it with npm)")
def test_every_page_is_valid_html(corpus_site):
    _, out, _ = corpus_site
    pages = sorted(out.rglob("*.html"))
    errors = [m for m in vnu_messages(pages) if m["type"] in ("error", "non-document-error")]
    assert errors == [], errors[:5]


def test_compare_two_chosen_versions(corpus_site, watched):
    base, out, _ = corpus_site
    records = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    page = watched.page
    page.goto(base + "docs/github-terms-of-service/compare.html")
    page.locator("#a option").first.wait_for(state="attached")
    values = page.locator("#a option").evaluate_all("os => os.map(o => o.value)")
    assert len(values) == sum(1 for r in records if r["document_id"] == "github-terms-of-service")
    page.select_option("#a", values[-1])
    page.select_option("#b", values[0])
    page.locator("form.compare button").click()
    result = page.locator("#result")
    assert "paragraphs differ" in result.locator("p.lede").inner_text()
    assert result.locator(".pw-edit").count() > 5 and result.locator("ins").count() and result.locator("del").count()
    screenshot(page, f"corpus-{watched.name}-compare-first-last")
    assert watched.errors == []


def _edited_words(data: Path, record: dict) -> str:
    """The text a change removed and added, from the two versions compared again."""
    folder = data / "versions" / record["document_id"]
    old = parse_version_file(folder / f"{record['from_version']}.md")[1]
    new = parse_version_file(folder / f"{record['to_version']}.md")[1]
    return " ".join(t for c in compare(old, new).changes if c.changed for op, t in c.pieces if op != EQUAL)


@pytest.fixture(scope="module")
def edited(corpus_site) -> dict[str, str]:
    """Each published change's page URL and its edited text."""
    _, out, data = corpus_site
    return {r["url"]: _edited_words(data, r) for r in published_records(out) if r["from_version"]}


@pytest.mark.parametrize("word", ["suspension", "insurance", "shipping", "fee"])
def test_search_finds_the_changes_whose_edited_text_holds_a_word(corpus_site, edited, browser, word):
    base, _, _ = corpus_site
    expected = {url for url, text in edited.items() if re.search(rf"\b{word}", text, re.IGNORECASE)}
    assert expected, f"no change edits {word!r}: the test would prove nothing"
    w = Watched(browser, viewport=VIEWPORTS["desktop"])
    try:
        page = w.page
        page.goto(base + f"search.html?q={word}")
        page.locator("#results li").first.wait_for()
        # every result, not only the page's first fifty: the module search.js set up (it is
        # the same module instance, with every bundle merged)
        found = page.evaluate(
            """async (word) => {
                const first = JSON.parse(document.getElementById('search').dataset.bundles)[0];
                const pf = await import(new URL(first.path + 'pagefind.js', location.href).href);
                const r = await pf.search(word);
                const data = await Promise.all(r.results.map(x => x.data()));
                return data.map(d => new URL(d.url, location.href).href);
            }""",
            word,
        )
        missing = expected - set(found)
        assert not missing, f"{word!r}: {len(missing)} of {len(expected)} changes not found, e.g. {sorted(missing)[:3]}"
        assert page.locator("#results li .snippet mark").count() >= 1
        assert w.errors == []
    finally:
        w.close()
