"""The semantic diff engine: two texts in, one change record out. Imports nothing of ours, so it
can be reused alone (`policywatch diff OLD NEW` is a thin face over `compare`)."""

from pathlib import Path

from . import native

native.choose(__name__, Path(__file__).parent)  # compiled modules, or their sources (native.py)

from .engine import ENGINE_VERSION, Comparison, compare  # noqa: E402

__all__ = ["ENGINE_VERSION", "Comparison", "compare"]
