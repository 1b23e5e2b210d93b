"""The site's full-text search: Pagefind indexes (its binary ships in the `pagefind[extended]` wheel)
over each change's headline, sections, changed text and document title, and over the documents.

Pagefind builds a whole index at a time, so the records are cut into bundles like feed archives:
per language, `SHARD` changes each from the oldest (and one bundle of the documents), and a full
bundle never changes. A publish indexes again only the bundles whose records changed (usually the
newest one of one language); search.js searches one bundle and merges the others in the browser.
We speak the binary's service protocol ourselves (base64 JSON messages ended by commas, as its
own Python and Node wrappers do): the wrapper's polling answers ten messages a second, and a
bundle is thousands of messages.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType

from policywatch.archive.errors import StoreError

from .feedpages import FeedPages
from .items import DocInfo, Item

SHARD = 500  # changes per bundle (a publish indexes at most this many again, besides new bundles)
SEARCH_VERSION = "1"  # bump when what is indexed changes
FOLDER = "pagefind"
FILES = "files:"  # publish cache: a bundle's files, under its key
# what a bundle needs in the browser (Pagefind also writes its own search UIs, which we do not use)
UI_FILES = ("pagefind-ui", "pagefind-modular-ui", "pagefind-component-ui", "pagefind-highlight")
# what only the bundle search.js loads first needs: the others are merged into it in the browser
# and use its code and WebAssembly (Pagefind's mergeIndex loads neither for them)
ENGINE_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.")


def bundle_path(lang: str, number: int) -> str:
    """Bundle `number` (1 = oldest changes) of a language; 0 holds its documents."""
    return f"{FOLDER}/{lang}-{number if number else 'documents'}/"


@dataclass
class Bundle:
    lang: str
    number: int
    ids: list[str] = field(default_factory=list)  # change ids, in the order they are indexed
    keys: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # document ids (bundle 0 of each language)
    key: str = ""
    primary: bool = False  # the bundle search.js loads first (it carries Pagefind's code)
    dirty: bool = True
    index_id: int | None = None

    @property
    def path(self) -> str:
        return bundle_path(self.lang, self.number)


class PagefindService:
    """One `pagefind --service` process: requests are written as they come, answers read by a
    thread (so neither pipe fills), errors raised at the end."""

    def __init__(self) -> None:
        try:
            from pagefind.service import get_executable
        except ImportError as e:  # pragma: no cover - a dependency
            raise StoreError("the search index needs Pagefind: pip install 'pagefind[extended]'") from e
        binary = get_executable()
        if binary is None:
            raise StoreError("the search index needs the Pagefind binary: pip install 'pagefind[extended]'")
        try:
            self.proc = subprocess.Popen(
                [str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        except OSError as e:
            raise StoreError(f"cannot run Pagefind ({binary}): {e.strerror or e}") from e
        self.next_id = 0
        self.answers: dict[int, dict] = {}
        self.waiting: dict[int, threading.Event] = {}
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        buf = bytearray()
        while True:
            chunk = out.read1(65536)
            if not chunk:
                break
            buf += chunk
            while True:
                end = buf.find(b",")
                if end < 0:
                    break
                message = json.loads(base64.b64decode(bytes(buf[:end])))
                del buf[: end + 1]
                payload = message.get("payload") or {}
                if payload.get("type") == "Error":
                    self.errors.append(str(payload.get("message")))
                mid = message.get("message_id")
                with self.lock:
                    event = self.waiting.pop(mid, None)
                    if event is not None:
                        self.answers[mid] = payload
                if event is not None:
                    event.set()
        with self.lock:  # the process ended: nobody waits forever
            for event in self.waiting.values():
                event.set()
            self.waiting.clear()

    def send(self, payload: dict) -> None:
        """A request whose answer is not awaited."""
        self._send(payload, None)

    def request(self, payload: dict) -> int:
        """A request whose answer answer() collects (it is sent at once; work on meanwhile)."""
        return self._send(payload, threading.Event())

    def answer(self, mid: int) -> dict:
        """The answer to request `mid`, waited for."""
        with self.lock:
            event = self.waiting.get(mid)
        if event is not None:
            event.wait()
        answer = self.answers.pop(mid, None)
        if answer is None or answer.get("type") == "Error":
            detail = answer.get("message") if answer else "no answer"
            raise StoreError(f"Pagefind failed: {detail}")
        return answer

    def _send(self, payload: dict, event: threading.Event | None) -> int:
        self.next_id += 1
        mid = self.next_id
        if event is not None:
            with self.lock:
                self.waiting[mid] = event
        data = base64.b64encode(json.dumps({"message_id": mid, "payload": payload}).encode("utf-8")) + b","
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(data)
            if event is not None:
                self.proc.stdin.flush()
        except OSError as e:
            raise StoreError(f"Pagefind stopped while indexing: {e.strerror or e}") from e
        return mid

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait(timeout=60)
        self.reader.join(timeout=60)
        if self.proc.stdout:
            self.proc.stdout.close()


class SearchIndex:
    """The search bundles of one publish: the publisher hands over each document's changes as it
    goes; then start() hands the bundles whose records changed to Pagefind (their changed text
    comes from the publish cache, kept when the change pages were rendered), and write() writes
    the files it made through the site writer."""

    def __init__(self, pages: FeedPages, infos: dict[str, DocInfo]):
        self.pages = pages
        self.writer = pages.writer
        self.infos = infos
        self.items: dict[str, list[Item]] = defaultdict(list)  # published changes by language
        self.documents: dict[str, list[str]] = defaultdict(list)  # document ids by language
        self.all: list[Bundle] = []
        self.service: PagefindService | None = None
        self.pending: list[tuple[Bundle, int]] = []  # bundles being indexed, with their GetFiles request

    def collect(self, doc_id: str, items: list[Item], lang: str) -> None:
        self.items[lang].extend(i for i in items if i.published)
        self.documents[lang].append(doc_id)

    # ------------------------------------------------------------------ planning

    def _plan(self) -> list[tuple[Bundle, list[Item]]]:
        """Cut the published changes into bundles, per language, oldest first (and a bundle of
        each language's documents); a bundle whose records and files are unchanged is kept."""
        planned = []
        langs = sorted(set(self.items) | set(self.documents))
        # the documents of the main language hold Pagefind's code: a bundle that rarely changes
        main = "en" if "en" in self.documents else min(self.documents, default="")
        for lang in langs:
            docs = sorted(self.documents[lang])
            if docs:
                bundle = Bundle(lang, 0, documents=docs, primary=lang == main)
                infos = [(d, self.infos[d].title, self.infos[d].service, self.infos[d].tags) for d in docs]
                bundle.key = self.pages.key("search", SEARCH_VERSION, lang, 0, infos, bundle.primary)
                planned.append((bundle, []))
            items = sorted(self.items[lang], key=lambda i: i.order)
            for n in range(-(-len(items) // SHARD)):
                chunk = items[n * SHARD : (n + 1) * SHARD]
                chunk.sort(key=lambda i: (i.doc_id, i.order))  # a fixed order to index in
                bundle = Bundle(lang, n + 1, [i.id for i in chunk], [i.key for i in chunk])
                bundle.key = self.pages.key("search", SEARCH_VERSION, lang, n + 1, bundle.keys)
                planned.append((bundle, chunk))
        cache = self.writer.cache
        for bundle, _ in planned:
            entry = bundle.path + "pagefind-entry.json"
            kept = cache.blob(FILES + bundle.key) if cache is not None else None
            if kept and self.writer.fresh(entry, bundle.key) and self.writer.keep(tuple(kept.split("\n"))):
                bundle.dirty = False
            self.all.append(bundle)
        return planned

    # ------------------------------------------------------------------ indexing

    def _service(self) -> PagefindService:
        if self.service is None:
            self.service = PagefindService()
        return self.service

    def start(self) -> None:
        """Hand the bundles whose records changed to Pagefind, which indexes them in its own
        process while the rest of the site is written; write() collects their files."""
        from . import paths

        dirty = [(bundle, items) for bundle, items in self._plan() if bundle.dirty]
        if not dirty:
            return
        service = self._service()
        # every bundle's index first: Pagefind answers in order, so a NewIndex sent after a
        # bundle's records would wait for them to be indexed
        asked = [service.request({"type": "NewIndex", "config": {"force_language": b.lang}}) for b, _ in dirty]
        for (bundle, _), mid in zip(dirty, asked, strict=True):
            bundle.index_id = int(service.answer(mid)["index_id"])
        for bundle, items in dirty:
            for item in items:
                r = item.record
                text = self.pages.excerpts.search_text(item)
                meta = {
                    "title": f"{item.title}: {r.summary}",
                    "date": r.detected_at[:10],
                    "significance": r.significance,
                    "kind": r.kind,
                }
                # the changed text first: a snippet is cut around the first words found
                self._add(bundle, item.page, "\n".join(x for x in (text, r.summary, item.title) if x), meta)
            for doc_id in bundle.documents:
                info = self.infos[doc_id]
                content = "\n".join([info.title, info.service, " ".join(info.tags)])
                meta = {"title": info.title, "date": "", "significance": "", "kind": "document"}
                self._add(bundle, paths.document_page(doc_id), content, meta)
            self.pending.append((bundle, service.request({"type": "GetFiles", "index_id": bundle.index_id})))

    def _add(self, bundle: Bundle, url: str, content: str, meta: dict) -> None:
        # sent ahead of their answers (read by the reader thread); Pagefind takes a service's
        # messages in order, so the index is the same from run to run (the tests publish twice
        # and compare the bytes)
        self._service().send(
            {
                "type": "AddRecord",
                "index_id": bundle.index_id,
                "url": url,
                "content": content,
                "language": bundle.lang,
                "meta": meta,
                # (no filters: Pagefind writes them in an order that changes from run to run)
                "filters": None,
                "sort": None,
            }
        )

    def write(self) -> None:
        """Write the files of the bundles start() handed to Pagefind."""
        for bundle, mid in self.pending:
            answer = self._service().answer(mid)
            written = []
            for f in sorted(answer["files"], key=lambda f: f["path"]):
                name = f["path"].lstrip("/")
                if name.split(".", 1)[0] in UI_FILES or name.startswith("playground/"):
                    continue
                if not bundle.primary and name.startswith(ENGINE_FILES):
                    continue
                rel = bundle.path + name
                # files Pagefind made, not pages we rendered: written (when their bytes changed)
                # and kept in the manifest under the bundle's key
                self.writer.write(rel, base64.b64decode(f["content"]))
                written.append(rel)
                if self.writer.cache is not None:
                    self.writer.cache.rendered(rel, bundle.key)
            if self.writer.cache is not None:  # what the next publish keeps while the bundle's key stays
                self.writer.cache.keep_blob(FILES + bundle.key, "\n".join(written))
        self.pending.clear()

    def bundles(self) -> list[dict]:
        """What search.js needs: each bundle's folder and language, the one with Pagefind's code
        first, then by language and newest first."""
        order = sorted(self.all, key=lambda b: (not b.primary, b.lang, -b.number))
        return [{"path": b.path, "lang": b.lang} for b in order]

    def __iter__(self) -> Iterator[Bundle]:
        return iter(self.all)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.service is not None:
            errors = self.service.errors
            self.service.close()
            self.service = None
            if errors and exc is None:
                raise StoreError(f"Pagefind could not index the site: {errors[0]}")
