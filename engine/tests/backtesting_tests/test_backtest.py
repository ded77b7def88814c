"""`backtest`: every convention on hand-computed cases, Rust against the fallback, vectorbt as an
outside reference, and the same refusals from both backends.

The tests that call backend="rust" fail (they are never skipped) when the compiled module lacks
the function.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

# isort: split
import rust_bridge

from .conftest import random_closes

C = 0.001  # 10 bps per unit of position traded


def test_hand_computed_case(backend: Any) -> None:
    # Decided at each close, held over the next bar: long over bars 1 and 2, flat over 3, short
    # over 4; the last position (+1) is never held. 10 bps per unit traded.
    close = [100.0, 110.0, 99.0, 99.0, 89.1]
    position = [1.0, 1.0, 0.0, -1.0, 1.0]
    result = rust_bridge.backtest(
        close, position, fee_bps=6.0, slippage_bps=4.0, periods_per_year=4.0, backend=backend
    )
    assert isinstance(result, rust_bridge.BacktestResult)
    # Bar 1: buy 1 unit (pay 0.1%), +10%. Bar 2: -10%. Bar 3: sell (0.1%), flat. Bar 4: short 1
    # unit (0.1%), the price falls 10%: +10%.
    growth = np.array([(1 - C) * 1.1, 0.9, 1 - C, (1 - C) * 1.1])
    np.testing.assert_allclose(result.equity, np.concatenate([[1.0], np.cumprod(growth)]), rtol=1e-15)
    assert result.total_return == pytest.approx(np.prod(growth) - 1, rel=1e-14)
    net = growth - 1
    mean, std = net.mean(), net.std(ddof=1)
    downside = math.sqrt(np.mean(np.minimum(net, 0) ** 2))
    assert result.sharpe == pytest.approx(mean / std * 2.0, rel=1e-12)  # sqrt(4 periods a year)
    assert result.sortino == pytest.approx(mean / downside * 2.0, rel=1e-12)
    # The peak after bar 1, then down 10% and the cost of leaving.
    assert result.max_drawdown == pytest.approx(1 - 0.9 * (1 - C), rel=1e-14)
    assert (result.trades, result.turnover) == (3, 3.0)


def test_no_look_ahead_a_position_earns_the_next_bar_only(backend: Any) -> None:
    # Long only at the close of bar 1: earns bar 2 (+20%), not bar 1 (+100%) nor bar 3 (-50%).
    result = rust_bridge.backtest([1.0, 2.0, 2.4, 1.2], [0.0, 1.0, 0.0, 0.0], backend=backend)
    np.testing.assert_allclose(result.equity, [1.0, 1.0, 1.2, 1.2], rtol=1e-15)


def test_a_short_position_earns_the_fall(backend: Any) -> None:
    result = rust_bridge.backtest([100.0, 80.0], [-0.5, 0.0], backend=backend)
    assert result.total_return == pytest.approx(0.1, rel=1e-14)  # half short, a 20% fall


def test_fee_and_slippage_are_charged_per_unit_traded(backend: Any) -> None:
    flat_prices = [100.0] * 5
    # In at 1, reverse to -1 (2 units), out (1 unit): 4 units at 7 bps.
    result = rust_bridge.backtest(flat_prices, [1.0, -1.0, -1.0, 0.0, 0.0], 5.0, 2.0, backend=backend)
    assert result.total_return == pytest.approx((1 - 7e-4) * (1 - 14e-4) * (1 - 7e-4) - 1, rel=1e-14)
    assert (result.trades, result.turnover) == (3, 4.0)
    # Costs depend on the sum of fee and slippage only.
    same = rust_bridge.backtest(flat_prices, [1.0, -1.0, -1.0, 0.0, 0.0], 7.0, 0.0, backend=backend)
    assert same.total_return == result.total_return


def test_drawdown_is_measured_from_the_running_peak(backend: Any) -> None:
    # Up 50%, down to 75 (a third off the peak), up to a new peak, down 10%.
    result = rust_bridge.backtest([100, 150, 75, 200, 180], [1, 1, 1, 1, 1], backend=backend)
    assert result.max_drawdown == pytest.approx(0.5, rel=1e-14)


def test_zero_deviation_gives_nan_for_a_flat_account_and_inf_for_steady_gains(backend: Any) -> None:
    flat = rust_bridge.backtest(random_closes(1, 50)[0], np.zeros(50), backend=backend)
    assert (flat.total_return, flat.max_drawdown, flat.trades) == (0.0, 0.0, 0)
    assert math.isnan(flat.sharpe) and math.isnan(flat.sortino)
    steady = rust_bridge.backtest(2.0 ** np.arange(10), np.ones(10), backend=backend)  # +100% a bar, exactly
    assert steady.sharpe == math.inf and steady.sortino == math.inf


@pytest.mark.parametrize("n", [0, 1, 2])
def test_short_series(backend: Any, n: int) -> None:
    result = rust_bridge.backtest(np.full(n, 100.0), np.ones(n), backend=backend)
    assert len(result.equity) == n
    assert (result.total_return, result.max_drawdown) == (0.0, 0.0)
    assert math.isnan(result.sharpe)  # fewer than 2 returns


@pytest.mark.float_parity
@pytest.mark.parametrize("n", [3, 1_000, 2_049, 100_003])
def test_rust_matches_fallback(n: int) -> None:
    close = random_closes(1, n, seed=n)[0]
    rng = np.random.default_rng(n)
    position = np.repeat(rng.uniform(-1, 1, n // 7 + 1), 7)[:n]  # held for a week at a time
    rust = rust_bridge.backtest(close, position, 5.0, 2.0, 365.0, backend="rust")
    python = rust_bridge.backtest(close, position, 5.0, 2.0, 365.0, backend="python")
    np.testing.assert_allclose(rust.equity, python.equity, rtol=1e-12)
    for name in ("total_return", "sharpe", "sortino", "max_drawdown", "turnover"):
        assert getattr(rust, name) == pytest.approx(getattr(python, name), rel=1e-9, abs=1e-12), name
    assert rust.trades == python.trades
    assert type(rust.trades) is int and type(python.trades) is int


@pytest.mark.float_parity
@pytest.mark.filterwarnings("ignore::Warning:vectorbt")  # its own deprecations, under pandas 3
def test_agrees_with_vectorbt() -> None:
    """vectorbt as an outside reference: the same long/short positions as target percents,
    executed at the close they are decided at (so held over the next bar, as here)."""
    vbt = pytest.importorskip("vectorbt")
    pd = pytest.importorskip("pandas")
    close = random_closes(1, 500, seed=7)[0]
    position = np.sign(np.sin(np.arange(500) / 15.0))
    position[-1] = position[-2]  # vectorbt would trade at the last close; here it is never held
    ours = rust_bridge.backtest(close, position, periods_per_year=365.0)
    index = pd.date_range("2026-01-01", periods=500, freq="D")
    portfolio = vbt.Portfolio.from_orders(
        pd.Series(close, index=index), pd.Series(position, index=index), size_type="targetpercent", freq="1D"
    )
    np.testing.assert_allclose(ours.equity, portfolio.value().to_numpy() / portfolio.init_cash, rtol=1e-10)
    assert ours.total_return == pytest.approx(portfolio.total_return(), rel=1e-10)
    assert ours.max_drawdown == pytest.approx(-portfolio.max_drawdown(), rel=1e-10)  # reported < 0 there
    # vectorbt rebalances to the target every bar (241 orders); its positions are our trades here.
    assert ours.trades == portfolio.positions.count()
    # vectorbt's returns start at bar 0 (a 0 before anything is held); ours from bar 1.
    returns = portfolio.returns().iloc[1:].vbt.returns(year_freq="365D")
    assert ours.sharpe == pytest.approx(returns.sharpe_ratio(), rel=1e-9)
    assert ours.sortino == pytest.approx(returns.sortino_ratio(), rel=1e-9)


def _assert_same_result(rust: rust_bridge.BacktestResult, python: rust_bridge.BacktestResult) -> None:
    """The same values from both backends, NaN and infinities at the same places."""
    np.testing.assert_allclose(rust.equity, python.equity, rtol=1e-12, equal_nan=True)
    for name in ("total_return", "sharpe", "sortino", "max_drawdown", "turnover"):
        np.testing.assert_allclose(getattr(rust, name), getattr(python, name), rtol=1e-9, err_msg=name)
    assert rust.trades == python.trades


@pytest.mark.float_parity
@pytest.mark.parametrize(
    ("close", "position", "max_drawdown"),
    [
        # A close ratio beyond the largest double: the equity overflows to inf, then NaN (a flat
        # bar earns 0 * inf). Rust gave a NaN drawdown, numpy 0.0 (max(0.0, nan)).
        ([1e-300, 1e300, 1.0, 2.0, 3.0], [1.0, 0.0, 1.0, 1.0, 0.0], math.nan),
        ([1e-300, 1e300, 1.0, 2.0, 3.0], [1.0, 1.0, 1.0, 1.0, 0.0], math.nan),
        ([1e-300, 1e300, 1e300], [1.0, -1.0, 0.0], math.nan),
        # A short position through a price that triples: negative equity (a drawdown beyond 1), finite.
        ([100.0, 300.0, 300.0, 150.0], [-1.0, -1.0, 1.0, 0.0], 1.0),
    ],
    ids=["overflow-then-flat", "overflow-held", "overflow-reversed", "negative-equity"],
)
def test_both_backends_agree_on_extreme_values(
    close: list[float], position: list[float], max_drawdown: float
) -> None:
    rust = rust_bridge.backtest(close, position, 20.0, backend="rust")
    python = rust_bridge.backtest(close, position, 20.0, backend="python")
    _assert_same_result(rust, python)
    if math.isnan(max_drawdown):
        assert math.isnan(rust.max_drawdown) and not math.isfinite(rust.equity[-1])
    else:
        assert rust.max_drawdown > max_drawdown


@pytest.mark.float_parity
def test_a_fee_just_below_10000_bps_is_accepted_and_agrees(backend: Any) -> None:
    close = random_closes(1, 200, seed=2)[0]
    position = np.sign(np.sin(np.arange(200) / 5.0))  # reversals: 2 units traded, negative equity
    result = rust_bridge.backtest(close, position, 5_000.0, 4_999.0, backend=backend)
    assert np.isfinite(result.equity).all() and (result.equity < 0).any()
    _assert_same_result(
        rust_bridge.backtest(close, position, 5_000.0, 4_999.0, backend="rust"),
        rust_bridge.backtest(close, position, 5_000.0, 4_999.0, backend="python"),
    )


BAD_INPUTS = [
    pytest.param(
        {"position": [0.0, 0.0]},
        ValueError,
        "position must have the same length as close: 2 != 3",
        id="length",
    ),
    pytest.param({"close": np.zeros((3, 1))}, ValueError, "close", id="close-2d"),
    pytest.param({"position": ["a", "b", "c"]}, TypeError, "position", id="position-not-numbers"),
    pytest.param({"fee_bps": -1.0}, ValueError, "fee_bps must be a finite number >= 0", id="fee-negative"),
    pytest.param(
        {"slippage_bps": math.nan}, ValueError, "slippage_bps must be a finite number >= 0", id="slip-nan"
    ),
    pytest.param(
        {"periods_per_year": 0.0}, ValueError, "periods_per_year must be a finite number > 0", id="ppy-0"
    ),
    pytest.param({"fee_bps": "5"}, TypeError, "fee_bps", id="fee-str"),
    pytest.param(
        {"fee_bps": 10_000.0},
        ValueError,
        "fee_bps + slippage_bps must be < 10000 (100% of equity per unit of position traded)",
        id="fee-10000",
    ),
    pytest.param({"fee_bps": 1e300}, ValueError, "fee_bps + slippage_bps must be < 10000", id="fee-1e300"),
    pytest.param(
        {"fee_bps": 6_000.0, "slippage_bps": 4_000.0},
        ValueError,
        "fee_bps + slippage_bps must be < 10000",
        id="fee-plus-slippage",
    ),
    pytest.param(
        {"fee_bps": 1e300, "periods_per_year": 0.0},
        ValueError,
        "fee_bps + slippage_bps",
        id="cost-before-ppy",
    ),
    pytest.param(
        {"close": [100.0, 0.0, 100.0]},
        ValueError,
        "close must be finite and > 0: close[1] is not",
        id="close-0",
    ),
    pytest.param({"close": [100.0, 100.0, math.inf]}, ValueError, "close[2] is not", id="close-inf"),
    pytest.param(
        {"position": [0.0, 1.5, 0.0]},
        ValueError,
        "position must be within [-1, 1]: position[1] is not",
        id="pos-1.5",
    ),
    pytest.param({"position": [0.0, 0.0, math.nan]}, ValueError, "position[2] is not", id="pos-nan-last"),
    pytest.param(
        {"close": [100.0, 100.0, -1.0], "position": [0.0, 0.0, 2.0]},
        ValueError,
        "close[2] is not",
        id="close-first",
    ),
]


@pytest.mark.parametrize(("changes", "error", "message"), BAD_INPUTS)
def test_bad_input_raises_the_same_error_from_both_backends(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    kwargs = {"close": [100.0, 101.0, 102.0], "position": [0.0, 1.0, 0.0], **changes}
    with pytest.raises(error) as from_rust:
        rust_bridge.backtest(**kwargs, backend="rust")
    with pytest.raises(error) as from_python:
        rust_bridge.backtest(**kwargs, backend="python")
    assert str(from_rust.value) == str(from_python.value)
    assert message in str(from_rust.value)


def test_a_bad_value_deep_in_a_long_series_is_named() -> None:
    close = random_closes(1, 10_000)[0]
    position = np.zeros(10_000)
    position[7_777] = -1.01
    for backend in ("rust", "python"):
        with pytest.raises(ValueError, match=r"position\[7777\]"):
            rust_bridge.backtest(close, position, backend=backend)


def test_compiled_module_exports_the_function() -> None:
    from crypto_trading_engine.backtesting import backtest as native

    assert native.__name__ == "backtest"
