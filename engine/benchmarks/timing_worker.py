"""Times one library's indicators at one size, in this process, and prints the times as JSON.

    python timing_worker.py LIBRARY SIZE [--runs N]
    python timing_worker.py engine --overhead [--runs N]

LIBRARY is `engine` (rust_bridge's compiled backend) or `talib` (whichever package provides the
`talib` import here: TA-Lib, or ta-lib-takt in its own virtualenv). compare.py starts one such
process per library and round, alternating them, because TA-Lib and ta-lib-takt share an import name
and cannot be loaded into one process (and two builds of the engine share one too). Only numpy and
the library are imported, so the script runs in a virtualenv that has nothing else. `--overhead`
times the calls of compare.py's call-overhead table (10 points) instead of the indicators at SIZE.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

import numpy as np

Call = Callable[[], object]

INDICATORS = ["sma(20)", "ema(20)", "rsi(14)", "bbands(20,2)", "macd(12,26,9)", "atr(14)", "kama(30)"]


def series(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(high, low, close): a geometric random walk with a spread around it (compare.Series uses it)."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    spread = rng.random((2, n)) * close * 0.01
    return close + spread[0], close - spread[1], close


def engine_calls(h: np.ndarray, lo: np.ndarray, x: np.ndarray, backend: str = "rust") -> dict[str, Call]:
    """The indicators through rust_bridge, from `backend` ("rust" or "python", the fallback)."""
    import rust_bridge as rb

    calls: dict[str, Call] = {
        "sma(20)": lambda: rb.sma(x, 20, backend=backend),
        "ema(20)": lambda: rb.ema(x, 20, backend=backend),
        "rsi(14)": lambda: rb.rsi(x, 14, backend=backend),
        "bbands(20,2)": lambda: rb.bollinger_bands(x, 20, 2.0, 2.0, backend=backend),
        "macd(12,26,9)": lambda: rb.macd(x, 12, 26, 9, backend=backend),
        "atr(14)": lambda: rb.atr(h, lo, x, 14, backend=backend),
    }
    if hasattr(rb.technical_py, "kama"):  # an engine built before KAMA can be a baseline
        calls["kama(30)"] = lambda: rb.technical_py.kama(x, 30, backend=backend)
    return calls


def overhead_calls() -> dict[str, Call]:
    """The engine's indicators on 10 points through rust_bridge's defaults: the cost of a call."""
    import rust_bridge as rb

    h, lo, x = series(10, seed=1)
    return {
        "sma": lambda: rb.sma(x, 5),
        "ema": lambda: rb.ema(x, 5),
        "rsi": lambda: rb.rsi(x, 5),
        "bbands": lambda: rb.bollinger_bands(x, 5),
        "macd": lambda: rb.macd(x, 2, 5, 3),
        "atr": lambda: rb.atr(h, lo, x, 5),
    }


def talib_calls(h: np.ndarray, lo: np.ndarray, x: np.ndarray) -> dict[str, Call]:
    import talib

    return {
        "sma(20)": lambda: talib.SMA(x, 20),
        "ema(20)": lambda: talib.EMA(x, 20),
        "rsi(14)": lambda: talib.RSI(x, 14),
        "bbands(20,2)": lambda: talib.BBANDS(x, 20, 2.0, 2.0),
        "macd(12,26,9)": lambda: talib.MACD(x, 12, 26, 9),
        "atr(14)": lambda: talib.ATR(h, lo, x, 14),
        "kama(30)": lambda: talib.KAMA(x, 30),
    }


#: Seconds each call runs before it is timed (at least once).
WARM_UP = 0.01


def best_time(call: Call, runs: int, size: int) -> float:
    """Best seconds per call over `runs` runs; small sizes repeat the call to span ~1 ms per run.

    The call first runs for `WARM_UP` seconds: that pages in its code and starts rayon's threads, and
    times it from the state of the CPU that its own code leaves, not the previous call's. After
    wide-vector code (the engine's AVX2 EMA, RSI, MACD and ATR; a numpy matrix product) a serial
    floating-point kernel such as KAMA ran ~10% slower for a millisecond or more on our 2-core
    machines, whichever library it came from: timed right after them, KAMA's every run fell there.
    """
    deadline = time.perf_counter() + WARM_UP
    call()
    while time.perf_counter() < deadline:
        call()
    number = max(1, 200_000 // max(size, 1))
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(number):
            call()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("library", choices=["engine", "talib"])
    parser.add_argument("size", type=int, nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--overhead", action="store_true", help="the 10-point calls of the overhead table")
    args = parser.parse_args(argv)
    if args.overhead and args.library != "engine":
        parser.error("--overhead times the engine's calls only")
    if args.overhead:
        size, calls = 10, overhead_calls()
    elif args.size is None:
        parser.error("SIZE is required (or --overhead)")
    else:
        size = args.size
        h, lo, x = series(size)
        calls = (engine_calls if args.library == "engine" else talib_calls)(h, lo, x)
    times = {name: best_time(call, args.runs, size) for name, call in calls.items()}
    json.dump(times, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
