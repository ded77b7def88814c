"""`rolling_volatility`: hand-computed windows, pandas' rolling std as the outside reference, Rust
against the fallback (long series on the parallel path), NaN windows, refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

# isort: split
import rust_bridge

from .conftest import assert_same, random_walk


def test_known_values(backend: Any) -> None:
    # Windows [1, 2, 3] and [2, 3, 5]: sample variances 1 and 7/3; annualised by sqrt(4) = 2.
    out = rust_bridge.rolling_volatility([1.0, 2.0, 3.0, 5.0], 3, 4.0, backend=backend)
    np.testing.assert_allclose(out, [np.nan, np.nan, 2.0, 2.0 * np.sqrt(7 / 3)], rtol=1e-15)


def test_periods_per_year_scales_by_its_square_root(backend: Any) -> None:
    returns = np.diff(np.log(random_walk(500)))
    per_period = rust_bridge.rolling_volatility(returns, 20, backend=backend)  # default: 1
    yearly = rust_bridge.rolling_volatility(returns, 20, 365.0, backend=backend)
    np.testing.assert_allclose(yearly, per_period * np.sqrt(365.0), rtol=1e-14)


def test_of_log_returns_starts_one_point_later(backend: Any) -> None:
    returns = rust_bridge.log_returns(random_walk(30), backend=backend)  # returns[0] is NaN
    out = rust_bridge.rolling_volatility(returns, 5, 252.0, backend=backend)
    assert np.isnan(out[:5]).all() and not np.isnan(out[5:]).any()


def test_a_nan_or_an_infinity_spoils_only_the_windows_holding_it(backend: Any) -> None:
    out = rust_bridge.rolling_volatility([np.nan, 1.0, 2.0, np.inf, 3.0, 4.0, 6.0], 2, backend=backend)
    np.testing.assert_array_equal(np.isnan(out), [True, True, False, True, True, False, False])
    assert out[6] == pytest.approx(np.std([4.0, 6.0], ddof=1), rel=1e-15)


@pytest.mark.float_parity
@pytest.mark.parametrize(("n", "window"), [(100, 2), (5_000, 30), (200_000, 250)])
def test_agrees_with_pandas_rolling_std(backend: Any, n: int, window: int) -> None:
    returns = np.random.default_rng(n).normal(0.0005, 0.02, n)
    returns[n // 3] = np.nan
    expected = pd.Series(returns).rolling(window).std().to_numpy() * np.sqrt(252.0)
    out = rust_bridge.rolling_volatility(returns, window, 252.0, backend=backend)
    np.testing.assert_allclose(out, expected, rtol=1e-9, equal_nan=True)


@pytest.mark.float_parity
@pytest.mark.parametrize(("n", "window"), [(2, 2), (1_000, 10), (300_000, 60)])
def test_rust_matches_fallback(n: int, window: int) -> None:
    prices = random_walk(n, seed=n)  # prices, not returns: far from zero, the harder case
    prices[n // 2] = np.inf
    rust = rust_bridge.rolling_volatility(prices, window, 365.0, backend="rust")
    python = rust_bridge.rolling_volatility(prices, window, 365.0, backend="python")
    assert_same(rust, python, rtol=1e-9)


def _scaled_std(x: np.ndarray, unit: float) -> float:
    """np.std(x, ddof=1) of values whose squares overflow, on the values divided by `unit`."""
    return float(np.std(x / unit, ddof=1) * unit)


def test_returns_whose_squares_overflow_give_their_volatility_not_zero_nor_inf(backend: Any) -> None:
    # N(0, 1e155): the squares overflow a double, the volatility (about 1e155) does not. The
    # kernel's running sums gave 0.0 (NaN clamped to 0), numpy's std inf.
    returns = np.random.default_rng(0).normal(0.0, 1e155, 50)
    out = rust_bridge.rolling_volatility(returns, 5, 4.0, backend=backend)
    expected = [np.nan] * 4 + [2.0 * _scaled_std(returns[t - 4 : t + 1], 1e155) for t in range(4, 50)]
    np.testing.assert_allclose(out, expected, rtol=1e-14)


def test_a_volatility_beyond_the_largest_double_is_inf_and_the_windows_after_it_are_not(backend: Any) -> None:
    biggest = np.finfo(np.float64).max
    out = rust_bridge.rolling_volatility([biggest, -biggest, 1.0, 2.0], 2, backend=backend)
    np.testing.assert_allclose(out, [np.nan, np.inf, biggest / np.sqrt(2.0), np.sqrt(0.5)], rtol=1e-15)
    # Annualising can overflow too: inf, as numpy gives.
    assert rust_bridge.rolling_volatility([0.0, 1e300], 2, 1e20, backend=backend)[1] == np.inf


@pytest.mark.parametrize("outlier", [1e10, 1e20, 1e150])
def test_an_outlier_does_not_spoil_the_windows_after_it(backend: Any, outlier: float) -> None:
    # Running sums lose the small windows' variance to the outlier's square once it leaves the
    # window (they gave 181 instead of 0.71 after 1e10, and 0.0 after 1e20).
    out = rust_bridge.rolling_volatility([outlier, 1.0, 2.0, 3.0, 4.0, 5.0], 2, backend=backend)
    np.testing.assert_allclose(out, [np.nan, (outlier - 1.0) / np.sqrt(2.0)] + [np.sqrt(0.5)] * 4, rtol=1e-15)


@pytest.mark.float_parity
def test_rust_matches_fallback_on_outliers_and_overflowing_squares() -> None:
    rng = np.random.default_rng(3)
    returns = rng.normal(0.0, 0.01, 100_000)
    returns[rng.integers(0, len(returns), 30)] = rng.normal(0.0, 1e6, 30)  # outliers
    returns[50_000:50_100] = rng.normal(0.0, 1e160, 100)  # squares beyond the largest double
    rust = rust_bridge.rolling_volatility(returns, 20, 252.0, backend="rust")
    python = rust_bridge.rolling_volatility(returns, 20, 252.0, backend="python")
    assert_same(rust, python, rtol=1e-12)


BAD_INPUTS = [
    pytest.param({"window": 1}, ValueError, "window must be >= 2, got 1", id="window-1"),
    pytest.param(
        {"window": 6}, ValueError, "window must be <= the series length (5), got 6", id="window-long"
    ),
    pytest.param({"window": -1}, ValueError, "window must be >= 2, got -1", id="window-negative"),
    pytest.param({"window": 0}, ValueError, "window must be >= 2, got 0", id="window-0"),
    # Beyond usize PyO3 raised OverflowError, the fallback ValueError: one ValueError now.
    pytest.param(
        {"window": 2**64},
        ValueError,
        "window must be an integer from -2**63 to 2**63 - 1 (int64), got 18446744073709551616",
        id="window-2**64",
    ),
    pytest.param(
        {"window": np.uint64(2**64 - 1)},
        ValueError,
        "window must be an integer from -2**63 to 2**63 - 1 (int64), got 18446744073709551615",
        id="window-uint64-max",
    ),
    pytest.param(
        {"window": 2**63 - 1},
        ValueError,
        "window must be <= the series length (5), got 9223372036854775807",
        id="window-int64-max",
    ),
    pytest.param({"window": 2.5}, TypeError, "window", id="window-float"),
    pytest.param(
        {"periods_per_year": 0.0}, ValueError, "periods_per_year must be a finite number > 0", id="ppy-0"
    ),
    pytest.param({"periods_per_year": np.inf}, ValueError, "periods_per_year", id="ppy-inf"),
    pytest.param({"periods_per_year": "252"}, TypeError, "periods_per_year", id="ppy-str"),
    pytest.param({"returns": np.zeros((5, 2))}, ValueError, "returns", id="returns-2d"),
]


@pytest.mark.parametrize(("changes", "error", "message"), BAD_INPUTS)
def test_bad_input_raises_the_same_error_from_both_backends(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    kwargs = {"returns": [0.01, -0.02, 0.0, 0.03, 0.01], "window": 2, "periods_per_year": 252.0, **changes}
    with pytest.raises(error) as from_rust:
        rust_bridge.rolling_volatility(**kwargs, backend="rust")
    with pytest.raises(error) as from_python:
        rust_bridge.rolling_volatility(**kwargs, backend="python")
    assert type(from_rust.value) is type(from_python.value) is error
    assert str(from_rust.value) == str(from_python.value)
    assert message in str(from_rust.value)


def test_compiled_module_exports_the_function() -> None:
    from crypto_trading_engine.market_data import rolling_volatility as native

    assert native.__name__ == "rolling_volatility"
