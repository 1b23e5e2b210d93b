"""Flip-flops and reverts: a text that goes back and forth within the window is one episode of
records (the change that left the text, every record up to the revert); a revert names the change
it undoes with a readable date; a later change to a new text is no part of the episode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from policywatch.archive.changes import ChangeRecord, episode_summary, flip_flops, readable_date
from policywatch.archive.index import Index
from policywatch.archive.store import Store

START = datetime(2022, 9, 8, 11, 38, 59, tzinfo=UTC)
A = "# Terms\n\nYou may cancel at any time.\n"
B = A + "\nRelated articles\n"
C = A.replace("at any time", "within 30 days")


def records(steps: list[tuple[str, float]]) -> list[ChangeRecord]:
    """Change records of a history given as (text, days after START), derived for real."""
    return [r for r in derived(steps) if r.kind != "technical"]


def derived(steps: list[tuple[str, float]], tmp=None) -> list[ChangeRecord]:
    import tempfile
    from pathlib import Path

    root = Path(tempfile.mkdtemp()) if tmp is None else tmp
    store = Store(root)
    for text, days in steps:
        store.add("doc", text, fetched_at=START + timedelta(days=days), url="u", extractor="t")
    with Index(store) as index:
        index.refresh()
        return list(index.changes("doc", newest_first=False))


def test_a_revert_names_the_change_it_undoes_with_a_readable_date():
    first, change, revert = records([(A, 0), (B, 0.1), (A, 0.3)])
    assert (change.kind, revert.kind) == ("change", "revert")
    assert revert.reverts_to == first.to_version and revert.undoes == change.to_version
    assert revert.summary.startswith("Reverts the change of 8 Sep 2022: removed ")
    assert "20220908T" not in revert.summary
    assert readable_date("2022-09-08T13:27:47Z") == "8 Sep 2022"


def test_a_text_back_within_the_window_is_one_flip_flop():
    first, change, revert = records([(A, 0), (B, 1), (A, 3)])
    (ff,) = flip_flops([first, change, revert])
    assert [r.id for r in ff.records] == [change.id, revert.id] and ff.id == change.id and ff.settled
    # the same history with the return after the window: a change and a revert, no flip-flop
    assert flip_flops(records([(A, 0), (B, 1), (A, 9)])) == []
    # a window of zero finds none; a longer one finds the slow return
    assert flip_flops([first, change, revert], timedelta(0)) == []
    assert len(flip_flops(records([(A, 0), (B, 1), (A, 9)]), timedelta(days=10))) == 1


def test_back_and_forth_is_one_episode_and_a_later_new_text_is_not_in_it():
    steps = [(A, 0), (B, 0.2), (A, 0.4), (B, 1), (A, 1.5), (B, 2), (C, 30)]
    history = records(steps)
    (ff,) = flip_flops(history)
    assert [r.to_version for r in ff.records] == [r.to_version for r in history[1:6]]
    assert not ff.settled  # it ended on the new text
    assert history[-1].id not in {r.id for r in ff.records}  # the later change is an ordinary one
    text = episode_summary(ff)
    assert text.startswith("Unstable: 5 changes back and forth (8 Sep 2022 to 10 Sep 2022), ending on the new text")
    assert 'what flips: Added "Related articles"' in text


@pytest.mark.parametrize(
    ("steps", "episodes"),
    [
        ([(A, 0), (B, 1)], 0),  # a change alone
        ([(A, 0), (B, 1), (C, 2)], 0),  # two changes, never back
        ([(A, 0), (B, 1), (C, 2), (A, 3)], 1),  # back to A through C: B, C and the revert
        ([(A, 0), (B, 1), (A, 2), (C, 40), (A, 41)], 2),  # two episodes apart
    ],
)
def test_flip_flops_of_histories(steps, episodes):
    assert len(flip_flops(records(steps))) == episodes
