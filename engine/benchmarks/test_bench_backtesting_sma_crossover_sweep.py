"""Benchmark of `sma_crossover_sweep` (module backtesting).

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
FUNCTION = "sma_crossover_sweep"
#: Bars per symbol; 10 symbols and 6 window pairs each time.
SIZES = [1_000, 10_000, 100_000]


def _inputs(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(n)
    return {
        "close": 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, (10, n)), axis=1)),
        "fast_windows": [5, 10, 20],
        "slow_windows": [50, 100],
        "fee_bps": 5.0,
        "slippage_bps": 2.0,
        "periods_per_year": 365.0,
        "allow_short": True,
    }


#: What `devtool bench` times: "module.function" -> the keyword arguments of size n.
BENCH_CASES = {f"{MODULE}.{FUNCTION}": _inputs}


@pytest.mark.parametrize("backend", ["rust", "python"])
@pytest.mark.parametrize("n", SIZES)
def test_bench_sma_crossover_sweep(benchmark: Any, n: int, backend: str) -> None:
    kwargs = _inputs(n)
    benchmark.group = f"{MODULE}.{FUNCTION} n={n:,}"
    benchmark.extra_info.update(backend=backend, size=n)
    benchmark(rust_bridge.sma_crossover_sweep, **kwargs, backend=backend)
