"""The bundled "Example Marketplace": four seller policies written for the demo and the tests,
and the edits they go through, step by step. Each step is what the site serves at that time.

The edits cover what a tracker must get right: a deadline 24 → 48 hours, a fee 15% → 17%, a
section added, a section removed, a paragraph moved, a whitespace-only change, a flip back to an
earlier text, and a "last updated" date. Page chrome (navigation, a rotating banner, a request
counter) changes on every request and must never count as a change.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from html import escape

Section = tuple[str, list[str]]  # (heading, paragraphs)


@dataclass
class Page:
    id: str
    title: str
    path: str
    tags: tuple[str, ...]
    intro: str
    sections: list[Section]
    reflow: bool = False  # serve the same text with differently indented HTML source


AGREEMENT = Page(
    "example-seller-agreement",
    "Example Marketplace Seller Agreement",
    "/legal/seller-agreement",
    ("agreement",),
    "This Seller Agreement is between you and Example Marketplace Ltd. It governs how you list and sell "
    "products to buyers on Example Marketplace. Last updated: 1 March 2026.",
    [
        (
            "1. Your account",
            [
                "You must keep your account information accurate and complete, including your legal name, "
                "business address and a working email address.",
                "You are responsible for everything that happens under your account, including the actions of "
                "any user you add to it.",
                "We may ask you to verify your identity at any time. If you do not complete verification within "
                "10 days, we may suspend your selling privileges.",
            ],
        ),
        (
            "2. Listings",
            [
                "Each listing must describe the product accurately, show its condition and state the full price "
                "including taxes that apply to the buyer.",
                "You may not list products that appear on the Prohibited Items Policy.",
            ],
        ),
        (
            "3. Payments and reserves",
            [
                "We pay out your balance every 14 days to the bank account on file.",
                "We may hold a reserve of up to 10% of your sales for 90 days when your account shows an "
                "elevated risk of claims.",
            ],
        ),
        (
            "4. Promotional credits",
            [
                "From time to time we may offer promotional credits for advertising. Credits expire after "
                "60 days and have no cash value.",
            ],
        ),
        (
            "5. Termination",
            [
                "Either party may end this Agreement at any time with 30 days' notice. We may end it "
                "immediately if you breach it materially.",
            ],
        ),
    ],
)

FEES = Page(
    "example-fee-schedule",
    "Example Marketplace Fee Schedule",
    "/legal/fees",
    ("fees",),
    "These fees apply to every sale made on Example Marketplace. Fees are charged in the currency of the "
    "sale and deducted from your payout.",
    [
        (
            "Referral fees",
            [
                "The referral fee is 15% of the total sales price, including shipping charges, with a minimum "
                "of $0.30 per item.",
                "Jewellery and watches carry a referral fee of 20% on the portion of the price up to $250.",
            ],
        ),
        (
            "Subscription",
            [
                "The Professional plan costs $39.99 per month. The Individual plan has no monthly fee but "
                "charges $0.99 per item sold.",
            ],
        ),
        (
            "Refunds",
            [
                "When you refund an order, we return the referral fee minus an administration fee of $5.00 or "
                "20% of the referral fee, whichever is less. Refund requests are accepted for 30 days.",
            ],
        ),
    ],
)

PROHIBITED = Page(
    "example-prohibited-items",
    "Example Marketplace Prohibited Items Policy",
    "/legal/prohibited-items",
    ("conduct", "restricted-products"),
    "Some products may not be sold on Example Marketplace. Listing a prohibited item can lead to the "
    "removal of the listing and to the suspension of your account.",
    [
        (
            "Weapons",
            [
                "Firearms, ammunition, and parts that can be assembled into a working firearm are prohibited.",
            ],
        ),
        (
            "Medicines",
            [
                "Prescription medicines and products that claim to cure or treat a disease are prohibited.",
            ],
        ),
        (
            "Counterfeits",
            [
                "Counterfeit or replica products, and products that infringe someone else's trademark, are "
                "prohibited. We remove them without notice.",
            ],
        ),
    ],
)

HEALTH = Page(
    "example-account-health",
    "Example Marketplace Account Health",
    "/legal/account-health",
    ("account-health",),
    "Account health measures how well you serve buyers. Sellers who fall below these targets may lose "
    "their selling privileges.",
    [
        (
            "Response time",
            [
                "You must respond to buyer messages within 24 hours, including weekends and holidays.",
            ],
        ),
        (
            "Order defect rate",
            [
                "Your order defect rate must stay under 1% over any 60-day period. It counts negative "
                "feedback, A-to-z claims and chargebacks.",
            ],
        ),
        (
            "Late shipment rate",
            [
                "Your late shipment rate must stay under 4% over 10-day and 30-day periods.",
            ],
        ),
    ],
)

PAGES = (AGREEMENT, FEES, PROHIBITED, HEALTH)


def _edit(page: Page, section: str, old: str, new: str) -> None:
    for heading, paragraphs in page.sections:
        if heading == section:
            for k, p in enumerate(paragraphs):
                if old in p:
                    paragraphs[k] = p.replace(old, new)
                    return
    raise KeyError(f"{page.id}: {old!r} not in section {section!r}")


def steps() -> list[dict[str, Page]]:
    """What each document looks like at each step (7 steps), with what each step expects."""
    pages = {p.id: copy.deepcopy(p) for p in PAGES}
    out = [copy.deepcopy(pages)]

    # 2: the response deadline doubles and the referral fee goes up
    _edit(pages[HEALTH.id], "Response time", "within 24 hours", "within 48 hours")
    _edit(pages[FEES.id], "Referral fees", "is 15% of", "is 17% of")
    out.append(copy.deepcopy(pages))

    # 3: a new prohibited category
    pages[PROHIBITED.id].sections.append(
        (
            "Batteries",
            [
                "Loose lithium batteries and power banks above 100 Wh are prohibited. Batteries sold inside a "
                "device are allowed."
            ],
        )
    )
    out.append(copy.deepcopy(pages))

    # 4: a section removed; the fee schedule's HTML is reindented and a no-break space appears
    agreement = pages[AGREEMENT.id]
    agreement.sections = [s for s in agreement.sections if s[0] != "4. Promotional credits"]
    pages[FEES.id].reflow = True
    _edit(pages[FEES.id], "Refunds", "for 30 days", "for 30\u00a0days")
    out.append(copy.deepcopy(pages))

    # 5: a paragraph moved within its section
    heading, paragraphs = agreement.sections[0]
    agreement.sections[0] = (heading, [paragraphs[1], paragraphs[0], paragraphs[2]])
    out.append(copy.deepcopy(pages))

    # 6: the new prohibited category is withdrawn: the page is back to its first text
    pages[PROHIBITED.id].sections.pop()
    out.append(copy.deepcopy(pages))

    # 7: only the "last updated" date moves
    pages[AGREEMENT.id].intro = pages[AGREEMENT.id].intro.replace("1 March 2026", "1 April 2026")
    out.append(copy.deepcopy(pages))
    return out


# What the crawls of the steps must record: 4 first versions, then one record per edited page.
# Step 4's reindented HTML alone would change nothing; the no-break space makes it a cosmetic change.
EXPECTED = [
    {AGREEMENT.id: "first", FEES.id: "first", PROHIBITED.id: "first", HEALTH.id: "first"},
    {HEALTH.id: "change", FEES.id: "change"},
    {PROHIBITED.id: "change"},
    {AGREEMENT.id: "change", FEES.id: "change"},
    {AGREEMENT.id: "change"},
    {PROHIBITED.id: "revert"},
    {AGREEMENT.id: "change"},
]
EXPECTED_RECORDS = sum(len(s) for s in EXPECTED)


def policy_html(page: Page) -> str:
    """The policy itself, as it sits inside the page's <main id="policy">."""
    nl, ind = ("\n      ", "  ") if page.reflow else ("\n", "")
    parts = [f"<h1>{escape(page.title)}</h1>", f"<p>{escape(page.intro)}</p>"]
    for heading, paragraphs in page.sections:
        parts.append(f"<section>{nl}{ind}<h2>{escape(heading)}</h2>")
        parts.extend(f"{ind}<p>{nl}{ind}{escape(p)}{nl}</p>" for p in paragraphs)
        parts.append("</section>")
    return nl.join(parts) if page.reflow else "\n".join(parts)


BANNERS = (
    "Sell more this spring: fees waived on your first 10 listings",
    "New: the seller app for iOS and Android",
    "Join our webinar on holiday shipping",
)


def page_html(page: Page, request_number: int) -> str:
    """The whole page: the policy inside fresh noise on every request."""
    banner = BANNERS[request_number % len(BANNERS)]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(page.title)}</title>
<script nonce="n{request_number * 7919 % 100000}">window.__request = {request_number};</script></head>
<body>
<nav><a href="/?utm_source=nav&amp;r={request_number}">Example Marketplace</a> · <a href="/help">Help</a></nav>
<div class="banner">{escape(banner)}</div>
<main id="policy">
{policy_html(page)}
</main>
<footer>Request {request_number} · © Example Marketplace Ltd.</footer>
</body></html>
"""
