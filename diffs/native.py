"""Whether the diff engine runs compiled.

`make` compiles the engine's modules with mypyc (scripts/build_native.py) into extension modules
beside their sources, with the similarity search in C (`_simil.c`, which align.py then uses in
place of its own Python search), and writes the digest of the sources it compiled (the size and
CRC-32 of each) into `native.digest`. Python prefers an extension module to a source file of the same name,
so the compiled modules are used only while that digest matches the sources on disk: after an
edit, or with POLICYWATCH_PURE_PYTHON=1, every module of the engine is imported from its source
instead. This module is never compiled itself; the compiled and the source engine give the same
results (a test compares them on every pair of the corpus).
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
import zlib
from pathlib import Path
from types import ModuleType

# (imported with every policywatch command: nothing here may cost a start-up, as hashlib's OpenSSL
# or importlib.abc would, a few ms each)

# The compiled modules (not this one, nor the package's __init__)
MODULES = ("align", "blocks", "classify", "engine", "facts", "normalize", "render", "summary", "words")
DIGEST = "native.digest"
SHARED = "_native__mypyc"  # mypyc's shared library of the group, beside the modules
KERNEL = "_simil"  # the similarity search in C (_simil.c), built and used with the compiled modules

COMPILED = False  # is this process running the compiled engine?
WHY = "not compiled"  # and if not, why not


def digest(folder: Path) -> str:
    """The digest of the engine's sources in `folder`: each module's size and CRC-32."""
    out = []
    for name in (*(f"{m}.py" for m in MODULES), f"{KERNEL}.c"):
        data = (folder / name).read_bytes()
        out.append(f"{name.split('.')[0]}:{len(data)}:{zlib.crc32(data):08x}")
    return " ".join(out)


def extensions(folder: Path) -> list[Path]:
    """The compiled files in `folder`: one per module, the shared library and the kernel."""
    names = {*MODULES, SHARED, KERNEL}
    return sorted(
        folder / f
        for f in os.listdir(folder)
        if f.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) and f.split(".", 1)[0] in names
    )


def missing(folder: Path) -> set[str]:
    """The compiled files a complete build would have in `folder` and that are not there."""
    return {*MODULES, SHARED, KERNEL} - {f.name.split(".", 1)[0] for f in extensions(folder)}


def unusable(folder: Path) -> str:
    """Why the compiled modules in `folder` may not be used, or "" when they may: every one is
    there, built from the sources now on disk."""
    if missing(folder):
        return "the build is incomplete (`make native` compiles it again)"
    if not (folder / DIGEST).is_file():
        return f"{DIGEST} is missing (an unfinished build?)"
    if (folder / DIGEST).read_text(encoding="ascii").strip() != digest(folder):
        return "the sources changed since it was compiled (`make native` compiles it again)"
    return ""


class _Sources:
    """A finder of the engine's modules as their source files, ahead of any compiled file."""

    def __init__(self, package: str, folder: Path) -> None:
        self.prefix, self.folder = package + ".", folder

    def find_spec(self, name, path=None, target=None):
        if name.startswith(self.prefix) and name[len(self.prefix) :] in MODULES:
            import importlib.util

            return importlib.util.spec_from_file_location(name, self.folder / f"{name[len(self.prefix) :]}.py")
        return None


def choose(package: str, folder: Path) -> None:
    """Decide, before the package imports its modules, whether they come compiled."""
    global COMPILED, WHY
    if not extensions(folder):
        WHY = "not compiled (`make native` compiles it)"
        return
    WHY = "POLICYWATCH_PURE_PYTHON is set" if os.environ.get("POLICYWATCH_PURE_PYTHON") else unusable(folder)
    if WHY:
        sys.meta_path.insert(0, _Sources(package, folder))
    else:
        COMPILED = True


def kernel() -> ModuleType | None:
    """The similarity search in C when this process runs the compiled engine, else None (the
    engine's own Python then searches)."""
    if not COMPILED:
        return None
    import importlib

    return importlib.import_module(f"{__package__}.{KERNEL}")


def describe() -> str:
    """One line for people: how the engine runs in this process."""
    return "compiled (mypyc)" if COMPILED else f"pure Python: {WHY}"


def dmp_library() -> Path | None:
    """The shared library of the installed fast-diff-match-patch (the C++ word diff), if any."""
    import importlib.util

    spec = importlib.util.find_spec("fast_diff_match_patch")
    return Path(spec.origin) if spec is not None and spec.origin and spec.has_location else None


def polls_clock(library: Path) -> bool:
    """Does this build of diff-match-patch call the C library's clock()? Its published wheels do,
    once per bisection step; `make native` builds it from source without (scripts/noclock.h). The
    test: the symbol's name among the library's strings, which is where an ELF library keeps the
    names of the functions it imports."""
    return b"\0clock\0" in library.read_bytes()


def describe_dmp() -> str:
    """One line for people: which build of the C++ word diff this process uses."""
    library = dmp_library()
    if library is None:
        return "fast-diff-match-patch not installed"
    return "fast-diff-match-patch " + ("polling clock()" if polls_clock(library) else "built without clock polling")
