"""Technical indicators with TA-Lib's conventions: Rust when available, the numpy fallback otherwise.

Every function takes keyword-only `backend="auto" | "rust" | "python"`. Inputs are normalised and
checked here, once, so both implementations see the same arrays and reject the same calls with the
same messages: lists, integer and float32 arrays, strided and read-only arrays are accepted;
non-numeric data raises TypeError; wrong dimensions, windows below 1 or longer than the series,
series of different lengths, `fast_period >= slow_period` and negative band widths raise ValueError.

Conventions (shared by the Rust kernels and the fallback, checked against TA-Lib to 1e-9):

* Warm-up: outputs are NaN until an indicator has a full window, at the same indices as TA-Lib:
  `period - 1` rows for SMA, EMA and Bollinger Bands, `period` rows for RSI, ATR and KAMA, and
  `slow_period + signal_period - 2` rows for all three MACD lines. A series shorter than that gives
  all NaN (a window longer than the series is an error).
* Seeds: EMA starts from the mean of its first `period` values; RSI and ATR start from the mean
  gain / loss / true range of rows 1 to `period`, then smooth with Wilder's k = 1 / period.
  KAMA starts from the value at `period - 1` and follows TA-Lib's rules: a running sum of the
  window's one-bar moves (the leaving move subtracted before the entering one is added, reset to
  0 once `period` moves in a row were 0), an efficiency ratio of 1 when that sum is <= 0 or not
  above the net move, fast 2 / slow 30 constants, and period 1 as no smoothing (the input). On a
  CPU with FMA the Rust kernel gives TA-Lib 0.8.2's doubles bit for bit on price series (TA-Lib's
  wheel fuses `ratio * diff + slow` and the update); the fallback rounds each product, as the
  portable kernel does (a few ULP apart).
  MACD starts both EMAs at index `slow_period - 1` (the fast one seeded with the mean of the
  `fast_period` values ending there) and seeds the signal with the mean of its first
  `signal_period` MACD values. Bollinger Bands use the population standard deviation (ddof = 0).
* NaN: leading rows in which an input is NaN (say, another indicator's warm-up) are skipped, as
  the talib wrapper does: the indicator starts at the first row without NaN. From the first later
  row holding a NaN or +-inf in any input, every output is NaN. (TA-Lib lets a NaN run through its
  arithmetic instead, which for RSI gives 0s rather than NaN.) Finite inputs large enough for the
  sums to overflow (beyond ~1e300) are outside the contract.
* Batch functions take a 2-D array, one series per row, and return arrays of the same shape; the
  Rust version computes the rows in parallel once the batch is large enough to pay for it.
"""

from __future__ import annotations

import math
from typing import Any

from . import _native
from ._convert import F64Array, as_f64_1d, as_f64_2d, as_float, as_int
from ._fallback import technical as _fallback

_rust = _native.native_module("technical")

Three = tuple[F64Array, F64Array, F64Array]


def sma(values: Any, period: int = 30, *, backend: _native.Backend = "auto") -> F64Array:
    """Simple moving average over `period` points; the first `period - 1` outputs are NaN.

    Raises:
        TypeError: `values` is not numeric or `period` not an integer.
        ValueError: `values` is not 1-D, or `period` is below 1 or longer than `values`.
    """
    x = as_f64_1d(values, "values")
    period = _window(period, "period", len(x))
    return _native.pick(_rust, _fallback, backend).sma(x, period)


def ema(values: Any, period: int = 30, *, backend: _native.Backend = "auto") -> F64Array:
    """EMA with k = 2 / (period + 1), seeded with the SMA of the first `period` values.

    Raises:
        TypeError: `values` is not numeric or `period` not an integer.
        ValueError: `values` is not 1-D, or `period` is below 1 or longer than `values`.
    """
    x = as_f64_1d(values, "values")
    period = _window(period, "period", len(x))
    return _native.pick(_rust, _fallback, backend).ema(x, period)


def rsi(values: Any, period: int = 14, *, backend: _native.Backend = "auto") -> F64Array:
    """Relative strength index with Wilder's smoothing; the first `period` outputs are NaN.

    Raises:
        TypeError: `values` is not numeric or `period` not an integer.
        ValueError: `values` is not 1-D, or `period` is below 1 or longer than `values`.
    """
    x = as_f64_1d(values, "values")
    period = _window(period, "period", len(x))
    return _native.pick(_rust, _fallback, backend).rsi(x, period)


def kama(values: Any, period: int = 30, *, backend: _native.Backend = "auto") -> F64Array:
    """Kaufman's adaptive moving average with TA-Lib's fast 2 / slow 30 constants.

    The first `period` outputs are NaN; the average starts from `values[period - 1]`. Period 1 is
    no smoothing (the input itself, as in TA-Lib).

    Raises:
        TypeError: `values` is not numeric or `period` not an integer.
        ValueError: `values` is not 1-D, or `period` is below 1 or longer than `values`.
    """
    x = as_f64_1d(values, "values")
    period = _window(period, "period", len(x))
    return _native.pick(_rust, _fallback, backend).kama(x, period)


def bollinger_bands(
    values: Any,
    period: int = 20,
    nbdev_up: float = 2.0,
    nbdev_down: float = 2.0,
    *,
    backend: _native.Backend = "auto",
) -> Three:
    """(upper, middle, lower): the SMA +- `nbdev_*` population standard deviations of the window.

    Raises:
        TypeError: `values` is not numeric, `period` not an integer or a width not a number.
        ValueError: `values` is not 1-D, `period` is below 1 or longer than `values`, or a width
            is negative or not finite.
    """
    x = as_f64_1d(values, "values")
    period = _window(period, "period", len(x))
    up = _width(nbdev_up, "nbdev_up")
    down = _width(nbdev_down, "nbdev_down")
    upper, middle, lower = _native.pick(_rust, _fallback, backend).bollinger_bands(x, period, up, down)
    return upper, middle, lower


def macd(
    values: Any,
    fast_period: int = 12,
    slow_period: int = 26,
    signal_period: int = 9,
    *,
    backend: _native.Backend = "auto",
) -> Three:
    """(macd, signal, hist) exactly as TA-Lib's MACD computes them.

    Raises:
        TypeError: `values` is not numeric or a period not an integer.
        ValueError: `values` is not 1-D, a period is below 1, `fast_period >= slow_period`, or
            `slow_period` or `signal_period` is longer than `values`.
    """
    x = as_f64_1d(values, "values")
    periods = _macd_periods(fast_period, slow_period, signal_period, len(x))
    line, signal, hist = _native.pick(_rust, _fallback, backend).macd(x, *periods)
    return line, signal, hist


def atr(high: Any, low: Any, close: Any, period: int = 14, *, backend: _native.Backend = "auto") -> F64Array:
    """Average true range with Wilder's smoothing; the first `period` outputs are NaN.

    Raises:
        TypeError: an input is not numeric or `period` not an integer.
        ValueError: an input is not 1-D, they differ in length, or `period` is below 1 or longer
            than the series.
    """
    h, lo, c = as_f64_1d(high, "high"), as_f64_1d(low, "low"), as_f64_1d(close, "close")
    if h.shape != lo.shape or h.shape != c.shape:
        raise _shape_mismatch(h, lo, c)
    period = _window(period, "period", len(c))
    return _native.pick(_rust, _fallback, backend).atr(h, lo, c, period)


def sma_batch(values: Any, period: int = 30, *, backend: _native.Backend = "auto") -> F64Array:
    """`sma` of each row of a 2-D array (one series per row).

    Raises:
        TypeError: `values` is not numeric or `period` not an integer.
        ValueError: `values` is not 2-D, or `period` is below 1 or longer than a row.
    """
    x = as_f64_2d(values, "values")
    period = _window(period, "period", x.shape[1])
    return _native.pick(_rust, _fallback, backend).sma_batch(x, period)


def ema_batch(values: Any, period: int = 30, *, backend: _native.Backend = "auto") -> F64Array:
    """`ema` of each row of a 2-D array (one series per row).

    Raises:
        TypeError: `values` is not numeric or `period` not an integer.
        ValueError: `values` is not 2-D, or `period` is below 1 or longer than a row.
    """
    x = as_f64_2d(values, "values")
    period = _window(period, "period", x.shape[1])
    return _native.pick(_rust, _fallback, backend).ema_batch(x, period)


def rsi_batch(values: Any, period: int = 14, *, backend: _native.Backend = "auto") -> F64Array:
    """`rsi` of each row of a 2-D array (one series per row).

    Raises:
        TypeError: `values` is not numeric or `period` not an integer.
        ValueError: `values` is not 2-D, or `period` is below 1 or longer than a row.
    """
    x = as_f64_2d(values, "values")
    period = _window(period, "period", x.shape[1])
    return _native.pick(_rust, _fallback, backend).rsi_batch(x, period)


def bollinger_bands_batch(
    values: Any,
    period: int = 20,
    nbdev_up: float = 2.0,
    nbdev_down: float = 2.0,
    *,
    backend: _native.Backend = "auto",
) -> Three:
    """`bollinger_bands` of each row of a 2-D array: (upper, middle, lower), each of its shape.

    Raises:
        TypeError: `values` is not numeric, `period` not an integer or a width not a number.
        ValueError: `values` is not 2-D, `period` is below 1 or longer than a row, or a width is
            negative or not finite.
    """
    x = as_f64_2d(values, "values")
    period = _window(period, "period", x.shape[1])
    up = _width(nbdev_up, "nbdev_up")
    down = _width(nbdev_down, "nbdev_down")
    upper, middle, lower = _native.pick(_rust, _fallback, backend).bollinger_bands_batch(x, period, up, down)
    return upper, middle, lower


def macd_batch(
    values: Any,
    fast_period: int = 12,
    slow_period: int = 26,
    signal_period: int = 9,
    *,
    backend: _native.Backend = "auto",
) -> Three:
    """`macd` of each row of a 2-D array: (macd, signal, hist), each of its shape.

    Raises:
        TypeError: `values` is not numeric or a period not an integer.
        ValueError: `values` is not 2-D, a period is below 1, `fast_period >= slow_period`, or
            `slow_period` or `signal_period` is longer than a row.
    """
    x = as_f64_2d(values, "values")
    periods = _macd_periods(fast_period, slow_period, signal_period, x.shape[1])
    line, signal, hist = _native.pick(_rust, _fallback, backend).macd_batch(x, *periods)
    return line, signal, hist


def atr_batch(
    high: Any, low: Any, close: Any, period: int = 14, *, backend: _native.Backend = "auto"
) -> F64Array:
    """`atr` of each row of three 2-D arrays of one shape.

    Raises:
        TypeError: an input is not numeric or `period` not an integer.
        ValueError: an input is not 2-D, their shapes differ, or `period` is below 1 or longer
            than a row.
    """
    h, lo, c = as_f64_2d(high, "high"), as_f64_2d(low, "low"), as_f64_2d(close, "close")
    if h.shape != lo.shape or h.shape != c.shape:
        raise _shape_mismatch(h, lo, c)
    period = _window(period, "period", c.shape[1])
    return _native.pick(_rust, _fallback, backend).atr_batch(h, lo, c, period)


def _window(value: Any, name: str, length: int) -> int:
    """A window length: an integer from 1 to the series length."""
    if type(value) is int and 1 <= value <= length:  # the hot path, without a call (~60 ns a period)
        return value
    period = as_int(value, name, minimum=1)
    if period > length:  # tested here rather than in a helper: a call on 10 points takes ~0.5 us
        raise _longer_than_series(name, period, length)
    return period


def _longer_than_series(name: str, period: int, length: int) -> ValueError:
    return ValueError(f"{name} must be <= the series length ({length}), got {period}")


def _width(value: Any, name: str) -> float:
    """A band width in standard deviations: a finite number >= 0."""
    width = as_float(value, name)
    if not (math.isfinite(width) and width >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {width!r}")
    return width


def _macd_periods(fast: Any, slow: Any, signal: Any, length: int) -> tuple[int, int, int]:
    if (  # the hot path, without three calls of as_int (MACD on 100 points was 5% slower for them)
        type(fast) is int
        and type(slow) is int
        and type(signal) is int
        and 1 <= fast < slow <= length
        and 1 <= signal <= length
    ):
        return fast, slow, signal
    fast = as_int(fast, "fast_period", minimum=1)
    slow = as_int(slow, "slow_period", minimum=1)
    signal = as_int(signal, "signal_period", minimum=1)
    if fast >= slow:
        raise ValueError(f"fast_period must be < slow_period, got fast_period={fast} and slow_period={slow}")
    if slow > length:
        raise _longer_than_series("slow_period", slow, length)
    if signal > length:
        raise _longer_than_series("signal_period", signal, length)
    return fast, slow, signal


def _shape_mismatch(high: F64Array, low: F64Array, close: F64Array) -> ValueError:
    if high.ndim == 1:
        sizes = f"{len(high)}, {len(low)} and {len(close)}"
        return ValueError(f"high, low and close must have the same length, got {sizes}")
    shapes = f"{high.shape}, {low.shape} and {close.shape}"
    return ValueError(f"high, low and close must have the same shape, got {shapes}")
