"""`log_returns`: known values, Rust against the fallback, NaN and non-positive prices, refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

# isort: split
import rust_bridge
from rust_bridge._fallback import market_data as fallback

from .conftest import assert_same, random_walk


def test_known_values(backend: Any) -> None:
    out = rust_bridge.log_returns([100.0, 110.0, 99.0, 99.0], backend=backend)
    # ln(1.1) and ln(0.9) of the exact ratios (np.log(1.1) is of the rounded 1.1: 6 ulps off).
    np.testing.assert_allclose(out, [np.nan, 0.09531017980432486, -0.10536051565782630, 0.0], rtol=4e-16)
    assert out[3] == 0.0


@pytest.mark.parametrize(("prices", "expected"), [([], []), ([5.0], [np.nan])])
def test_short_series(backend: Any, prices: list[float], expected: list[float]) -> None:
    out = rust_bridge.log_returns(prices, backend=backend)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)


def test_nan_and_non_positive_prices_give_what_the_logarithm_gives(backend: Any) -> None:
    out = rust_bridge.log_returns([1.0, np.nan, 2.0, 0.0, 1.0, -1.0], backend=backend)
    np.testing.assert_array_equal(out, [np.nan, np.nan, np.nan, -np.inf, np.inf, np.nan])


def test_sum_of_log_returns_is_the_log_of_the_total_return(backend: Any) -> None:
    prices = random_walk(1_000)
    total = np.sum(rust_bridge.log_returns(prices, backend=backend)[1:])
    assert total == pytest.approx(np.log(prices[-1] / prices[0]), rel=1e-12)


@pytest.mark.parametrize("n", [2, 1_000, 100_000])
def test_rust_matches_fallback(n: int) -> None:
    prices = random_walk(n, seed=n)
    prices[n // 2] = np.nan
    assert_same(
        rust_bridge.log_returns(prices, backend="rust"),
        rust_bridge.log_returns(prices, backend="python"),
        rtol=1e-14,
    )


def test_accepts_lists_integers_and_strided_arrays(backend: Any) -> None:
    strided = np.arange(1.0, 21.0)[::2]
    expected = fallback.log_returns(np.ascontiguousarray(strided))
    np.testing.assert_array_equal(rust_bridge.log_returns(strided, backend=backend), expected)
    np.testing.assert_array_equal(
        rust_bridge.log_returns([1, 3, 5, 7, 9], backend=backend)[1:], expected[1:5]
    )


@pytest.mark.parametrize(
    ("value", "error"), [(["a", "b"], TypeError), (np.zeros((3, 2)), ValueError)], ids=["not-numbers", "2d"]
)
def test_bad_input_raises_the_same_error_from_both_backends(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error) as from_rust:
        rust_bridge.log_returns(value, backend="rust")
    with pytest.raises(error) as from_python:
        rust_bridge.log_returns(value, backend="python")
    assert str(from_rust.value) == str(from_python.value)
    assert "prices" in str(from_rust.value)


def test_compiled_module_exports_the_function() -> None:
    from crypto_trading_engine.market_data import log_returns as native

    assert native.__name__ == "log_returns"
