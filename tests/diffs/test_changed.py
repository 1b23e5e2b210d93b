"""diffs.changed: the sentences a change added and removed (what keyword watches look in), and the
sections it touched. One row per case; add a row for every bug found."""

from __future__ import annotations

import pytest

from policywatch.diffs import compare
from policywatch.diffs.changed import changed_text

DOC = "# Seller Agreement\n\n## Fees\n\n{fees}\n\n## Reserves\n\n{reserves}\n"
FEES = "The referral fee is 15% of the price. It is charged on every sale."
RESERVES = "We may hold a 14-day reserve on new accounts. Reserves are released after review."

CASES = [
    # (name, old fees/reserves, new fees/reserves, added, removed, sections)
    (
        "an edit brings its whole sentence, not the rest of the paragraph",
        (FEES, RESERVES),
        (FEES, RESERVES.replace("14-day", "30-day")),
        ["We may hold a 30-day reserve on new accounts."],
        ["We may hold a 14-day reserve on new accounts."],
        ["Reserves"],
    ),
    (
        "one word flipped",
        (FEES, RESERVES),
        (FEES, RESERVES.replace("may", "must")),
        ["We must hold a 14-day reserve on new accounts."],
        ["We may hold a 14-day reserve on new accounts."],
        ["Reserves"],
    ),
    (
        "a paragraph added is added whole",
        (FEES, RESERVES),
        (FEES + "\n\nLithium batteries carry a handling fee.", RESERVES),
        ["Lithium batteries carry a handling fee."],
        [],
        ["Fees"],
    ),
    (
        "a sentence removed from the middle",
        (FEES, RESERVES),
        ("The referral fee is 15% of the price.", RESERVES),
        [],
        ["It is charged on every sale."],
        ["Fees"],
    ),
    ("formatting only adds and removes nothing", (FEES, RESERVES), (FEES.replace(" of", "  of"), RESERVES), [], [], []),
    (
        "markup is not text",
        (FEES, RESERVES),
        (FEES.replace("15%", "**17%**"), RESERVES),
        ["The referral fee is 17% of the price."],
        ["The referral fee is 15% of the price."],
        ["Fees"],
    ),
    (
        "edits in two sections; a word only inserted removes nothing",
        (FEES, RESERVES),
        (FEES.replace("15%", "16%"), RESERVES.replace("review", "a review")),
        ["The referral fee is 16% of the price.", "Reserves are released after a review."],
        ["The referral fee is 15% of the price."],
        ["Fees", "Reserves"],
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "added", "removed", "sections"), CASES, ids=[c[0] for c in CASES])
def test_changed_text(name, old, new, added, removed, sections):
    cmp = compare(DOC.format(fees=old[0], reserves=old[1]), DOC.format(fees=new[0], reserves=new[1]))
    got = changed_text(cmp)
    assert (got.added, got.removed, got.sections) == (added, removed, sections)


def test_a_block_moved_as_it_was_adds_and_removes_nothing():
    old = "# T\n\n## A\n\nFirst paragraph here.\n\n## B\n\nSecond paragraph there.\n"
    new = "# T\n\n## B\n\nSecond paragraph there.\n\n## A\n\nFirst paragraph here.\n"
    got = changed_text(compare(old, new))
    assert (got.added, got.removed) == ([], [])


def test_nested_sections_name_the_innermost_two_without_the_document_title():
    old = "# Agreement\n\n## 3. Fees\n\n### 3.1 Referral\n\nThe fee is 15%.\n"
    got = changed_text(compare(old, old.replace("15%", "17%")))
    assert got.sections == ["3. Fees › 3.1 Referral"]
