"""Every page of the site passes the Nu HTML Checker (vnu.jar from npm's vnu-jar, run with Java):
no errors, and no warning but the ones listed here with the reason each is accepted."""

from __future__ import annotations

import pytest
from support.published import publish_data, vnu_check, vnu_jar, write_history

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(vnu_jar() is None, reason="vnu.jar is not installed (make checkers installs it with npm)"),
]


def test_every_page_is_valid_html(tmp_path):
    data = tmp_path / "data"
    write_history(data)
    out = tmp_path / "out"
    publish_data(data, out, base_url="https://someone.github.io/watch/")
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 40
    errors, unexplained = vnu_check(pages)
    assert errors == [], errors[:5]
    assert unexplained == [], unexplained[:5]


def test_the_checker_reports_errors(tmp_path):
    """The check can fail: a page with a stray end tag and a duplicate id is reported."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
        '<body><p id="a">one</p><p id="a">two</span></body></html>',
        encoding="utf-8",
    )
    errors, _ = vnu_check([bad])
    assert len(errors) >= 2
