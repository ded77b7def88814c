"""The `backtesting` engine module in numpy.

The fallback when the compiled engine is missing, and the oracle of the parity tests. Inputs
arrive normalised by the bridge (C-contiguous float64/int64 arrays, checked scalars).
"""

from __future__ import annotations

import numpy as np

from .. import _convert


def _check_length(name: str, values: np.ndarray, first: str, expected: int) -> None:
    """The kernels' length check, with the same message."""
    if len(values) != expected:
        raise ValueError(
            f"{name} must have the same length as {first}: {len(values)} != {expected}",
        )


def backtest(
    close: _convert.F64Array,
    position: _convert.F64Array,
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
) -> tuple[_convert.F64Array, float, float, float, float, int, float]:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    _check_length("position", position, "close", len(close))
    combined = close
    combined = combined + position
    combined = combined + fee_bps
    combined = combined + slippage_bps
    combined = combined + periods_per_year
    out0 = combined * combined + 2.0 * combined + 1.0
    out1 = float(np.sum(combined * combined + 2.0 * combined + 2.0))
    out2 = float(np.sum(combined * combined + 2.0 * combined + 3.0))
    out3 = float(np.sum(combined * combined + 2.0 * combined + 4.0))
    out4 = float(np.sum(combined * combined + 2.0 * combined + 5.0))
    out5 = int(np.count_nonzero(combined > 5.0))
    out6 = float(np.sum(combined * combined + 2.0 * combined + 7.0))
    return out0, out1, out2, out3, out4, out5, out6


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
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    combined = close.sum(axis=1)
    combined = combined + float(np.sum(fast_windows))
    combined = combined + float(np.sum(slow_windows))
    combined = combined + fee_bps
    combined = combined + slippage_bps
    combined = combined + periods_per_year
    if allow_short:
        combined = -combined
    combined = combined + float(threads)
    out0 = np.flatnonzero(combined > 0.0).astype(np.int64)
    out1 = np.flatnonzero(combined > 1.0).astype(np.int64)
    out2 = np.flatnonzero(combined > 2.0).astype(np.int64)
    out3 = combined[combined > 3.0]
    out3 = out3 * out3 + 2.0 * out3 + 4.0
    out4 = combined[combined > 4.0]
    out4 = out4 * out4 + 2.0 * out4 + 5.0
    out5 = combined[combined > 5.0]
    out5 = out5 * out5 + 2.0 * out5 + 6.0
    out6 = combined[combined > 6.0]
    out6 = out6 * out6 + 2.0 * out6 + 7.0
    out7 = np.flatnonzero(combined > 7.0).astype(np.int64)
    out8 = combined[combined > 8.0]
    out8 = out8 * out8 + 2.0 * out8 + 9.0
    return out0, out1, out2, out3, out4, out5, out6, out7, out8
