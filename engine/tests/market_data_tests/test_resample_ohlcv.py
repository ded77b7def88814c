"""`resample_ohlcv`: hand-computed bars, pandas as the outside reference, Rust against the fallback,
and the same refusals from both.

The tests that call backend="rust" fail (they are never skipped) when the compiled module lacks
the function.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

# isort: split
import rust_bridge
from rust_bridge._fallback import market_data as fallback

from .conftest import MINUTE, assert_same, random_trades

NAN = np.nan


def test_known_bars_with_an_empty_one_between(backend: Any) -> None:
    # Minute 0: three trades; minute 1: none; minute 2: one; minute 3: two at the same instant.
    t = [5, MINUTE // 2, MINUTE - 1, 2 * MINUTE + 7, 3 * MINUTE, 3 * MINUTE]
    p = [10.0, 12.0, 11.0, 9.0, 8.0, 8.5]
    s = [1.0, 2.0, 1.0, 4.0, 0.0, 2.0]
    bars = rust_bridge.resample_ohlcv(t, p, s, MINUTE, backend=backend)
    assert isinstance(bars, rust_bridge.Bars)
    np.testing.assert_array_equal(bars.start, [0, MINUTE, 2 * MINUTE, 3 * MINUTE])
    np.testing.assert_array_equal(bars.open, [10.0, NAN, 9.0, 8.0])
    np.testing.assert_array_equal(bars.high, [12.0, NAN, 9.0, 8.5])
    np.testing.assert_array_equal(bars.low, [10.0, NAN, 9.0, 8.0])
    np.testing.assert_array_equal(bars.close, [11.0, NAN, 9.0, 8.5])
    np.testing.assert_array_equal(bars.volume, [4.0, 0.0, 4.0, 2.0])
    np.testing.assert_array_equal(bars.trades, [3, 0, 1, 2])
    # (10 + 24 + 11) / 4, empty, 9, (8 * 0 + 8.5 * 2) / 2
    np.testing.assert_array_equal(bars.vwap, [11.25, NAN, 9.0, 8.5])
    assert bars.start.dtype == np.int64 and bars.trades.dtype == np.int64


def test_bars_are_aligned_to_the_epoch_before_it_too(backend: Any) -> None:
    bars = rust_bridge.resample_ohlcv(
        [-11, -10, -1, 0, 9, 10], [1, 2, 3, 4, 5, 6], [1] * 6, 10, backend=backend
    )
    np.testing.assert_array_equal(bars.start, [-20, -10, 0, 10])
    np.testing.assert_array_equal(bars.trades, [1, 2, 2, 1])
    np.testing.assert_array_equal(bars.close, [1.0, 3.0, 5.0, 6.0])


def test_a_bar_of_zero_size_trades_has_prices_but_nan_vwap(backend: Any) -> None:
    bars = rust_bridge.resample_ohlcv([1, 2], [3.0, 4.0], [0.0, 0.0], 10, backend=backend)
    assert (bars.open[0], bars.close[0], bars.volume[0], bars.trades[0]) == (3.0, 4.0, 0.0, 2)
    assert np.isnan(bars.vwap[0])


def test_no_trades_give_no_bars(backend: Any) -> None:
    bars = rust_bridge.resample_ohlcv(np.empty(0, np.int64), [], [], MINUTE, backend=backend)
    assert all(len(column) == 0 for column in bars)
    assert (bars.start.dtype, bars.open.dtype, bars.trades.dtype) == (np.int64, np.float64, np.int64)


def test_datetime64_timestamps_are_taken_as_nanoseconds(backend: Any) -> None:
    times = np.array(["2026-01-01T00:00:30", "2026-01-01T00:01:10"], dtype="datetime64[s]")
    bars = rust_bridge.resample_ohlcv(times, [1.0, 2.0], [1.0, 1.0], MINUTE, backend=backend)
    expected = np.array(["2026-01-01T00:00", "2026-01-01T00:01"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(bars.start, expected.view(np.int64))


def _pandas_bars(t: np.ndarray, p: np.ndarray, s: np.ndarray, interval: int) -> rust_bridge.Bars:
    """The same bars from pandas: resample with origin="epoch", left-closed and left-labelled."""
    frame = pd.DataFrame({"price": p, "size": s, "notional": p * s}, index=pd.to_datetime(t, unit="ns"))
    grouped = frame.resample(pd.Timedelta(interval, "ns"), origin="epoch", closed="left", label="left")
    ohlc = grouped["price"].ohlc()
    sums = grouped[["size", "notional"]].sum()
    volume = sums["size"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        vwap = np.where(volume > 0, sums["notional"].to_numpy() / volume, np.nan)
    return rust_bridge.Bars(
        ohlc.index.asi8.astype(np.int64),
        *(ohlc[c].to_numpy() for c in ("open", "high", "low", "close")),
        volume,
        grouped["price"].count().to_numpy().astype(np.int64),
        vwap,
    )


@pytest.mark.parametrize(
    ("n", "interval"), [(1, MINUTE), (50, MINUTE), (20_000, MINUTE), (20_000, 7 * 10**9)]
)
@pytest.mark.float_parity
def test_agrees_with_pandas_resample(backend: Any, n: int, interval: int) -> None:
    t, p, s = random_trades(n, seed=n)
    bars = rust_bridge.resample_ohlcv(t, p, s, interval, backend=backend)
    expected = _pandas_bars(t, p, s, interval)
    assert (bars.trades == 0).any() or n < 1000  # the data leaves bars empty
    for column, reference in zip(bars, expected, strict=True):
        assert_same(column, reference, rtol=1e-12)


@pytest.mark.float_parity
@pytest.mark.parametrize("n", [0, 1, 2, 1_000, 200_000])
def test_rust_matches_fallback(n: int) -> None:
    t, p, s = random_trades(n, seed=n)
    rust = rust_bridge.resample_ohlcv(t, p, s, MINUTE, backend="rust")
    python = rust_bridge.resample_ohlcv(t, p, s, MINUTE, backend="python")
    for column, reference in zip(rust, python, strict=True):
        assert_same(column, reference, rtol=1e-12)


def test_bridge_serves_the_fallback_as_is() -> None:
    t, p, s = random_trades(100)
    bars = rust_bridge.resample_ohlcv(t, p, s, MINUTE, backend="python")
    for column, reference in zip(bars, fallback.resample_ohlcv(t, p, s, MINUTE), strict=True):
        np.testing.assert_array_equal(column, reference)


GOOD = {"timestamps": [1, 2, 3], "prices": [1.0, 2.0, 3.0], "sizes": [1.0, 1.0, 1.0], "interval": 10}
BAD_INPUTS = [
    pytest.param({"timestamps": ["a", "b", "c"]}, TypeError, "timestamps", id="timestamps-not-numbers"),
    pytest.param({"timestamps": [1.5, 2.0, 3.0]}, TypeError, "timestamps", id="timestamps-floats"),
    pytest.param({"prices": np.zeros((3, 2))}, ValueError, "prices", id="prices-2d"),
    pytest.param({"prices": [1.0, 2.0]}, ValueError, "prices must have the same length", id="prices-length"),
    pytest.param({"sizes": [1.0]}, ValueError, "sizes must have the same length", id="sizes-length"),
    pytest.param({"interval": 0}, ValueError, "interval must be > 0 nanoseconds, got 0", id="interval-zero"),
    pytest.param({"interval": -5}, ValueError, "interval must be > 0", id="interval-negative"),
    pytest.param({"interval": 1.5}, TypeError, "interval", id="interval-float"),
    pytest.param(
        {"interval": 2**63},
        ValueError,
        "interval must be an integer from -2**63 to 2**63 - 1 (int64), got 9223372036854775808",
        id="interval-beyond-i64",
    ),
    pytest.param(
        {"interval": -(2**64)},
        ValueError,
        "interval must be an integer from -2**63 to 2**63 - 1 (int64), got -18446744073709551616",
        id="interval-below-i64",
    ),
    pytest.param(
        {"timestamps": [1, 3, 2]},
        ValueError,
        "timestamps must be sorted: timestamps[2] is earlier than timestamps[1]",
        id="unsorted",
    ),
    pytest.param(
        {"prices": [1.0, NAN, 3.0]}, ValueError, "prices must be finite: prices[1] is not", id="nan-price"
    ),
    pytest.param({"prices": [1.0, 2.0, np.inf]}, ValueError, "prices[2] is not", id="inf-price"),
    pytest.param(
        {"sizes": [1.0, 1.0, -1.0]},
        ValueError,
        "sizes must be finite and >= 0: sizes[2] is not",
        id="negative-size",
    ),
    pytest.param({"sizes": [NAN, 1.0, 1.0]}, ValueError, "sizes[0] is not", id="nan-size"),
    pytest.param(
        {"prices": [1.0, NAN, 3.0], "sizes": [-1.0, 1.0, 1.0]},
        ValueError,
        "sizes[0] is not",
        id="first-bad-trade",
    ),
    pytest.param(
        {"timestamps": [0, 1, 10**12], "interval": 1},
        ValueError,
        "the trades from 0 to 1000000000000 span more than 100000000 bars of 1 ns",
        id="too-many-bars",
    ),
    pytest.param(
        {"timestamps": [-(2**63), 0, 1], "interval": 10**18},
        ValueError,
        "would start before the smallest i64",
        id="before-i64-min",
    ),
    # Integers and times int64 cannot hold were cast with wrap-around (2**63 + 5 as uint64 gave
    # bars from -9223372036854775803): refused, quoting the value given.
    pytest.param(
        {"timestamps": np.array([2**63 + 5, 2**63 + 100, 2**63 + 200], np.uint64)},
        ValueError,
        "timestamps must be integers from -2**63 to 2**63 - 1 (int64): timestamps[0] is 9223372036854775813",
        id="uint64-beyond-int64",
    ),
    pytest.param(
        {"timestamps": [1, 2, 2**64]}, ValueError, "timestamps[2] is 18446744073709551616", id="int-2**64"
    ),
    pytest.param(
        {"timestamps": [1, 2, 2**63]}, ValueError, "timestamps[2] is 9223372036854775808", id="int-2**63"
    ),
    pytest.param(
        {"timestamps": [-(2**63) - 1, 0, 1]},
        ValueError,
        "timestamps[0] is -9223372036854775809",
        id="int-below",
    ),
    pytest.param(
        {"timestamps": np.array(["2026-01-01", "2026-01-02", "3000-01-01"], "datetime64[s]")},
        ValueError,
        "timestamps must be times from 1677-09-21 to 2262-04-11 (int64 nanoseconds): "
        "timestamps[2] is 3000-01-01T00:00:00",
        id="datetime-beyond-int64-ns",
    ),
    pytest.param(
        {"timestamps": np.array(["2026-01-01", "NaT", "2026-01-02"], "datetime64[s]")},
        ValueError,
        "timestamps[1] is NaT",
        id="datetime-nat",
    ),
]


def test_the_uint64_timestamps_of_the_issue_are_refused_not_wrapped(backend: Any) -> None:
    with pytest.raises(ValueError, match=r"timestamps\[0\] is 9223372036854775813"):
        rust_bridge.resample_ohlcv(
            np.array([2**63 + 5, 2**63 + 100], np.uint64), [1.0, 2.0], [1.0, 1.0], 1, backend=backend
        )


def test_uint64_timestamps_that_fit_are_taken(backend: Any) -> None:
    bars = rust_bridge.resample_ohlcv(
        np.array([2**63 - 20, 2**63 - 1], np.uint64), [1.0, 2.0], [1.0, 1.0], 10, backend=backend
    )
    np.testing.assert_array_equal(bars.start, [2**63 - 28, 2**63 - 18, 2**63 - 8])


@pytest.mark.parametrize(("changes", "error", "message"), BAD_INPUTS)
def test_bad_input_raises_the_same_error_from_both_backends(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    kwargs = {**GOOD, **changes}
    with pytest.raises(error) as from_rust:
        rust_bridge.resample_ohlcv(**kwargs, backend="rust")
    with pytest.raises(error) as from_python:
        rust_bridge.resample_ohlcv(**kwargs, backend="python")
    assert type(from_rust.value) is type(from_python.value) is error
    assert str(from_rust.value) == str(from_python.value)
    assert message in str(from_rust.value)


def test_compiled_module_exports_the_function() -> None:
    from crypto_trading_engine.market_data import resample_ohlcv as native

    assert callable(native)
    assert native.__name__ == "resample_ohlcv"
