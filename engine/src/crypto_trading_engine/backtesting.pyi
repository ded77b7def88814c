"""Backtesting, compiled from Rust (`engine/rust/src/backtesting`).

The low-level API behind `rust_bridge`: arrays must already be C-contiguous, aligned float64 (int64
for windows) NumPy arrays; results come back as plain tuples. Use `rust_bridge.backtest` and
`rust_bridge.sma_crossover_sweep` for other inputs, named results, defaults, the Dask path and the
conventions (next-bar execution, costs, statistics).

Invalid arguments raise `ValueError` naming the argument; arrays of another dtype, dimension or
layout raise `TypeError`; negative `threads` `OverflowError`.
"""

import numpy as np
import numpy.typing as npt

__all__: list[str] = []

def backtest(
    close: npt.NDArray[np.float64],
    position: npt.NDArray[np.float64],
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
) -> tuple[npt.NDArray[np.float64], float, float, float, float, int, float]:
    """(equity, total return, Sharpe, Sortino, max drawdown, trades, turnover) of `position`
    (decided at each close, held over the next bar) on `close`.

    Raises:
        ValueError: arrays of different lengths, a bad fee, slippage or periods_per_year (fee_bps +
            slippage_bps 10000 or more), a close not finite and > 0, or a position outside [-1, 1].
    """

__all__ += ["backtest"]

def sma_crossover_sweep(
    close: npt.NDArray[np.float64],
    fast_windows: npt.NDArray[np.int64],
    slow_windows: npt.NDArray[np.int64],
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
    allow_short: bool,
    threads: int,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
]:
    """The moving-average crossover backtest of every (row of `close`, fast < slow window pair),
    on rayon threads (`threads` = 0: the global pool), the GIL released: the columns symbol, fast,
    slow, total return, Sharpe, Sortino, max drawdown, trades, turnover.

    Raises:
        ValueError: a window outside 1..series length, a bad fee, slippage or periods_per_year
            (fee_bps + slippage_bps 10000 or more), a close not finite and > 0, or a thread pool
            that cannot start.
    """

__all__ += ["sma_crossover_sweep"]
