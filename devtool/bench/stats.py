"""The statistics of `devtool bench`: medians, a bootstrap confidence interval, the crossover size.

Pure functions over plain numbers; the timing harness produces them, the report shows them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import numpy as np

#: Resamples of the bootstrap; 2,000 puts the 2.5 % and 97.5 % percentiles within noise of themselves.
RESAMPLES = 2_000
CONFIDENCE = 0.95


def median(values: Sequence[float]) -> float:
    """The median of `values` (which must not be empty)."""
    return float(statistics.median(values))


def paired_ratios(fallback: Sequence[float], rust: Sequence[float]) -> list[float]:
    """Fallback time / Rust time of each round: both halves of a round ran back to back, so a slow
    moment of the machine slows both and cancels out of their ratio."""
    return [f / r for f, r in zip(fallback, rust, strict=True)]


def bootstrap_ci(
    ratios: Sequence[float], *, seed: int, resamples: int = RESAMPLES, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """The percentile bootstrap interval of the median of `ratios` (resampling whole rounds).

    Seeded, so the same rounds always give the same interval. One round gives a zero-width interval.
    """
    data = np.asarray(ratios, dtype=np.float64)
    if data.size == 1:
        return float(data[0]), float(data[0])
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, data.size, size=(resamples, data.size))
    medians = np.median(data[picks], axis=1)
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(medians, [tail, 100.0 - tail])
    return float(low), float(high)


def crossover(sizes: Sequence[int], speedups: Sequence[float]) -> float | None:
    """The input size below which Rust is slower than the fallback, or None if it never is.

    Taken between the largest size where the speedup is below 1 and the next size up, by linear
    interpolation of log(speedup) against log(size) (speedups grow roughly as a power of the size
    while the call overhead fades). `math.inf` when Rust is slower even at the largest size.
    """
    pairs = sorted(zip(sizes, speedups, strict=True))
    losing = [i for i, (_, s) in enumerate(pairs) if s < 1.0]
    if not losing:
        return None
    last = losing[-1]
    if last == len(pairs) - 1:
        return math.inf
    (n0, s0), (n1, s1) = pairs[last], pairs[last + 1]
    x0, x1, y0, y1 = math.log(n0), math.log(n1), math.log(s0), math.log(s1)  # y0 < 0 <= y1
    return math.exp(x0 + (0.0 - y0) * (x1 - x0) / (y1 - y0))
