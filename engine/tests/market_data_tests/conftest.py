"""Fixtures for the market_data tests: each backend in turn, trade-like and price-like data."""

from __future__ import annotations

import numpy as np
import pytest

#: One minute in nanoseconds.
MINUTE = 60_000_000_000


@pytest.fixture(params=["rust", "python"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each implementation in turn (the Rust one must be built: these tests never skip it)."""
    return str(request.param)


def random_trades(
    n: int, *, seed: int = 0, start: int = 1_700_000_000 * 10**9, mean_gap: float = 2e8
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(timestamps, prices, sizes) of `n` trades: exponential gaps with ties (a third of the gaps
    are 0) and a few long pauses that leave whole bars empty; a random-walk price; sizes >= 0
    with some zeros."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(mean_gap, n).astype(np.int64)
    gaps[rng.random(n) < 1 / 3] = 0
    gaps[rng.random(n) < 0.002] += 10 * MINUTE
    timestamps = start + np.cumsum(gaps)
    prices = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 1e-4, n)))
    sizes = rng.exponential(1.0, n)
    sizes[rng.random(n) < 0.05] = 0.0
    return timestamps, prices, sizes


def random_walk(n: int, *, seed: int = 0) -> np.ndarray:
    """A positive, price-like series."""
    return 100.0 * np.exp(np.cumsum(np.random.default_rng(seed).normal(0.0, 0.01, n)))


def assert_same(actual: np.ndarray, expected: np.ndarray, *, rtol: float = 1e-12) -> None:
    """Same dtype and shape, NaN at the same places, values within `rtol`."""
    assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0.0, equal_nan=True)
