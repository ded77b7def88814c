"""Do Rust and the fallback give the same result? Checked on the benchmark's own data before timing.

Equal means: the same kind of result (a tuple of the same length compared element by element, an
array of the same shape, a number), NaN equal to NaN, infinities equal to themselves, and every
other value within RTOL of the larger of the two values, or within ATOL for values near zero
(indicators such as MACD's histogram pass through zero, where a purely relative test means
nothing). Each element is judged on its own: a large element elsewhere in the array does not
widen the tolerance of a small one. This is the rule of the generated parity tests
(`assert_allclose(rtol=1e-9, atol=1e-9)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

RTOL = 1e-9
#: The absolute floor: two values closer than this agree, however far apart relatively (both near 0).
ATOL = 1e-9
_BEYOND = f"values differ beyond {RTOL:g} relative ({ATOL:g} absolute near 0)"


@dataclass(frozen=True)
class Mismatch:
    """Where the two results first differ: `path` is "" for a single result, "[1]" for a tuple's second."""

    path: str
    reason: str
    index: tuple[int, ...] | None = None
    rust: str | None = None
    fallback: str | None = None
    count: int = 0  # how many elements differ (arrays)

    def describe(self) -> str:
        where = f"result{self.path}" + (f" at index {list(self.index)}" if self.index is not None else "")
        values = f": Rust {self.rust}, fallback {self.fallback}" if self.rust is not None else ""
        extra = f" ({self.count} elements differ)" if self.count > 1 else ""
        return f"{where}: {self.reason}{values}{extra}"


def compare_results(rust: Any, fallback: Any, path: str = "") -> Mismatch | None:
    """The first difference between the Rust and the fallback result, or None when they agree."""
    if isinstance(fallback, tuple) or isinstance(rust, tuple):
        return _compare_tuples(rust, fallback, path)
    if isinstance(fallback, np.ndarray) or isinstance(rust, np.ndarray):
        return _compare_arrays(rust, fallback, path)
    return _compare_scalars(rust, fallback, path)


def _compare_tuples(rust: Any, fallback: Any, path: str) -> Mismatch | None:
    if not (isinstance(rust, tuple) and isinstance(fallback, tuple)):
        return Mismatch(path, f"Rust returned {type(rust).__name__}, the fallback {type(fallback).__name__}")
    if len(rust) != len(fallback):
        return Mismatch(path, f"Rust returned {len(rust)} values, the fallback {len(fallback)}")
    for i, (r, f) in enumerate(zip(rust, fallback, strict=True)):
        found = compare_results(r, f, f"{path}[{i}]")
        if found is not None:
            return found
    return None


def _compare_arrays(rust: Any, fallback: Any, path: str) -> Mismatch | None:
    r, f = np.asarray(rust), np.asarray(fallback)
    if r.shape != f.shape:
        return Mismatch(path, f"shape {r.shape} from Rust, {f.shape} from the fallback")
    if r.dtype.kind not in "biuf" or f.dtype.kind not in "biuf":
        same = np.array_equal(r, f)
        return None if same else Mismatch(path, f"non-numeric arrays differ ({r.dtype}, {f.dtype})")
    r64, f64 = r.astype(np.float64), f.astype(np.float64)
    bad = ~_close(r64, f64)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return Mismatch(
        path,
        _BEYOND,
        index=index,
        rust=repr(r[index].item()),
        fallback=repr(f[index].item()),
        count=int(bad.sum()),
    )


def _compare_scalars(rust: Any, fallback: Any, path: str) -> Mismatch | None:
    numbers = (int, float, np.integer, np.floating, bool, np.bool_)
    if not (isinstance(rust, numbers) and isinstance(fallback, numbers)):
        return (
            None
            if rust == fallback
            else Mismatch(path, "results differ", rust=repr(rust), fallback=repr(fallback))
        )
    same = bool(_close(np.float64(rust), np.float64(fallback)))
    return None if same else Mismatch(path, _BEYOND, rust=repr(rust), fallback=repr(fallback))


def _close(rust: Any, fallback: Any) -> Any:
    """Elementwise agreement: both NaN, exactly equal (infinities), or both finite and within RTOL of
    the larger of the two values, or within ATOL of each other."""
    finite = np.isfinite(rust) & np.isfinite(fallback)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(rust - fallback)
        bound = np.maximum(RTOL * np.maximum(np.abs(rust), np.abs(fallback)), ATOL)
        return (np.isnan(rust) & np.isnan(fallback)) | (rust == fallback) | (finite & (diff <= bound))
