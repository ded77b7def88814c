"""`log_returns`: known values, Rust against the fallback, NaN and non-positive prices, refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

# isort: split
import rust_bridge
from rust_bridge._testing import assert_ulp_close

from .conftest import random_walk

#: Rust takes `2 atanh(s)` as fdlibm's polynomial (within 3 epsilons of the exact value), numpy
#: calls its own `arctanh` and `log`, whose SIMD loop the CPU picks: 1 ulp apart at most with
#: numpy's AVX-512 loops, 2 with its AVX2 or baseline ones (10^6 returns of every size); 4 is the bound.
MAX_ULP = 4


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


def test_prices_whose_sum_overflows_still_have_their_return(backend: Any) -> None:
    # (p1 - p0) / (p1 + p0) with p1 + p0 beyond the largest double was 0: a return of 0 for a 50% rise.
    out = rust_bridge.log_returns([1e308, 1.5e308, 1.5e308], backend=backend)
    np.testing.assert_allclose(out, [np.nan, np.log(1.5), 0.0], rtol=1e-15)


def test_sum_of_log_returns_is_the_log_of_the_total_return(backend: Any) -> None:
    prices = random_walk(1_000)
    total = np.sum(rust_bridge.log_returns(prices, backend=backend)[1:])
    assert total == pytest.approx(np.log(prices[-1] / prices[0]), rel=1e-12)


@pytest.mark.float_parity
@pytest.mark.parametrize("n", [2, 20, 1_000, 100_000])
def test_rust_matches_fallback(n: int) -> None:
    prices = random_walk(n, seed=n)
    prices[n // 2] = np.nan
    prices[n // 4] *= 1.5  # a jump past the polynomial's range: Rust's `ln` against numpy's `log`
    assert_ulp_close(
        rust_bridge.log_returns(prices, backend="rust"),
        rust_bridge.log_returns(prices, backend="python"),
        max_ulp=MAX_ULP,
    )


@pytest.mark.float_parity
def test_rust_matches_fallback_on_small_integers() -> None:
    # ln(13 / 11): numpy's AVX2 and baseline `arctanh` round it 1 ulp away from Rust (and from
    # numpy's AVX-512 loop), so an exact comparison passes on one CPU and fails on another.
    prices = np.arange(1.0, 21.0, 2.0)
    assert_ulp_close(
        rust_bridge.log_returns(prices, backend="rust"),
        rust_bridge.log_returns(prices, backend="python"),
        max_ulp=MAX_ULP,
    )


def test_accepts_lists_integers_and_strided_arrays(backend: Any) -> None:
    # The same backend on the same values: the same operations, so the same bits.
    strided = np.arange(1.0, 21.0)[::2]
    expected = rust_bridge.log_returns(np.ascontiguousarray(strided), backend=backend)
    np.testing.assert_array_equal(rust_bridge.log_returns(strided, backend=backend), expected)
    np.testing.assert_array_equal(
        rust_bridge.log_returns([1, 3, 5, 7, 9], backend=backend),
        rust_bridge.log_returns(np.array([1.0, 3.0, 5.0, 7.0, 9.0]), backend=backend),
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
