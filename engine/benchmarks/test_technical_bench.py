"""pytest-benchmark: Rust, the numpy fallback and TA-Lib side by side, per indicator and size.

    pytest engine/benchmarks --benchmark-group-by=group --benchmark-columns=min,median,rounds

Not part of the CI gate. Each group ("sma 1e6", ...) holds the three implementations; the fallback
is skipped at 1e6 for the recursive indicators unless BENCH_SLOW_FALLBACK=1 (about 0.3 s a call).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import rust_bridge as rb

talib: Any
try:
    import talib
except ImportError:
    talib = None

#: name -> (bridge call, TA-Lib call), both taking (high, low, close).
INDICATORS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "sma": (lambda h, lo, c, **kw: rb.sma(c, 20, **kw), lambda h, lo, c: talib.SMA(c, 20)),
    "ema": (lambda h, lo, c, **kw: rb.ema(c, 20, **kw), lambda h, lo, c: talib.EMA(c, 20)),
    "rsi": (lambda h, lo, c, **kw: rb.rsi(c, 14, **kw), lambda h, lo, c: talib.RSI(c, 14)),
    "bollinger_bands": (
        lambda h, lo, c, **kw: rb.bollinger_bands(c, 20, 2.0, 2.0, **kw),
        lambda h, lo, c: talib.BBANDS(c, 20, 2.0, 2.0),
    ),
    "macd": (lambda h, lo, c, **kw: rb.macd(c, 12, 26, 9, **kw), lambda h, lo, c: talib.MACD(c, 12, 26, 9)),
    "atr": (lambda h, lo, c, **kw: rb.atr(h, lo, c, 14, **kw), lambda h, lo, c: talib.ATR(h, lo, c, 14)),
    "kama": (lambda h, lo, c, **kw: rb.technical_py.kama(c, 30, **kw), lambda h, lo, c: talib.KAMA(c, 30)),
}
RECURSIVE = {"ema", "rsi", "macd", "atr", "kama"}


def _walk(n: int) -> dict[str, np.ndarray]:
    """A random-walk close of n points with a high and low around it."""
    rng = np.random.default_rng(n)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    spread = rng.random((2, n)) * close * 0.01
    return {"high": close + spread[0], "low": close - spread[1], "close": close}


def _rows(n: int, rows: int = 16) -> np.ndarray:
    """n points in all, as `rows` series of n // rows points (one per row)."""
    return np.stack([_walk(max(n // rows, 64))["close"] * (1 + r / 100) for r in range(rows)])


#: What `devtool bench` times: "module.function" -> the keyword arguments of size n.
BENCH_CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    "technical.sma": lambda n: {"values": _walk(n)["close"], "period": 20},
    "technical.ema": lambda n: {"values": _walk(n)["close"], "period": 20},
    "technical.rsi": lambda n: {"values": _walk(n)["close"], "period": 14},
    "technical.bollinger_bands": lambda n: {"values": _walk(n)["close"], "period": 20},
    "technical.macd": lambda n: {"values": _walk(n)["close"]},
    "technical.atr": lambda n: {**_walk(n), "period": 14},
    "technical.kama": lambda n: {"values": _walk(n)["close"], "period": 30},
    "technical.sma_batch": lambda n: {"values": _rows(n), "period": 20},
    "technical.ema_batch": lambda n: {"values": _rows(n), "period": 20},
    "technical.rsi_batch": lambda n: {"values": _rows(n), "period": 14},
}


@pytest.mark.parametrize("implementation", ["rust", "python", "talib"])
@pytest.mark.parametrize("name", list(INDICATORS))
def test_indicator(benchmark, ohlc, size: str, name: str, implementation: str) -> None:
    benchmark.group = f"{name} {size}"
    bridge, reference = INDICATORS[name]
    if implementation == "talib":
        if talib is None:
            pytest.skip("TA-Lib is not installed")
        benchmark(reference, *ohlc)
        return
    if implementation == "rust" and not rb.RUST_AVAILABLE:
        pytest.skip("the compiled engine is not built")
    slow = implementation == "python" and size == "1e6" and name in RECURSIVE
    if slow and not os.environ.get("BENCH_SLOW_FALLBACK"):
        pytest.skip("set BENCH_SLOW_FALLBACK=1 to time the fallback's Python loops at 1e6")
    benchmark(bridge, *ohlc, backend=implementation)


BATCH = {
    "sma": (lambda m: rb.sma_batch(m, 20, backend="rust"), lambda row: rb.sma(row, 20, backend="rust")),
    "ema": (lambda m: rb.ema_batch(m, 20, backend="rust"), lambda row: rb.ema(row, 20, backend="rust")),
    "rsi": (lambda m: rb.rsi_batch(m, 14, backend="rust"), lambda row: rb.rsi(row, 14, backend="rust")),
    "bollinger_bands": (
        lambda m: rb.bollinger_bands_batch(m, 20, backend="rust"),
        lambda row: rb.bollinger_bands(row, 20, backend="rust"),
    ),
    "macd": (lambda m: rb.macd_batch(m, backend="rust"), lambda row: rb.macd(row, backend="rust")),
}


@pytest.fixture(scope="module")
def matrix() -> np.ndarray:
    rng = np.random.default_rng(1)
    return 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, (64, 100_000)), axis=1))


@pytest.mark.parametrize("mode", ["batch", "loop of single calls"])
@pytest.mark.parametrize("name", list(BATCH))
def test_batch(benchmark, matrix: np.ndarray, name: str, mode: str) -> None:
    if not rb.RUST_AVAILABLE:
        pytest.skip("the compiled engine is not built")
    benchmark.group = f"{name} batch 64x1e5"
    batch, single = BATCH[name]
    if mode == "batch":
        benchmark(batch, matrix)
    else:
        benchmark(lambda m: [single(row) for row in m], matrix)
