"""Compile the diff engine with mypyc into extension modules beside its sources (`make native`).

The engine is plain, typed Python; compiled, it diffs about a fifth faster (docs/benchmarks.md).
Nothing else changes: `diffs/native.py` imports the compiled modules only while they were built
from exactly the sources on disk, and the sources otherwise. So this does nothing when those are
already there, and a build that cannot be made (no C compiler, no Python headers) leaves the engine
running as Python, with a warning, unless POLICYWATCH_REQUIRE_NATIVE is set (as CI sets it).

    .venv/bin/python scripts/build_native.py           # compile if the sources changed
    .venv/bin/python scripts/build_native.py --clean   # remove the compiled modules
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIFFS = ROOT / "diffs"
BUILD = ROOT / "build" / "mypyc"

# diffs/native.py, loaded by its path: importing the package would import the engine
_spec = importlib.util.spec_from_file_location("_policywatch_native", DIFFS / "native.py")
native = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(native)


def clean() -> None:
    (DIFFS / native.DIGEST).unlink(missing_ok=True)  # first: a half-removed build is never current
    for f in native.extensions(DIFFS):
        f.unlink()


def compile_here() -> None:
    """Run by the child process: mypyc's setuptools build, in place."""
    from mypyc.build import mypycify
    from setuptools import setup

    os.chdir(ROOT)  # module names come from the paths (diffs/align.py is diffs.align)
    setup(
        name="policywatch-diffs-native",
        ext_modules=mypycify(
            [f"diffs/{m}.py" for m in native.MODULES],
            opt_level="3",
            target_dir=str(BUILD),
            group_name="diffs._native",
        ),
        script_args=["build_ext", "--inplace", "--build-temp", str(BUILD / "temp"), "--build-lib", str(BUILD / "lib")],
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clean", action="store_true", help="remove the compiled modules and stop")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        compile_here()
        return 0
    if args.clean:
        clean()
        print("native: compiled diff engine removed")
        return 0
    want = native.digest(DIFFS)
    if not native.unusable(DIFFS):
        print("native: diff engine compiled, up to date")
        return 0
    clean()
    print("native: compiling the diff engine with mypyc (about 30 s)", flush=True)
    start = time.monotonic()
    r = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True, cwd=ROOT)
    missing = native.missing(DIFFS)
    if r.returncode or missing:
        clean()
        tail = "\n".join((r.stdout + r.stderr).strip().splitlines()[-15:])
        print(
            f"{tail}\nnative: could not compile the diff engine (exit {r.returncode}, missing: "
            f"{', '.join(sorted(missing)) or 'none'}); it runs as plain Python, slower",
            file=sys.stderr,
        )
        return 1 if os.environ.get("POLICYWATCH_REQUIRE_NATIVE") else 0
    if native.digest(DIFFS) != want:  # edited while it compiled: leave nothing that looks current
        clean()
        print("native: the sources changed while compiling; run it again", file=sys.stderr)
        return 1
    (DIFFS / native.DIGEST).write_text(want + "\n", encoding="ascii")
    print(f"native: diff engine compiled in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
