"""The ▶ sources contract: malformed files are reported with file, document and field, exit 2,
and nothing is crawled or written."""

from __future__ import annotations

import pytest
import yaml

from policywatch.archive.errors import SourcesError
from policywatch.archive.sources import load_sources

GOOD = """\
service: Example Marketplace
documents:
  - id: example-terms
    title: Example terms
    url: https://example.com/terms
    select: "#main"
    remove: [".banner", "*[hidden]"]
    tags: [agreement]
  - id: example-fees
    title: Example fees
    url: http://example.com/fees
    select: ["main", ".fees"]
    render: browser
    wait_for: "#fees"
    confirm: 2
"""

DOC = "  - id: {id}\n    title: T\n    url: {url}\n"

# (name, file text, expected words in the message: document and field where there is one)
MALFORMED = [
    (
        "unknown document key",
        GOOD.replace("    tags: [agreement]", "    tagz: [agreement]"),
        ["example-terms", "tagz", "unknown key"],
    ),
    ("unknown top-level key", "owner: me\n" + GOOD, ["owner", "unknown key"]),
    ("missing service", GOOD.replace("service: Example Marketplace\n", ""), ["service", "is required"]),
    ("missing documents", "service: X\n", ["documents", "is required"]),
    ("empty documents", "service: X\ndocuments: []\n", ["documents"]),
    ("missing url", "service: X\ndocuments:\n  - id: a-doc\n    title: T\n", ["a-doc", "url", "is required"]),
    ("missing title", "service: X\ndocuments:\n  - id: a-doc\n    url: https://a.test/\n", ["a-doc", "title"]),
    ("ftp url", "service: X\ndocuments:\n" + DOC.format(id="a-doc", url="ftp://a.test/x"), ["a-doc", "url", "http(s)"]),
    (
        "url without host",
        "service: X\ndocuments:\n" + DOC.format(id="a-doc", url="https:///x"),
        ["a-doc", "url", "host"],
    ),
    (
        "javascript url",
        "service: X\ndocuments:\n" + DOC.format(id="a-doc", url="javascript:alert(1)"),
        ["a-doc", "url"],
    ),
    (
        "uppercase id",
        "service: X\ndocuments:\n" + DOC.format(id="Bad_ID", url="https://a.test/"),
        ["Bad_ID", "id", "[a-z0-9-]"],
    ),
    (
        "duplicate id in one file",
        "service: X\ndocuments:\n"
        + DOC.format(id="a-doc", url="https://a.test/")
        + DOC.format(id="a-doc", url="https://a.test/2"),
        ["a-doc", "id", "already declared"],
    ),
    ("bad select", GOOD.replace('select: "#main"', 'select: "div[[["'), ["example-terms", "select", "CSS selector"]),
    (
        "bad remove",
        GOOD.replace('remove: [".banner", "*[hidden]"]', 'remove: ["..x"]'),
        ["example-terms", "remove", "CSS selector"],
    ),
    ("bad wait_for", GOOD.replace('wait_for: "#fees"', 'wait_for: "#"'), ["example-fees", "wait_for"]),
    ("bad render", GOOD.replace("render: browser", "render: chrome"), ["example-fees", "render", "'browser'"]),
    ("confirm zero", GOOD.replace("confirm: 2", "confirm: 0"), ["example-fees", "confirm"]),
    ("confirm not a number", GOOD.replace("confirm: 2", "confirm: twice"), ["example-fees", "confirm"]),
    ("tags not names", GOOD.replace("tags: [agreement]", "tags: [Agreement Docs]"), ["example-terms", "tags"]),
    ("not YAML", "service: [unclosed\n", ["not valid YAML", "line"]),
    ("a list at top level", "- id: x\n", ["mapping"]),
    ("empty file", "", ["is empty"]),
    ("document not a mapping", "service: X\ndocuments:\n  - just a string\n", ["#1", "mapping"]),
    ("empty select list", GOOD.replace('select: "#main"', "select: []"), ["example-terms", "select", "empty list"]),
]


@pytest.mark.parametrize(("name", "text", "words"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_sources_named_and_exit_2(tmp_path, cli, name, text, words):
    sources = tmp_path / "data" / "sources" / "bad.yml"
    sources.parent.mkdir(parents=True)
    sources.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError) as err:
        load_sources(sources)
    message = str(err.value)
    assert "bad.yml" in message
    for w in words:
        assert w in message, (w, message)
    r = cli("validate")
    assert r.returncode == 2, r.stderr
    assert "bad.yml" in r.stderr and all(w in r.stderr for w in words) and "Traceback" not in r.stderr


@pytest.mark.parametrize("command", ["validate", "crawl"])
def test_cli_exits_2_and_writes_nothing(tmp_path, cli, command):
    data = tmp_path / "data"
    sources = data / "sources" / "bad.yml"
    sources.parent.mkdir(parents=True)
    sources.write_text(GOOD.replace("    tags: [agreement]", "    tagz: [agreement]"), encoding="utf-8")
    r = cli(command)
    assert r.returncode == 2, r.stderr
    assert "bad.yml" in r.stderr and "example-terms" in r.stderr and "tagz" in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.relative_to(data).as_posix() for p in data.rglob("*")) == ["sources", "sources/bad.yml"]


def test_duplicate_id_across_files_names_both(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "a.yml").write_text(GOOD, encoding="utf-8")
    (folder / "b.yml").write_text(
        "service: Y\ndocuments:\n" + DOC.format(id="example-fees", url="https://b.test/"), encoding="utf-8"
    )
    with pytest.raises(SourcesError) as err:
        load_sources(folder)
    assert "b.yml" in str(err.value) and "a.yml" in str(err.value) and "example-fees" in str(err.value)


def test_good_file_loads_with_defaults(tmp_path):
    path = tmp_path / "good.yml"
    path.write_text(GOOD, encoding="utf-8")
    docs = load_sources(path)
    assert [d.id for d in docs] == ["example-fees", "example-terms"]
    fees, terms = docs
    assert fees.select == ("main", ".fees") and fees.render == "browser" and fees.confirm == 2
    assert terms.select == ("#main",) and terms.remove == (".banner", "*[hidden]") and terms.render == "http"
    assert terms.confirm == 1 and terms.service == "Example Marketplace" and terms.tags == ("agreement",)


def test_validate_lists_documents(tmp_path, cli):
    sources = tmp_path / "data" / "sources" / "good.yml"
    sources.parent.mkdir(parents=True)
    sources.write_text(GOOD, encoding="utf-8")
    r = cli("validate", check=True)
    assert "example-terms" in r.stdout and "example-fees" in r.stdout
    assert "ok: 2 documents in 1 file(s)" in r.stderr


def test_missing_sources_folder_is_a_usage_error(tmp_path, cli):
    r = cli("validate", "--sources", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and "no such file or folder" in r.stderr


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({"title": "Terms \u202eFees"}, "title", "U+202E"),
        ({"title": "Terms \u2066x\u2069"}, "title", "U+2066"),
        ({"title": "Terms\x1b[2Jx"}, "title", "control character"),
        ({"tags": "agreement"}, "tags", "must be a list"),
        ({"confirm": 9}, "confirm", "a whole number from 1 to 5"),
        ({"confirm": True}, "confirm", "a whole number from 1 to 5"),
        ({"confirm": "two"}, "confirm", "a whole number from 1 to 5"),
    ],
)
def test_hostile_or_careless_values_are_refused_in_our_words(tmp_path, entry, field, message):
    path = tmp_path / "s.yml"
    doc = {"id": "terms", "title": "Terms", "url": "https://market.example/terms", **entry}
    path.write_text(yaml.safe_dump({"service": "Market", "documents": [doc]}), encoding="utf-8")
    with pytest.raises(SourcesError) as e:
        load_sources(path)
    (problem,) = e.value.problems
    assert problem.field == field and message in problem.message, problem
    assert "Input should" not in problem.message  # the validation library's words


def test_a_service_name_with_a_bidi_override_is_refused(tmp_path):
    path = tmp_path / "s.yml"
    doc = {"id": "terms", "title": "Terms", "url": "https://market.example/terms"}
    path.write_text(yaml.safe_dump({"service": "Market \u202e", "documents": [doc]}), encoding="utf-8")
    with pytest.raises(SourcesError, match="U\\+202E"):
        load_sources(path)
