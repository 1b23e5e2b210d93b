"""Where each published thing lives, as site-relative paths, and how to link to it from any page
(relative links, so the site works under a GitHub Pages project path) or from outside (the
--base-url, when given)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text with the characters XML 1.0 forbids removed (feedgen raises on them)."""
    return XML_ILLEGAL.sub("", text)


def document_page(doc_id: str) -> str:
    return f"docs/{doc_id}/index.html"


def change_page(doc_id: str, version_id: str) -> str:
    return f"docs/{doc_id}/changes/{version_id}.html"


def version_page(doc_id: str, version_id: str) -> str:
    return f"docs/{doc_id}/versions/{version_id}.html"


def version_text(doc_id: str, version_id: str) -> str:
    return f"docs/{doc_id}/versions/{version_id}.md"


def document_feed(doc_id: str, fmt: str = "atom") -> str:
    return f"docs/{doc_id}/feed.{fmt}"


@dataclass(frozen=True)
class Linker:
    base_url: str = ""  # absolute site URL ("https://user.github.io/repo/"), or "" for relative output

    def absolute(self, path: str) -> str:
        """A link usable outside the site (feeds, changes.json): absolute when the base URL is
        known, else site-relative."""
        if not self.base_url:
            return path
        return self.base_url.rstrip("/") + "/" + path

    @staticmethod
    def relative(from_page: str, to_path: str) -> str:
        """A link from one page of the site to another path of it."""
        start = posixpath.dirname(from_page) or "."
        return posixpath.relpath(to_path, start)
