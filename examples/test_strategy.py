"""Tests of the example strategy; also a pytest target to profile:

devtool profile examples/test_strategy.py::test_backtest_trades
"""

from __future__ import annotations

import numpy as np
import pytest

from examples.strategy import KAMA_FAST, KAMA_SLOW, backtest, generate_prices, kama, rsi, run


def test_kama_follows_a_steady_trend_at_the_fast_rate() -> None:
    values = np.arange(1.0, 8.0)  # every move in the same direction: efficiency ratio 1
    out = kama(values, 3)
    assert np.isnan(out[:3]).all()
    assert out[3] == pytest.approx(3.0 + KAMA_FAST**2 * (4.0 - 3.0))


def test_kama_barely_moves_when_prices_only_chop() -> None:
    values = np.array([1.0, 2.0, 1.0, 2.0, 1.0, 2.0])  # net move 0 over an even window
    out = kama(values, 2)
    assert out[2] == pytest.approx(2.0 + KAMA_SLOW**2 * (1.0 - 2.0))


def test_kama_of_a_too_short_series_is_nan() -> None:
    assert np.isnan(kama(np.arange(3.0), 3)).all()
    assert np.isnan(kama(np.arange(3.0), 0)).all()


def test_rsi_is_100_when_prices_only_rise() -> None:
    out = rsi(np.arange(1.0, 40.0), 14)
    assert np.isnan(out[:14]).all()
    assert (out[14:] == 100.0).all()


def test_backtest_trades() -> None:
    prices = generate_prices(50_000, seed=3)
    fast, slow = kama(prices, 10), kama(prices, 50)
    flat = np.full(len(prices), 50.0)
    result = backtest(prices, fast, slow, flat, np.full(len(prices), 0.01), fee=0.0005)
    assert result.trades > 0
    assert 0.0 <= result.max_drawdown <= 1.0


def test_run_is_reproducible() -> None:
    assert run(5_000, seed=1) == run(5_000, seed=1)
