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
SIZES = [1_000, 100_000, 1_000_000]


def _inputs(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(n)
    return {
        "close": rng.standard_normal((n, 3)),
        "fast_windows": rng.integers(-50, 50, 7),
        "slow_windows": rng.integers(-50, 50, 7),
        "fee_bps": 0.5,
        "slippage_bps": 0.5,
        "periods_per_year": 0.5,
        "allow_short": True,
        "threads": 2,
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
