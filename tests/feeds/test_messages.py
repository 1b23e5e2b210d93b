"""The messages: an alert, a digest, a health message and a welcome against golden files in their
three formats (regenerate with `POLICYWATCH_REGENERATE=1 pytest tests/feeds/test_messages.py` and
review the diff), and what a hostile page cannot do to them."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policywatch.archive.notify_config import Matcher, Subscription, SubscriptionModel
from policywatch.feeds import messages
from policywatch.feeds.paths import Linker

GOLDEN = Path(__file__).parent / "golden" / "messages"
SITE = Linker("https://you.github.io/policywatch/")


def subscription(**settings) -> Subscription:
    model = SubscriptionModel.model_validate({"name": "fees-team", "urls": ["NOTIFY_EMAIL_URL"], **settings})
    return Subscription(model, Matcher(model.keywords, model.patterns))


def item(doc: str, version: str, significance: str, summary: str, **more) -> dict:
    return {
        "id": f"{doc}/{version}",
        "document_id": doc,
        "to_version": version,
        "title": more.pop("title", "Amazon Services Business Solutions Agreement"),
        "service": more.pop("service", "Amazon Seller Central (US)"),
        "page_url": f"https://sellercentral.example/{doc}",
        "detected_at": more.pop("detected_at", "2026-03-02T09:00:00Z"),
        "kind": "change",
        "reverts_to": None,
        "significance": significance,
        "summary": summary,
        "facts": more.pop("facts", []),
        "topics": more.pop("topics", []),
        "sections": more.pop("sections", []),
        "hits": more.pop("hits", []),
    }


FEE = item(
    "amazon-us-fees",
    "20260302T090000Z",
    "substantive",
    "1 section changed (Referral fees); 15% → 17%",
    title="Amazon Selling Fees",
    facts=[{"kind": "percent", "before": "15%", "after": "17%", "context": "The referral fee is"}],
    topics=["fees-payments"],
    sections=["Fees › Referral fees"],
)
RESERVE = item(
    "amazon-us-bsa",
    "20260301T090000Z",
    "substantive",
    "1 section changed (Reserves); 7 days → 14 days",
    facts=[{"kind": "duration", "before": "7 days", "after": "14 days", "context": "We may hold a reserve for"}],
    topics=["fees-payments", "account-health"],
    sections=["S-4 Reserves"],
    hits=[
        {
            "term": "reserve",
            "side": "added",
            "text": "We may hold a reserve for 14 days.",
            "start": 14,
            "end": 21,
        }
    ],
    detected_at="2026-03-01T09:00:00Z",
)
DATE = item(
    "amazon-us-bsa",
    "20260301T100000Z",
    "minor",
    "Minor (date): 1 January 2026 → 1 March 2026",
    detected_at="2026-03-01T10:00:00Z",
)
ETSY = item(
    "etsy-fees",
    "20260301T120000Z",
    "substantive",
    "1 added (Offsite ads)",
    title="Etsy Fees & Payments Policy",
    service="Etsy",
    facts=[{"kind": "section_added", "before": None, "after": "Offsite ads", "context": "Etsy Fees"}],
    detected_at="2026-03-01T12:00:00Z",
)
EVENT = {
    "id": "etsy-fees/broken/2026-03-01T18:00:00Z",
    "document_id": "etsy-fees",
    "title": "Etsy Fees & Payments Policy",
    "service": "Etsy",
    "page_url": "https://etsy.example/fees",
    "event": "broken",
    "at": "2026-03-01T18:00:00Z",
    "reason": "bot_wall",
    "detail": "page title 'Just a moment...'",
}
DIGEST_INFO = {
    "period": "2026-03-02",
    "mode": "daily",
    "scheduled": "2026-03-02T08:00:00Z",
    "left_out": {"keywords": 1, "significance": 3},
}


def built() -> dict[str, messages.Message]:
    sub = subscription(mode="daily", significance="minor", topics=["fees-payments"], health=True)
    return {
        "alert": messages.alert(f"alert/{RESERVE['id']}", RESERVE, subscription(keywords=["reserve"]), SITE),
        "digest": messages.digest("digest/2026-03-02", [DATE, FEE, ETSY, RESERVE], [EVENT], DIGEST_INFO, sub, SITE),
        "health": messages.health(f"health/{EVENT['id']}", EVENT, subscription(health=True), SITE),
        "welcome": messages.welcome("welcome", {"documents": 111, "mode": "daily"}, sub, SITE),
    }


CASES = [(name, fmt) for name in ("alert", "digest", "health", "welcome") for fmt in ("txt", "md", "html")]


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_messages_match_their_golden_files(name, fmt):
    message = built()[name]
    out = f"{message.title}\n\n" + {"txt": message.text, "md": message.markdown, "html": message.html}[fmt]
    path = GOLDEN / f"{name}.{fmt}"
    if os.environ.get("POLICYWATCH_REGENERATE") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_a_digest_groups_by_service_and_document_substantive_first():
    text = built()["digest"].text
    assert text.index("Amazon Seller Central (US)") < text.index("Etsy\n")
    bsa = text.index("Amazon Services Business Solutions Agreement")
    # within a service, the document with a substantive change comes first, and in it the
    # substantive change before the minor one
    assert text.index("[substantive] 1 section changed (Reserves)") < text.index("[minor]")
    assert bsa < text.index("[minor]")
    assert "Left out: 1 change without your keywords; 3 changes below minor." in text
    assert "Etsy Fees & Payments Policy — tracking broke 1 Mar 2026, 18:00 UTC: bot_wall" in text


def test_a_long_digest_lists_the_most_significant_and_counts_the_rest():
    minor = [
        item(f"doc-{n:02d}", "20260301T090000Z", "minor", f"Minor change {n}", service="S", title=f"Doc {n:02d}")
        for n in range(messages.DIGEST_MOST)
    ]
    info = {**DIGEST_INFO, "left_out": {}}
    text = messages.digest("d", [*minor, FEE], [], info, subscription(mode="daily"), SITE).text
    assert "[substantive] 1 section changed (Referral fees)" in text
    assert text.count("[minor]") == messages.DIGEST_MOST - 1
    assert "Left out: 1 more change not listed here (the 50 most significant are)." in text


def test_a_hostile_page_cannot_inject_markup_links_or_mentions():
    hostile = item(
        "evil",
        "20260302T090000Z",
        "substantive",
        "<script>alert(1)</script> [click](https://evil.example) <!channel> **bold**",
        title="<img src=x onerror=alert(1)>",
    )
    m = messages.alert("alert/evil/20260302T090000Z", hostile, subscription(), SITE)
    assert "<script>" not in m.html and "<img" not in m.html and "&lt;script&gt;" in m.html
    assert "[click](https://evil.example)" not in m.markdown and r"\[click\](https://evil.example)" in m.markdown
    assert "<!channel>" not in m.markdown and "**bold**" not in m.markdown
    assert "<script>alert(1)</script>" in m.text  # plain text is shown as it is


def test_without_a_site_url_messages_link_the_page_itself():
    m = messages.alert("k", FEE, subscription(), Linker(""))
    assert "https://sellercentral.example/amazon-us-fees" in m.text and "changes/" not in m.text


def test_the_test_message_says_what_the_subscription_gets():
    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    sub = subscription(mode="weekly", day="friday", at="16:00", timezone="Europe/Berlin", keywords=["lithium"])
    m = messages.test(sub, SITE, now, 12)
    assert m.title == "policywatch test message for “fees-team”"
    assert (
        "a weekly digest (Fridays at 16:00 Europe/Berlin) of the substantive changes that add or remove lithium"
        in m.text
    )
    assert "from 12 tracked documents" in m.text


def test_an_alert_lists_eight_facts_and_each_matching_sentence_once():
    facts = [{"kind": "section_removed", "before": f"Section {n}", "after": None, "context": ""} for n in range(20)]
    sentence = "We may suspend or terminate your account."
    hits = [
        {"term": "suspen*", "side": "added", "text": sentence, "start": 7, "end": 14},
        {"term": "terminat*", "side": "added", "text": sentence, "start": 18, "end": 27},
    ]
    m = messages.alert("k", {**FEE, "facts": facts, "hits": hits}, subscription(), SITE)
    assert m.text.count("Section removed:") == 8 and "… and 12 more on the change page" in m.text
    assert m.text.count(sentence) == 1
    assert "“suspen*”, “terminat*” (added): We may suspend or terminate your account." in m.text
    assert "<mark>suspend</mark>" in m.html
