"""Tests of the example strategy; also a pytest target to profile:

devtool profile examples/test_strategy.py::test_backtest_trades
"""

from __future__ import annotations

import numpy as np

from examples.strategy import backtest, ema, generate_prices, rsi, run


def test_ema_is_seeded_with_the_mean_of_the_first_period() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    out = ema(values, 3)
    assert np.isnan(out[:2]).all()
    assert out[2] == 2.0
    assert out[3] == 2.0 + 0.5 * (4.0 - 2.0)


def test_rsi_is_100_when_prices_only_rise() -> None:
    out = rsi(np.arange(1.0, 40.0), 14)
    assert np.isnan(out[:14]).all()
    assert (out[14:] == 100.0).all()


def test_backtest_trades() -> None:
    prices = generate_prices(50_000, seed=3)
    fast, slow = ema(prices, 10), ema(prices, 50)
    flat = np.full(len(prices), 50.0)
    result = backtest(prices, fast, slow, flat, np.full(len(prices), 0.01), fee=0.0005)
    assert result.trades > 0
    assert 0.0 <= result.max_drawdown <= 1.0


def test_run_is_reproducible() -> None:
    assert run(5_000, seed=1) == run(5_000, seed=1)
