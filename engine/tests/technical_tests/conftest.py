"""Fixtures for the technical module's tests: backends, agreement checks, price-like data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import rust_bridge

#: Relative agreement demanded between Rust, the fallback and TA-Lib.
RTOL = 1e-9

Agree = Callable[..., None]


@pytest.fixture(params=["rust", "python"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each implementation in turn; Rust is skipped when the engine is not built."""
    if request.param == "rust" and not rust_bridge.RUST_AVAILABLE:
        pytest.skip("the compiled engine is not built (run `maturin develop` in engine/)")
    return str(request.param)


@pytest.fixture(scope="session")
def needs_rust() -> None:
    if not rust_bridge.RUST_AVAILABLE:
        pytest.skip("the compiled engine is not built (run `maturin develop` in engine/)")


@pytest.fixture(scope="session")
def agree() -> Agree:
    """`agree(actual, expected, scale=...)`: same shapes, NaN at the same places, and values equal
    within RTOL relative to the value or to `scale` (the size of the data: oscillators and
    differences such as MACD pass through zero, where a purely relative test means nothing)."""

    def check(actual: Any, expected: Any, *, scale: float) -> None:
        actual_arrays = actual if isinstance(actual, tuple) else (actual,)
        expected_arrays = expected if isinstance(expected, tuple) else (expected,)
        assert len(actual_arrays) == len(expected_arrays)
        for a, e in zip(actual_arrays, expected_arrays, strict=True):
            np.testing.assert_allclose(a, e, rtol=RTOL, atol=RTOL * scale, equal_nan=True)

    return check


def random_walk(n: int, *, seed: int = 0, level: float = 100.0, vol: float = 0.01) -> np.ndarray:
    """A positive, price-like series: a geometric random walk."""
    steps = np.random.default_rng(seed).normal(0.0, vol, n)
    return level * np.exp(np.cumsum(steps))


@pytest.fixture(scope="session")
def walk() -> Callable[..., np.ndarray]:
    return random_walk


@pytest.fixture(scope="session")
def ohlc() -> Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """`ohlc(n, seed=...)`: (high, low, close) around a random walk."""

    def make(n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        close = random_walk(n, seed=seed)
        spread = np.random.default_rng(seed + 1).random((2, n)) * close * 0.01
        return close + spread[0], close - spread[1], close

    return make
