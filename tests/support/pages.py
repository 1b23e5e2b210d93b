"""Pages for the crawler tests: a long policy with variants, and the walls and error pages real
sites put in its place (written for these tests, after the shape of the real ones)."""

from __future__ import annotations

CLAUSES = [
    "Sellers must ship every order within two business days of the order date.",
    "Buyers may return any item within 30 days and receive a full refund of the price.",
    "We charge a referral fee of 15% on each sale, taken from the amount the buyer paid.",
    "Sellers must answer buyer messages within 24 hours, weekends and holidays included.",
    "Listings must describe the item accurately, with photos of the item actually sold.",
    "We may hold funds for up to 14 days when a claim or a chargeback is open.",
    "Prohibited items include weapons, counterfeit goods and anything recalled by a regulator.",
    "Accounts that fall below a 95% on-time delivery rate may lose selling privileges.",
    "Sellers agree to resolve disputes through the marketplace's claims process first.",
    "These terms are governed by the laws of the State of Washington, excluding its conflict rules.",
]


def policy_body(variant: str = "", extra: str = "") -> str:
    """A policy of about 170 words; `variant` changes one clause (a real edit)."""
    clauses = list(CLAUSES)
    if variant:
        clauses[3] = f"Sellers must answer buyer messages within {variant}, weekends and holidays included."
    paragraphs = "".join(f"<p>{c}</p>" for c in clauses)
    return f"<h1>Seller Agreement</h1>{paragraphs}{extra}"


def page(body_html: str, *, head: str = "<meta charset='utf-8'>", noise: int = 0) -> str:
    return (
        f"<!doctype html><html><head>{head}<title>Seller Agreement</title>"
        f"<script nonce='n{noise}'>var t={noise};</script></head><body>"
        f"<nav><a href='/?utm_source=nav&amp;s={noise}'>Home</a></nav>"
        f"<main id='policy'>{body_html}</main><footer>Rendered in {noise} ms</footer></body></html>"
    )


AMAZON_ROBOT_CHECK = """<!doctype html><html><head><title dir="ltr">Robot Check</title></head>
<body><div class="a-container a-padding-double-large"><div class="a-row a-spacing-double-large">
<h4>Enter the characters you see below</h4>
<p class="a-last">Sorry, we just need to make sure you're not a robot. For best results, please make
sure your browser is accepting cookies.</p>
<form method="get" action="/errors/validateCaptcha" name="">
<img src="https://images-na.ssl-images-amazon.com/captcha/xyz/Captcha_abc.jpg">
<input autocomplete="off" type="text" id="captchacharacters" name="field-keywords">
<button type="submit" class="a-button-text">Continue shopping</button></form></div></div></body></html>"""

AMAZON_CAPTCHA_PLAIN_TITLE = AMAZON_ROBOT_CHECK.replace("Robot Check", "Amazon.com")

CLOUDFLARE_CHALLENGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body class="no-js">
<div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">sellercentral.example</h1>
<h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2>
<noscript><div id="challenge-error-title">Enable JavaScript and cookies to continue</div></noscript>
</div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "sellercentral.example",
cType: 'managed'};var cpo=document.createElement('script');
cpo.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=1';
document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>"""

CLOUDFLARE_BLOCKED = """<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>
<body><div id="cf-wrapper"><h1>Sorry, you have been blocked</h1>
<h2>You are unable to access sellercentral.example</h2></div></body></html>"""

GENERIC_CAPTCHA = """<!doctype html><html><head><title>Verification</title>
<script src="https://www.google.com/recaptcha/api.js" async defer></script></head><body>
<h1>One moment, please</h1><p>Please complete the security check to continue to the page.</p>
<form action="/verify" method="post"><div class="g-recaptcha" data-sitekey="6Lc_example"></div>
<button type="submit">Continue</button></form></body></html>"""

HCAPTCHA = """<html><head><title>Checking</title><script src="https://hcaptcha.com/1/api.js"></script>
</head><body><form id="challenge-form"><div class="h-captcha" data-sitekey="x"></div></form></body></html>"""

SIGN_IN = """<!doctype html><html><head><title>Amazon Sign-In</title></head><body>
<form name="signIn" method="post" action="/ap/signin"><h1>Sign in</h1>
<label for="ap_email">Email or mobile phone number</label><input type="email" id="ap_email" name="email">
<label for="ap_password">Password</label><input type="password" id="ap_password" name="password">
<input type="submit" value="Sign in"></form></body></html>"""

SIGN_IN_AT_SAME_URL = SIGN_IN.replace("Amazon Sign-In", "Seller Central")

SOFT_404 = """<!doctype html><html><head><title>404 - Page Not Found</title></head><body>
<main id="policy"><h1>We can't find that page</h1><p>The page you are looking for was moved or no
longer exists. Try the search box, or go back to the help home page.</p></main></body></html>"""

SOFT_500 = """<!doctype html><html><head><title>Something went wrong</title></head><body>
<h1>Oops!</h1><p>An unexpected error occurred. Please try again later.</p></body></html>"""

MAINTENANCE = """<!doctype html><html><head><title>Maintenance</title></head><body>
<main id="policy"><p>We are down for scheduled maintenance and will be back shortly.</p></main></body></html>"""
