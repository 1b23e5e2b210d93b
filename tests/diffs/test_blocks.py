"""Markdown split into blocks: kinds, heading paths, exact slices, and the cheap heading index
that gives blocks deep in an unchanged document their path agreeing with the full split."""

from __future__ import annotations

import pytest

from policywatch.diffs.blocks import Doc, headings_of, split_blocks, split_chunk

TRICKY = """# Agreement

Intro line one
continued here.

## 1. Fees
- item one
- item two
  continued
1. numbered
## 2. Inline heading after a list
Text right below it.

| Fee | Rate |
|-----|------|
| Referral | 15% |

Setext title
------------

```
# not a heading inside code

still code
```

### 2.1 Deep ###
Para.
#hashtag is not a heading
"""


def test_blocks_are_exact_slices_with_kinds_and_paths():
    blocks = split_blocks(TRICKY)
    assert "".join(b.raw for b in blocks) == TRICKY
    got = [(b.kind, b.path[-1] if b.path else "", b.text.split("\n")[0].rstrip()) for b in blocks]
    assert got == [
        ("heading", "Agreement", "# Agreement"),
        ("paragraph", "Agreement", "Intro line one"),
        ("heading", "1. Fees", "## 1. Fees"),
        ("item", "1. Fees", "- item one"),
        ("item", "1. Fees", "- item two"),
        ("item", "1. Fees", "1. numbered"),
        ("heading", "2. Inline heading after a list", "## 2. Inline heading after a list"),
        ("paragraph", "2. Inline heading after a list", "Text right below it."),
        ("row", "2. Inline heading after a list", "| Fee | Rate |"),
        ("row", "2. Inline heading after a list", "|-----|------|"),
        ("row", "2. Inline heading after a list", "| Referral | 15% |"),
        ("heading", "Setext title", "Setext title"),
        ("code", "Setext title", "```"),
        ("heading", "2.1 Deep", "### 2.1 Deep ###"),
        ("paragraph", "2.1 Deep", "Para."),
    ]
    assert blocks[-2].path == ("Agreement", "Setext title", "2.1 Deep")


@pytest.mark.parametrize(
    "text", ["", "\n", "\n\n", "A", "A\n", "A\n\n\n", "\n\nA\n\nB", "  \nA", "x\r\n\r\ny\r\n", "```\na\n\nb", TRICKY]
)
def test_any_text_splits_back_into_itself(text):
    assert "".join(b.raw for b in split_blocks(text)) == text
    doc = Doc(text)
    assert "".join(doc.raw(k) for k in range(len(doc))) == text


def test_the_heading_index_agrees_with_the_split():
    doc = Doc(TRICKY)
    full: list = []
    light: list = []
    for k in range(len(doc)):
        assert doc.stack_before(k) == full  # the path a block of chunk k starts from
        split_chunk(doc.keys[k], doc.seps[k], full)
        headings_of(doc.keys[k], light)
        assert light == full
