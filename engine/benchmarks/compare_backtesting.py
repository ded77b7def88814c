"""The market_data and backtesting speed goals, measured side by side in one run (a minute or two).

    python engine/benchmarks/compare_backtesting.py [--quick]

Prints: `backtest` of 1e6 bars against the numpy fallback; the sweep of 50 symbols x 1e5 bars x 100
window pairs on 1 and 2 rayon threads, on the numpy fallback, and on a Dask cluster of 1 and 2
worker processes on this machine; `resample_ohlcv` of 1e7 trades into one-minute bars against
pandas (and the fallback); the other market_data functions against their fallbacks. Times are the
best of interleaved rounds, so a busy moment on a shared machine hits the competitors alike:
compare the ratios, not the absolute times. `--quick` shrinks the slow parts (the numpy sweep runs
on 5 of the 50 symbols, its time scaled by 10; the resample on 1e6 trades).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

import rust_bridge as rb

Call = Callable[[], object]

MINUTE = 60 * 10**9


@dataclass(frozen=True)
class Row:
    label: str
    times: tuple[float, float]  # seconds: the measured one, the reference
    ratio: float  # reference / measured: how many times faster
    goal: float | None = None  # the ratio to reach, if there is one


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, str]
    rows: list[Row]


def best_times(calls: list[Call], rounds: int) -> list[float]:
    """Best time of each of `calls` over `rounds` rounds in which they run in turn."""
    for call in calls:
        call()  # warm up: page in the code, start rayon's threads
    best = [float("inf")] * len(calls)
    for _ in range(rounds):
        for i, call in enumerate(calls):
            start = time.perf_counter()
            call()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def walk(shape: int | tuple[int, int], *, seed: int = 0, vol: float = 0.01) -> np.ndarray:
    steps = np.random.default_rng(seed).normal(0.0, vol, shape)
    return 100.0 * np.exp(np.cumsum(steps, axis=-1))


# --- backtest ------------------------------------------------------------------------------------


def backtest_table(rounds: int) -> Table:
    n = 1_000_000
    close = walk(n, vol=0.001)
    position = np.sign(np.sin(np.arange(n) / 160.0))  # long / short, switching every ~500 bars
    t_rust, t_numpy = best_times(
        [
            lambda: rb.backtest(close, position, 5.0, 2.0, 365.0, backend="rust"),
            lambda: rb.backtest(close, position, 5.0, 2.0, 365.0, backend="python"),
        ],
        rounds,
    )
    row = Row("backtest 1e6 bars", (t_rust, t_numpy), t_numpy / t_rust, 20.0)
    return Table("backtest: Rust vs the numpy fallback (goal >= 20x)", ("Rust", "numpy"), [row])


# --- the sweep -----------------------------------------------------------------------------------

SYMBOLS, BARS = 50, 100_000
FAST = np.arange(5, 55, 5)  # 10 fast windows ...
SLOW = np.arange(60, 260, 20)  # ... times 10 slow ones: 100 pairs, every one fast < slow


def sweep_tables(rounds: int, *, quick: bool) -> Iterator[Table]:
    close = walk((SYMBOLS, BARS), seed=1)

    def sweep(**options: object) -> Call:
        return lambda: rb.sma_crossover_sweep(close, FAST, SLOW, 5.0, 2.0, 365.0, **options)  # type: ignore[arg-type]

    one, two = best_times([sweep(threads=1), sweep(threads=2)], rounds)
    rows = [Row("rayon, 2 threads vs 1", (two, one), one / two, 1.7)]
    yield Table(
        f"sweep {SYMBOLS} x {BARS:,} bars x 100 pairs: threads (goal >= 1.7x)", ("2 thr", "1 thr"), rows
    )

    # The numpy fallback is too slow to repeat: one run (on a tenth of the symbols with --quick).
    symbols = 5 if quick else SYMBOLS
    start = time.perf_counter()
    rb.sma_crossover_sweep(close[:symbols], FAST, SLOW, 5.0, 2.0, 365.0, backend="python")
    numpy_time = (time.perf_counter() - start) * SYMBOLS / symbols
    label = "numpy (x10 of 5 symbols)" if quick else "numpy fallback"
    rows = [
        Row(f"{label} vs 1 thread", (one, numpy_time), numpy_time / one),
        Row(f"{label} vs 2 threads", (two, numpy_time), numpy_time / two),
    ]
    yield Table("sweep: Rust vs the numpy fallback", ("Rust", "numpy"), rows)
    yield dask_table(close, one, max(2, rounds // 2))


def dask_table(close: np.ndarray, one_thread: float, rounds: int) -> Table:
    """The same sweep on a LocalCluster of 1 and 2 single-threaded worker processes (loopback),
    one rayon thread per task; the cluster's start is not timed, sending the data is."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        return Table("sweep on Dask: distributed is not installed", ("", ""), [])
    times = {}
    for workers in (1, 2):
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            (times[workers],) = best_times(
                [lambda c=client: rb.sma_crossover_sweep(close, FAST, SLOW, 5.0, 2.0, 365.0, client=c)],
                rounds,
            )
    rows = [
        Row("2 workers vs 1", (times[2], times[1]), times[1] / times[2]),
        Row("1 worker vs local 1 thread", (times[1], one_thread), one_thread / times[1]),
    ]
    return Table("sweep on a Dask LocalCluster (1 thread per worker)", ("Dask", "ref"), rows)


# --- market data ---------------------------------------------------------------------------------


def trades(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n trades about 10 a second (a third of them simultaneous): ~1.2 days of minute bars at 1e7."""
    rng = np.random.default_rng(n)
    gaps = rng.exponential(1e8, n).astype(np.int64)
    gaps[rng.random(n) < 1 / 3] = 0
    timestamps = 1_700_000_000 * 10**9 + np.cumsum(gaps)
    return timestamps, 100.0 * np.exp(np.cumsum(rng.normal(0.0, 1e-4, n))), rng.exponential(1.0, n)


def pandas_bars(timestamps: np.ndarray, prices: np.ndarray, sizes: np.ndarray) -> object:
    """What the bars take in pandas: OHLC, volume, count and VWAP by one-minute resample."""
    import pandas as pd

    frame = pd.DataFrame(
        {"price": prices, "size": sizes, "notional": prices * sizes},
        index=pd.to_datetime(timestamps, unit="ns"),
    )
    grouped = frame.resample("1min", origin="epoch")
    ohlc = grouped["price"].ohlc()
    sums = grouped[["size", "notional"]].sum()
    return ohlc, sums["size"], grouped["price"].count(), sums["notional"] / sums["size"]


def market_data_tables(rounds: int, *, quick: bool) -> Iterator[Table]:
    n = 1_000_000 if quick else 10_000_000
    t, p, s = trades(n)
    calls = [
        lambda: rb.resample_ohlcv(t, p, s, MINUTE, backend="rust"),
        lambda: rb.resample_ohlcv(t, p, s, MINUTE, backend="python"),
    ]
    try:
        import pandas  # noqa: F401

        calls.append(lambda: pandas_bars(t, p, s))
    except ImportError:
        pass
    times = best_times(calls, max(2, rounds // 2))
    size = f"1e{len(str(n)) - 1}"
    rows = [Row(f"vs numpy fallback {size}", (times[0], times[1]), times[1] / times[0])]
    if len(times) == 3:
        rows.insert(0, Row(f"vs pandas resample {size}", (times[0], times[2]), times[2] / times[0], 1.0))
    yield Table("resample_ohlcv into one-minute bars (goal: faster than pandas)", ("Rust", "ref"), rows)

    prices, volume = walk(1_000_000, vol=1e-4), np.random.default_rng(2).exponential(1.0, 1_000_000)
    returns = np.diff(np.log(prices))
    rows = []
    for label, call in {
        "log_returns 1e6": lambda backend: rb.log_returns(prices, backend=backend),
        "rolling_volatility(30) 1e6": lambda backend: rb.rolling_volatility(
            returns, 30, 365.0, backend=backend
        ),
        "vwap 1e6": lambda backend: rb.vwap(prices, volume, backend=backend),
    }.items():
        t_rust, t_numpy = best_times([lambda c=call: c("rust"), lambda c=call: c("python")], rounds)
        rows.append(Row(label, (t_rust, t_numpy), t_numpy / t_rust))
    yield Table("the other market_data functions: Rust vs the numpy fallback", ("Rust", "numpy"), rows)


# --- output --------------------------------------------------------------------------------------


def render(table: Table) -> str:
    head = f"{'':<32}{table.columns[0]:>11}{table.columns[1]:>11}{'speedup':>10}"
    lines = [table.title, head, "-" * len(head)]
    for row in table.rows:
        a, b = (f"{x * 1e3:.1f}" for x in row.times)
        verdict = "" if row.goal is None else ("  ok" if row.ratio >= row.goal else "  MISSED")
        lines.append(f"{row.label:<32}{a:>11}{b:>11}{row.ratio:>9.1f}x{verdict}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller slow parts")
    args = parser.parse_args(argv)
    if not rb.RUST_AVAILABLE:
        print("The compiled engine is not available: build it with `maturin develop --release` in engine/.")
        return 1
    started = time.perf_counter()
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    print("Times: the best of interleaved rounds, in ms.\n")
    rounds = 3 if args.quick else 7
    print(render(backtest_table(rounds)), flush=True)
    for table in sweep_tables(rounds, quick=args.quick):
        print(render(table), flush=True)
    for table in market_data_tables(rounds, quick=args.quick):
        print(render(table), flush=True)
    print(f"Measured in {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
