"""Inputs for the technical benchmarks: price-like series at 1e3, 1e5 and 1e6 points."""

from __future__ import annotations

import numpy as np
import pytest

SIZES = {"1e3": 1_000, "1e5": 100_000, "1e6": 1_000_000}


def random_ohlc(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(high, low, close) around a geometric random walk."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    spread = rng.random((2, n)) * close * 0.01
    return close + spread[0], close - spread[1], close


@pytest.fixture(scope="session", params=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def ohlc(size: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return random_ohlc(SIZES[size])
