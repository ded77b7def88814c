"""Fixtures for the backtesting tests: each backend in turn, price-like data, crossover positions."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(params=["rust", "python"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each implementation in turn (the Rust one must be built: these tests never skip it)."""
    return str(request.param)


def random_closes(rows: int, bars: int, *, seed: int = 0, vol: float = 0.01) -> np.ndarray:
    """`rows` positive, price-like series of `bars` closes (geometric random walks)."""
    steps = np.random.default_rng(seed).normal(0.0, vol, (rows, bars))
    return 100.0 * np.exp(np.cumsum(steps, axis=1))


def crossover_positions(close: np.ndarray, fast: int, slow: int, *, allow_short: bool = True) -> np.ndarray:
    """The crossover positions computed the plain way: moving averages divided out, compared."""
    mean = lambda w: np.convolve(close, np.ones(w) / w, mode="valid")  # noqa: E731
    fast_mean, slow_mean = mean(fast)[slow - fast :], mean(slow)
    decided = np.where(
        fast_mean > slow_mean, 1.0, np.where(fast_mean < slow_mean, -1.0 if allow_short else 0.0, 0.0)
    )
    return np.concatenate([np.zeros(slow - 1), decided])
