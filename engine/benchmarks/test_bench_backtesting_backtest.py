"""Benchmark of `backtest` (module backtesting).

The compiled kernel against the numpy fallback, one group per size so that each size's
timings print side by side:
    pytest benchmarks/ --benchmark-only
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

# isort: split
import rust_bridge

MODULE = "backtesting"
FUNCTION = "backtest"
SIZES = [1_000, 100_000, 1_000_000]


def _inputs(n: int) -> dict[str, Any]:
    """A random walk, and a position that switches between long and short every ~500 bars."""
    rng = np.random.default_rng(n)
    return {
        "close": 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.001, n))),
        "position": np.sign(np.sin(np.arange(n) / 160.0)),
        "fee_bps": 5.0,
        "slippage_bps": 2.0,
        "periods_per_year": 365.0,
    }


#: What `devtool bench` times: "module.function" -> the keyword arguments of size n.
BENCH_CASES = {f"{MODULE}.{FUNCTION}": _inputs}


@pytest.mark.parametrize("backend", ["rust", "python"])
@pytest.mark.parametrize("n", SIZES)
def test_bench_backtest(benchmark: Any, n: int, backend: str) -> None:
    kwargs = _inputs(n)
    benchmark.group = f"{MODULE}.{FUNCTION} n={n:,}"
    benchmark.extra_info.update(backend=backend, size=n)
    benchmark(rust_bridge.backtest, **kwargs, backend=backend)
