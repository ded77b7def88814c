"""The `backtesting` engine module in numpy.

The fallback when the compiled engine is missing, and the oracle of the parity tests. Inputs
arrive normalised by the bridge (C-contiguous float64/int64 arrays, checked scalars). Every check
raises the kernel's message, in the kernel's order; the conventions are in `rust_bridge.backtesting_py`.

The accounting is written so that each step is the kernel's operation in the kernel's order
(`cumprod` multiplies in sequence as the kernel does, `cumsum` adds in sequence): the equity
curves and the sweep's positions are the kernel's bit for bit; the statistics, which numpy sums
pairwise, agree to rounding.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _convert

#: (total return, Sharpe, Sortino, max drawdown, trades, turnover)
Stats = tuple[float, float, float, float, int, float]

#: `fee_bps + slippage_bps` must stay below this: 100% of equity per unit of position traded (as
#: MAX_COST_BPS in the kernel).
MAX_COST_BPS = 10_000.0


def _check_length(name: str, values: np.ndarray, first: str, expected: int) -> None:
    """The kernels' length check, with the same message."""
    if len(values) != expected:
        raise ValueError(
            f"{name} must have the same length as {first}: {len(values)} != {expected}",
        )


def _terms(fee_bps: float, slippage_bps: float, periods_per_year: float) -> tuple[float, float]:
    """(cost per unit of position traded, sqrt(periods_per_year)), checked as the kernel checks them."""
    for name, value in (("fee_bps", fee_bps), ("slippage_bps", slippage_bps)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0")
    if fee_bps + slippage_bps >= MAX_COST_BPS:
        raise ValueError(
            "fee_bps + slippage_bps must be < 10000 (100% of equity per unit of position traded)"
        )
    if not (math.isfinite(periods_per_year) and periods_per_year > 0):
        raise ValueError("periods_per_year must be a finite number > 0")
    return (fee_bps + slippage_bps) / 10_000.0, math.sqrt(periods_per_year)


@np.errstate(over="ignore", invalid="ignore")
def _account(
    held: _convert.F64Array, bar_return: _convert.F64Array, cost: float, annualise: float
) -> tuple[_convert.F64Array, Stats]:
    """The equity after each bar from the second, and the statistics, for the positions held over
    those bars (`held[k]` over bar k + 1, which returns `bar_return[k]`).

    An equity that overflows (a close ratio beyond the largest double) becomes inf or NaN, as in
    the kernel, without a warning; its max drawdown is NaN."""
    change = np.abs(np.diff(held, prepend=0.0))
    growth = (1.0 - change * cost) * (1.0 + held * bar_return)
    equity: _convert.F64Array = np.cumprod(growth, dtype=np.float64)
    net = growth - 1.0
    n = len(net)
    if n == 0:
        return equity, (0.0, math.nan, math.nan, 0.0, 0, 0.0)
    if math.isfinite(equity[-1]):  # then every equity is: inf and NaN stay to the end
        peak = np.maximum.accumulate(np.concatenate(([1.0], equity)))[1:]
        max_drawdown = max(0.0, float(np.max(1.0 - equity / peak)))
    else:
        max_drawdown = math.nan
    if n < 2:
        sharpe = sortino = math.nan
    else:
        d = net - net[0]  # around the first return: a constant series has exactly 0 deviation
        total = float(np.sum(d))
        mean = float(net[0]) + total / n
        var = (float(np.sum(d * d)) - total * total / n) / (n - 1)
        downside = math.sqrt(float(np.sum(np.minimum(net, 0.0) ** 2)) / n)
        var = 0.0 if var < 0 else var  # rounding below 0 only: NaN stays NaN
        sharpe = _ratio(mean, math.sqrt(var)) * annualise
        sortino = _ratio(mean, downside) * annualise
    stats = (
        float(equity[-1]) - 1.0,
        sharpe,
        sortino,
        max_drawdown,
        int(np.count_nonzero(change)),
        float(np.sum(change)),
    )
    return equity, stats


def _ratio(mean: float, deviation: float) -> float:
    if deviation > 0:
        return mean / deviation
    if deviation == 0 and mean != 0:
        return math.copysign(math.inf, mean)
    return math.nan  # a zero mean over no deviation, or a NaN deviation


def backtest(
    close: _convert.F64Array,
    position: _convert.F64Array,
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
) -> tuple[_convert.F64Array, float, float, float, float, int, float]:
    """(equity, total return, Sharpe, Sortino, max drawdown, trades, turnover) of `position` on `close`."""
    _check_length("position", position, "close", len(close))
    cost, annualise = _terms(fee_bps, slippage_bps, periods_per_year)
    bad_close = ~(np.isfinite(close) & (close > 0))
    bad_position = ~((position >= -1.0) & (position <= 1.0))  # NaN compares False: bad
    bad = np.flatnonzero(bad_close | bad_position)
    if bad.size:
        index = int(bad[0])
        if bad_close[index]:
            raise ValueError(f"close must be finite and > 0: close[{index}] is not")
        raise ValueError(f"position must be within [-1, 1]: position[{index}] is not")
    equity = np.ones(len(close))
    with np.errstate(over="ignore"):  # a close ratio beyond the largest double: inf, as in the kernel
        bar_return = close[1:] / close[:-1] - 1.0
    curve, stats = _account(position[:-1], bar_return, cost, annualise)
    equity[1:] = curve
    return (equity, *stats)


def sma_crossover_sweep(
    close: _convert.F64Array,
    fast_windows: _convert.I64Array,
    slow_windows: _convert.I64Array,
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
    allow_short: bool,
    threads: int,
) -> tuple[
    _convert.I64Array,
    _convert.I64Array,
    _convert.I64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.I64Array,
    _convert.F64Array,
]:
    """The crossover backtest of every (symbol, fast < slow pair), one symbol and one pair at a
    time (`threads` is the kernel's: numpy runs on one)."""
    cost, annualise = _terms(fee_bps, slippage_bps, periods_per_year)
    rows, cols = close.shape
    fast = _windows("fast_windows", fast_windows, cols)
    slow = _windows("slow_windows", slow_windows, cols)
    bad = np.flatnonzero(~(np.isfinite(close) & (close > 0)))
    if bad.size:
        row, col = divmod(int(bad[0]), cols)
        raise ValueError(f"close must be finite and > 0: close[{row}, {col}] is not")
    pairs = [(f, s) for f in fast for s in slow if f < s]
    below = -1.0 if allow_short else 0.0
    stats: list[Stats] = []
    with np.errstate(over="ignore", invalid="ignore"):  # overflows give inf and NaN, as in the kernel
        for prices in close:
            bar_return = prices[1:] / prices[:-1] - 1.0
            prefix = np.concatenate(([0.0], np.cumsum(prices - prices[0])))
            for f, s in pairs:
                t = np.arange(s, cols)  # bars whose position (decided at t - 1) has both windows full
                a = (prefix[t] - prefix[t - f]) * float(s)
                b = (prefix[t] - prefix[t - s]) * float(f)
                held = np.zeros(cols - 1)
                held[s - 1 :] = np.where(a > b, 1.0, np.where(a < b, below, 0.0))
                stats.append(_account(held, bar_return, cost, annualise)[1])
    columns = list(zip(*stats, strict=True)) if stats else [()] * 6
    n = len(pairs)
    return (
        np.repeat(np.arange(rows, dtype=np.int64), n),
        np.tile(np.array([f for f, _ in pairs], dtype=np.int64), rows),
        np.tile(np.array([s for _, s in pairs], dtype=np.int64), rows),
        np.array(columns[0], dtype=np.float64),
        np.array(columns[1], dtype=np.float64),
        np.array(columns[2], dtype=np.float64),
        np.array(columns[3], dtype=np.float64),
        np.array(columns[4], dtype=np.int64),
        np.array(columns[5], dtype=np.float64),
    )


def _windows(name: str, values: _convert.I64Array, length: int) -> list[int]:
    bad = np.flatnonzero((values < 1) | (values > length))
    if bad.size:
        index = int(bad[0])
        raise ValueError(
            f"{name} must be from 1 to the series length ({length}): {name}[{index}] is {int(values[index])}"
        )
    return [int(v) for v in values]
