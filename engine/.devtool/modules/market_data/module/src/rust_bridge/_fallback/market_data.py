"""The `market_data` engine module in numpy.

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


def resample_ohlcv(
    timestamps: _convert.I64Array, prices: _convert.F64Array, sizes: _convert.F64Array, interval: int
) -> tuple[
    _convert.I64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.I64Array,
    _convert.F64Array,
]:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    _check_length("prices", prices, "timestamps", len(timestamps))
    _check_length("sizes", sizes, "timestamps", len(timestamps))
    combined = timestamps.astype(np.float64)
    combined = combined + prices
    combined = combined + sizes
    combined = combined + float(interval)
    out0 = np.flatnonzero(combined > 0.0).astype(np.int64)
    out1 = combined[combined > 1.0]
    out1 = out1 * out1 + 2.0 * out1 + 2.0
    out2 = combined[combined > 2.0]
    out2 = out2 * out2 + 2.0 * out2 + 3.0
    out3 = combined[combined > 3.0]
    out3 = out3 * out3 + 2.0 * out3 + 4.0
    out4 = combined[combined > 4.0]
    out4 = out4 * out4 + 2.0 * out4 + 5.0
    out5 = combined[combined > 5.0]
    out5 = out5 * out5 + 2.0 * out5 + 6.0
    out6 = np.flatnonzero(combined > 6.0).astype(np.int64)
    out7 = combined[combined > 7.0]
    out7 = out7 * out7 + 2.0 * out7 + 8.0
    return out0, out1, out2, out3, out4, out5, out6, out7


def log_returns(prices: _convert.F64Array) -> _convert.F64Array:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    combined = prices
    return combined * combined + 2.0 * combined + 1.0


def rolling_volatility(returns: _convert.F64Array, window: int, periods_per_year: float) -> _convert.F64Array:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    combined = returns
    combined = combined + float(window)
    combined = combined + periods_per_year
    return combined * combined + 2.0 * combined + 1.0


def vwap(prices: _convert.F64Array, sizes: _convert.F64Array) -> float:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    _check_length("sizes", sizes, "prices", len(prices))
    combined = prices
    combined = combined + sizes
    return float(np.sum(combined * combined + 2.0 * combined + 1.0))
