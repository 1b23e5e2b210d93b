"""The semantic diff engine: two texts in, one change record out. Imports nothing of ours, so it
can be reused alone (`policywatch diff OLD NEW` is a thin face over `compare`)."""

from .engine import ENGINE_VERSION, Comparison, compare

__all__ = ["ENGINE_VERSION", "Comparison", "compare"]
