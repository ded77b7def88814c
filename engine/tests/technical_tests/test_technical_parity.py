"""Rust, the numpy fallback and TA-Lib agree on random data (hypothesis, derandomised)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rust_bridge as rb

talib = pytest.importorskip("talib")

pytestmark = pytest.mark.float_parity

PROPERTY = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@st.composite
def price_series(draw: st.DrawFn, min_size: int = 1, max_size: int = 300) -> np.ndarray:
    """Geometric random walks at several price levels and volatilities."""
    n = draw(st.integers(min_size, max_size))
    seed = draw(st.integers(0, 2**32 - 1))
    level = draw(st.sampled_from([1e-3, 1.0, 100.0, 3e4]))
    vol = draw(st.sampled_from([1e-4, 1e-2, 0.3]))
    steps = np.random.default_rng(seed).normal(0.0, vol, n)
    return level * np.exp(np.cumsum(steps))


finite_floats = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False)
raw_series = st.lists(finite_floats, min_size=1, max_size=60).map(lambda v: np.array(v, dtype=np.float64))
any_series = st.one_of(price_series(), raw_series)


def scale_of(x: np.ndarray) -> float:
    return float(np.max(np.abs(x))) if len(x) else 1.0


def both(name: str, *args: Any) -> tuple[Any, Any]:
    """The function's result from Rust and from the fallback."""
    function = getattr(rb.technical_py, name)
    python = function(*args, backend="python")
    rust = function(*args, backend="rust") if rb.RUST_AVAILABLE else python
    return rust, python


@PROPERTY
@given(data=st.data(), x=any_series)
def test_sma(agree, data: st.DataObject, x: np.ndarray) -> None:
    period = data.draw(st.integers(1, len(x)), label="period")
    rust, python = both("sma", x, period)
    agree(rust, python, scale=scale_of(x))
    agree(rust, talib.SMA(x, period), scale=scale_of(x))


@PROPERTY
@given(data=st.data(), x=any_series)
def test_ema(agree, data: st.DataObject, x: np.ndarray) -> None:
    period = data.draw(st.integers(1, len(x)), label="period")
    rust, python = both("ema", x, period)
    agree(rust, python, scale=scale_of(x))
    agree(rust, talib.EMA(x, period), scale=scale_of(x))


@PROPERTY
@given(data=st.data(), x=any_series)
def test_rsi(agree, data: st.DataObject, x: np.ndarray) -> None:
    period = data.draw(st.integers(1, len(x)), label="period")
    rust, python = both("rsi", x, period)
    agree(rust, python, scale=100.0)
    if period >= 2:  # TA-Lib's RSI starts at 2
        agree(rust, talib.RSI(x, period), scale=100.0)


@PROPERTY
@given(data=st.data(), x=any_series)
def test_kama(agree, data: st.DataObject, x: np.ndarray) -> None:
    period = data.draw(st.integers(1, len(x)), label="period")
    rust, python = both("kama", x, period)
    agree(rust, python, scale=scale_of(x))
    agree(rust, talib.KAMA(x, period), scale=scale_of(x))


@PROPERTY
@given(data=st.data(), x=any_series)
def test_bollinger_bands(agree, data: st.DataObject, x: np.ndarray) -> None:
    period = data.draw(st.integers(1, len(x)), label="period")
    up, down = data.draw(st.sampled_from([(2.0, 2.0), (1.0, 3.5), (0.0, 0.5)]), label="widths")
    rust, python = both("bollinger_bands", x, period, up, down)
    agree(rust, python, scale=scale_of(x))
    if period >= 2:  # TA-Lib's BBANDS starts at 2
        agree(rust, tuple(talib.BBANDS(x, period, up, down)), scale=scale_of(x))


@PROPERTY
@given(data=st.data(), x=price_series(min_size=2))
def test_macd(agree, data: st.DataObject, x: np.ndarray) -> None:
    slow = data.draw(st.integers(2, min(len(x), 60)), label="slow")
    fast = data.draw(st.integers(1, slow - 1), label="fast")
    signal = data.draw(st.integers(1, min(len(x), 30)), label="signal")
    rust, python = both("macd", x, fast, slow, signal)
    agree(rust, python, scale=scale_of(x))
    if fast >= 2:  # TA-Lib's MACD starts at 2
        agree(rust, tuple(talib.MACD(x, fast, slow, signal)), scale=scale_of(x))


@PROPERTY
@given(data=st.data(), close=any_series)
def test_atr(agree, data: st.DataObject, close: np.ndarray) -> None:
    n = len(close)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    high = close + rng.random(n) * np.abs(close) * 0.01
    low = close - rng.random(n) * np.abs(close) * 0.01
    period = data.draw(st.integers(1, n), label="period")
    rust, python = both("atr", high, low, close, period)
    agree(rust, python, scale=scale_of(close))
    agree(rust, talib.ATR(high, low, close, period), scale=scale_of(close))


@pytest.mark.parametrize("n", [100_000])
def test_default_parameters_match_talib_on_a_long_series(agree, walk, ohlc, n: int) -> None:
    x = walk(n, seed=7)
    high, low, close = ohlc(n, seed=7)
    scale = scale_of(x)
    agree(rb.sma(x), talib.SMA(x), scale=scale)
    agree(rb.ema(x), talib.EMA(x), scale=scale)
    agree(rb.rsi(x), talib.RSI(x), scale=100.0)
    agree(rb.technical_py.kama(x), talib.KAMA(x), scale=scale)
    agree(rb.bollinger_bands(x), tuple(talib.BBANDS(x, 20, 2.0, 2.0)), scale=scale)
    agree(rb.macd(x), tuple(talib.MACD(x)), scale=scale)
    agree(rb.atr(high, low, close), talib.ATR(high, low, close), scale=scale_of(close))
