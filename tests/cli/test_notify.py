"""`policywatch notify` against real servers on 127.0.0.1: an SMTP server (aiosmtpd) and a JSON
webhook server (Apprise's json://). Each change reaches each subscription once: across reruns,
failed sends (a server answering 500, then recovering), kill -9 between two sends, sharded
crawls; filters include and exclude; a new subscription gets no history; secrets never show.

The history is the Example Marketplace's (tests/support/published.py), recorded step by step;
the clock is $POLICYWATCH_NOW, so digests and retries are due when a test says.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from support.helpers import tree_digest, write_sources
from support.published import write_history
from support.receivers import HookServer, SmtpServer, parts

from policywatch import example
from policywatch.archive.shards import merge_shards
from policywatch.archive.store import Store

FEES = f"alert/{example.FEES.id}/20260106T090000Z"  # 15% → 17%: fees-payments, substantive
RESPONSE = f"alert/{example.HEALTH.id}/20260106T090000Z"  # 24 → 48 hours: account-health
BATTERIES = f"alert/{example.PROHIBITED.id}/20260107T090000Z"  # a section with "lithium" added
CREDITS = f"alert/{example.AGREEMENT.id}/20260108T090000Z"  # a section removed: substantive
MOVED = f"alert/{example.AGREEMENT.id}/20260109T090000Z"  # a paragraph moved: minor
BACK = f"alert/{example.PROHIBITED.id}/20260110T090000Z"  # the revert: "lithium" removed
DATE = f"alert/{example.AGREEMENT.id}/20260111T090000Z"  # "last updated": minor
# step 4's fee schedule change (a no-break space) is cosmetic: no subscription below asks for it
SUPPORT = "Example Seller Support"


def sources(data: Path) -> None:
    """Two services: the account-health page under its own, for the service filter."""
    for service, pages in (
        ("Example Marketplace", (example.AGREEMENT, example.FEES, example.PROHIBITED)),
        (SUPPORT, (example.HEALTH,)),
    ):
        docs = [
            {"id": p.id, "title": p.title, "url": f"https://market.example{p.path}", "tags": list(p.tags)}
            for p in pages
        ]
        write_sources(data / "sources" / f"{pages[0].id}.yml", docs, service)


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    sources(folder)
    write_history(folder, 1)  # the first versions: history a new subscription never gets
    return folder


@pytest.fixture
def hooks():
    server = HookServer()
    yield server
    server.close()


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.close()


def write_notify(data: Path, config: dict) -> None:
    (data / "notify.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def run(data: Path, *args: str, env: dict | None = None, now: str = "2026-03-02T07:00:00Z", timeout: float = 120):
    full_env = {**os.environ, "NO_COLOR": "1", "POLICYWATCH_NOW": now, **(env or {})}
    argv = [sys.executable, "-m", "policywatch", "--data-dir", str(data), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=data.parent)


def state(data: Path, name: str) -> dict:
    return json.loads((data / "notify-state" / f"{name}.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- filters


FILTERS = [
    # (subscription settings, the alerts it gets of steps 2-7): each filter shown including and excluding
    ({}, [FEES, RESPONSE, BATTERIES, CREDITS, BACK]),  # default: substantive changes only
    ({"significance": "minor"}, [FEES, RESPONSE, BATTERIES, CREDITS, MOVED, BACK, DATE]),
    ({"topics": ["fees-payments"]}, [FEES]),
    ({"topics": ["account-health", "listings-products"]}, [RESPONSE, BATTERIES, BACK]),
    ({"keywords": ["lithium"]}, [BATTERIES, BACK]),  # added, then removed
    ({"patterns": [r"within \d+ hours"]}, [RESPONSE]),
    ({"services": [SUPPORT]}, [RESPONSE]),
    ({"services": ["Example Marketplace"], "significance": "minor"}, [FEES, BATTERIES, CREDITS, MOVED, BACK, DATE]),
    ({"documents": ["example-fee-*"]}, [FEES]),
    ({"tags": ["conduct"], "keywords": ["suspension"]}, []),  # no change added or removed it
]


def test_filters_include_and_exclude(data, hooks):
    subs = [
        {"name": f"f{n}", "urls": [f"HOOK_{n}"], "welcome": False, **settings}
        for n, (settings, _) in enumerate(FILTERS)
    ]
    write_notify(data, {"subscriptions": subs})
    env = {f"HOOK_{n}": hooks.url(f"/f{n}") for n in range(len(FILTERS))}
    r = run(data, "notify", env=env)
    assert r.returncode == 0, r.stderr
    assert not hooks.posts  # started from now: the first versions are history
    write_history(data, None)  # steps 2-7, a technical re-extraction and health events
    r = run(data, "notify", env=env, now="2026-03-02T08:00:00Z")
    assert r.returncode == 0, r.stderr
    for n, (settings, expected) in enumerate(FILTERS):
        got = hooks.delivered(f"/f{n}")
        assert sorted(got) == sorted(expected), (settings, got)
    # every post is Apprise's JSON payload, with the headline as its title
    post = next(p for p in hooks.posts if p.key == FEES)
    assert post.body["title"] == f"{example.FEES.title}: The referral fee is 15% → 17% (higher)"
    assert "The referral fee is: 15% → 17%" in post.body["message"]
    assert "Topics: Fees & payments" in post.body["message"]
    assert post.body["type"] == "info"


# ---------------------------------------------------------------------------- e-mail


def test_digest_and_alert_by_email(data, smtp):
    write_notify(
        data,
        {
            "site_url": "https://you.github.io/policywatch/",
            "subscriptions": [
                {"name": "daily", "urls": ["MAIL_URL"], "mode": "daily", "at": "08:00", "health": True},
                {"name": "batteries", "urls": ["MAIL_ALERTS"], "keywords": ["lithium"], "welcome": False},
            ],
        },
    )
    env = {"MAIL_URL": smtp.url("team@example.com"), "MAIL_ALERTS": smtp.url("ops@example.com")}
    r = run(data, "notify", env=env, now="2026-03-02T07:00:00Z")
    assert r.returncode == 0, r.stderr
    assert [m["Subject"] for m in smtp.messages] == ["policywatch: “daily” is set up, tracking 4 documents"]

    write_history(data, 3)  # fee, response time, batteries
    r = run(data, "notify", env=env, now="2026-03-02T07:30:00Z")
    assert r.returncode == 0, r.stderr
    assert "queued      daily  3 change(s) for its next digest" in r.stderr
    alert = smtp.messages[-1]
    assert smtp.envelopes[-1][1] == ["ops@example.com"]
    assert alert["Subject"] == (
        f'{example.PROHIBITED.title}: Added section "Batteries"; '
        'added "Loose lithium batteries and power banks above…" (Batteries)'
    )
    text, html = parts(alert)["text/plain"], parts(alert)["text/html"]
    change = "https://you.github.io/policywatch/docs/example-prohibited-items/changes/20260107T090000Z.html"
    assert f'<a href="{change}">' in html and change in text
    assert "<mark>lithium</mark>" in html and "“lithium” (added): Loose lithium batteries" in text
    assert len(smtp.messages) == 2  # the digest waits for 08:00

    r = run(data, "notify", env=env, now="2026-03-02T08:05:00Z")
    assert r.returncode == 0, r.stderr
    assert len(smtp.messages) == 3
    digest = smtp.messages[-1]
    assert smtp.envelopes[-1][1] == ["team@example.com"]
    assert digest["Subject"] == "policywatch daily digest, 2 March 2026: 3 changes in 3 documents"
    assert digest.get_content_type() == "multipart/alternative"
    text, html = parts(digest)["text/plain"], parts(digest)["text/html"]
    # grouped by service, then document; every change linked in both parts
    assert text.index("Example Marketplace") < text.index(example.FEES.title) < text.index(SUPPORT)
    assert text.index(SUPPORT) < text.index("24 hours → 48 hours")
    for doc, version in ((example.FEES.id, "20260106T090000Z"), (example.PROHIBITED.id, "20260107T090000Z")):
        url = f"https://you.github.io/policywatch/docs/{doc}/changes/{version}.html"
        assert url in text and f'href="{url}"' in html
    assert "<h3" in html and "[substantive] The referral fee is 15% → 17% (higher)" in text

    # nothing new: nothing sent, nothing written
    before = tree_digest(data, exclude=("policywatch.db",))
    r = run(data, "notify", env=env, now="2026-03-02T14:00:00Z")
    assert r.returncode == 0, r.stderr
    assert len(smtp.messages) == 3
    assert tree_digest(data, exclude=("policywatch.db",)) == before


def test_digest_substantive_first_and_counts_what_it_left_out(data, smtp):
    subscription = {"name": "weekly", "urls": ["MAIL_URL"], "mode": "weekly", "day": "monday", "welcome": False}
    write_notify(
        data, {"subscriptions": [{**subscription, "services": ["Example Marketplace"], "significance": "minor"}]}
    )
    env = {"MAIL_URL": smtp.url()}
    assert run(data, "notify", env=env, now="2026-03-01T12:00:00Z").returncode == 0  # a Sunday
    write_history(data, None)
    assert run(data, "notify", env=env, now="2026-03-01T13:00:00Z").returncode == 0
    assert not smtp.messages
    r = run(data, "notify", env=env, now="2026-03-02T09:00:00Z")  # Monday, after 08:00
    assert r.returncode == 0, r.stderr
    (digest,) = smtp.messages
    assert digest["Subject"] == "policywatch weekly digest, 2 March 2026: 6 changes in 3 documents"
    text = parts(digest)["text/plain"]
    assert "6 changes to 3 documents since the last digest (4 substantive, 2 minor)." in text
    # substantive first: the agreement's removed section before its moved paragraph and date
    assert text.index('[substantive] Removed section "4. Promotional credits"') < text.index("[minor]")
    assert text.index(example.FEES.title) < text.index("[minor]")
    # the fee schedule's no-break space is cosmetic; the account-health page is another service
    assert "Left out: 1 change below minor." in text
    assert "24 hours" not in text


# ---------------------------------------------------------------------------- exactly once


def test_a_server_answering_500_gets_each_change_once_when_it_recovers(data, hooks):
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"], "welcome": False}]})
    env = {"HOOK": hooks.url()}
    assert run(data, "notify", env=env).returncode == 0
    write_history(data, 2)  # two changes
    hooks.answer = lambda n: 500
    r = run(data, "notify", env=env, now="2026-03-02T07:05:00Z")
    assert r.returncode == 1
    assert "failed" in r.stderr and "retried after 2026-03-02T07:15:00Z" in r.stderr
    assert len(hooks.posts) == 2 and not hooks.delivered()
    hooks.answer = lambda n: 200
    r = run(data, "notify", env=env, now="2026-03-02T07:06:00Z")  # too soon: backoff
    assert r.returncode == 1 and "2 waiting for a retry" in r.stderr
    assert len(hooks.posts) == 2
    r = run(data, "notify", env=env, now="2026-03-02T07:20:00Z")
    assert r.returncode == 0, r.stderr
    assert sorted(hooks.delivered()) == sorted([FEES, RESPONSE])
    r = run(data, "notify", env=env, now="2026-03-02T13:00:00Z")
    assert r.returncode == 0 and len(hooks.posts) == 4  # nothing more
    assert [e["status"] for e in state(data, "team")["log"]] == ["sent", "sent"]


def test_a_server_that_fails_again_waits_longer_each_time(data, hooks):
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"], "welcome": False}]})
    env = {"HOOK": hooks.url()}
    assert run(data, "notify", env=env).returncode == 0
    write_history(data, 2)
    hooks.answer = lambda n: 503
    waits = []
    for now in ("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z", "2026-03-02T12:00:00Z"):
        run(data, "notify", env=env, now=now)
        waits.append(state(data, "team")["outbox"][0]["targets"]["HOOK"]["next_try"])
    assert waits == ["2026-03-02T08:10:00Z", "2026-03-02T09:20:00Z", "2026-03-02T12:40:00Z"]


def test_kill_between_sends_then_rerun_delivers_each_change_once(data, hooks):
    subs = [
        {"name": "all", "urls": ["HOOK_ALL"], "significance": "minor", "welcome": False},
        {"name": "fees", "urls": ["HOOK_FEES"], "topics": ["fees-payments"], "welcome": False},
        {"name": "lithium", "urls": ["HOOK_LI"], "keywords": ["lithium"], "welcome": False},
    ]
    write_notify(data, {"subscriptions": subs})
    env = {"HOOK_ALL": hooks.url("/all"), "HOOK_FEES": hooks.url("/fees"), "HOOK_LI": hooks.url("/lithium")}
    assert run(data, "notify", env=env).returncode == 0
    write_history(data, None)
    expected = {
        "/all": [FEES, RESPONSE, BATTERIES, CREDITS, MOVED, BACK, DATE],
        "/fees": [FEES],
        "/lithium": [BATTERIES, BACK],
    }
    total = sum(len(v) for v in expected.values())

    # the test-only pause between two deliveries holds the run where the kill must land
    argv = [sys.executable, "-m", "policywatch", "--data-dir", str(data), "notify"]
    full_env = {**os.environ, **env, "POLICYWATCH_NOW": "2026-03-02T08:00:00Z", "POLICYWATCH_NOTIFY_PAUSE": "3"}
    proc = subprocess.Popen(argv, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        hooks.wait_for(2)
        time.sleep(0.5)  # inside the pause after the second delivery
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert len(hooks.posts) == 2
    r = run(data, "notify", env=env, now="2026-03-02T08:01:00Z")
    assert r.returncode == 0, r.stderr
    assert "0 unconfirmed" in r.stderr and "unconfirmed " not in r.stderr
    for path, keys in expected.items():
        assert sorted(hooks.delivered(path)) == sorted(keys), path  # every one, none twice
    r = run(data, "notify", env=env, now="2026-03-02T14:00:00Z")
    assert r.returncode == 0 and len(hooks.posts) == total


def test_kill_while_a_message_is_on_the_wire_never_sends_it_twice(data, hooks):
    """The one window exactly-once cannot close: the service may or may not have the message.
    It is reported as unconfirmed and not sent again; the other messages go out once."""
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"], "welcome": False}]})
    env = {"HOOK": hooks.url()}
    assert run(data, "notify", env=env).returncode == 0
    write_history(data, 2)  # two changes
    hooks.answer = lambda n: (200, 30.0) if n == 1 else 200  # the first one hangs
    argv = [sys.executable, "-m", "policywatch", "--data-dir", str(data), "notify"]
    full_env = {**os.environ, **env, "POLICYWATCH_NOW": "2026-03-02T08:00:00Z"}
    proc = subprocess.Popen(argv, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        hooks.wait_for(1)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    hooks.answer = lambda n: 200
    r = run(data, "notify", env=env, now="2026-03-02T08:01:00Z")
    assert r.returncode == 1  # someone should look
    first = hooks.posts[0].key
    assert f"unconfirmed team  {first}  → HOOK" in r.stderr
    assert [p.key for p in hooks.posts] == [first, *({FEES, RESPONSE} - {first})]
    statuses = {e["key"]: e["status"] for e in state(data, "team")["log"]}
    assert statuses == {first: "unconfirmed", **{k: "sent" for k in {FEES, RESPONSE} - {first}}}
    assert run(data, "notify", env=env, now="2026-03-02T09:00:00Z").returncode == 0
    assert len(hooks.posts) == 2


def test_shards_merged_then_notified_send_each_change_once(data, hooks, tmp_path):
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"], "welcome": False}]})
    env = {"HOOK": hooks.url()}
    assert run(data, "notify", env=env).returncode == 0
    shards = []
    for n, pages in enumerate(((example.FEES,), (example.HEALTH,)), 1):
        shard = tmp_path / f"shard-{n}"
        shutil.copytree(data, shard, ignore=shutil.ignore_patterns("policywatch.db*", ".lock"))
        step2 = example.steps()[1]
        for page in pages:
            from support.published import markdown_of

            latest = Store(shard).latest(page.id)
            assert latest is not None
            Store(shard).add(
                page.id, markdown_of(step2[page.id]), fetched_at=_at("2026-01-06T09:00:00Z"), url="u", extractor="t"
            )
        shards.append(shard)
    merge_shards(data, shards)
    r = run(data, "notify", env=env, now="2026-03-02T08:00:00Z")
    assert r.returncode == 0, r.stderr
    assert sorted(hooks.delivered()) == sorted([FEES, RESPONSE])
    assert run(data, "notify", env=env, now="2026-03-02T09:00:00Z").returncode == 0
    assert len(hooks.posts) == 2


def _at(value: str):
    from policywatch.archive.store import parse_iso

    return parse_iso(value)


# ---------------------------------------------------------------------------- what a subscriber sees


def test_a_new_subscription_starts_from_now_and_says_so_once(data, hooks):
    write_history(data, None)  # a whole history before anyone subscribed
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"], "significance": "cosmetic"}]})
    env = {"HOOK": hooks.url()}
    r = run(data, "notify", env=env)
    assert r.returncode == 0, r.stderr
    assert "started     team  reads changes from now on" in r.stderr
    assert [p.key for p in hooks.posts] == ["welcome"]
    welcome = hooks.posts[0].body
    assert welcome["title"] == "policywatch: “team” is set up, tracking 4 documents"
    assert "From now on you get an alert for each change." in welcome["message"]
    assert "Earlier history is not sent." in welcome["message"]
    assert run(data, "notify", env=env, now="2026-03-02T09:00:00Z").returncode == 0
    assert len(hooks.posts) == 1
    # a document imported with its history later: its past is not news either
    folder = data.parent / "archive"
    folder.mkdir()
    for day, fee in ((1, "1%"), (2, "2%")):
        (folder / f"2025-01-0{day}.md").write_text(
            f"# Ads fees\n\nThe ads fee is {fee} of the spend.\n", encoding="utf-8"
        )
    assert run(data, "import", "dir", str(folder), "--doc", "example-ads-fees").returncode == 0
    assert run(data, "notify", env=env, now="2026-03-02T10:00:00Z").returncode == 0
    assert len(hooks.posts) == 1


def test_health_messages_when_a_page_breaks_and_recovers(data, hooks):
    subscription = {"name": "ops", "urls": ["HOOK"], "health": True, "welcome": False, "keywords": ["never-there"]}
    write_notify(data, {"subscriptions": [{**subscription, "services": ["Example Marketplace"]}]})
    env = {"HOOK": hooks.url()}
    assert run(data, "notify", env=env).returncode == 0
    write_history(data, None)  # with health.json: the agreement broke and resumed, account health broke
    r = run(data, "notify", env=env, now="2026-03-02T08:00:00Z")
    assert r.returncode == 0, r.stderr
    titles = [p.body["title"] for p in hooks.posts]
    assert titles == [f"Tracking broke: {example.AGREEMENT.title}", f"Tracking resumed: {example.AGREEMENT.title}"]
    assert "bot_wall (captcha page)" in hooks.posts[0].body["message"]
    assert hooks.posts[0].key == f"health/{example.AGREEMENT.id}/broken/2026-01-06T21:00:00Z"


def test_dry_run_prints_what_would_be_sent_and_writes_nothing(data, hooks):
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"]}]})
    env = {"HOOK": hooks.url()}
    assert run(data, "notify", env=env).returncode == 0
    hooks.posts.clear()
    write_history(data, 2)
    before = tree_digest(data, exclude=("policywatch.db",))
    r = run(data, "notify", "--dry-run", "--base-url", "https://you.github.io/pw/", env=env)
    assert r.returncode == 0, r.stderr
    assert f"=== team → HOOK (JSON) as text\n{FEES}: {example.FEES.title}:" in r.stdout
    assert "https://you.github.io/pw/docs/example-fee-schedule/changes/20260106T090000Z.html" in r.stdout
    assert "dry run: 2 deliveries would be made; nothing sent or written" in r.stderr
    assert not hooks.posts
    assert tree_digest(data, exclude=("policywatch.db",)) == before


def test_test_message_reaches_every_url_and_records_nothing(data, hooks, smtp):
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK", "MAIL"]}]})
    env = {"HOOK": f"{hooks.url('/a')} {hooks.url('/b')}", "MAIL": smtp.url()}
    r = run(data, "notify", "--test", "team", env=env)
    assert r.returncode == 0, r.stderr
    assert sorted(p.path for p in hooks.posts) == ["/a", "/b"]  # a variable may hold several URLs
    assert hooks.posts[0].body["title"] == "policywatch test message for “team”"
    assert [m["Subject"] for m in smtp.messages] == ["policywatch test message for “team”"]
    assert "sent        team  test/team  → HOOK#2 (JSON)" in r.stderr
    assert not (data / "notify-state").exists()
    r = run(data, "notify", "--test", "nobody", env=env)
    assert r.returncode == 2 and "no subscription is named 'nobody' (known: team)" in r.stderr


def test_secrets_are_masked_in_every_line(data, hooks):
    secret = "S3cr3tT0kenValue"
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK", "MAIL"]}]})
    # a server that refuses, and one that answers 500: both failures printed and recorded
    env = {
        "MAIL": f"mailto://bot:{secret}@127.0.0.1:9/?from=bot@example.com&to=me@example.com&mode=insecure",
        "HOOK": hooks.url(f"/hook/{secret}").replace("json://", f"json://user:{secret}@"),
    }
    hooks.answer = lambda n: 500
    r = run(data, "notify", env=env)
    assert r.returncode == 1
    assert r.stderr.count("failed      team  welcome") == 2
    assert secret not in r.stdout + r.stderr
    assert secret not in (data / "notify-state" / "team.json").read_text(encoding="utf-8")
    r = run(data, "notify", "--dry-run", env=env)
    assert secret not in r.stdout + r.stderr


# ---------------------------------------------------------------------------- a bad notify.yml

HOOK = {"HOOK": "json://127.0.0.1/x"}
BAD = [
    # (the subscription's keys besides its name, the environment, what the error says after
    # "<file>: subscription 'team': ")
    ({"urls": ["HOOK"], "colour": "red"}, HOOK, "field 'colour': unknown key"),
    ({"urls": ["NOT_SET"]}, {}, "field 'urls': environment variable NOT_SET is not set"),
    (
        {"urls": ["HOOK"]},
        {"HOOK": "nope://127.0.0.1/x"},
        "field 'urls': HOOK holds a URL Apprise cannot use: scheme 'nope'",
    ),
    ({"urls": ["HOOK"]}, {"HOOK": "not a url"}, "field 'urls': HOOK does not hold a URL"),
    ({"urls": ["json://user:pw@host/x"]}, {}, "field 'urls': must name environment variables"),
    ({"urls": ["HOOK"], "topics": ["fees"]}, HOOK, "field 'topics': unknown topic 'fees'"),
    ({"urls": ["HOOK"], "patterns": ["(x"]}, HOOK, "field 'patterns': pattern '(x' is not a valid regular expression"),
    ({"urls": ["HOOK"], "services": ["Ebay"]}, HOOK, "field 'services': no declared document is of 'Ebay'"),
    ({"urls": ["HOOK"], "mode": "hourly"}, HOOK, "field 'mode': must be one of 'immediate', 'daily' or 'weekly'"),
    ({"urls": ["HOOK"], "at": "08:00"}, HOOK, "field 'at': is the time of a daily or weekly digest"),
]


@pytest.mark.parametrize(("subscription", "env", "expected"), BAD)
def test_a_bad_notify_file_fails_validate_naming_file_subscription_and_field(data, subscription, env, expected):
    write_notify(data, {"subscriptions": [{"name": "team", **subscription}]})
    expected = f"{data / 'notify.yml'}: subscription 'team': {expected}"
    r = run(data, "validate", env=env)
    assert r.returncode == 2, r.stdout + r.stderr
    assert expected in r.stderr.replace("\n  ", " ")
    assert "pw@host" not in r.stderr  # a URL written where a variable's name goes is never echoed
    r = run(data, "notify", env=env)
    assert r.returncode == 2 and expected in r.stderr.replace("\n  ", " ")
    assert not (data / "notify-state").exists()


def test_validate_skip_secrets_checks_the_file_only(data):
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["NOT_SET"]}]})
    r = run(data, "validate", "--skip-secrets")
    assert r.returncode == 0, r.stderr
    assert "ok: 1 subscription(s), 0 watch(es)" in r.stderr
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["NOT_SET"], "tags": ["nope"]}]})
    r = run(data, "validate", "--skip-secrets")
    assert r.returncode == 2 and "field 'tags': no declared document has the tag 'nope'" in r.stderr


@pytest.mark.slow
def test_run_crawls_and_publishes_then_reports_a_bad_notify_file(tmp_path, server, hooks):
    from support.helpers import next_second, policy_page, policy_text

    data = tmp_path / "data"
    server.set("/fees", lambda n: policy_page(policy_text("The referral fee is 15% of the price."), n))
    write_sources(data / "sources" / "m.yml", [{"id": "m-fees", "title": "Fees", "url": server.url("/fees")}])
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"], "colour": "red"}]})
    env = {"HOOK": hooks.url()}
    r = run(data, "run", "--out", str(tmp_path / "site"), "--delay", "0", env=env)
    assert r.returncode == 2, r.stderr
    assert "field 'colour': unknown key" in r.stderr
    assert "notify: nothing sent; the crawl and the publish above are recorded." in r.stderr
    assert len(list((data / "versions" / "m-fees").glob("*.md"))) == 1
    assert (tmp_path / "site" / "changes.json").exists() and not hooks.posts

    # fixed: the same run notifies after publishing, with links to the published change pages
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"], "welcome": False}]})
    assert run(data, "run", "--out", str(tmp_path / "site"), "--delay", "0", env=env).returncode == 0
    next_second()
    server.set("/fees", lambda n: policy_page(policy_text("The referral fee is 17% of the price."), n))
    args = ("run", "--out", str(tmp_path / "site"), "--delay", "0", "--base-url", "https://x.example/pw/")
    r = run(data, *args, env=env, now="")
    assert r.returncode == 0, r.stderr
    (post,) = hooks.posts
    assert post.key.startswith("alert/m-fees/") and "15% → 17%" in post.body["title"]
    page = post.key.removeprefix("alert/").replace("/", "/changes/") + ".html"
    assert f"https://x.example/pw/docs/{page}" in post.body["message"]
    assert (tmp_path / "site" / "docs" / page).exists()


def test_a_digest_subscription_made_immediate_sends_what_waited(data, hooks):
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"], "mode": "daily", "welcome": False}]})
    env = {"HOOK": hooks.url()}
    assert run(data, "notify", env=env, now="2026-03-02T09:00:00Z").returncode == 0
    write_history(data, 2)
    r = run(data, "notify", env=env, now="2026-03-02T10:00:00Z")
    assert "queued      team  2 change(s) for its next digest" in r.stderr and not hooks.posts
    write_notify(data, {"subscriptions": [{"name": "team", "urls": ["HOOK"], "welcome": False}]})
    assert run(data, "notify", env=env, now="2026-03-02T11:00:00Z").returncode == 0
    assert sorted(hooks.delivered()) == sorted([FEES, RESPONSE])
    assert state(data, "team")["queue"] == []


def test_each_service_gets_the_format_it_takes(data, hooks, smtp):
    subs = [
        {"name": "chat", "urls": ["HOOK_MD"], "format": "markdown", "welcome": False, "topics": ["fees-payments"]},
        {"name": "plain", "urls": ["HOOK"], "welcome": False, "topics": ["fees-payments"]},  # auto: JSON takes text
        {"name": "mail", "urls": ["MAIL"], "format": "text", "welcome": False, "topics": ["fees-payments"]},
    ]
    write_notify(data, {"site_url": "https://you.github.io/pw/", "subscriptions": subs})
    env = {"HOOK_MD": hooks.url("/md"), "HOOK": hooks.url("/text"), "MAIL": smtp.url()}
    assert run(data, "notify", env=env).returncode == 0
    write_history(data, 2)
    assert run(data, "notify", env=env, now="2026-03-02T08:00:00Z").returncode == 0
    by_path = {p.path: p.body["message"] for p in hooks.posts}
    assert by_path["/md"].startswith("**The referral fee is 15% → 17% (higher)**")
    assert "[See the change](https://you.github.io/pw/docs/example-fee-schedule/changes/" in by_path["/md"]
    assert by_path["/text"].startswith("The referral fee is 15% → 17% (higher)\n")
    assert "See the change <https://you.github.io/pw/docs/example-fee-schedule/changes/" in by_path["/text"]
    (mail,) = smtp.messages
    assert mail.get_content_type() == "text/plain"  # format: text, no HTML part
