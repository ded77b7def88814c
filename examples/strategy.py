"""A plain-Python trading strategy to try `devtool profile` on.

Prices come from a seeded random walk; the indicators (Kaufman's adaptive moving average, RSI) are
computed in Python loops, the way a first version often is; an adaptive-average crossover is
backtested bar by bar. Its hot spot is `kama`, which the engine does not have; `rsi` it has. It
also waits (a stand-in for an exchange API call) and uses numpy where numpy is already fast, so
the profile shows each kind of verdict.

    python examples/strategy.py --bars 200000
    devtool profile examples/strategy.py -- --bars 200000
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BacktestResult:
    final_equity: float
    trades: int
    max_drawdown: float


def generate_prices(n_bars: int, seed: int = 7, start: float = 100.0) -> F64Array:
    """A geometric random walk from a seeded generator (numpy does the work: native already)."""
    rng = np.random.default_rng(seed)
    returns = rng.normal(0.0002, 0.01, n_bars)
    prices: F64Array = start * np.exp(np.cumsum(returns))
    return prices


def fetch_fee_schedule(delay_s: float = 0.05) -> dict[str, float]:
    """Stands for a call to the exchange's API: it mostly waits on the network."""
    time.sleep(delay_s)
    return {"taker_fee": 0.0005, "tick_size": 0.01}


#: Kaufman's smoothing constants: an EMA of 2 bars when the market trends, of 30 when it is noise.
KAMA_FAST = 2.0 / (2 + 1)
KAMA_SLOW = 2.0 / (30 + 1)


def kama(values: F64Array, period: int) -> F64Array:
    """Kaufman's adaptive moving average over `period` bars, in a Python loop: the hot spot.

    The efficiency ratio (net move over the sum of absolute moves in the window) sets each bar's
    smoothing between KAMA_SLOW and KAMA_FAST, squared. The first `period` outputs are NaN; the
    average starts from the value at `period - 1`.
    """
    n = len(values)
    out = np.full(n, np.nan)
    if period < 1 or n <= period:
        return out
    volatility = 0.0  # the sum of absolute one-bar moves over the window, kept as a running sum
    for i in range(1, period):
        volatility += abs(values[i] - values[i - 1])
    previous = values[period - 1]
    for i in range(period, n):
        volatility += abs(values[i] - values[i - 1])
        if i > period:
            volatility -= abs(values[i - period] - values[i - period - 1])
        direction = abs(values[i] - values[i - period])
        ratio = direction / volatility if volatility > 0.0 else 0.0
        smoothing = (ratio * (KAMA_FAST - KAMA_SLOW) + KAMA_SLOW) ** 2
        previous += smoothing * (values[i] - previous)
        out[i] = previous
    return out


def rsi(values: F64Array, period: int = 14) -> F64Array:
    """Relative strength index with Wilder's smoothing (alpha = 1/period), in a Python loop.

    The engine has it already (`rust_bridge.rsi`): `devtool profile` says so instead of ranking it.
    """
    n = len(values)
    out = np.full(n, np.nan)
    if period < 1 or n <= period:
        return out
    gain = loss = 0.0
    for i in range(1, n):
        change = values[i] - values[i - 1]
        up, down = (change, 0.0) if change > 0.0 else (0.0, -change)
        if i <= period:  # the seed: plain averages of the first `period` changes
            gain += up / period
            loss += down / period
            if i < period:
                continue
        else:
            gain = (gain * (period - 1) + up) / period
            loss = (loss * (period - 1) + down) / period
        out[i] = 100.0 if loss == 0.0 else 100.0 - 100.0 / (1.0 + gain / loss)
    return out


def volatility_filter(values: F64Array, window: int = 50) -> F64Array:
    """Standard deviation of log returns over a sliding window (numpy: native already)."""
    returns = np.diff(np.log(values))
    out = np.full(len(values), np.nan)
    out[window:] = np.lib.stride_tricks.sliding_window_view(returns, window).std(axis=1)
    return out


def position_size(signal: float, equity: float, volatility: float) -> float:
    """Units to hold: a volatility-targeted fraction of equity. Tiny work per call."""
    if signal <= 0.0 or not volatility > 0.0:
        return 0.0
    return min(1.0, 0.01 / volatility) * equity


def backtest(
    prices: F64Array, fast: F64Array, slow: F64Array, strength: F64Array, volatility: F64Array, fee: float
) -> BacktestResult:
    """Long while the fast average is above the slow one and RSI is below 70, flat otherwise."""
    cash, units, trades = 1.0, 0.0, 0
    peak, max_drawdown = 1.0, 0.0
    bars = zip(
        prices.tolist(), fast.tolist(), slow.tolist(), strength.tolist(), volatility.tolist(), strict=True
    )
    for price, fast_value, slow_value, rsi_value, vol in bars:
        equity = cash + units * price
        signal = 1.0 if fast_value > slow_value and rsi_value < 70.0 else 0.0
        target = position_size(signal, equity, vol) / price
        if (target > 0.0) != (units > 0.0):
            cash -= (target - units) * price + abs(target - units) * price * fee
            units = target
            trades += 1
        if equity > peak:
            peak = equity
        elif 1.0 - equity / peak > max_drawdown:
            max_drawdown = 1.0 - equity / peak
    return BacktestResult(cash + units * prices[-1], trades, max_drawdown)


def pick_periods(
    prices: F64Array, averages: dict[int, F64Array], pairs: list[tuple[int, int]]
) -> tuple[int, int]:
    """The (fast, slow) pair whose crossover would have earned most, scored with numpy in one pass each."""
    returns = np.diff(np.log(prices), prepend=np.log(prices[0]))
    best, best_score = pairs[0], -math.inf
    for fast, slow in pairs:
        held = np.nan_to_num(averages[fast] > averages[slow]).astype(np.float64)
        score = float(np.sum(held[:-1] * returns[1:]))
        if score > best_score:
            best, best_score = (fast, slow), score
    return best


def run(n_bars: int = 200_000, seed: int = 7) -> BacktestResult:
    """The whole strategy: data, indicators, a parameter sweep, then a bar-by-bar backtest."""
    fees = fetch_fee_schedule()
    prices = generate_prices(n_bars, seed)
    pairs = [(fast, slow) for fast in (5, 10, 20) for slow in (50, 100, 200)]
    averages = {period: kama(prices, period) for period in sorted({p for pair in pairs for p in pair})}
    fast, slow = pick_periods(prices, averages, pairs)
    strength = rsi(prices, 14)
    volatility = np.nan_to_num(volatility_filter(prices, 50), nan=0.0)
    return backtest(prices, averages[fast], averages[slow], strength, volatility, fees["taker_fee"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bars", type=int, default=200_000, help="number of price bars (default 200000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    result = run(args.bars, args.seed)
    print(
        f"{args.bars} bars: final equity {result.final_equity:.4f}, {result.trades} trades, "
        f"max drawdown {result.max_drawdown:.1%}"
    )


if __name__ == "__main__":
    main()
