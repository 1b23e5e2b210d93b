"""Page checks, charset decoding and the record's hold/confirm rules, offline: tables of pages and
texts, plus every real raw page of the corpus (none may look like a wall, an error page or a cut
page: a false alarm would stop tracking a real document)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from support.pages import (
    AMAZON_CAPTCHA_PLAIN_TITLE,
    AMAZON_ROBOT_CHECK,
    CLOUDFLARE_BLOCKED,
    CLOUDFLARE_CHALLENGE,
    GENERIC_CAPTCHA,
    HCAPTCHA,
    MAINTENANCE,
    SIGN_IN,
    SOFT_404,
    SOFT_500,
    page,
    policy_body,
)

from policywatch.archive.record import Recorder
from policywatch.archive.store import Store
from policywatch.crawler.checks import (
    check_change,
    check_complete,
    check_response,
    check_walls,
    classify_error,
    kept_share,
)
from policywatch.crawler.decode import decode_page
from policywatch.crawler.pipelines import vet

URL = "https://sellercentral.example/help/G1791"
POLICY = page(policy_body())
LONG_POLICY_WITH_FORM = page(policy_body() * 3 + "<form class='contact'><div class='g-recaptcha'></div></form>")


@pytest.mark.parametrize(
    ("html", "url", "status", "reason"),
    [
        (AMAZON_ROBOT_CHECK, URL, 200, "bot_wall"),
        (AMAZON_CAPTCHA_PLAIN_TITLE, URL, 200, "bot_wall"),
        (CLOUDFLARE_CHALLENGE, URL, 403, "bot_wall"),
        (CLOUDFLARE_CHALLENGE, URL, 503, "bot_wall"),
        (CLOUDFLARE_BLOCKED, URL, 403, "bot_wall"),
        (GENERIC_CAPTCHA, URL, 200, "bot_wall"),
        (HCAPTCHA, URL, 200, "bot_wall"),
        (SIGN_IN, "https://sellercentral.example/ap/signin?openid=x", 200, "login_wall"),
        (SIGN_IN, URL, 200, "login_wall"),  # a sign-in form served at the policy's own URL
        ("<h1>Unauthorized</h1>", URL, 401, "login_wall"),
        (SOFT_404, URL, 200, "error_page"),
        (SOFT_500, URL, 200, "error_page"),
        (MAINTENANCE, URL, 200, "error_page"),
        (POLICY, URL, 200, None),
        # a real policy page may carry Cloudflare's script or a CAPTCHA on a contact form
        (LONG_POLICY_WITH_FORM, URL, 200, None),
        (
            page(policy_body() * 3, head="<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script>"),
            URL,
            200,
            None,
        ),
        (SOFT_404, URL, 404, None),  # an error status is the status's business, not a wall
    ],
)
def test_walls_and_error_pages(html, url, status, reason):
    found = check_walls(html, url, URL, status)
    assert (found.reason if found else None) == reason, found


def test_a_policy_about_sign_in_is_not_a_login_wall():
    # the requested URL itself is a sign-in help page: that is what the user tracks
    url = "https://sellercentral.example/help/signin-policy"
    assert check_walls(POLICY, url.replace("signin-policy", "signin"), url.replace("signin-policy", "signin")) is None


@pytest.mark.parametrize(
    ("status", "body", "text", "ctype", "partial", "reason"),
    [
        (500, b"<h1>oops</h1>", "<h1>oops</h1>", "text/html", False, "http_status"),
        (200, b"", "", "text/html", False, "empty"),
        (200, b"  \n ", "  \n ", "text/html", False, "empty"),
        (200, b"%PDF", None, "application/pdf", False, "not_html"),
        (200, POLICY.encode()[:300], POLICY[:300], "text/html", True, "truncated"),
        (200, POLICY.encode(), POLICY, "text/html", True, None),  # close-delimited but whole
        (200, POLICY.encode()[:300], POLICY[:300], "text/html", False, None),  # length-checked by HTTP
    ],
)
def test_response_checks(status, body, text, ctype, partial, reason):
    found = check_response(
        status=status, url=URL, requested_url=URL, body=body, text=text, content_type=ctype, close_delimited=partial
    )
    assert (found.reason if found else None) == reason, found


def test_no_real_corpus_page_is_taken_for_a_wall_or_a_cut_page(corpus):
    pages = sorted((corpus / "dev_html").glob("*/*.html")) + sorted((corpus / "dev_html").glob("*/noise/*.html"))
    assert len(pages) > 50
    for path in pages:
        body = path.read_bytes()
        text = decode_page(body, "text/html")
        assert check_walls(text, URL, URL) is None, path
        assert check_complete(body, close_delimited=True) is None, path


@pytest.mark.parametrize(
    ("body", "ctype", "expected"),
    [
        ("Zürich €".encode(), "text/html; charset=utf-8", "Zürich €"),
        ("Zürich €".encode(), "text/html; charset=iso-8859-1", "Zürich €"),  # UTF-8 mislabelled Latin-1
        ("Zürich €".encode(), "text/html", "Zürich €"),  # no label anywhere
        ("Zürich €".encode("cp1252"), "text/html; charset=utf-8", "Zürich €"),  # Latin-1 mislabelled UTF-8
        ("Zürich €".encode("cp1252"), "text/html", "Zürich €"),
        ("Zürich".encode("latin-1"), "text/html; charset=ISO-8859-1", "Zürich"),
        (b"<meta charset='windows-1252'>Z\xfcrich", "text/html", "<meta charset='windows-1252'>Zürich"),
        ("日本語".encode("shift_jis"), "text/html; charset=shift_jis", "日本語"),
        ("Zürich".encode("utf-16"), "text/html", "Zürich"),  # BOM wins
        (b"Z\xc3\xbcrich \xff\xfe", "text/html; charset=utf-8", "Zürich \ufffd\ufffd"),  # broken UTF-8 stays visible
    ],
)
def test_decoding(body, ctype, expected):
    assert decode_page(body, ctype) == expected


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (None, "anything", None),
        ("a b c d e f g h i j", "a b c d e f g h i j k", None),
        ("a b c d e f g h i j", "a x", "mass_deletion"),  # keeps 10%
        ("a b c d e f g h i j", "a b x", None),  # keeps 20%: an edit, however big
        ("Zürich", "Z\ufffdrich", "bad_encoding"),
        ("Z\ufffdrich", "Z\ufffdrich!", None),  # already there before
    ],
)
def test_suspicious_changes(old, new, reason):
    found = check_change(old, new)
    assert (found.reason if found else None) == reason


def test_kept_share_counts_repeats():
    assert kept_share("the the the fee", "the fee") == 0.5
    assert kept_share("", "x") == 1.0


def _named(name: str, message: str = "", cause: BaseException | None = None) -> BaseException:
    e = type(name, (Exception,), {})(message)
    e.__cause__ = cause
    return e


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (_named("IgnoreRequest", "Forbidden by robots.txt"), "robots"),
        (_named("IgnoreRequest", "max redirections reached"), "too_many_redirects"),
        (_named("DownloadTimeoutError", "Getting x took longer than 3.0 seconds."), "timeout"),
        (_named("TimeoutError", "Timeout 30000ms exceeded."), "timeout"),  # Playwright's
        (_named("Error", "net::ERR_TOO_MANY_REDIRECTS at http://x/"), "too_many_redirects"),
        (_named("Error", "net::ERR_CONNECTION_RESET at http://x/"), "connection"),
        (
            _named(
                "DownloadCancelledError",
                "Expected to receive 52428800 bytes which is larger than download max size (20971520)",
            ),
            "too_large",
        ),
        (_named("ResponseDataLossError", "", _named("ResponseFailed", "", _named("_DataLoss"))), "truncated"),
        (_named("ResponseDataLossError", "", _named("ConnectionLost", "reset by peer")), "connection"),
        (_named("DownloadConnectionRefusedError", "Connection was refused"), "connection"),
    ],
)
def test_download_errors_get_typed_reasons(error, reason):
    assert classify_error(error).reason == reason


# ---------------------------------------------------------------- the record's rules (real files)

T0 = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
FULL = "# Terms\n\n" + "\n\n".join(f"Clause {n}: sellers must do thing number {n} every day." for n in range(30)) + "\n"
STUB = "# Terms\n\nClause 0: sellers must do thing number 0 every day. This page has moved elsewhere.\n"


def fetch(rec: Recorder, text: str, hour: int, confirm: int = 1):
    return rec.fetched(
        "doc", text=text, at=T0 + timedelta(hours=hour), url=URL, extractor="x", confirm=confirm, vet=vet
    )


def test_mass_deletion_is_held_then_recorded_when_confirmed(tmp_path):
    store = Store(tmp_path)
    rec = Recorder(store)
    assert fetch(rec, FULL, 0).status == "new"
    held = fetch(rec, STUB, 1)
    assert (held.status, held.reason) == ("failed", "mass_deletion") and "held" in held.detail
    assert len(store.versions("doc")) == 1
    assert json.loads((tmp_path / "pending" / "doc.json").read_text())["held"] == "mass_deletion"
    confirmed = fetch(rec, STUB, 2)
    assert confirmed.status == "new" and confirmed.version.id == "20260302T090000Z"  # first seen
    assert not (tmp_path / "pending" / "doc.json").exists()
    assert "doc" not in rec.health.documents


def test_a_held_text_that_goes_away_is_forgotten(tmp_path):
    rec = Recorder(Store(tmp_path))
    fetch(rec, FULL, 0)
    assert fetch(rec, STUB, 1).reason == "mass_deletion"
    assert fetch(rec, FULL, 2).status == "unchanged"
    assert not (tmp_path / "pending").exists() or not any((tmp_path / "pending").iterdir())
    assert fetch(rec, STUB, 3).reason == "mass_deletion"  # seen once again: held again, not recorded


def test_confirm_two_needs_two_crawls_that_agree(tmp_path):
    store = Store(tmp_path)
    rec = Recorder(store)
    fetch(rec, FULL, 0, confirm=2)  # a first version needs confirming too
    assert not store.versions("doc")
    assert fetch(rec, FULL, 1, confirm=2).status == "new"
    b, c = FULL.replace("0 every", "0 each"), FULL.replace("0 every", "0 any")
    assert [fetch(rec, t, h, confirm=2).status for h, t in enumerate([b, c, b, b], start=2)] == [
        "pending",
        "pending",
        "pending",
        "new",
    ]
    assert [v.id for v in store.versions("doc")] == ["20260302T080000Z", "20260302T120000Z"]


def test_health_broken_after_n_then_resumed(tmp_path):
    rec = Recorder(Store(tmp_path), broken_after=2)
    fetch(rec, FULL, 0)
    first = rec.failed("doc", at=T0 + timedelta(hours=1), reason="bot_wall", detail="Robot Check")
    second = rec.failed("doc", at=T0 + timedelta(hours=2), reason="http_status", detail="HTTP 503")
    third = rec.failed("doc", at=T0 + timedelta(hours=3), reason="http_status", detail="HTTP 503")
    assert first.health_event is None and second.health_event.event == "broken" and third.health_event is None
    h = rec.health.documents["doc"]
    assert (h.failures, h.failing_since, h.last_reason, h.broken) == (3, "2026-03-02T09:00:00Z", "http_status", True)
    back = rec.unchanged("doc", at=T0 + timedelta(hours=4))  # a 304 is a good fetch
    assert back.health_event.event == "resumed" and "after 3 failed crawls" in back.health_event.detail
    rec.close()
    saved = json.loads((tmp_path / "health.json").read_text())
    assert saved["documents"] == {}
    assert [(e["event"], e["reason"]) for e in saved["events"]] == [("broken", "http_status"), ("resumed", "")]


def test_new_extraction_rules_give_a_technical_version_not_a_change(tmp_path):
    store = Store(tmp_path)
    store.add("doc", FULL, fetched_at=T0, url=URL, extractor="old-rules", raw=b"<p>the raw page</p>")
    rec = Recorder(store)
    rewritten = FULL.replace("Clause 1:", "Clause one:")

    def same_page(version):
        assert version.extractor == "old-rules"
        return rewritten  # today's rules read the old raw page this way

    out = rec.fetched(
        "doc", text=rewritten, at=T0 + timedelta(hours=1), url=URL, extractor="new-rules", reextract=same_page
    )
    assert (out.status, out.detail) == ("new", "technical") and out.version.technical
    assert "re-extraction by new-rules" in out.version.note
    # under the same rules a real edit is a change, whatever reextract says
    edited = rewritten.replace("every day", "each day")
    out = rec.fetched(
        "doc", text=edited, at=T0 + timedelta(hours=2), url=URL, extractor="new-rules", reextract=same_page
    )
    assert out.status == "new" and not out.version.technical
    # a page that changed while the rules did: a change, not technical
    store.add("doc", FULL, fetched_at=T0 + timedelta(hours=3), url=URL, extractor="old-rules", raw=b"<p>x</p>")
    out = rec.fetched(
        "doc", text=edited, at=T0 + timedelta(hours=4), url=URL, extractor="new-rules", reextract=same_page
    )
    assert out.status == "new" and not out.version.technical
