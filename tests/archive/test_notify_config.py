"""data/notify.yml: what keywords and patterns match, which subscriptions follow which changes,
when digests are due, and errors that name the file, the subscription or watch, and the field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from policywatch.archive.alerts import last_digest_time
from policywatch.archive.errors import NotifyConfigError
from policywatch.archive.notify_config import Matcher, load_notify, target_urls

MATCHES = [
    # (keywords, patterns, added text, matched terms; [] when nothing matches)
    (["suspension"], [], "We may apply a suspension of your account.", ["suspension"]),
    (["suspension"], [], "Suspensions are rare.", []),  # whole words
    (["suspen*"], [], "We may suspend selling privileges.", ["suspen*"]),  # a prefix
    (["Reserve"], [], "a RESERVE of 10%", ["Reserve"]),  # case aside
    (["reserve"], [], "all rights reserved", []),
    (["account health"], [], "your Account\nHealth rating", ["account health"]),  # any white space
    (["lithium"], [], "lithium-ion batteries", ["lithium"]),  # a hyphen ends a word
    (["A-to-z"], [], "file an a-to-z claim", ["A-to-z"]),
    (["€5"], [], "a fee of €5 per order", ["€5"]),
    ([], [r"within \d+ (?:hours|days)"], "respond within 48 hours", [r"within \d+ (?:hours|days)"]),
    ([], [r"\breserves?\b"], "reserves apply", [r"\breserves?\b"]),
    (["fee", "refund"], [], "A refund of the fee.", ["refund", "fee"]),  # in the order they appear
]


@pytest.mark.parametrize(("keywords", "patterns", "text", "terms"), MATCHES)
def test_keywords_and_patterns(keywords, patterns, text, terms):
    hits = Matcher(keywords, patterns).find([text], [])
    assert [h.term for h in hits] == terms
    for h in hits:
        assert (
            h.side == "added"
            and h.text[h.start : h.end].casefold().split() == h.text[h.start : h.end].casefold().split()
        )


def test_a_hit_shows_its_sentence_cut_around_it():
    text = " ".join(f"word{n}" for n in range(60)) + " lithium " + " ".join(f"more{n}" for n in range(60))
    (hit,) = Matcher(["lithium"], []).find([], [text])
    assert hit.side == "removed"
    assert hit.text.startswith("…word") and hit.text.endswith("…")
    assert hit.text[hit.start : hit.end] == "lithium"
    assert len(hit.text) < 200


def write(tmp_path: Path, config: object) -> Path:
    path = tmp_path / "notify.yml"
    path.write_text(config if isinstance(config, str) else yaml.safe_dump(config), encoding="utf-8")
    return path


ERRORS = [
    # (notify.yml, environment, the problem, as printed after the file's name)
    ("subscriptions: [", {}, "is not valid YAML at line 1"),
    ("- a list", {}, "must be a mapping with 'subscriptions'"),
    ({"subscription": []}, {}, "field 'subscription': unknown key"),
    ({"site_url": "ftp://x"}, {}, "field 'site_url': must be the http(s) URL the site is published at"),
    ({"subscriptions": [{"urls": ["A"]}]}, {"A": "json://h"}, "subscription #1: field 'name': is required"),
    (
        {"subscriptions": [{"name": "Team", "urls": ["A"]}]},
        {"A": "json://h"},
        "subscription 'Team': field 'name': must be",
    ),
    (
        {"subscriptions": [{"name": "t", "urls": []}]},
        {},
        "subscription 't': field 'urls': names no environment variable",
    ),
    (
        {"subscriptions": [{"name": "t", "urls": ["A", "A"]}]},
        {"A": "json://h"},
        "field 'urls': names the same variable",
    ),
    ({"subscriptions": [{"name": "t", "urls": ["A"]}]}, {"A": " "}, "field 'urls': environment variable A is empty"),
    ({"subscriptions": [{"name": "t", "urls": "A", "timezone": "Mars/Base"}]}, {"A": "json://h"}, "unknown time zone"),
    (
        {"subscriptions": [{"name": "t", "urls": "A", "mode": "weekly", "day": "funday"}]},
        {"A": "json://h"},
        "field 'day'",
    ),
    (
        {"subscriptions": [{"name": "t", "urls": "A", "mode": "daily", "day": "monday"}]},
        {"A": "json://h"},
        "not weekly",
    ),
    ({"subscriptions": [{"name": "t", "urls": "A", "mode": "daily", "at": "8am"}]}, {"A": "json://h"}, "HH:MM"),
    ({"subscriptions": [{"name": "t", "urls": "A", "significance": "big"}]}, {"A": "json://h"}, "field 'significance'"),
    ({"subscriptions": [{"name": "t", "urls": "A", "keywords": ["a*b"]}]}, {"A": "json://h"}, "may only end a keyword"),
    ({"subscriptions": [{"name": "t", "urls": "A", "patterns": ["x*"]}]}, {"A": "json://h"}, "matches empty text"),
    ({"subscriptions": [{"name": "t", "urls": "A", "watches": ["w"]}]}, {"A": "json://h"}, "no watch is named w"),
    (
        {"subscriptions": [{"name": "t", "urls": "A"}, {"name": "t", "urls": "A"}]},
        {"A": "json://h"},
        "already the name",
    ),
    ({"watches": [{"name": "w"}]}, {}, "watch 'w': a watch needs keywords or patterns"),
    ({"watches": [{"name": "w", "keywords": "x", "colour": 1}]}, {}, "watch 'w': field 'colour': unknown key"),
]


@pytest.mark.parametrize(("config", "env", "problem"), ERRORS)
def test_errors_name_file_entry_and_field(tmp_path, config, env, problem):
    path = write(tmp_path, config)
    with pytest.raises(NotifyConfigError) as e:
        load_notify(path, env)
    assert f"{path}: " in str(e.value) and problem in str(e.value)


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, {"subscriptions": [{"name": "a", "urls": ["X"]}, {"name": "b", "urls": ["Y"], "mode": "x"}]})
    with pytest.raises(NotifyConfigError) as e:
        load_notify(path, {})
    # a's unset variable and b's mode (b's variable is looked at once b itself is valid)
    assert len(e.value.problems) == 2 and "2 problems" in str(e.value)


def test_without_an_environment_the_variables_are_not_looked_at(tmp_path):
    path = write(
        tmp_path, {"watches": [{"name": "li", "keywords": "lithium"}], "subscriptions": [{"name": "t", "urls": "X"}]}
    )
    config = load_notify(path)
    assert [w.name for w in config.watches] == ["li"] and config.subscriptions[0].urls == ("X",)


def test_a_variable_may_hold_several_urls(tmp_path):
    path = write(tmp_path, {"subscriptions": [{"name": "t", "urls": ["A", "B"]}]})
    env = {"A": "json://h/1\n  mailto://h/?to=x@y.z", "B": "json://h/2"}
    (sub,) = load_notify(path, env).subscriptions
    assert [t for t, _ in target_urls(sub, env)] == ["A", "A#2", "B"]


def test_watches_join_a_subscriptions_own_keywords(tmp_path):
    config = {
        "watches": [{"name": "batteries", "keywords": ["lithium"], "patterns": [r"\d+ ?Wh\b"]}],
        "subscriptions": [{"name": "t", "urls": "A", "keywords": ["recall"], "watches": ["batteries"]}],
    }
    (sub,) = load_notify(write(tmp_path, config), {"A": "json://h"}).subscriptions
    assert [h.term for h in sub.matcher.find(["a recall of 100 Wh lithium packs"], [])] == [
        "recall",
        r"\d+ ?Wh\b",
        "lithium",
    ]


SCOPE = [
    # (filters, (document, service, tags), in scope)
    ({}, ("any-doc", "Any", ()), True),
    ({"documents": ["amazon-us-*"]}, ("amazon-us-fees", "Amazon", ()), True),
    ({"documents": ["amazon-us-*"]}, ("amazon-de-fees", "Amazon", ()), False),
    ({"services": ["amazon seller central (us)"]}, ("x", "Amazon Seller Central (US)", ()), True),
    ({"services": ["eBay"]}, ("x", "Amazon Seller Central (US)", ()), False),
    ({"tags": ["fees", "agreement"]}, ("x", "S", ("agreement", "us")), True),
    ({"tags": ["fees"]}, ("x", "S", ("agreement",)), False),
    ({"documents": ["a"], "tags": ["t"]}, ("a", "S", ()), False),  # every filter must hold
]


@pytest.mark.parametrize(("filters", "doc", "expected"), SCOPE)
def test_scope(tmp_path, filters, doc, expected):
    (sub,) = load_notify(write(tmp_path, {"subscriptions": [{"name": "t", "urls": "A", **filters}]})).subscriptions
    assert sub.in_scope(*doc) is expected


def test_significance_is_a_minimum_and_topics_any_of(tmp_path):
    config = {"subscriptions": [{"name": "t", "urls": "A", "significance": "minor", "topics": ["fees-payments"]}]}
    (sub,) = load_notify(write(tmp_path, config)).subscriptions
    assert sub.why_not("substantive", ["fees-payments", "other"]) is None
    assert sub.why_not("minor", ["fees-payments"]) is None
    assert sub.why_not("cosmetic", ["fees-payments"]) == "significance"
    assert sub.why_not("substantive", ["account-health"]) == "topic"


BERLIN = "Europe/Berlin"  # UTC+1 in March, UTC+2 in July
SCHEDULES = [
    # (settings, now (UTC), the newest digest due: period and its time (UTC))
    ({"mode": "daily"}, "2026-03-02T09:00:00Z", ("2026-03-02", "2026-03-02T08:00")),
    ({"mode": "daily"}, "2026-03-02T07:59:00Z", ("2026-03-01", "2026-03-01T08:00")),
    ({"mode": "daily", "at": "18:30", "timezone": BERLIN}, "2026-03-02T17:31:00Z", ("2026-03-02", "2026-03-02T17:30")),
    ({"mode": "daily", "at": "08:00", "timezone": BERLIN}, "2026-07-01T06:30:00Z", ("2026-07-01", "2026-07-01T06:00")),
    ({"mode": "weekly"}, "2026-03-04T12:00:00Z", ("2026-W10", "2026-03-02T08:00")),  # Wednesday: Monday's
    ({"mode": "weekly"}, "2026-03-02T07:00:00Z", ("2026-W09", "2026-02-23T08:00")),  # Monday, before 08:00
    ({"mode": "weekly", "day": "friday", "at": "16:00"}, "2026-03-06T16:00:00Z", ("2026-W10", "2026-03-06T16:00")),
    ({"mode": "weekly", "day": "sunday"}, "2026-03-02T09:00:00Z", ("2026-W09", "2026-03-01T08:00")),
]  # fmt: skip


@pytest.mark.parametrize(("settings", "now", "expected"), SCHEDULES)
def test_digest_schedule(tmp_path, settings, now, expected):
    (sub,) = load_notify(write(tmp_path, {"subscriptions": [{"name": "t", "urls": "A", **settings}]})).subscriptions
    period, when = last_digest_time(sub, datetime.fromisoformat(now.replace("Z", "+00:00")))
    assert (period, when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")) == expected
