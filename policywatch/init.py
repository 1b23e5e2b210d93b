"""`policywatch init`: a ready tracking repository in a folder. The sources come from the shipped
registry of seller pages (all of it, or the documents of chosen services and tags) or from a
commented template; the workflows, the commit script and a README from the scaffold."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

from policywatch import __version__
from policywatch.archive.errors import PolicywatchError
from policywatch.archive.sources import Document, load_sources

# scaffold file → where it goes in the new repository (package data cannot hold dot-folders)
SCAFFOLD = {
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "requirements.txt": "requirements.txt",
    "data.gitignore": "data/.gitignore",
    "commit-data.sh": "scripts/commit-data.sh",
    "actions/setup.yml": ".github/actions/setup/action.yml",
    "workflows/track.yml": ".github/workflows/track.yml",
    "workflows/track-sharded.yml": ".github/workflows/track-sharded.yml",
    "workflows/validate-live.yml": ".github/workflows/validate-live.yml",
}
TEMPLATE_NAME = "my-policies.yml"
TEMPLATE = """\
# What policywatch tracks: any number of files like this one in data/sources/, one per service.
# Every key is described in policywatch's README ("Sources file"). Declare your documents below
# (remove the `#` before the example and edit it), then check them:
#   policywatch validate          # keys, ids, URLs and selectors, offline
#   policywatch validate --live   # each page fetched twice: the selector matches, the text is stable
#
# service: My Marketplace
# documents:
#   - id: my-marketplace-seller-terms          # [a-z0-9-], unique across all files
#     title: Seller Terms
#     url: https://seller.example.com/legal/terms
#     select: "main"                            # CSS selector of the policy text (optional)
#     remove: [".cookie-banner"]                # parts to drop (optional)
#     render: http                              # or browser, for pages written by JavaScript
#     tags: [agreement]
"""


def registry() -> Traversable:
    """The shipped registry of seller pages (package data: policywatch/registry/*.yml)."""
    return files("policywatch").joinpath("registry")


@dataclass
class InitReport:
    target: Path
    written: list[str] = field(default_factory=list)
    documents: int = 0
    services: list[str] = field(default_factory=list)


def choose(documents: list[Document], services: tuple[str, ...], tags: tuple[str, ...]) -> list[Document]:
    """The documents of any of `services` (by name or file name, any case) that carry any of
    `tags`; an empty tuple chooses all. PolicywatchError names what matched nothing."""
    known_services = {d.service.lower(): d.service for d in documents}
    known_services.update({Path(d.file).stem.lower(): d.service for d in documents})
    chosen_services = set()
    for s in services:
        if s.lower() not in known_services:
            names = ", ".join(sorted({d.service for d in documents}))
            raise PolicywatchError(f"--service {s!r} is not in the registry; its services: {names}")
        chosen_services.add(known_services[s.lower()])
    known_tags = {t for d in documents for t in d.tags}
    for t in tags:
        if t not in known_tags:
            some = ", ".join(sorted(known_tags)[:12])
            raise PolicywatchError(f"--tag {t!r} is on no document of the registry; its tags include {some}")
    out = [
        d
        for d in documents
        if (not chosen_services or d.service in chosen_services) and (not tags or set(tags) & set(d.tags))
    ]
    if not out:
        raise PolicywatchError("no document of the registry has both a chosen --service and a chosen --tag")
    return out


def _filtered_file(text: str, ids: set[str]) -> str | None:
    """A registry file (as scripts/build_registry.py writes it: a header, then each document as
    a `  # status` comment and a `  - id:` entry) with only the documents in `ids`, comments kept;
    None when none of its documents is chosen."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("documents:")) + 1
    head, blocks, block = lines[:start], [], []
    for ln in lines[start:]:
        if ln.startswith("  #") and any(b.startswith("  - ") for b in block):
            blocks.append(block)
            block = []
        block.append(ln)
    blocks.append(block)
    kept = [b for b in blocks if any(ln.startswith("  - id: ") and ln[8:].strip() in ids for ln in b)]
    if not kept:
        return None
    return "\n".join(head + [ln for b in kept for ln in b]) + "\n"


def init_repository(
    target: Path,
    *,
    services: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    empty: bool = False,
    requirement: str = "",
) -> InitReport:
    """Write a tracking repository into `target` (made if missing). Nothing is written when any
    file it would write exists already."""
    report = InitReport(target)
    planned: dict[str, str] = {}
    for name, dest in SCAFFOLD.items():
        text = files("policywatch").joinpath("scaffold", name).read_text(encoding="utf-8")
        if name == "requirements.txt":
            text = text.replace("policywatch=={version}", requirement or f"policywatch=={__version__}")
        planned[dest] = text
    if empty:
        planned[f"data/sources/{TEMPLATE_NAME}"] = TEMPLATE
    else:
        with as_file(registry()) as folder:
            documents = choose(load_sources(folder), services, tags)
            ids = {d.id for d in documents}
            for path in sorted(folder.glob("*.yml")):
                text = _filtered_file(path.read_text(encoding="utf-8"), ids)
                if text is not None:
                    planned[f"data/sources/{path.name}"] = text
        report.documents = len(documents)
        report.services = sorted({d.service for d in documents})
    taken = sorted(dest for dest in planned if (target / dest).exists() or (target / dest).is_symlink())
    if taken:
        raise PolicywatchError(
            f"{target} already has {', '.join(taken[:5])}{' …' if len(taken) > 5 else ''}: "
            "init writes only into a new or empty tracking folder"
        )
    for dest, text in sorted(planned.items()):
        path = target / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if dest.endswith(".sh"):
            path.chmod(path.stat().st_mode | 0o111)
        report.written.append(dest)
    return report
