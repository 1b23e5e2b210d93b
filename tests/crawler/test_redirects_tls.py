"""Where a fetch may go: TLS certificates are verified (a certificate for another name is a `tls`
failure), an https page that redirects to http is refused (`insecure_redirect`), and a public
page's redirect or meta refresh into this machine or its network is refused (`blocked_address`)
while a page on 127.0.0.1 may still redirect within 127.0.0.1. Real servers, real crawls.

A "public" page is reached through a local proxy (Scrapy honours $http_proxy), so its name is
never resolved here and the crawler cannot tell it from a page on the internet."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
from pathlib import Path

import pytest
from support.helpers import PageServer, policy_page, policy_text, write_sources

from policywatch.crawler.addresses import inside, refusal

pytestmark = pytest.mark.slow

CRAWL = ("crawl", "--delay", "0", "--retries", "0")
SECRET = policy_page(policy_text("The secret of the intranet: the cloud metadata and its credentials."))
GOOD = policy_page(policy_text("Sellers must answer buyers within two days."))


# ---------------------------------------------------------------- certificates


def _certificate(names: list[str], ips: list[str], issuer=None):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0] if names else ips[0])])
    signer_cert, signer_key = issuer or (None, key)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(signer_cert.subject if signer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
    )
    if names or ips:
        sans = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    builder = builder.add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    return builder.sign(signer_key, hashes.SHA256()), key


def _pem(folder: Path, name: str, cert, key) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization

    cert_path, key_path = folder / f"{name}.crt", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class HttpsServer(PageServer):
    def __init__(self, cert: Path, key: Path):
        super().__init__()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def pki(tmp_path):
    """A CA the test trusts ($SSL_CERT_FILE), a certificate it signed for 127.0.0.1, and a
    self-signed one for another name."""
    ca_cert, ca_key = _certificate(["Test CA"], [])
    ca_file, _ = _pem(tmp_path, "ca", ca_cert, ca_key)
    good = _pem(tmp_path, "good", *_certificate([], ["127.0.0.1"], issuer=(ca_cert, ca_key)))
    wrong = _pem(tmp_path, "wrong", *_certificate(["other.example"], []))
    return ca_file, good, wrong


def health(data: Path) -> dict:
    return json.loads((data / "health.json").read_text(encoding="utf-8"))["documents"]


def test_tls_certificates_are_verified_and_https_never_falls_back_to_http(cli, tmp_path, pki, monkeypatch):
    ca_file, good, wrong = pki
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    data = tmp_path / "data"
    trusted, impostor, plain = HttpsServer(*good), HttpsServer(*wrong), PageServer()
    try:
        for s in (trusted, impostor):
            s.set("/terms", GOOD)
        plain.set("/terms", GOOD)
        trusted.set("/downgrade", "", 302, headers={"Location": plain.url("/terms")})
        trusted.set("/upgrade-within", "", 302, headers={"Location": trusted.url("/terms")})
        write_sources(
            data / "sources" / "s.yml",
            [
                {"id": "trusted", "title": "T", "url": trusted.url("/terms")},
                {"id": "impostor", "title": "I", "url": impostor.url("/terms")},
                {"id": "downgrade", "title": "D", "url": trusted.url("/downgrade")},
                {"id": "within", "title": "W", "url": trusted.url("/upgrade-within")},
            ],
        )
        r = cli(*CRAWL)
    finally:
        for s in (trusted, impostor, plain):
            s.close()
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert "new version  trusted" in r.stderr and "new version  within" in r.stderr, r.stderr
    failing = health(data)
    assert set(failing) == {"impostor", "downgrade"}, failing
    assert failing["impostor"]["last_reason"] == "tls", failing
    assert failing["downgrade"]["last_reason"] == "insecure_redirect", failing
    assert plain.hits["/terms"] == 0  # refused before the request was made
    assert not (data / "versions" / "impostor").exists() and not (data / "versions" / "downgrade").exists()


def _proxied_site(proxy: PageServer, name: str, path: str, page) -> str:
    """A page of the public site `name`, served by the proxy (absolute-form request lines)."""
    url = f"http://{name}{path}"
    proxy.pages[url] = page
    return url


@pytest.mark.parametrize("render", ["http", "browser"])
@pytest.mark.parametrize("how", ["redirect", "meta refresh"])
def test_a_public_page_cannot_lead_into_this_machine(cli, tmp_path, monkeypatch, how, render):
    """Scrapy's requests, and Chromium's for `render: browser` pages (Chromium takes the proxy
    from $http_proxy too, and goes straight to 127.0.0.1)."""
    from support.helpers import Page

    from policywatch.crawler.browser import find_chromium

    if render == "browser" and find_chromium() is None:
        pytest.skip("no Chromium found (make browser installs one)")
    extra = {"render": "browser"} if render == "browser" else {}
    data = tmp_path / "data"
    proxy, inner = PageServer(), PageServer()  # proxy: "the internet"; inner: this machine's services
    host_name = socket.gethostname()
    try:
        inner.set("/secret", SECRET)
        targets = {
            "literal": inner.url("/secret"),
            "localhost": f"http://localhost:{inner.httpd.server_address[1]}/secret",
            "metadata": "http://169.254.169.254/latest/meta-data/",
        }
        if inside(f"http://{host_name}/"):  # a name (not localhost) resolving to this machine
            targets["name"] = f"http://{host_name}:{inner.httpd.server_address[1]}/secret"
        proxy.pages["http://policy.example/robots.txt"] = Page("User-agent: *\nAllow: /\n", content_type="text/plain")
        docs = []
        for key, target in targets.items():
            if how == "redirect":
                page = Page("", 302, headers={"Location": target})
            else:
                page = Page(f"<html><head><meta http-equiv='refresh' content='0; url={target}'></head></html>")
            docs.append(
                {
                    "id": f"to-{key}",
                    "title": key,
                    "url": _proxied_site(proxy, "policy.example", f"/{key}", page),
                    **extra,
                }
            )
            proxy.pages[target] = Page(SECRET)  # if the crawler went there through the proxy
        # a public page may still redirect within the public web
        docs.append(
            {
                "id": "public",
                "title": "P",
                "url": _proxied_site(proxy, "policy.example", "/moved", Page("", 301, headers={"Location": "/terms"})),
                **extra,
            }
        )
        _proxied_site(proxy, "policy.example", "/terms", Page(GOOD))
        # and a page on 127.0.0.1 may redirect within 127.0.0.1 (the tests and the demo do)
        inner.set("/old", "", 302, headers={"Location": inner.url("/secret")})
        docs.append({"id": "local", "title": "L", "url": inner.url("/old"), **extra})
        write_sources(data / "sources" / "s.yml", docs)
        monkeypatch.setenv("http_proxy", proxy.base)
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        r = cli(*CRAWL)
    finally:
        proxy.close()
        inner.close()
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert "new version  public" in r.stderr and "new version  local" in r.stderr, r.stderr
    failing = health(data)
    assert set(failing) == {f"to-{k}" for k in targets}, (failing, r.stderr)
    assert {h["last_reason"] for h in failing.values()} == {"blocked_address"}, failing
    if render == "browser" and how == "redirect":
        # Chromium follows an HTTP redirect inside its network stack, where Playwright cannot stop
        # it (as designed upstream: routes never see redirects). Its answer is refused when it
        # arrives (blocked_address above) and nothing is recorded, but the targets were asked
        # for: 127.0.0.1 and localhost directly, this machine's name through the proxy (Chromium
        # itself declines 169.254.169.254). A known gap of browser pages (docs/reliability.md)
        assert inner.hits["/secret"] == 3
        assert {p for p in proxy.hits if p in targets.values()} == {t for k, t in targets.items() if k == "name"}
    else:
        assert inner.hits["/secret"] == 1  # only the local document's own redirect reached it
        assert not [p for p in proxy.hits if p in targets.values()]
    recorded = [p.read_text() for p in (data / "versions").rglob("*.md")]
    assert len(recorded) == 2 and not [t for t in recorded if "secret of the intranet" in t and "local" not in t]


@pytest.mark.parametrize(
    ("origin", "target", "reason"),
    [
        ("https://market.example/a", "http://market.example/b", "insecure_redirect"),
        ("https://market.example/a", "https://market.example/b", None),
        ("http://market.example/a", "https://market.example/b", None),
        ("http://market.example/a", "http://127.0.0.1:8080/", "blocked_address"),
        ("http://market.example/a", "http://[::1]/", "blocked_address"),
        ("http://market.example/a", "http://[::ffff:10.0.0.1]/", "blocked_address"),
        ("http://market.example/a", "http://10.1.2.3/", "blocked_address"),
        ("http://market.example/a", "http://192.168.0.1/", "blocked_address"),
        ("http://market.example/a", "http://172.16.5.4/", "blocked_address"),
        ("http://market.example/a", "http://169.254.169.254/latest/", "blocked_address"),
        ("http://market.example/a", "http://100.64.0.1/", "blocked_address"),
        ("http://market.example/a", "http://0.0.0.0/", "blocked_address"),
        ("http://market.example/a", "http://api.localhost/", "blocked_address"),
        ("http://market.example/a", "http://intranet.corp/", "blocked_address"),  # resolves inside
        ("http://market.example/a", "http://8.8.8.8/", None),
        ("http://127.0.0.1:9/a", "http://127.0.0.1:10/b", None),
        ("http://10.0.0.5/a", "http://10.0.0.6/b", None),
    ],
)
def test_redirect_rules(origin, target, reason):
    names = {"intranet.corp": ["10.20.30.40"], "market.example": ["93.184.215.14"]}

    def resolve(host: str) -> list[str]:  # a name service of the test's own (no network here)
        return names.get(host, [])

    refused = refusal(origin, target, resolve=resolve)
    assert (refused[0] if refused else None) == reason
    assert inside("http://intranet.corp/", resolve) and not inside("http://market.example/", resolve)
