"""Where each published thing lives, as site-relative paths, and how to link to it from any page
or feed (relative links, so the site works under a GitHub Pages project path) or from outside
(the --base-url, when given)."""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass

# XML 1.0 forbids C0 controls (but tab, newline, return), surrogates and U+FFFE/U+FFFF; HTML
# calls C1 controls and other noncharacters parse errors too, so pages drop those as well.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
HTML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text with the characters XML 1.0 forbids removed (feedgen raises on them)."""
    return XML_ILLEGAL.sub("", text)


def html_safe(text: str) -> str:
    """Text without the control characters and noncharacters HTML calls parse errors."""
    return HTML_ILLEGAL.sub("", text)


def document_page(doc_id: str) -> str:
    return f"docs/{doc_id}/index.html"


def change_page(doc_id: str, version_id: str) -> str:
    return f"docs/{doc_id}/changes/{version_id}.html"


def version_page(doc_id: str, version_id: str) -> str:
    return f"docs/{doc_id}/versions/{version_id}.html"


def raw_copy(doc_id: str, name: str) -> str:
    """A stored raw page, published as plain text (never rendered: it is the crawled page)."""
    return f"docs/{doc_id}/raw/{name}.txt"


def texts_pack(doc_id: str) -> str:
    """Every version's text of a document, each distinct paragraph once (read by site.js)."""
    return f"docs/{doc_id}/texts.json"


def compare_page(doc_id: str) -> str:
    return f"docs/{doc_id}/compare.html"


def document_feed(doc_id: str, fmt: str = "atom") -> str:
    return f"docs/{doc_id}/feed.{fmt}"


def substantive_feed(folder: str) -> str:
    """The substantive-only feed beside a feed.atom in `folder` ("docs/<id>", "services/<slug>", ...)."""
    return f"{folder}/substantive.atom"


def service_page(slug: str) -> str:
    return f"services/{slug}/index.html"


def tag_page(tag: str) -> str:
    return f"tags/{tag}/index.html"


def topic_page(topic: str) -> str:
    return f"topics/{topic}/index.html"


def topic_feed(topic: str) -> str:
    return f"topics/{topic}/feed.atom"


def significance_page(significance: str) -> str:
    return f"recent/{significance}.html"


def service_significance_page(slug: str, significance: str) -> str:
    return f"services/{slug}/{significance}.html"


def list_page(front: str, number: int) -> str:
    """Page `number` (1 = oldest) of the list whose newest changes are on `front` ("index.html" ->
    "index-3.html"); pages are cut from the oldest change, so a full page never changes."""
    return front.removesuffix(".html") + f"-{number}.html"


def rss_twin(atom_path: str) -> str:
    return atom_path.removesuffix(".atom") + ".rss"


def archive_feed(atom_path: str, number: int) -> str:
    """The path of archive page `number` (1 = oldest) of the feed at `atom_path` (RFC 5005)."""
    folder, name = posixpath.split(atom_path)
    return posixpath.join(folder, "archive", f"{name.removesuffix('.atom')}-{number}.atom")


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60].strip("-") or "service"


def service_slugs(services: list[str]) -> dict[str, str]:
    """A folder name per service; services whose names slugify alike get a hash suffix (the
    first in sorted order keeps the plain name), so every service keeps its own feed."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for service in sorted(set(services)):
        slug = slugify(service)
        if slug in taken:
            slug = f"{slug}-{hashlib.sha1(service.encode('utf-8')).hexdigest()[:6]}"
        taken.add(slug)
        out[service] = slug
    return out


@dataclass(frozen=True)
class Linker:
    base_url: str = ""  # absolute site URL ("https://user.github.io/repo/"), or "" for relative output

    def absolute(self, path: str) -> str:
        """A link usable outside the site (changes.json, OPML): absolute when the base URL is
        known, else site-relative."""
        if not self.base_url:
            return path
        return self.base_url.rstrip("/") + "/" + path

    def from_file(self, from_path: str, to_path: str) -> str:
        """A link written in the published file `from_path` (a feed): absolute when the base URL
        is known, else relative to that file, which is how feed readers resolve it."""
        if self.base_url:
            return self.absolute(to_path)
        return self.relative(from_path, to_path)

    @staticmethod
    def relative(from_page: str, to_path: str) -> str:
        """A link from one page of the site to another path of it."""
        start = posixpath.dirname(from_page) or "."
        return posixpath.relpath(to_path, start)
