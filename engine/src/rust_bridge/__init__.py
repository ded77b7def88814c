"""The engine's Python API: Rust when the compiled engine is available, a numpy fallback otherwise.

Every function takes `backend="auto" | "rust" | "python"` (keyword-only) so tests and benchmarks
can call either implementation in one process. Set RUST_BRIDGE_FORCE_FALLBACK=1 to serve every
call from the fallback.
"""

from ._native import FORCE_FALLBACK_ENV, RUST_AVAILABLE, Backend
from .technical_py import (
    sma,
)

__all__ = [
    "FORCE_FALLBACK_ENV",
    "RUST_AVAILABLE",
    "Backend",
    "sma",
]
