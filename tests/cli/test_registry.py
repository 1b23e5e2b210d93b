"""The shipped registry (data/sources/*.yml) passes `policywatch validate` offline: schema, unique
ids, selectors that parse, well-formed URLs, every document tagged."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from policywatch.archive.sources import load_sources

REGISTRY = Path(__file__).resolve().parent.parent.parent / "data" / "sources"


def test_registry_validates_offline(cli):
    r = cli("validate", "--sources", str(REGISTRY), check=True)
    assert "ok: " in r.stderr


def test_registry_is_large_tagged_and_unique():
    docs = load_sources(REGISTRY)
    assert len(docs) >= 60
    assert all(d.tags for d in docs), [d.id for d in docs if not d.tags]
    urls = Counter(d.url for d in docs)
    assert not [u for u, n in urls.items() if n > 1]
    assert all(urlsplit(d.url).scheme == "https" for d in docs)
    services = Counter(d.service for d in docs)
    assert services["Amazon Seller Central"] >= 40
    for name in ("eBay", "Etsy", "Walmart Marketplace", "Shopify", "Google Merchant Center", "TikTok Shop"):
        assert services[name] >= 1, name


def test_amazon_pages_pin_their_locale():
    for d in load_sources(REGISTRY):
        if d.service == "Amazon Seller Central":
            query = parse_qs(urlsplit(d.url).query)
            assert "language" in query or "locale" in query, d.url
