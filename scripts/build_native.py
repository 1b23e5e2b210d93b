"""Compile the diff engine with mypyc into extension modules beside its sources, with its
similarity search in C (diffs/_simil.c), and build the C++ word diff without its clock polling
(`make native`).

The engine is plain, typed Python; compiled, it diffs about a fifth faster (docs/benchmarks.md),
and the C search takes another 4–29% off the corpus's hardest rewrites.
Nothing else changes: `diffs/native.py` imports the compiled modules only while they were built
from exactly the sources on disk, and the sources otherwise. So this does nothing when those are
already there, and a build that cannot be made (no C compiler, no Python headers) leaves the engine
running as Python, with a warning, unless POLICYWATCH_REQUIRE_NATIVE is set (as CI sets it).

fast-diff-match-patch's wheels call clock() once per step of every word diff, to honour a time
limit policywatch never sets: a system call each time, about a tenth of the time on a rewritten
document. So the same version is built again here from its source distribution (pip, from the
package index), with scripts/noclock.h, which makes clock() answer 0 without asking; the results
are the same (tests/test_diffs_dmp.py diffs it against the pure-Python library). When it cannot be
built (no C++ compiler, no index), the wheel stays, with the same warning and exit status rules.

    .venv/bin/python scripts/build_native.py           # compile what is missing or out of date
    .venv/bin/python scripts/build_native.py --clean   # remove the compiled engine
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import shlex
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIFFS = ROOT / "diffs"
BUILD = ROOT / "build" / "mypyc"
NOCLOCK = ROOT / "scripts" / "noclock.h"
DMP = "fast-diff-match-patch"

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
    from setuptools import Extension, setup

    os.chdir(ROOT)  # module names come from the paths (diffs/align.py is diffs.align)
    compiled = mypycify(
        [f"diffs/{m}.py" for m in native.MODULES],
        opt_level="3",
        target_dir=str(BUILD),
        group_name="diffs._native",
    )
    kernel = Extension(f"diffs.{native.KERNEL}", [f"diffs/{native.KERNEL}.c"], extra_compile_args=["-O2"])
    setup(
        name="policywatch-diffs-native",
        ext_modules=[*compiled, kernel],
        # --force: a build that runs is a whole one (object files are not kept by their dates alone)
        script_args=[
            *("build_ext", "--inplace", "--force"),
            *("--build-temp", str(BUILD / "temp"), "--build-lib", str(BUILD / "lib")),
        ],
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
    status = engine()
    return dmp() or status


def failed() -> int:
    """The exit status of a build that could not be made: only an error where it is required."""
    return 1 if os.environ.get("POLICYWATCH_REQUIRE_NATIVE") else 0


def engine() -> int:
    """Compile the engine with mypyc, unless its build is current."""
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
        return failed()
    if native.digest(DIFFS) != want:  # edited while it compiled: leave nothing that looks current
        clean()
        print("native: the sources changed while compiling; run it again", file=sys.stderr)
        return 1
    (DIFFS / native.DIGEST).write_text(want + "\n", encoding="ascii")
    print(f"native: diff engine compiled in {time.monotonic() - start:.0f} s")
    return 0


def dmp() -> int:
    """Build the installed version of fast-diff-match-patch from source without clock polling,
    unless the installed build already has none."""
    library = native.dmp_library()
    if library is None:
        print(f"native: {DMP} is not installed (`make` installs it)", file=sys.stderr)
        return failed()
    if not native.polls_clock(library):
        print(f"native: {DMP} built without clock polling, up to date")
        return 0
    version = importlib.metadata.version(DMP)
    print(f"native: building {DMP} {version} from source without clock polling (about 10 s)", flush=True)
    start = time.monotonic()
    # Where setuptools compiles C++ with CXXFLAGS, they replace Python's own flags (-O3 among
    # them), so those are given again; older setuptools read only CFLAGS, added to Python's.
    include = f"-include {shlex.quote(str(NOCLOCK))}"  # (setuptools splits flags as a shell would)
    env = {**os.environ, "CFLAGS": include, "CXXFLAGS": f"{sysconfig.get_config_var('CFLAGS') or ''} {include}"}
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", "--no-cache-dir"]
    pip += ["--retries", "1"]  # (offline, the wheel stays without a minute of retries each time)
    r = subprocess.run(
        [*pip, "--no-binary", DMP, f"{DMP}=={version}"],
        capture_output=True,
        text=True,
        env=env,
    )
    importlib.invalidate_caches()
    library = native.dmp_library()
    if r.returncode or library is None or native.polls_clock(library):
        tail = "\n".join((r.stdout + r.stderr).strip().splitlines()[-15:])
        print(
            f"{tail}\nnative: could not build {DMP} without clock polling (exit {r.returncode}); "
            "the wheel's build is used, slower",
            file=sys.stderr,
        )
        return failed()
    print(f"native: {DMP} built without clock polling in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
