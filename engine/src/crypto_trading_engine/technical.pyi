"""Technical indicators with TA-Lib's conventions, compiled from Rust (`engine/rust/src/technical`).

The low-level API behind `rust_bridge`: inputs must already be C-contiguous, aligned float64 NumPy
arrays (1-D, or 2-D with one series per row for the `*_batch` functions). Use `rust_bridge` to pass
lists, other dtypes or strided arrays, and for the conventions (warm-up, seeds, NaN handling).

Invalid arguments raise `ValueError` with a message naming the argument; arrays of another dtype or
dimension raise `TypeError`, non-contiguous ones `TypeError`, negative periods `OverflowError`.
"""

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "atr",
    "atr_batch",
    "bollinger_bands",
    "bollinger_bands_batch",
    "ema",
    "ema_batch",
    "kama",
    "macd",
    "macd_batch",
    "rsi",
    "rsi_batch",
    "sma",
    "sma_batch",
]

_Array: TypeAlias = npt.NDArray[np.float64]
_Three: TypeAlias = tuple[_Array, _Array, _Array]

def sma(values: _Array, period: int = 30) -> _Array:
    """Simple moving average over `period` points; the first `period - 1` outputs are NaN.

    Raises:
        ValueError: `period` is below 1 or longer than `values`.
    """

def ema(values: _Array, period: int = 30) -> _Array:
    """EMA (k = 2 / (period + 1)) seeded with the SMA of the first `period` values; the first
    `period - 1` outputs are NaN.

    Raises:
        ValueError: `period` is below 1 or longer than `values`.
    """

def rsi(values: _Array, period: int = 14) -> _Array:
    """RSI with Wilder's smoothing; the first `period` outputs are NaN.

    Raises:
        ValueError: `period` is below 1 or longer than `values`.
    """

def kama(values: _Array, period: int = 30) -> _Array:
    """Kaufman's adaptive moving average (fast 2, slow 30) as TA-Lib computes it; the first
    `period` outputs are NaN.

    Raises:
        ValueError: `period` is below 1 or longer than `values`.
    """

def bollinger_bands(
    values: _Array, period: int = 20, nbdev_up: float = 2.0, nbdev_down: float = 2.0
) -> _Three:
    """(upper, middle, lower): SMA +- nbdev times the population standard deviation.

    Raises:
        ValueError: `period` is below 1 or longer than `values`, or a width is negative or not finite.
    """

def macd(values: _Array, fast_period: int = 12, slow_period: int = 26, signal_period: int = 9) -> _Three:
    """(macd, signal, hist) as TA-Lib computes them; NaN before index `slow + signal - 2`.

    Raises:
        ValueError: a period is below 1, `fast_period >= slow_period`, or `slow_period` or
            `signal_period` is longer than `values`.
    """

def atr(high: _Array, low: _Array, close: _Array, period: int = 14) -> _Array:
    """Average true range with Wilder's smoothing; the first `period` outputs are NaN.

    Raises:
        ValueError: the inputs differ in length, or `period` is below 1 or longer than them.
    """

def sma_batch(values: _Array, period: int = 30) -> _Array:
    """`sma` of each row of a 2-D array, rows in parallel for large batches.

    Raises:
        ValueError: `period` is below 1 or longer than a row.
    """

def ema_batch(values: _Array, period: int = 30) -> _Array:
    """`ema` of each row of a 2-D array, rows in parallel for large batches.

    Raises:
        ValueError: `period` is below 1 or longer than a row.
    """

def rsi_batch(values: _Array, period: int = 14) -> _Array:
    """`rsi` of each row of a 2-D array, rows in parallel for large batches.

    Raises:
        ValueError: `period` is below 1 or longer than a row.
    """

def bollinger_bands_batch(
    values: _Array, period: int = 20, nbdev_up: float = 2.0, nbdev_down: float = 2.0
) -> _Three:
    """`bollinger_bands` of each row of a 2-D array: three arrays of its shape.

    Raises:
        ValueError: `period` is below 1 or longer than a row, or a width is negative or not finite.
    """

def macd_batch(
    values: _Array, fast_period: int = 12, slow_period: int = 26, signal_period: int = 9
) -> _Three:
    """`macd` of each row of a 2-D array: three arrays of its shape.

    Raises:
        ValueError: a period is below 1, `fast_period >= slow_period`, or `slow_period` or
            `signal_period` is longer than a row.
    """

def atr_batch(high: _Array, low: _Array, close: _Array, period: int = 14) -> _Array:
    """`atr` of each row of three 2-D arrays of one shape.

    Raises:
        ValueError: the shapes differ, or `period` is below 1 or longer than a row.
    """
