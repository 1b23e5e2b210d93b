"""The messages policywatch sends: an alert per change, a digest, a health message, a welcome and a
test message, each written once as blocks and rendered as plain text, Markdown (chat) and HTML
(e-mail). Everything from a crawled page is escaped for the format it lands in.

E-mail gets HTML and Apprise derives the text part from it, dropping link targets: links show
their URL as text too, so both parts carry them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from html import escape

from policywatch.archive.notify_config import SIGNIFICANCE_RANK, Subscription
from policywatch.archive.store import parse_iso
from policywatch.diffs.topics import TOPICS

from . import paths
from .paths import Linker

DIGEST_MOST = 50  # changes listed in one digest; the rest are counted
FACTS_MOST = 8  # facts listed in an alert (a rewrite can have a hundred)
TITLE_MOST = 200

# inline spans: ("text", s) | ("strong", s) | ("mark", s) | ("link", label, url)
Span = tuple[str, ...]
# blocks: ("p", spans) | ("h", spans) | ("ul", [spans, ...]) | ("small", spans)
Block = tuple


@dataclass(frozen=True)
class Message:
    key: str
    title: str
    blocks: tuple[Block, ...]

    @property
    def text(self) -> str:
        return render_text(self.blocks)

    @property
    def markdown(self) -> str:
        return render_markdown(self.blocks)

    @property
    def html(self) -> str:
        return render_html(self.blocks)

    def body(self, fmt: str) -> str:
        return {"text": self.text, "markdown": self.markdown, "html": self.html}[fmt]


# ---------------------------------------------------------------------------- renderers

MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~])")  # what could make markup, a link or a mention


def _md(text: str) -> str:
    # a policy's text must not become a link, a mention or markup in a chat
    return MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _spans_text(spans: list[Span]) -> str:
    out = []
    for s in spans:
        if s[0] == "link":
            out.append(f"{s[1]} <{s[2]}>" if s[1] != s[2] else s[2])
        else:
            out.append(s[1])
    return "".join(out)


def _spans_md(spans: list[Span]) -> str:
    out = []
    for s in spans:
        kind, text = s[0], s[1]
        if kind == "strong" or kind == "mark":
            out.append(f"**{_md(text)}**" if text.strip() else _md(text))
        elif kind == "link":
            label = "change page" if text == s[2] else text  # a bare URL reads badly in a chat
            out.append(f"[{_md(label)}]({s[2].replace(')', '%29').replace(' ', '%20')})")
        else:
            out.append(_md(text))
    return "".join(out)


def _spans_html(spans: list[Span]) -> str:
    out = []
    for s in spans:
        kind, text = s[0], escape(s[1])
        if kind == "strong":
            out.append(f"<strong>{text}</strong>")
        elif kind == "mark":
            out.append(f"<mark>{text}</mark>")
        elif kind == "link":
            url = escape(s[2])
            shown = "" if s[1] == s[2] else f' <span style="color:#57606a">&lt;{url}&gt;</span>'
            out.append(f'<a href="{url}">{text}</a>{shown}')
        else:
            out.append(text)
    return "".join(out)


def render_text(blocks: tuple[Block, ...]) -> str:
    lines: list[str] = []
    for b in blocks:
        if b[0] == "ul":
            lines.extend(f"- {_spans_text(item)}" for item in b[1])
        elif b[0] == "h":
            title = _spans_text(b[1])
            lines.extend([title, "-" * min(len(title), 60)])
        else:
            lines.append(_spans_text(b[1]))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(blocks: tuple[Block, ...]) -> str:
    lines: list[str] = []
    for b in blocks:
        if b[0] == "ul":
            lines.extend(f"- {_spans_md(item)}" for item in b[1])
        elif b[0] == "h":
            lines.append(f"**{_spans_md(b[1])}**")
        elif b[0] == "small":
            lines.append(f"_{_spans_md(b[1])}_")
        else:
            lines.append(_spans_md(b[1]))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_html(blocks: tuple[Block, ...]) -> str:
    out = ['<div style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.45">']
    for b in blocks:
        if b[0] == "ul":
            out.append("<ul>" + "".join(f"<li>{_spans_html(item)}</li>" for item in b[1]) + "</ul>")
        elif b[0] == "h":
            out.append(f'<h3 style="margin:1.2em 0 .3em">{_spans_html(b[1])}</h3>')
        elif b[0] == "small":
            out.append(f'<p style="color:#57606a;font-size:12px">{_spans_html(b[1])}</p>')
        else:
            out.append(f"<p>{_spans_html(b[1])}</p>")
    out.append("</div>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- wording


def _day(value: str) -> str:
    """'2026-03-02T09:00:00Z' → '2 Mar 2026, 09:00 UTC'."""
    at = parse_iso(value)
    return f"{at.day} {at:%b %Y, %H:%M} UTC"


def _date(value: str) -> str:
    at = parse_iso(value)
    return f"{at.day} {at:%B %Y}"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _clip(text: str, most: int = TITLE_MOST) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def fact_line(fact: dict) -> str:
    kind, before, after, context = fact.get("kind"), fact.get("before"), fact.get("after"), fact.get("context") or ""
    if kind == "section_added":
        return f"Section added: {after}"
    if kind == "section_removed":
        return f"Section removed: {before}"
    if kind == "term_added":
        return f"Defined term added: {after}"
    if kind == "term_removed":
        return f"Defined term removed: {before}"
    where = f"{context}: " if context else ""
    return f"{where}{before} → {after}"


def topic_names(topics: list[str]) -> str:
    return ", ".join(TOPICS.get(t, t) for t in topics)


def _hit_spans(hit: dict) -> list[Span]:
    text, a, b = hit["text"], hit["start"], hit["end"]
    verb = "added" if hit["side"] == "added" else "removed"
    return [("text", f"“{hit['term']}” ({verb}): "), ("text", text[:a]), ("mark", text[a:b]), ("text", text[b:])]


def change_url(item: dict, linker: Linker) -> str | None:
    if not linker.base_url:
        return None
    return linker.absolute(paths.change_page(item["document_id"], item["to_version"]))


def _links(item: dict, linker: Linker) -> list[Span]:
    spans: list[Span] = []
    url = change_url(item, linker)
    if url:
        spans.append(("link", "See the change", url))
    if item.get("page_url"):
        if spans:
            spans.append(("text", " · "))
        spans.append(("link", "the page itself", item["page_url"]))
    return spans


def _footer(sub: Subscription, linker: Linker) -> Block:
    spans: list[Span] = [("text", f"policywatch · subscription “{sub.name}”")]
    if linker.base_url:
        spans += [("text", " · "), ("link", "all changes", linker.absolute("index.html"))]
    return ("small", spans)


def alert(key: str, item: dict, sub: Subscription, linker: Linker) -> Message:
    """One change, as an immediate alert."""
    kind = {"revert": "reverted", "change": "changed"}.get(item["kind"], item["kind"])
    blocks: list[Block] = [
        ("p", [("strong", item["summary"])]),
        (
            "p",
            [
                ("strong", item["title"]),
                (
                    "text",
                    f" ({item['service']}) {kind}: a {item['significance']} change, seen {_day(item['detected_at'])}.",
                ),
            ],
        ),
    ]
    blocks.extend(_details(item))
    links = _links(item, linker)
    if links:
        blocks.append(("p", links))
    blocks.append(_footer(sub, linker))
    return Message(key, _clip(f"{item['title']}: {item['summary']}"), tuple(blocks))


def _details(item: dict) -> list[Block]:
    blocks: list[Block] = []
    facts = item.get("facts") or []
    if facts:
        lines: list[list[Span]] = [[("text", fact_line(f))] for f in facts[:FACTS_MOST]]
        if len(facts) > FACTS_MOST:
            lines.append([("text", f"… and {len(facts) - FACTS_MOST} more on the change page")])
        blocks.append(("ul", lines))
    if item.get("sections"):
        blocks.append(("p", [("text", "Where: "), ("text", "; ".join(item["sections"]))]))
    if item.get("topics"):
        blocks.append(("p", [("text", "Topics: "), ("text", topic_names(item["topics"]))]))
    for hit in _merged(item.get("hits", [])):
        blocks.append(("p", _hit_spans(hit)))
    return blocks


def _merged(hits: list[dict]) -> list[dict]:
    """Hits in one sentence shown once, naming every term that matched it."""
    out: dict[tuple[str, str], dict] = {}
    for h in hits:
        key = (h["side"], h["text"])
        if key in out:
            out[key] = {**out[key], "term": f"{out[key]['term']}”, “{h['term']}"}
        else:
            out[key] = h
    return list(out.values())


def health(key: str, event: dict, sub: Subscription, linker: Linker) -> Message:
    """A tracked page broke (repeated failed crawls) or came back."""
    broke = event["event"] == "broken"
    title = f"Tracking {'broke' if broke else 'resumed'}: {event['title']}"
    if broke:
        what = f"policywatch cannot read this page since {_day(event['at'])}: {event['reason']}"
        what += f" ({event['detail']})." if event.get("detail") else "."
        then = "Its changes are not seen until it recovers; you will be told when it does."
    else:
        what = f"policywatch reads this page again since {_day(event['at'])}"
        what += f" ({event['detail']})." if event.get("detail") else "."
        then = "Changes made while it was broken show as one change from the last text read."
    links: list[Span] = []
    if linker.base_url:
        links.append(("link", "Tracking status", linker.absolute("status.html")))
    if event.get("page_url"):
        links += [("text", " · ")] if links else []
        links.append(("link", "the page itself", event["page_url"]))
    blocks: list[Block] = [
        ("p", [("strong", event["title"]), ("text", f" ({event['service']})")]),
        ("p", [("text", what)]),
        ("p", [("text", then)]),
    ]
    if links:
        blocks.append(("p", links))
    blocks.append(_footer(sub, linker))
    return Message(key, _clip(title), tuple(blocks))


def digest(key: str, items: list[dict], events: list[dict], info: dict, sub: Subscription, linker: Linker) -> Message:
    """Changes grouped by service and document, substantive first; what was left out, counted."""
    label = "weekly digest" if info["mode"] == "weekly" else "daily digest"
    when = _date(info["scheduled"])
    docs = {i["document_id"] for i in items}
    counts: dict[str, int] = defaultdict(int)
    for i in items:
        counts[i["significance"]] += 1
    title = f"policywatch {label}, {when}: {_plural(len(items), 'change')} in {_plural(len(docs), 'document')}"
    if events:
        title += f", {_plural(len(events), 'tracking event')}"
    split = ", ".join(f"{counts[s]} {s}" for s in ("substantive", "minor", "cosmetic") if counts[s])
    intro = f"{_plural(len(items), 'change')} to {_plural(len(docs), 'document')} since the last digest"
    blocks: list[Block] = [("p", [("text", intro + (f" ({split})." if split else "."))])]

    # substantive first: documents ordered by their most significant change, then by title
    ranked = sorted(items, key=lambda i: (-SIGNIFICANCE_RANK[i["significance"]], i["detected_at"], i["id"]))
    shown, more = ranked[:DIGEST_MOST], ranked[DIGEST_MOST:]
    by_service: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for i in shown:
        by_service[i["service"]][i["document_id"]].append(i)
    for service in sorted(by_service):
        blocks.append(("h", [("text", service)]))
        documents = by_service[service]
        for doc_id in sorted(
            documents, key=lambda d: (-SIGNIFICANCE_RANK[documents[d][0]["significance"]], documents[d][0]["title"])
        ):
            changes = documents[doc_id]
            first = changes[0]
            head: list[Span] = [("strong", first["title"])]
            if first.get("page_url"):
                head += [("text", " · "), ("link", "page", first["page_url"])]
            blocks.append(("p", head))
            lines = []
            for c in changes:
                line: list[Span] = [("text", f"[{c['significance']}] "), ("text", c["summary"])]
                line.append(("text", f" ({_date(c['detected_at'])}"))
                if c.get("topics"):
                    line.append(("text", f"; {topic_names(c['topics'])}"))
                line.append(("text", ")"))
                for h in c.get("hits", [])[:1]:
                    line += [("text", " — "), *_hit_spans(h)]
                url = change_url(c, linker)
                if url:
                    line += [("text", " "), ("link", url, url)]
                lines.append(line)
            blocks.append(("ul", lines))
    if events:
        blocks.append(("h", [("text", "Tracking")]))
        lines = []
        for e in sorted(events, key=lambda e: (e["at"], e["document_id"])):
            state = "broke" if e["event"] == "broken" else "resumed"
            reason = (
                f": {e['reason']}" + (f" ({e['detail']})" if e.get("detail") else "") if e["event"] == "broken" else ""
            )
            lines.append([("strong", e["title"]), ("text", f" — tracking {state} {_day(e['at'])}{reason}")])
        blocks.append(("ul", lines))
    left = info.get("left_out", {})
    notes = []
    if more:
        notes.append(f"{_plural(len(more), 'more change')} not listed here (the {DIGEST_MOST} most significant are)")
    why = {"significance": f"below {sub.significance}", "topic": "on other topics", "keywords": "without your keywords"}
    for reason, n in sorted(left.items()):
        notes.append(f"{_plural(n, 'change')} {why.get(reason, reason)}")
    if notes:
        spans: list[Span] = [("text", "Left out: " + "; ".join(notes) + ".")]
        if linker.base_url:
            spans += [("text", " "), ("link", "Every change", linker.absolute("index.html"))]
        blocks.append(("p", spans))
    blocks.append(_footer(sub, linker))
    return Message(key, _clip(title), tuple(blocks))


def describe(sub: Subscription) -> str:
    """What a subscription sends, in a sentence."""
    kind = {"substantive": "substantive ", "minor": "minor or substantive ", "cosmetic": ""}[sub.significance]
    if sub.mode == "immediate":
        sentence = f"an alert for each {kind}change"
    else:
        when = f"{sub.schedule_day.capitalize()}s at {sub.schedule_at}" if sub.mode == "weekly" else sub.schedule_at
        sentence = f"a {sub.mode} digest ({when} {sub.timezone}) of the {kind}changes"
    if sub.topics:
        sentence += f" about {topic_names(list(sub.topics))}"
    terms = sub.matcher.terms
    if terms:
        shown = ", ".join(terms[:6]) + (f" and {len(terms) - 6} more" if len(terms) > 6 else "")
        sentence += f" that {'adds or removes' if sub.mode == 'immediate' else 'add or remove'} {shown}"
    if sub.health:
        sentence += ", and a message when tracking of a page breaks or resumes"
    return sentence


def welcome(key: str, info: dict, sub: Subscription, linker: Linker) -> Message:
    scope = []
    if sub.documents:
        scope.append(f"documents {', '.join(sub.documents)}")
    if sub.services:
        scope.append(f"services {', '.join(sub.services)}")
    if sub.tags:
        scope.append(f"tags {', '.join(sub.tags)}")
    n = info.get("documents", 0)
    tracking = f"policywatch tracks {_plural(n, 'document')}"
    tracking += (
        f"; this subscription follows the {'; '.join(scope)}." if scope else "; this subscription follows them all."
    )
    blocks: list[Block] = [
        ("p", [("strong", f"The subscription “{sub.name}” is set up.")]),
        ("p", [("text", tracking)]),
        ("p", [("text", f"From now on you get {describe(sub)}. Earlier history is not sent.")]),
        _footer(sub, linker),
    ]
    return Message(key, _clip(f"policywatch: “{sub.name}” is set up, tracking {_plural(n, 'document')}"), tuple(blocks))


def test(sub: Subscription, linker: Linker, now: datetime, n_documents: int) -> Message:
    stamp = now.strftime("%Y-%m-%d %H:%M UTC")
    blocks: list[Block] = [
        ("p", [("strong", f"A test message for the subscription “{sub.name}”, sent {stamp}.")]),
        ("p", [("text", f"It gets {describe(sub)}, from {_plural(n_documents, 'tracked document')}.")]),
        ("p", [("text", "If you read this, policywatch can reach you here. Nothing was recorded as sent.")]),
        _footer(sub, linker),
    ]
    return Message(f"test/{sub.name}", f"policywatch test message for “{sub.name}”", tuple(blocks))
