"""Indicators as a trader writes them first: plain loops over numpy arrays (translator test inputs)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

F64Array = npt.NDArray[np.float64]
I64Array = npt.NDArray[np.int64]

#: Wilder's acceleration factor: its step and its cap.
AF_STEP = 0.02
AF_MAX = 0.2


def psar(high: F64Array, low: F64Array, iaf: float = AF_STEP, maxaf: float = AF_MAX) -> F64Array:
    """Parabolic SAR: a trailing stop that accelerates while the trend makes new extremes."""
    n = len(high)
    out = np.full(n, np.nan)
    if n < 2:
        return out
    bull = True
    af = iaf
    ep = high[0]
    sar = low[0]
    out[0] = sar
    for i in range(1, n):
        sar = sar + af * (ep - sar)
        if bull:
            sar = min(sar, low[i - 1], low[i - 2] if i >= 2 else low[i - 1])
            if low[i] < sar:
                bull = False
                sar = ep
                ep = low[i]
                af = iaf
            elif high[i] > ep:
                ep = high[i]
                af = min(af + iaf, maxaf)
        else:
            sar = max(sar, high[i - 1], high[i - 2] if i >= 2 else high[i - 1])
            if high[i] > sar:
                bull = True
                sar = ep
                ep = high[i]
                af = iaf
            elif low[i] < ep:
                ep = low[i]
                af = min(af + iaf, maxaf)
        out[i] = sar
    return out


def drawdown_scan(equity: F64Array) -> tuple[float, int, int]:
    """The largest peak-to-trough fall as a fraction of the peak, and the bars where it starts and ends."""
    peak = -math.inf
    peak_at = 0
    worst = 0.0
    start = end = -1
    for i in range(len(equity)):
        value = equity[i]
        if value > peak:
            peak = value
            peak_at = i
        elif peak > 0.0:
            dd = (peak - value) / peak
            if dd > worst:
                worst = dd
                start, end = peak_at, i
    return worst, start, end


def zscore_last(values: F64Array, window: int) -> float:
    """How many standard deviations the last value sits from the mean of the window before it."""
    n = len(values)
    if window < 2 or n <= window:
        return math.nan
    total = 0
    for k in range(n - window - 1, n - 1):
        total += values[k]
    mean = total / window
    acc = 0.0
    for k in range(n - window - 1, n - 1):
        acc += (values[k] - mean) ** 2
    std = math.sqrt(acc / (window - 1))
    return (values[-1] - mean) / std if std > 0.0 else 0.0


def barrier_labels(close: F64Array, horizon: int, up: float, down: float) -> I64Array:
    """Triple-barrier labels: +1 if the price rises by `up` before it falls by `down` within `horizon`
    bars, -1 for the reverse, 0 if neither barrier is touched."""
    n = len(close)
    labels = np.zeros(n, dtype=np.int64)
    for i in range(n):
        entry = close[i]
        end = min(i + horizon, n - 1)
        label = 0
        j = i + 1
        while j <= end:
            change = close[j] / entry - 1.0
            if change >= up:
                label = 1
                break
            if change <= -down:
                label = -1
                break
            j += 1
        labels[i] = label
    return labels


def long_flat(prices: F64Array, positions: F64Array, fee: float) -> tuple[float, int]:
    """A long/flat backtest bar by bar: all in while `positions` is positive, flat otherwise."""
    cash, units, trades = 1.0, 0.0, 0
    for i, price in enumerate(prices):
        target = cash / price if positions[i] > 0.0 and price > 0.0 else 0.0
        if (target > 0.0) != (units > 0.0):
            cash -= (target - units) * price + abs(target - units) * price * fee
            units = target
            trades += 1
    last = 0.0
    for price in prices:
        if price > 0.0:
            last = price
    return cash + units * last, trades
