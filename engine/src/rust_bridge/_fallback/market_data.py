"""The `market_data` engine module in numpy.

The fallback when the compiled engine is missing, and the oracle of the parity tests. Inputs
arrive normalised by the bridge (C-contiguous float64/int64 arrays, checked scalars). Every check
raises the kernel's message, in the kernel's order; the conventions are in `rust_bridge.market_data_py`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import _convert

#: The most bars one `resample_ohlcv` call makes (as MAX_BARS in the kernel).
MAX_BARS = 100_000_000

#: Windows per step of the rolling standard deviation, which materialises (windows, window) temporaries.
_STD_CHUNK = 1 << 16

_I64_MIN = -(2**63)


def _check_length(name: str, values: np.ndarray, first: str, expected: int) -> None:
    """The kernels' length check, with the same message."""
    if len(values) != expected:
        raise ValueError(
            f"{name} must have the same length as {first}: {len(values)} != {expected}",
        )


def resample_ohlcv(
    timestamps: _convert.I64Array, prices: _convert.F64Array, sizes: _convert.F64Array, interval: int
) -> tuple[
    _convert.I64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.I64Array,
    _convert.F64Array,
]:
    """Trades into epoch-aligned bars: (start, open, high, low, close, volume, count, vwap)."""
    _check_length("prices", prices, "timestamps", len(timestamps))
    _check_length("sizes", sizes, "timestamps", len(timestamps))
    if interval <= 0:
        raise ValueError(f"interval must be > 0 nanoseconds, got {interval}")
    unsorted = np.flatnonzero(timestamps[1:] < timestamps[:-1])
    if unsorted.size:
        index = int(unsorted[0]) + 1
        raise ValueError(
            f"timestamps must be sorted: timestamps[{index}] is earlier than timestamps[{index - 1}]"
        )
    n = len(timestamps)
    if n == 0:
        nothing = np.empty(0)
        return (
            _ints(0),
            nothing,
            nothing.copy(),
            nothing.copy(),
            nothing.copy(),
            nothing.copy(),
            _ints(0),
            nothing.copy(),
        )
    first, last = int(timestamps[0]), int(timestamps[-1])
    first_bar = first // interval  # Python ints: exact, floor division as the kernel's div_euclid
    if last // interval - first_bar >= MAX_BARS:
        raise ValueError(f"the trades from {first} to {last} span more than {MAX_BARS} bars of {interval} ns")
    if first_bar * interval < _I64_MIN:
        raise ValueError(
            f"the bar of timestamps[0] = {first} would start before the smallest i64 (interval {interval} ns)"
        )
    _check_trades(prices, sizes)

    bar = timestamps // interval - first_bar  # each trade's bar, from 0
    edges = np.flatnonzero(bar[1:] != bar[:-1]) + 1
    starts = np.concatenate(([0], edges))  # each non-empty bar's first trade
    ends = np.concatenate((edges, [n]))
    k = bar[starts]
    bars = int(bar[-1]) + 1

    open_, high, low, close = (np.full(bars, np.nan) for _ in range(4))
    open_[k] = prices[starts]
    close[k] = prices[ends - 1]
    high[k] = np.maximum.reduceat(prices, starts)
    low[k] = np.minimum.reduceat(prices, starts)
    volume = np.zeros(bars)
    volume[k] = np.add.reduceat(sizes, starts)
    count = _ints(bars)
    count[k] = ends - starts
    vwap = np.full(bars, np.nan)
    traded = volume > 0
    notional = np.zeros(bars)
    notional[k] = np.add.reduceat(prices * sizes, starts)
    vwap[traded] = notional[traded] / volume[traded]
    start = first_bar * interval + np.arange(bars, dtype=np.int64) * interval
    return start, open_, high, low, close, volume, count, vwap


def _ints(n: int) -> _convert.I64Array:
    return np.zeros(n, dtype=np.int64)


def _check_trades(prices: _convert.F64Array, sizes: _convert.F64Array) -> None:
    """The first trade with a non-finite price or a negative or non-finite size, as the kernel names it."""
    bad_price = ~np.isfinite(prices)
    bad_size = ~(np.isfinite(sizes) & (sizes >= 0))
    bad = np.flatnonzero(bad_price | bad_size)
    if bad.size:
        index = int(bad[0])
        if bad_price[index]:
            raise ValueError(f"prices must be finite: prices[{index}] is not")
        raise ValueError(f"sizes must be finite and >= 0: sizes[{index}] is not")


#: The largest |s| for which the kernel takes ln(p1 / p0) as 2 atanh(s): a ratio within [1/√2, √2].
_S_MAX = 0.1715728752538099


def log_returns(prices: _convert.F64Array) -> _convert.F64Array:
    """NaN, then ln(p[t] / p[t-1]) as the kernel takes it: 2 atanh((p1 - p0) / (p1 + p0)), exact
    where log(p1 / p0) would first round the ratio; log(p1 / p0) for ratios beyond [1/√2, √2]."""
    out = np.empty(len(prices))
    if len(prices):
        out[0] = np.nan
        p1, p0 = prices[1:], prices[:-1]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            total = p1 + p0
            s = (p1 - p0) / total
            np.multiply(2.0, np.arctanh(s), out=out[1:])
            outside = ~(np.abs(s) <= _S_MAX) | np.isinf(total)  # a sum that overflowed made s 0
            out[1:][outside] = np.log(p1[outside] / p0[outside])
    return out


def rolling_volatility(returns: _convert.F64Array, window: int, periods_per_year: float) -> _convert.F64Array:
    """std(returns[t - window + 1 : t + 1], ddof=1) * sqrt(periods_per_year); NaN warm-up."""
    if window < 2:
        raise ValueError(f"window must be >= 2, got {window}")
    if window > len(returns):
        raise ValueError(f"window must be <= the series length ({len(returns)}), got {window}")
    if not (np.isfinite(periods_per_year) and periods_per_year > 0):
        raise ValueError("periods_per_year must be a finite number > 0")
    out = np.full(len(returns), np.nan)
    windows = sliding_window_view(returns, window)
    scale = np.sqrt(periods_per_year)
    # A window with an infinity: inf - inf, NaN as intended; an overflow is redone by `_scaled_std`.
    with np.errstate(invalid="ignore", over="ignore"):
        for start in range(0, len(windows), _STD_CHUNK):
            chunk = windows[start : start + _STD_CHUNK]
            std = chunk.std(axis=1, ddof=1)
            overflowed = np.flatnonzero(np.isinf(std))  # only a finite window's squares can overflow
            std[overflowed] = _scaled_std(chunk[overflowed])
            out[window - 1 + start : window - 1 + start + len(chunk)] = std * scale
    return out


def _scaled_std(windows: _convert.F64Array) -> _convert.F64Array:
    """The sample standard deviation of each row, on the values divided by a power of two (exactly)
    so that no square overflows, as the kernel takes a window its running sums overflowed in: inf
    only where the standard deviation itself is beyond the largest double."""
    _, exponent = np.frexp(np.max(np.abs(windows), axis=1, keepdims=True))
    unit = np.ldexp(1.0, exponent - 1)  # 2^floor(log2(largest)), |value / unit| < 2; 0.5 for zeros
    return np.asarray(np.std(windows / unit, axis=1, ddof=1) * unit[:, 0])


def vwap(prices: _convert.F64Array, sizes: _convert.F64Array) -> float:
    """sum(prices * sizes) / sum(sizes), NaN when the sizes sum to 0."""
    _check_length("sizes", sizes, "prices", len(prices))
    volume = float(np.sum(sizes))
    if volume == 0.0:
        return float("nan")
    return float(np.sum(prices * sizes)) / volume
