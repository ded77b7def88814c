"""`rust_bridge._testing.draw` and `assert_informative`: the generated tests' data, and the check that
their reference proves something on it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rust_bridge._testing import (
    DEGENERATE_SHARE,
    MIN_ELEMENTS,
    OTHER_SCALARS,
    WINDOW_MAX,
    assert_informative,
    degenerate,
    draw,
    frame_columns,
    frame_type,
    kind_of,
    price_frame,
)

SIZES = [0, 1, 2, 3, 50, 1_000]
BARS = {"open": "f64[]", "high": "f64[]", "low": "f64[]", "close": "f64[]", "volume": "f64[]"}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", range(5))
def test_ohlcv_columns_are_consistent_bars(n: int, seed: int) -> None:
    bars = draw(BARS, n, seed)
    assert all(column.shape == (n,) and column.dtype == np.float64 for column in bars.values())
    assert np.all(bars["high"] >= np.maximum(bars["open"], bars["close"]))
    assert np.all(bars["low"] <= np.minimum(bars["open"], bars["close"]))
    assert np.all(bars["low"] > 0) and np.all(bars["volume"] >= 0)
    np.testing.assert_array_equal(bars["open"][1:], bars["close"][:-1])  # open is the previous close
    if n > 1:
        assert np.all(bars["high"] > bars["low"]) and len(np.unique(bars["close"])) == n


@pytest.mark.parametrize("seed", range(5))
def test_other_spellings_and_int64_columns_are_the_same_consistent_bars(seed: int) -> None:
    spelled = draw({"o": "f64[]", "h": "i64[]", "lows": "i64[]", "closes": "f64[]", "v": "i64[]"}, 500, seed)
    assert spelled["h"].dtype == spelled["lows"].dtype == spelled["v"].dtype == np.int64
    assert np.all(spelled["h"] >= np.rint(np.maximum(spelled["o"], spelled["closes"])))
    assert np.all(spelled["lows"] <= np.rint(np.minimum(spelled["o"], spelled["closes"])))
    assert np.all(spelled["v"] >= 0)
    # A subset of the columns is the same bars: psar(high, low) sees what a full bar set would.
    pair = draw({"high": "f64[]", "low": "f64[]"}, 500, seed)
    assert np.all(pair["high"] >= pair["low"])


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", range(10))
def test_windows_are_small_positive_integers_below_the_length(n: int, seed: int) -> None:
    drawn = draw({"x": "f64[]", "period": "i64", "fast_window": "usize", "lags": "i64[*]"}, n, seed)
    for window in (drawn["period"], drawn["fast_window"], *drawn["lags"]):
        assert 1 <= window <= WINDOW_MAX
        assert window < n or (n < 2 and window == 1)
        assert window >= 2 or n < 3
    assert type(drawn["period"]) is int and drawn["lags"].dtype == np.int64


def test_a_length_parameter_is_the_arrays_length() -> None:
    drawn = draw({"h_arr": "f64[]", "m": "i64", "size": "usize", "period": "i64"}, 1_000, 3)
    assert drawn["m"] == drawn["size"] == drawn["h_arr"].size == 1_000 and drawn["period"] <= WINDOW_MAX


@pytest.mark.parametrize("seed", range(20))
def test_fractions_are_in_the_open_unit_interval(seed: int) -> None:
    drawn = draw({"x": "f64[]", "iaf": "f64", "maxaf": "f64", "alpha": "f64", "stop_pct": "f64"}, 10, seed)
    assert all(0.0 < drawn[name] < 1.0 for name in ("iaf", "maxaf", "alpha", "stop_pct"))


def test_other_arguments_keep_the_plain_draws() -> None:
    drawn = draw(
        {
            "x": "f64[]",
            "ids": "i64[]",
            "m": "f64[,]",
            "w": "f64[*]",
            "k": "f64",
            "j": "i64",
            "u": "usize",
            "f": "bool",
        },
        40,
        7,
    )
    assert drawn["x"].shape == (40,) and np.all(drawn["x"] > 0)
    assert drawn["m"].shape == (40, 3) and drawn["w"].shape == (21,)  # a [*] array: a length of its own
    assert drawn["ids"].dtype == np.int64 and np.all((drawn["ids"] >= -50) & (drawn["ids"] < 50))
    assert {name: drawn[name] for name in "kjuf"} == dict(zip("kjuf", OTHER_SCALARS.values(), strict=True))


def test_the_same_seed_draws_the_same_and_another_seed_does_not() -> None:
    types = {**BARS, "period": "i64", "alpha": "f64"}
    first, again, other = draw(types, 100, 3), draw(types, 100, 3), draw(types, 100, 4)
    for name in BARS:
        np.testing.assert_array_equal(first[name], again[name])
        assert not np.array_equal(first[name], other[name])


@pytest.mark.parametrize(
    ("name", "type_", "kind"),
    [
        ("close", "f64[]", "close"),
        ("Close", "f64[]", "close"),
        ("prices", "f64[]", "close"),
        ("close", "f64[,]", "other"),  # a matrix is not one column
        ("close", "f64", "other"),
        ("n", "i64", "window"),
        ("m", "i64", "length"),  # pandas-ta-classic's loops take the arrays' length as `m`
        ("m", "f64", "other"),
        ("slow_period", "usize", "window"),
        ("period", "f64", "other"),  # a window is an integer
        ("iaf", "f64", "fraction"),
        ("smoothing_alpha", "f64", "fraction"),
        ("alpha", "i64", "other"),
        ("values", "f64[]", "other"),
    ],
)
def test_name_rules_match_names_and_types(name: str, type_: str, kind: str) -> None:
    assert kind_of(name, type_) == kind


def _mostly(share: float, other: Any, size: int = 1_000) -> np.ndarray:
    """`size` floats, `share` of them `other`, the rest distinct."""
    values = np.arange(size, dtype=np.float64)
    values[: round(share * size)] = other
    return values


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        (_mostly(0.98, np.nan), "98.0% NaN"),
        (_mostly(0.95, 0.0), "95.0% one value (0.0)"),
        (np.zeros(1_000, dtype=np.int64), "100.0% one value (0)"),
        (np.ones(100, dtype=bool), "100.0% one value (True)"),
        ((np.arange(50.0), _mostly(0.99, np.nan)), "result [1]: 99.0% NaN"),
        # parts of one length are split only where together they hold values; an all-NaN part never is
        ((_mostly(0.95, np.nan), _mostly(0.95, np.nan)), "result [0]: 95.0% NaN"),
        ((np.arange(1_000.0), np.full(1_000, np.nan)), "result [1]: 100.0% NaN"),
        (float("nan"), "100.0% NaN"),  # a reduction that gives NaN
        (np.full((10, 3), np.nan), "100.0% NaN"),
        (_mostly(0.95, np.inf), "95.0% infinite"),  # an overflow proves no more than a NaN
        (np.where(np.arange(100) % 2 == 0, np.nan, -np.inf), "100.0% NaN or infinite"),
    ],
)
def test_mostly_nan_or_one_value_is_degenerate(result: Any, problem: str) -> None:
    assert degenerate(result) == problem


@pytest.mark.parametrize(
    "result",
    [
        _mostly(DEGENERATE_SHARE, np.nan),  # at the threshold: not above it
        _mostly(DEGENERATE_SHARE, 1.0),
        np.zeros(MIN_ELEMENTS - 1),  # too few elements to say one value means anything
        np.array([]),
        1.5,
        (np.arange(50.0), 3),
        # one line split into long and short parts: each mostly NaN where the other holds the value
        (_mostly(0.95, np.nan), _mostly(0.05, np.nan)),
        np.concatenate([np.full(30, np.nan), np.arange(70.0)]),  # a warm-up of NaN is fine
    ],
)
def test_informative_results_pass(result: Any) -> None:
    assert degenerate(result) is None
    assert_informative(result, inputs="here")


def test_a_pandas_series_is_judged_by_its_values() -> None:
    pd = pytest.importorskip("pandas")
    assert degenerate(pd.Series(_mostly(0.97, np.nan))) == "97.0% NaN"


def test_the_failure_says_what_and_where_to_adjust_the_inputs() -> None:
    where = "tests/strategy_tests/test_psar.py::_random"
    with pytest.raises(AssertionError) as caught:
        assert_informative(_mostly(0.98, np.nan), inputs=where)
    assert str(caught.value) == (
        "the reference gives 98.0% NaN on the generated inputs: it proves nothing; "
        f"adjust the inputs in {where}"
    )


@pytest.mark.parametrize("n", SIZES)
def test_a_frame_is_a_dataframe_whose_bar_columns_are_the_same_bars_as_the_arrays(n: int) -> None:
    pd = pytest.importorskip("pandas")
    types = {
        "bars": frame_type("Open", "High", "Low", "Close", "spread"),
        "close": "f64[]",
        "window": "usize",
    }
    drawn = draw(types, n, seed=3)
    bars = drawn["bars"]
    assert isinstance(bars, pd.DataFrame)
    assert list(bars.columns) == ["Open", "High", "Low", "Close", "spread"]
    assert len(bars) == n and all(bars[c].dtype == np.float64 for c in bars.columns)
    high, low, open_, close = (bars[c].to_numpy() for c in ("High", "Low", "Open", "Close"))
    assert np.all(high >= np.maximum(open_, close)) and np.all(low <= np.minimum(open_, close))
    np.testing.assert_array_equal(close, drawn["close"])  # one set of bars for the frame and the arrays
    assert not np.shares_memory(close, drawn["close"])
    assert np.all(bars["spread"].to_numpy() > 0)  # not a bar: a positive random walk of its own
    pd.testing.assert_frame_equal(draw(types, n, seed=3)["bars"], bars)


def test_a_frame_type_names_its_columns_and_only_a_frame_type_does() -> None:
    assert frame_type("High", "low") == "frame[High, low]"
    assert frame_columns(frame_type("High", "low")) == ("High", "low")
    with pytest.raises(ValueError, match=r"not a frame type: 'f64\[\]'"):
        frame_columns("f64[]")


def test_price_frame_alone_draws_its_own_bars() -> None:
    pytest.importorskip("pandas")
    frame = price_frame(np.random.default_rng(0), 40, ["high", "low", "other"])
    assert np.all(frame["high"].to_numpy() >= frame["low"].to_numpy())
    assert list(frame.columns) == ["high", "low", "other"]
