"""`policywatch diff OLD NEW` on two files, in each format; the JSON is the change record."""

from __future__ import annotations

import json

import pytest

from policywatch.diffs import compare

OLD = "# Fees\n\n## Referral\n\nThe referral fee is 15% of the price.\n\n## Payouts\n\nPaid every 14 days.\n"
NEW = OLD.replace("15%", "17%") + "\n## Returns\n\nReturns are accepted within 30 days.\n"


@pytest.fixture
def pair(tmp_path):
    (tmp_path / "old.md").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.md").write_text(NEW, encoding="utf-8")
    return tmp_path / "old.md", tmp_path / "new.md"


def test_json_is_the_change_record(cli, pair):
    r = cli("diff", str(pair[0]), str(pair[1]), "--format", "json", check=True)
    record = json.loads(r.stdout)
    assert record["significance"] == "substantive"
    # the headline says what changed; the structure counted moved to `details`
    assert record["summary"] == (
        'The referral fee is 15% → 17% (higher); added section "Returns"; '
        'added "Returns are accepted within 30 days" (Returns)'
    )
    assert record["details"] == "1 section changed (Referral), 1 added (Returns); +8 −1 words"
    assert record["sections"] == ["Fees › Referral", "Fees › Returns"]
    assert record["stats"]["sections_added"] == 1 and record["stats"]["words_added"] >= 6
    assert {"kind": "percentage", "before": "15%", "after": "17%", "context": "The referral fee is"} in record["facts"]
    assert {"kind": "section_added", "before": None, "after": "Returns", "context": "Fees"} in record["facts"]


def test_text_marks_edits(cli, pair):
    out = cli("diff", str(pair[0]), str(pair[1]), check=True).stdout
    assert "[-15-]{+17+}" in out and out.startswith("substantive: ")


def test_html_is_a_page_with_both_views(cli, pair):
    out = cli("diff", str(pair[0]), str(pair[1]), "--format", "html", check=True).stdout
    assert out.startswith("<!doctype html>") and "pw-inline" in out and "pw-sbs" in out
    assert '<del class="pw-del">' in out and "[removed: </span>15" in out


def test_html_inputs_are_extracted(cli, tmp_path):
    (tmp_path / "a.html").write_text("<main><p>Reply within 24 hours.</p></main>", encoding="utf-8")
    (tmp_path / "b.html").write_text("<main><p>Reply within <b>48</b> hours.</p></main>", encoding="utf-8")
    record = json.loads(
        cli("diff", str(tmp_path / "a.html"), str(tmp_path / "b.html"), "--format", "json", check=True).stdout
    )
    assert record["facts"][0]["before"] == "24 hours" and record["facts"][0]["after"] == "48 hours"


def test_missing_file_is_a_usage_error(cli, tmp_path):
    r = cli("diff", str(tmp_path / "nope.md"), str(tmp_path / "nope2.md"))
    assert r.returncode == 2 and "does not exist" in r.stderr


@pytest.mark.parametrize(("old", "new"), [(OLD, NEW), ("", "x\n"), ("a\n\n\nb", "b\n\na"), (NEW, OLD), ("x", "x")])
def test_changes_reconstruct_both_texts(old, new):
    cmp = compare(old, new)
    assert cmp.old_text() == old and cmp.new_text() == new


ESCAPES = (
    "\x1b]0;pwned title\x07",  # set the terminal's title
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]8;;https://evil.example/\x1b\\a link\x1b]8;;\x1b\\",  # a hidden hyperlink
    "\x9b31m",  # a one-byte CSI (C1)
    "\u202eevil reversed\u202c",  # right-to-left override
)


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("color", ["--color", "--no-color"])
def test_no_terminal_control_from_the_files_reaches_the_terminal(cli, tmp_path, fmt, color):
    old = "# Fees\n\nThe fee is 15%.\n"
    new = "# Fees\n\nThe fee is 17%. " + " ".join(ESCAPES) + "\n"
    (tmp_path / "a.md").write_text(old, encoding="utf-8")
    (tmp_path / "b.md").write_text(new, encoding="utf-8")
    out = cli("diff", str(tmp_path / "a.md"), str(tmp_path / "b.md"), "--format", fmt, color, check=True).stdout
    ours = out.replace("\x1b[31m", "").replace("\x1b[32m", "").replace("\x1b[0m", "").replace("\x1b[2m", "")
    assert not [c for c in ours if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0], repr(ours)
    assert "\u202e" not in ours and "\u202c" not in ours
    if fmt == "text":
        assert "pwned title" in ours and "<U+202E>evil reversed<U+202C>" in ours  # shown, not obeyed
    else:
        assert json.loads(out)["significance"] == "substantive"


def test_color_into_a_pipe_keeps_the_change_marks(cli, pair):
    out = cli("diff", str(pair[0]), str(pair[1]), "--color", check=True).stdout
    assert "\x1b[31m" in out and "[-" in out and "{+" in out
    assert "[-\x1b[31m15\x1b[0m-]{+\x1b[32m17\x1b[0m+}" in out
