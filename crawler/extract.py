"""Extraction: a fetched page → the document's canonical Markdown, deterministically.

remove → select (CSS, in document order) → drop what is never policy text (scripts, styles,
forms' controls) → Markdown. Whitespace follows HTML rules (a no-break space stays visible),
links are made absolute with tracking parameters dropped, so page noise outside and inside the
selection does not change the text. Bump EXTRACTOR_VERSION whenever the output can change.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from cssselect import GenericTranslator
from lxml import etree

# 2: links without text keep their target; 3: code fences longer than any backtick run inside,
# nesting deeper than MAX_DEPTH kept as text
EXTRACTOR_VERSION = "policywatch-md/3"
MAX_DEPTH = 100  # element levels below the root walked as structure (real policy pages stay under 30)

NEVER_TEXT = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "canvas",
    "svg",
    "math",
    "head",
    "title",
    "meta",
    "link",
    "input",
    "button",
    "select",
    "textarea",
    "option",
    "dialog",
)
MAIN_GUESSES = ("main", "[role=main]", "article", "#content", "#main", ".content", "body")
TRACKING = re.compile(
    r"^(utm_[a-z]+|gclid|gclsrc|dclid|fbclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|igshid|yclid|"
    r"_ga|_gl|ref_|spm|trk|trkCampaign|sc_cid|s_cid|cmpid|campaign_id)$",
    re.I,
)
ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")
CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "hr",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "details",
    "summary",
    "address",
    "form",
    "fieldset",
    "legend",
    "caption",
    "center",
    "body",
    "html",
    "menu",
    "hgroup",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BREAK = "\x00"  # a hard line break inside a paragraph, kept through whitespace collapsing
_translator = GenericTranslator()
_xpath_cache: dict[str, etree.XPath] = {}


@dataclass(frozen=True)
class Extraction:
    markdown: str
    selector_matched: bool  # False: a `select` selector matched nothing
    words: int


def _xpath(selector: str) -> etree.XPath:
    xp = _xpath_cache.get(selector)
    if xp is None:
        xp = _xpath_cache[selector] = etree.XPath(_translator.css_to_xpath(selector))
    return xp


# lxml's plain HTML parser: the same libxml2 tree as lxml.html's, without its per-element class
# lookup (a third of the walking time on a large page).
_parser = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)


def parse_html(html: str | bytes) -> etree._Element | None:
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    html = html.replace("\x00", "")
    if not html.strip():
        return None
    try:
        return etree.fromstring(html, _parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def flatten_deep(doc: etree._Element, limit: int = MAX_DEPTH) -> int:
    """Keep what lies more than `limit` levels down as the text of its ancestor at that level.

    The walk to Markdown recurses once per level, and hostile pages nest thousands of tags deep
    (libxml2 lets huge_tree pages reach 2,048 levels); no policy page comes near the limit. The
    number of elements flattened."""
    deep: list[etree._Element] = []
    depth = 0
    walk = etree.iterwalk(doc, events=("start", "end"))
    for event, el in walk:
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth > limit and len(el):
            deep.append(el)
            walk.skip_subtree()  # its "end" event still comes
    for el in deep:
        for child in list(el.iterdescendants(*NEVER_TEXT)):
            if child.getparent() is not None:
                drop_tree(child)
        text = "".join(el.itertext())
        for child in list(el):
            el.remove(child)
        holder = el
        # lists and tables only read their items and cells: the text goes into one
        for tag in _TEXT_HOLDERS.get(el.tag.lower() if isinstance(el.tag, str) else "", ()):
            holder = etree.SubElement(holder, tag)
        holder.text = xml_text(text)
    return len(deep)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text lxml accepts to set: no control characters (the walk to Markdown drops them anyway;
    a form feed is whitespace)."""
    return _XML_ILLEGAL.sub("", text.replace("\x0c", " "))


_TEXT_HOLDERS = {
    "ul": ("li",),
    "ol": ("li",),
    "menu": ("li",),
    "table": ("tr", "td"),
    "thead": ("tr", "td"),
    "tbody": ("tr", "td"),
    "tfoot": ("tr", "td"),
    "tr": ("td",),
}


def drop_tree(el: etree._Element) -> None:
    """Remove `el` and its children, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        # libxml2 keeps control characters in text, which lxml refuses to set again
        previous = el.getprevious()
        if previous is not None:
            previous.tail = xml_text((previous.tail or "") + el.tail)
        else:
            parent.text = xml_text((parent.text or "") + el.tail)
    parent.remove(el)


def text_content(el: etree._Element) -> str:
    return "".join(el.itertext())


# Links simple enough that urljoin/urlsplit/urlunsplit would give them back unchanged, and
# queries that parse_qsl + urlencode would give back unchanged: these skip urllib (a page holds
# hundreds of links and urllib is most of the extraction time). tests/crawler/test_extract.py holds the
# fast path to the slow one.
SIMPLE_ABSOLUTE = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~!$'()*+,=:@%/-]*)?$")
SIMPLE_PAIR = re.compile(r"[A-Za-z0-9._~-]+=[A-Za-z0-9._~-]*$")
SIMPLE_ROOTED = re.compile(r"/(?!/)[A-Za-z0-9._~!$'()*+,=:@%/-]*$")  # "/help/fees", not "//host" or "../x"
SITE = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?(?=/|$)")


@functools.lru_cache(maxsize=4096)
def clean_url(href: str, base: str) -> str | None:
    """A link's absolute target without tracking parameters (None: not a link target). Cached:
    a site repeats its links from page to page."""
    href = href.strip()
    if not href:
        return None
    if href.startswith("#"):
        return href
    target, hash_, fragment = href.partition("#")
    path, question, query = target.partition("?")
    if SIMPLE_ROOTED.match(path) and not _DOT_SEGMENT.search(path):
        site = SITE.match(base)
        path = site.group(0) + path if site else ""
    if path and SIMPLE_ABSOLUTE.match(path) and (not question or query) and (not hash_ or fragment):
        if query:
            pairs = query.split("&")
            if all(SIMPLE_PAIR.match(p) for p in pairs):
                query = "&".join(p for p in pairs if not TRACKING.match(p.split("=", 1)[0]))
            else:
                return _clean_url_slow(href, base)
        return path + ("?" + query if query else "") + ("#" + fragment if fragment else "")
    return _clean_url_slow(href, base)


_DOT_SEGMENT = re.compile(r"/\.\.?(/|$)")


def _clean_url_slow(href: str, base: str) -> str | None:
    try:
        absolute = urljoin(base, href)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", "mailto", "tel", "ftp"):
        return None  # javascript:, data: and the like are not link targets
    if parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)]
        parts = parts._replace(query=urlencode(kept, doseq=True))
    return urlunsplit(parts)


def select_roots(
    doc: etree._Element, select: tuple[str, ...] | None, remove: tuple[str, ...] = ()
) -> list[etree._Element] | None:
    """The elements holding the policy text (None: a `select` selector matched nothing)."""
    for sel in remove:
        for el in _xpath(sel)(doc):
            if el.getparent() is not None:
                drop_tree(el)
    if select:
        roots: list[etree._Element] = []
        for sel in select:
            roots.extend(_xpath(sel)(doc))
        if not roots:
            return None
        if len(roots) == 1:
            return roots
        order = {el: n for n, el in enumerate(doc.iter())}
        unique = sorted(set(roots), key=lambda el: order.get(el, 0))
        # an element inside another selected one is already part of it
        return [el for el in unique if not any(a in unique for a in el.iterancestors())]
    for guess in MAIN_GUESSES:
        found = _xpath(guess)(doc)
        if found:
            return [found[0]]
    return [doc]


def extract(
    html: str | bytes, url: str, select: tuple[str, ...] | None = None, remove: tuple[str, ...] = ()
) -> Extraction:
    doc = parse_html(html)
    if doc is None:
        return Extraction("", select is None, 0)
    base = url
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        base = urljoin(url, base_el.get("href", ""))
    flatten_deep(doc)
    roots = select_roots(doc, select, remove)
    if roots is None:
        return Extraction("", False, 0)
    writer = _Writer(base)
    for root in roots:
        writer.block(root)
    markdown = writer.finish()
    return Extraction(markdown, True, len(re.findall(r"\w+", markdown)))


BACKTICKS = re.compile(r"`+")
MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]]")


def _escape(text: str) -> str:
    if not MARKDOWN_SPECIAL.search(text):
        return text
    return MARKDOWN_SPECIAL.sub(r"\\\g<0>", text)


BLOCK_START = re.compile(r"(#{1,6}(\s|$)|[-+*](\s|$)|>|\d{1,9}[.)](\s|$)|\||=+\s*$|-+\s*$|~~~|```)")
NUMBERED = re.compile(r"(\d{1,9})([.)])")
CONTROL_DELETE = dict.fromkeys([*range(1, 9), 11, *range(14, 32), 127])  # CONTROL, for str.translate


def _escape_start(line: str) -> str:
    """Escape what would make a paragraph line read as another block."""
    if BLOCK_START.match(line):
        m = NUMBERED.match(line)
        if m:
            return f"{m.group(1)}\\{m.group(2)}{line[m.end() :]}"
        return "\\" + line
    return line


class _Writer:
    """Walks the selected tree and writes Markdown blocks."""

    def __init__(self, base: str):
        self.base = base
        self.blocks: list[str] = []
        self.inline: list[str] = []

    # ---- inline content
    def _flush(self) -> None:
        if not self.inline:
            return
        text = ASCII_SPACE.sub(" ", "".join(self.inline).translate(CONTROL_DELETE))
        self.inline = []
        lines = [ln.strip(" ") for ln in text.split(BREAK)]
        lines = [ln for ln in lines if ln]
        if lines:
            self.blocks.append("\n".join(_escape_start(ln) for ln in lines))

    def _inline_text(self, el: etree._Element) -> str:
        sub = _Writer(self.base)
        sub._inline_children(el)
        return "".join(sub.inline)

    def _inline_children(self, el: etree._Element) -> None:
        if el.text:
            self.inline.append(_escape(el.text))
        for child in el:
            self._node(child)
            if child.tail:
                self.inline.append(_escape(child.tail))

    def _node(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if not tag or tag in NEVER_TEXT:
            return
        if tag in BLOCKS or (tag in ("a", "span", "strong", "b", "em", "i", "label") and _has_block(el)):
            self.block(el)
            return
        if tag == "br":
            self.inline.append(BREAK)
        elif tag == "a":
            label = ASCII_SPACE.sub(" ", self._inline_text(el)).strip(" ")
            href = clean_url(el.get("href", ""), self.base)
            if href:
                # a link without text (an icon, an image without alt) keeps its target: where it
                # points is part of the page, and a change of it is a (cosmetic) change
                self.inline.append(f"[{label.replace(BREAK, ' ')}]({href.replace(')', '%29').replace(' ', '%20')})")
            elif label:
                self.inline.append(label)
        elif tag in ("strong", "b", "em", "i"):
            inner = self._inline_text(el)
            core = inner.strip(" \t\n\r\f")
            if core:
                mark = "**" if tag in ("strong", "b") else "*"
                lead = " " if inner[:1].isspace() else ""
                trail = " " if inner[-1:].isspace() else ""
                self.inline.append(f"{lead}{mark}{ASCII_SPACE.sub(' ', core)}{mark}{trail}")
        elif tag == "code":
            self.inline.append("`" + ASCII_SPACE.sub(" ", text_content(el)).replace("`", "'") + "`")
        elif tag == "img":
            alt = (el.get("alt") or "").strip()
            if alt:
                self.inline.append(_escape(alt))
        else:
            self._inline_children(el)

    # ---- blocks
    def block(self, el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in NEVER_TEXT:
            return
        if tag in HEADINGS:
            self._flush()
            text = ASCII_SPACE.sub(" ", self._inline_text(el).replace(BREAK, " ")).strip()
            if text:
                self.blocks.append("#" * int(tag[1]) + " " + text)
            return
        if tag in ("ul", "ol", "menu"):
            self._flush()
            self._list(el, ordered=tag == "ol")
            return
        if tag == "table":
            self._flush()
            self._table(el)
            return
        if tag == "pre":
            self._flush()
            code = text_content(el).strip("\n")
            if code.strip():
                # a fence longer than any run of backticks inside, so the code cannot close it
                longest = max((len(run) for run in BACKTICKS.findall(code)), default=0)
                fence = "`" * max(3, longest + 1)
                self.blocks.append(f"{fence}\n{code}\n{fence}")
            return
        if tag == "hr":
            self._flush()
            self.blocks.append("---")
            return
        if tag == "blockquote":
            self._flush()
            inner = self._sub_blocks(el)
            if inner:
                self.blocks.append("\n".join(("> " + ln) if ln else ">" for ln in inner.split("\n")))
            return
        self._flush()
        self._inline_children(el)
        self._flush()

    def _sub_blocks(self, el: etree._Element) -> str:
        sub = _Writer(self.base)
        sub._inline_children(el)
        return sub.finish().rstrip("\n")

    def _list(self, el: etree._Element, ordered: bool) -> None:
        try:
            n = int(el.get("start", "1"))
        except ValueError:
            n = 1
        items = []
        for li in el:
            if not isinstance(li.tag, str) or li.tag.lower() != "li":
                if isinstance(li.tag, str) and li.tag.lower() in ("ul", "ol"):
                    nested = _Writer(self.base)
                    nested._list(li, li.tag.lower() == "ol")
                    if nested.blocks:
                        items.append("  " + "\n  ".join("\n\n".join(nested.blocks).split("\n")))
                continue
            marker = f"{n}." if ordered else "-"
            n += 1
            body = self._sub_blocks(li)
            if not body:
                continue
            pad = " " * (len(marker) + 1)
            lines = body.split("\n")
            items.append(marker + " " + lines[0] + "".join(("\n" + pad + ln) if ln else "\n" for ln in lines[1:]))
        if items:
            self.blocks.append("\n".join(items))

    def _table(self, el: etree._Element) -> None:
        rows: list[list[str]] = []
        header_rows = 0
        for tr in el.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
            cells = []
            is_header = True
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                is_header &= cell.tag.lower() == "th"
                text = ASCII_SPACE.sub(" ", self._sub_blocks(cell).replace("\n", " ")).strip()
                cells.append(text.replace("|", "\\|"))
            if cells:
                rows.append(cells)
                if is_header and header_rows == len(rows) - 1:
                    header_rows += 1
        caption = el.find("caption")
        if caption is not None:
            text = ASCII_SPACE.sub(" ", text_content(caption)).strip()
            if text:
                self.blocks.append(_escape(text))
        if not rows:
            return
        width = max(len(r) for r in rows)
        lines = []
        for k, r in enumerate(rows):
            r = r + [""] * (width - len(r))
            lines.append("| " + " | ".join(r) + " |")
            if k == 0:
                lines.append("|" + "|".join(["---"] * width) + "|")
        self.blocks.append("\n".join(lines))

    def finish(self) -> str:
        self._flush()
        text = "\n\n".join(b for b in self.blocks if b.strip())
        return text + "\n" if text else ""


def _has_block(el: etree._Element) -> bool:
    return any(isinstance(d.tag, str) and d.tag.lower() in BLOCKS for d in el.iterdescendants())
