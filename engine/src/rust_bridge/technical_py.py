"""Technical indicators: Rust when available, numpy fallback otherwise."""

from __future__ import annotations

from typing import Any

from . import _native
from ._convert import F64Array, as_f64_1d, as_int
from ._fallback import technical as _fallback

_rust = _native.native_module("technical")


def sma(values: Any, period: int = 30, *, backend: _native.Backend = "auto") -> F64Array:
    """Simple moving average over `period` points; the first `period - 1` outputs are NaN."""
    arr = as_f64_1d(values, "values")
    period = as_int(period, "period", minimum=1)
    return _native.pick(_rust, _fallback, backend).sma(arr, period)
