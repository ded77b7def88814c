"""Technical indicators in numpy, with TA-Lib's conventions. Inputs arrive normalised by the bridge."""

from __future__ import annotations

import numpy as np

from .._convert import F64Array


def sma(values: F64Array, period: int) -> F64Array:
    """Simple moving average; the first `period - 1` outputs are NaN."""
    out = np.full(values.shape, np.nan)
    csum = np.cumsum(values)
    out[period - 1 :] = (csum[period - 1 :] - np.concatenate(([0.0], csum[:-period]))) / period
    return out
