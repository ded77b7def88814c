"""`sma_crossover_sweep` on this machine: the table's shape and order, each row as the backtest of
its positions, Rust against the fallback, any number of threads, and the same refusals from both.

(`test_sweep_dask.py` runs it on a Dask cluster.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

# isort: split
import rust_bridge

from .conftest import crossover_positions, random_closes

FAST = [3, 10, 40]
SLOW = [5, 20, 40]
#: (fast, slow) with fast < slow, in the order given.
PAIRS = [(3, 5), (3, 20), (3, 40), (10, 20), (10, 40)]


def _assert_same_table(
    actual: rust_bridge.SweepTable, expected: rust_bridge.SweepTable, *, rtol: float
) -> None:
    for name, a, e in zip(expected._fields, actual, expected, strict=True):
        assert a.dtype == e.dtype, name
        if a.dtype == np.int64:
            np.testing.assert_array_equal(a, e, err_msg=name)
        else:
            np.testing.assert_allclose(a, e, rtol=rtol, atol=rtol, equal_nan=True, err_msg=name)


def test_one_row_per_symbol_and_pair_symbol_major(backend: Any) -> None:
    table = rust_bridge.sma_crossover_sweep(random_closes(3, 200), FAST, SLOW, backend=backend)
    assert isinstance(table, rust_bridge.SweepTable)
    np.testing.assert_array_equal(table.symbol, np.repeat([0, 1, 2], len(PAIRS)))
    np.testing.assert_array_equal(table.fast, [f for f, _ in PAIRS] * 3)
    np.testing.assert_array_equal(table.slow, [s for _, s in PAIRS] * 3)
    frame = table.to_pandas()
    assert list(frame.columns) == list(rust_bridge.SweepTable._fields)
    assert len(frame) == 3 * len(PAIRS)


@pytest.mark.parametrize("allow_short", [True, False])
def test_each_row_is_the_backtest_of_its_crossover_positions(backend: Any, allow_short: bool) -> None:
    close = random_closes(2, 3_000, seed=3)
    table = rust_bridge.sma_crossover_sweep(close, FAST, SLOW, 5.0, 2.0, 252.0, allow_short, backend=backend)
    for row in range(len(table.symbol)):
        symbol, fast, slow = table.symbol[row], table.fast[row], table.slow[row]
        position = crossover_positions(close[symbol], fast, slow, allow_short=allow_short)
        expected = rust_bridge.backtest(close[symbol], position, 5.0, 2.0, 252.0, backend=backend)
        for name in ("total_return", "sharpe", "sortino", "max_drawdown", "trades", "turnover"):
            assert getattr(table, name)[row] == pytest.approx(getattr(expected, name), rel=1e-12), name


def test_long_only_exits_where_long_short_reverses(backend: Any) -> None:
    close = random_closes(1, 1_000, seed=5)
    both = rust_bridge.sma_crossover_sweep(close, [5], [30], backend=backend)
    long = rust_bridge.sma_crossover_sweep(close, [5], [30], allow_short=False, backend=backend)
    # The same changes of side, but 1 unit each instead of 2 (and no trade into a first short).
    assert long.trades[0] in (both.trades[0], both.trades[0] - 1)
    assert long.turnover[0] == long.trades[0] < both.turnover[0]


def test_a_slow_window_as_long_as_the_series_never_trades(backend: Any) -> None:
    table = rust_bridge.sma_crossover_sweep(random_closes(1, 50), [2], [50], backend=backend)
    assert (table.total_return[0], table.trades[0]) == (0.0, 0)
    assert math.isnan(table.sharpe[0])


@pytest.mark.parametrize(
    ("fast", "slow"), [([], [5]), ([5], [3]), ([5], [5])], ids=["no-fast", "fast-above-slow", "equal"]
)
def test_a_grid_without_pairs_gives_an_empty_table(backend: Any, fast: list[int], slow: list[int]) -> None:
    table = rust_bridge.sma_crossover_sweep(random_closes(2, 50), fast, slow, backend=backend)
    assert all(len(column) == 0 for column in table)
    assert table.trades.dtype == np.int64 and table.sharpe.dtype == np.float64


@pytest.mark.float_parity
@pytest.mark.parametrize(("rows", "bars"), [(1, 2), (4, 500), (3, 5_000)])
def test_rust_matches_fallback(rows: int, bars: int) -> None:
    close = random_closes(rows, bars, seed=bars)
    fast, slow = [1, 2, min(bars, 7)], [2, min(bars, 9), min(bars, 60)]
    rust = rust_bridge.sma_crossover_sweep(close, fast, slow, 5.0, 2.0, 365.0, backend="rust")
    python = rust_bridge.sma_crossover_sweep(close, fast, slow, 5.0, 2.0, 365.0, backend="python")
    _assert_same_table(rust, python, rtol=1e-9)


def test_the_table_does_not_depend_on_the_threads() -> None:
    close = random_closes(7, 2_000, seed=11)
    one = rust_bridge.sma_crossover_sweep(close, FAST, SLOW, 5.0, threads=1)
    for threads in (2, 3, None):
        _assert_same_table(
            rust_bridge.sma_crossover_sweep(close, FAST, SLOW, 5.0, threads=threads), one, rtol=0.0
        )


GOOD = {"close": [[100.0, 101.0, 102.0, 103.0]] * 2, "fast_windows": [1], "slow_windows": [2]}
BAD_INPUTS = [
    pytest.param({"close": [100.0, 101.0]}, ValueError, "close must be 2-dimensional", id="close-1d"),
    pytest.param(
        {"fast_windows": [1, 0]},
        ValueError,
        "fast_windows must be from 1 to the series length (4): fast_windows[1] is 0",
        id="fast-0",
    ),
    pytest.param({"slow_windows": [5]}, ValueError, "slow_windows[0] is 5", id="slow-too-long"),
    pytest.param({"slow_windows": [2.5]}, TypeError, "slow_windows", id="slow-floats"),
    pytest.param(
        {"fast_windows": np.array([1, 2**63], np.uint64)},
        ValueError,
        "fast_windows must be integers from -2**63 to 2**63 - 1 (int64): "
        "fast_windows[1] is 9223372036854775808",
        id="fast-uint64-beyond-int64",
    ),
    pytest.param({"fee_bps": -1.0}, ValueError, "fee_bps must be a finite number >= 0", id="fee"),
    pytest.param(
        {"fee_bps": 5_000.0, "slippage_bps": 5_000.0},
        ValueError,
        "fee_bps + slippage_bps must be < 10000",
        id="fee-plus-slippage",
    ),
    pytest.param({"periods_per_year": math.inf}, ValueError, "periods_per_year", id="ppy"),
    pytest.param({"allow_short": 1}, TypeError, "allow_short must be a bool", id="allow-short-int"),
    pytest.param({"threads": -1}, ValueError, "threads must be >= 0", id="threads-negative"),
    # Rust raised OverflowError beyond usize where numpy ran; and any number of threads was started.
    pytest.param(
        {"threads": 2**64},
        ValueError,
        "threads must be <= 1024, got 18446744073709551616",
        id="threads-2**64",
    ),
    pytest.param({"threads": 1025}, ValueError, "threads must be <= 1024, got 1025", id="threads-1025"),
    pytest.param({"threads": 4096}, ValueError, "threads must be <= 1024, got 4096", id="threads-4096"),
    pytest.param(
        {"close": [[100.0, 101.0, 102.0, 103.0], [100.0, 101.0, math.nan, 103.0]]},
        ValueError,
        "close must be finite and > 0: close[1, 2] is not",
        id="close-nan",
    ),
    pytest.param(
        {"close": [[100.0, 0.0, 102.0, 103.0]] * 2, "fast_windows": [9]},
        ValueError,
        "fast_windows[0] is 9",
        id="windows-before-closes",
    ),
]


@pytest.mark.parametrize(("changes", "error", "message"), BAD_INPUTS)
def test_bad_input_raises_the_same_error_from_both_backends(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    kwargs = {**GOOD, **changes}
    with pytest.raises(error) as from_rust:
        rust_bridge.sma_crossover_sweep(**kwargs, backend="rust")
    with pytest.raises(error) as from_python:
        rust_bridge.sma_crossover_sweep(**kwargs, backend="python")
    assert type(from_rust.value) is type(from_python.value) is error
    assert str(from_rust.value) == str(from_python.value)
    assert message in str(from_rust.value)


def test_compiled_module_exports_the_function() -> None:
    from crypto_trading_engine.backtesting import sma_crossover_sweep as native

    assert native.__name__ == "sma_crossover_sweep"
