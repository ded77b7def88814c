"""Market data, compiled from Rust (`engine/rust/src/market_data`).

The low-level API behind `rust_bridge`: arrays must already be C-contiguous, aligned float64 (int64
timestamps) NumPy arrays; results come back as plain tuples. Use `rust_bridge` for other inputs
(lists, `datetime64` timestamps), named bars, defaults and the conventions.

Invalid arguments raise `ValueError` naming the argument; arrays of another dtype, dimension or
layout raise `TypeError`; a negative window `OverflowError`.
"""

import numpy as np
import numpy.typing as npt

__all__: list[str] = []

def resample_ohlcv(
    timestamps: npt.NDArray[np.int64],
    prices: npt.NDArray[np.float64],
    sizes: npt.NDArray[np.float64],
    interval: int,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
]:
    """Trades (ns timestamps, sorted) into bars of `interval` ns aligned to the epoch, empty bars
    included: (start, open, high, low, close, volume, count, vwap).

    Raises:
        ValueError: arrays of different lengths, interval <= 0, unsorted timestamps, a price not
            finite, a size negative or not finite, or more than 100 million bars.
    """

__all__ += ["resample_ohlcv"]

def log_returns(prices: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """NaN, then ln(prices[t] / prices[t - 1])."""

__all__ += ["log_returns"]

def rolling_volatility(
    returns: npt.NDArray[np.float64],
    window: int,
    periods_per_year: float,
) -> npt.NDArray[np.float64]:
    """std(trailing `window` returns, ddof=1) * sqrt(periods_per_year); NaN for the first
    `window - 1` points and for windows holding a NaN or an infinity; inf only where the
    volatility is beyond the largest double.

    Raises:
        ValueError: window below 2 or longer than `returns`, or periods_per_year not finite and > 0.
    """

__all__ += ["rolling_volatility"]

def vwap(prices: npt.NDArray[np.float64], sizes: npt.NDArray[np.float64]) -> float:
    """sum(prices * sizes) / sum(sizes), NaN when the sizes sum to 0.

    Raises:
        ValueError: `sizes` not as long as `prices`.
    """

__all__ += ["vwap"]
