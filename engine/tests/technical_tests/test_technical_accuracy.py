"""Accuracy is not traded for speed: Bollinger Bands at 1e6 points against an exact per-window
computation (a running sum-of-squares variance is off by ~1e-7 here)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import rust_bridge as rb

N = 1_000_000
PERIOD = 20


def exact_std(x: np.ndarray, period: int) -> np.ndarray:
    """Two-pass population standard deviation of every window, in chunks."""
    windows = sliding_window_view(x, period)
    chunks = [windows[i : i + 65_536] for i in range(0, len(windows), 65_536)]
    return np.concatenate([np.sqrt(((c - c.mean(axis=1, keepdims=True)) ** 2).mean(axis=1)) for c in chunks])


def test_bollinger_bands_match_exact_windows_at_a_million_points(backend: str) -> None:
    rng = np.random.default_rng(11)
    x = 30_000.0 + np.cumsum(rng.normal(0.0, 1.0, N))  # a large level makes cancellation bite
    upper, middle, lower = rb.bollinger_bands(x, PERIOD, 1.0, 1.0, backend=backend)
    std = exact_std(x, PERIOD)
    np.testing.assert_allclose(middle[PERIOD - 1 :], sliding_window_view(x, PERIOD).mean(axis=1), rtol=1e-13)
    half_width = (upper - lower)[PERIOD - 1 :] / 2
    # The band width is computed as (mean + std) - (mean - std): rounding of the mean (~3e-12 here)
    # bounds how well it can be recovered; the std itself is far more accurate than that.
    np.testing.assert_allclose(half_width, std, rtol=1e-9, atol=1e-11)


def test_a_running_sum_of_squares_would_not_be_accurate_enough() -> None:
    # Why the kernels do not use it: the same check fails for the textbook formula.
    rng = np.random.default_rng(11)
    x = 30_000.0 + np.cumsum(rng.normal(0.0, 1.0, N))
    s1 = np.cumsum(x)
    s2 = np.cumsum(x * x)
    sums = s1[PERIOD - 1 :] - np.concatenate([[0.0], s1[:-PERIOD]])
    squares = s2[PERIOD - 1 :] - np.concatenate([[0.0], s2[:-PERIOD]])
    naive = np.sqrt(np.maximum(squares / PERIOD - (sums / PERIOD) ** 2, 0.0))
    assert not np.allclose(naive, exact_std(x, PERIOD), rtol=1e-9, atol=1e-11)
