"""Technical indicators in numpy, with TA-Lib's conventions.

The fallback when the compiled engine is missing, and the oracle the parity tests hold the Rust
kernels to. Inputs arrive normalised and checked by the bridge (`rust_bridge.technical_py`).

Written the plain numpy way: vectorised where numpy can (windows, changes, true ranges), a Python
loop (`itertools.accumulate`) only where a recursion forces it (EMA and Wilder smoothing, KAMA's
average and TA-Lib's running sum of its moves, whose rounding the results depend on).
Windows are summed per window (`sliding_window_view`), not by differencing a cumulative sum,
whose rounding grows with the length of the series.

NaN convention, shared with the Rust kernels: leading rows in which an input is NaN are skipped (as
the talib wrapper does), and from the first later NaN or +-inf in any input every output is NaN.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import reduce
from itertools import accumulate

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._convert import F64Array

Three = tuple[F64Array, F64Array, F64Array]

#: Windows per step of the standard deviation, which materialises (windows, period) temporaries.
_STD_CHUNK = 1 << 16


def sma(values: F64Array, period: int) -> F64Array:
    """Simple moving average; the first `period - 1` outputs are NaN."""
    return _on_span(lambda x: (_sma(x, period),), values)[0]


def ema(values: F64Array, period: int) -> F64Array:
    """EMA (k = 2 / (period + 1)) seeded with the mean of the first `period` values."""
    return _on_span(lambda x: (_ema(x, period),), values)[0]


def rsi(values: F64Array, period: int) -> F64Array:
    """RSI with Wilder's smoothing; the first `period` outputs are NaN."""
    return _on_span(lambda x: (_rsi(x, period),), values)[0]


def kama(values: F64Array, period: int) -> F64Array:
    """Kaufman's adaptive moving average (fast 2, slow 30) with TA-Lib's rules; the first `period`
    outputs are NaN."""
    return _on_span(lambda x: (_kama(x, period),), values)[0]


def bollinger_bands(values: F64Array, period: int, nbdev_up: float, nbdev_down: float) -> Three:
    """(upper, middle, lower): SMA +- nbdev times the population standard deviation."""
    upper, middle, lower = _on_span(lambda x: _bollinger_bands(x, period, nbdev_up, nbdev_down), values)
    return upper, middle, lower


def macd(values: F64Array, fast_period: int, slow_period: int, signal_period: int) -> Three:
    """(macd, signal, hist), both EMAs starting at index `slow_period - 1` as in TA-Lib."""
    line, signal, hist = _on_span(lambda x: _macd(x, fast_period, slow_period, signal_period), values)
    return line, signal, hist


def atr(high: F64Array, low: F64Array, close: F64Array, period: int) -> F64Array:
    """Average true range with Wilder's smoothing; the first `period` outputs are NaN."""
    return _on_span(lambda h, lo, c: (_atr(h, lo, c, period),), high, low, close)[0]


def sma_batch(values: F64Array, period: int) -> F64Array:
    """`sma` of each row."""
    return _stack([sma(row, period) for row in values], values.shape)


def ema_batch(values: F64Array, period: int) -> F64Array:
    """`ema` of each row."""
    return _stack([ema(row, period) for row in values], values.shape)


def rsi_batch(values: F64Array, period: int) -> F64Array:
    """`rsi` of each row."""
    return _stack([rsi(row, period) for row in values], values.shape)


def bollinger_bands_batch(values: F64Array, period: int, nbdev_up: float, nbdev_down: float) -> Three:
    """`bollinger_bands` of each row."""
    rows = [bollinger_bands(row, period, nbdev_up, nbdev_down) for row in values]
    return _stack3(rows, values.shape)


def macd_batch(values: F64Array, fast_period: int, slow_period: int, signal_period: int) -> Three:
    """`macd` of each row."""
    rows = [macd(row, fast_period, slow_period, signal_period) for row in values]
    return _stack3(rows, values.shape)


def atr_batch(high: F64Array, low: F64Array, close: F64Array, period: int) -> F64Array:
    """`atr` of each row of three matrices of one shape."""
    return _stack([atr(h, lo, c, period) for h, lo, c in zip(high, low, close, strict=True)], close.shape)


# --- the NaN convention -------------------------------------------------------------------------


def _on_span(compute: Callable[..., Sequence[F64Array]], *series: F64Array) -> list[F64Array]:
    """Runs `compute` on the rows the convention keeps; NaN everywhere else."""
    begin, stop = _span(series)
    results = compute(*(s[begin:stop] for s in series))
    outputs = []
    for result in results:
        out = np.full(len(series[0]), np.nan)
        out[begin:stop] = result
        outputs.append(out)
    return outputs


def _span(series: Sequence[F64Array]) -> tuple[int, int]:
    """(begin, stop): leading NaN rows skipped; cut at the first later non-finite value."""
    length = len(series[0])
    has_nan = np.logical_or.reduce([np.isnan(s) for s in series])
    begin = int(np.argmin(has_nan)) if not has_nan.all() else length
    non_finite = np.logical_or.reduce([~np.isfinite(s[begin:]) for s in series])
    stop = begin + int(np.argmax(non_finite)) if non_finite.any() else length
    return begin, stop


# --- the indicators, on finite rows -------------------------------------------------------------


def _sma(x: F64Array, period: int) -> F64Array:
    out = np.full(len(x), np.nan)
    if len(x) >= period:
        out[period - 1 :] = sliding_window_view(x, period).mean(axis=1)
    return out


def _ema(x: F64Array, period: int) -> F64Array:
    out = np.full(len(x), np.nan)
    if len(x) >= period:
        out[period - 1 :] = _ema_from(x, period, period - 1)
    return out


def _rsi(x: F64Array, period: int) -> F64Array:
    out = np.full(len(x), np.nan)
    if len(x) > period:
        change = np.diff(x)
        avg_gain = _wilder(np.where(change > 0, change, 0.0), period)
        avg_loss = _wilder(np.where(change < 0, -change, 0.0), period)
        total = avg_gain + avg_loss
        # TA-Lib's 100 * (gain / (gain + loss)), and 0 for a flat stretch.
        out[period:] = 100.0 * np.divide(avg_gain, total, out=np.zeros_like(total), where=total != 0)
    return out


#: KAMA's smoothing constants: an EMA of 30 bars (noise), and what an EMA of 2 bars (a trend) adds.
_KAMA_SLOW = 2.0 / (30.0 + 1.0)
_KAMA_FAST_MINUS_SLOW = 2.0 / (2.0 + 1.0) - _KAMA_SLOW


def _kama(x: F64Array, period: int) -> F64Array:
    if period == 1:  # no smoothing, as in TA-Lib
        return x.copy()
    out = np.full(len(x), np.nan)
    if len(x) > period:
        sums = _kama_window_sums(np.diff(x), period)
        change = x[period:] - x[:-period]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where((sums <= 0.0) | (sums <= change), 1.0, np.abs(change / sums))
        root = ratio * _KAMA_FAST_MINUS_SLOW + _KAMA_SLOW
        steps = zip(x[period:].tolist(), (root * root).tolist(), strict=True)
        averages = accumulate(steps, lambda k, v: (v[0] - k) * v[1] + k, initial=float(x[period - 1]))
        out[period:] = np.fromiter(averages, np.float64, len(x) - period + 1)[1:]
    return out


def _kama_window_sums(moves: F64Array, period: int) -> F64Array:
    """TA-Lib's running sum of |moves| over each window, in its order: the first `period` one by
    one, then per bar the leaving move subtracted before the entering one is added, and reset to
    exactly 0 once the last `period` moves were all 0 (dropping the sliding sum's residue)."""
    first = moves[:period].tolist()
    flat = next((i for i, m in enumerate(reversed(first)) if m != 0.0), period)
    start = (float(reduce(operator.add, map(abs, first), 0.0)), flat)

    def slide(state: tuple[float, int], pair: tuple[float, float]) -> tuple[float, int]:
        total, flat = state
        leaving, entering = pair
        flat = flat + 1 if entering == 0.0 else 0
        if flat >= period:
            return 0.0, period
        return total - abs(leaving) + abs(entering), flat

    pairs = zip(moves[:-period].tolist(), moves[period:].tolist(), strict=True)
    states = accumulate(pairs, slide, initial=start)
    return np.fromiter((total for total, _ in states), np.float64, len(moves) - period + 1)


def _bollinger_bands(x: F64Array, period: int, nbdev_up: float, nbdev_down: float) -> Three:
    upper, middle, lower = (np.full(len(x), np.nan) for _ in range(3))
    if len(x) >= period:
        windows = sliding_window_view(x, period)
        mean = windows.mean(axis=1)
        std = np.concatenate(
            [windows[i : i + _STD_CHUNK].std(axis=1) for i in range(0, len(windows), _STD_CHUNK)]
        )
        middle[period - 1 :] = mean
        upper[period - 1 :] = mean + nbdev_up * std
        lower[period - 1 :] = mean - nbdev_down * std
    return upper, middle, lower


def _macd(x: F64Array, fast: int, slow: int, signal: int) -> Three:
    line_out, signal_out, hist_out = (np.full(len(x), np.nan) for _ in range(3))
    first = slow + signal - 2
    if len(x) > first:
        # As in TA-Lib both EMAs start at index slow - 1; the fast one is seeded there with the mean
        # of the `fast` values ending at that index.
        line = _ema_from(x, fast, slow - 1) - _ema_from(x, slow, slow - 1)
        line_out[first:] = line[signal - 1 :]
        signal_out[first:] = _ema_from(line, signal, signal - 1)
        hist_out[first:] = line_out[first:] - signal_out[first:]
    return line_out, signal_out, hist_out


def _atr(high: F64Array, low: F64Array, close: F64Array, period: int) -> F64Array:
    out = np.full(len(close), np.nan)
    if len(close) > period:
        prev = close[:-1]
        high_low = high[1:] - low[1:]
        true_range = np.maximum(high_low, np.maximum(np.abs(high[1:] - prev), np.abs(low[1:] - prev)))
        out[period:] = _wilder(true_range, period)
    return out


# --- the recursions -----------------------------------------------------------------------------


def _ema_from(x: F64Array, period: int, first: int) -> F64Array:
    """The EMA over rows `first..` of `x`, seeded at `first` with the mean of the `period` values
    ending there."""
    k = 2.0 / (period + 1)
    seed = float(np.mean(x[first - period + 1 : first + 1]))
    return _recurse(seed, x[first + 1 :], lambda e, v: (v - e) * k + e)


def _wilder(x: F64Array, period: int) -> F64Array:
    """Wilder's smoothing of `x` from row `period - 1` on, seeded with the mean of the first
    `period` values: `e = (e * (period - 1) + v) / period`."""
    seed = float(np.mean(x[:period]))
    return _recurse(seed, x[period:], lambda e, v: (e * (period - 1) + v) / period)


def _recurse(seed: float, xs: F64Array, step: Callable[[float, float], float]) -> F64Array:
    """`seed`, then `step` applied along `xs`."""
    return np.fromiter(accumulate(xs.tolist(), step, initial=seed), dtype=np.float64, count=len(xs) + 1)


def _stack(rows: list[F64Array], shape: tuple[int, ...]) -> F64Array:
    return np.array(rows, dtype=np.float64).reshape(shape)


def _stack3(rows: list[Three], shape: tuple[int, ...]) -> Three:
    first, second, third = (_stack([row[i] for row in rows], shape) for i in range(3))
    return first, second, third
