"""Rust vs TA-Lib vs the numpy fallback, measured side by side in one run (about a minute or less).

    python engine/benchmarks/compare.py [--quick] [--takt-python PATH] [--takt-only] [--sizes 1e4,1e6]
    python engine/benchmarks/compare.py --baseline-python OTHER/.venv/bin/python [--baseline-sizes 1e2,1e3]

The first table times the engine and TA-Lib at `--sizes` points, each in its own process
(timing_worker.py), the processes alternating, best of 4 processes x 5 runs: a call on 1e6 points
can time 1.5-2x slower in one process than in another (the engine's ATR, interleaved with TA-Lib's:
0.6-0.7 ms in some processes, 0.9-1.5 ms in others), so one process's timings are not a measurement.
ta-lib-takt (the `talib` import name, TA-Lib's output bit for bit, a faster core) is timed beside
them when it is installed in its own virtualenv (`--takt-python`, default `.venv-takt/bin/python`
when it exists, or the TAKT_PYTHON variable): each library's ratio to TA-Lib measured in the same
run, plus engine / takt. `--takt-only` prints that table alone.

Then it prints the ratio tables of the technical module's other speed goals: SMA at 1e7 against
`np.copyto` (the memory-bandwidth floor), a 64 x 1e5 batch against a Python loop
of single Rust calls, the per-call overhead on 10 points, and Rust against the fallback at 1e5 and
1e6 points. Times are the best of several rounds in which the competitors run interleaved, so a
busy moment on a shared machine hits them alike; compare the ratios, not the absolute times.

`--baseline-python` prints one table instead: this engine against the engine another Python imports
(say, a build of an earlier commit in a second clone), each in its own process, alternating: the
call overhead on 10 points and every indicator at small sizes, where nothing may get slower.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import timing_worker  # beside this file: the indicator calls and the series both timings use

import rust_bridge as rb

try:
    import talib
except ImportError:  # the TA-Lib tables are skipped
    talib = None

Call = Callable[[], object]


@dataclass(frozen=True)
class Series:
    """Price-like input: a geometric random walk with a high / low spread around it."""

    high: np.ndarray
    low: np.ndarray
    close: np.ndarray

    @classmethod
    def random(cls, n: int, seed: int = 0) -> Series:
        return cls(*timing_worker.series(n, seed))


@dataclass(frozen=True)
class Row:
    label: str
    times: tuple[float, float]  # seconds: the measured one, the reference
    ratio: float  # the figure the goal is about
    met: bool


# --- the calls -----------------------------------------------------------------------------------

INDICATORS = timing_worker.INDICATORS


def bridge_calls(s: Series, backend: rb.Backend) -> dict[str, Call]:
    return timing_worker.engine_calls(s.high, s.low, s.close, backend)


def batch_calls(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> dict[str, tuple[Call, Call]]:
    """(one batch call, a Python loop of single Rust calls) per indicator."""
    rows = list(zip(high, low, close, strict=True))

    def loop(single: Callable[..., Any], *args: Any) -> Call:
        return lambda: [single(row, *args, backend="rust") for row in close]

    return {
        "sma(20)": (lambda: rb.sma_batch(close, 20, backend="rust"), loop(rb.sma, 20)),
        "ema(20)": (lambda: rb.ema_batch(close, 20, backend="rust"), loop(rb.ema, 20)),
        "rsi(14)": (lambda: rb.rsi_batch(close, 14, backend="rust"), loop(rb.rsi, 14)),
        "bbands(20,2)": (
            lambda: rb.bollinger_bands_batch(close, 20, 2.0, 2.0, backend="rust"),
            loop(rb.bollinger_bands, 20, 2.0, 2.0),
        ),
        "macd(12,26,9)": (lambda: rb.macd_batch(close, 12, 26, 9, backend="rust"), loop(rb.macd, 12, 26, 9)),
        "atr(14)": (
            lambda: rb.atr_batch(high, low, close, 14, backend="rust"),
            lambda: [rb.atr(h, lo, c, 14, backend="rust") for h, lo, c in rows],
        ),
    }


# --- timing --------------------------------------------------------------------------------------


def best_times(calls: list[Call], rounds: int, number: int = 1) -> list[float]:
    """Best time per call of each of `calls` over `rounds` rounds; in every round each runs
    `number` times in turn, so that a busy moment on a shared machine hits them alike."""
    for call in calls:
        call()  # warm up: page in the code, start rayon's threads
    best = [float("inf")] * len(calls)
    for _ in range(rounds):
        for i, call in enumerate(calls):
            start = time.perf_counter()
            for _ in range(number):
                call()
            best[i] = min(best[i], (time.perf_counter() - start) / number)
    return best


# --- the tables ----------------------------------------------------------------------------------


def versus_copy(s: Series, rounds: int) -> Row:
    out = np.empty_like(s.close)
    t_sma, t_copy = best_times(
        [lambda: rb.sma(s.close, 20, backend="rust"), lambda: np.copyto(out, s.close)], rounds
    )
    return Row("sma(20) 1e7", (t_sma, t_copy), t_sma / t_copy, t_sma <= 3 * t_copy)


def batch_versus_loop(rows: int, cols: int, rounds: int) -> Iterator[Row]:
    series = [Series.random(cols, seed=i) for i in range(rows)]
    high, low, close = (np.stack([getattr(s, f) for s in series]) for f in ("high", "low", "close"))
    for name, (batch, loop) in batch_calls(high, low, close).items():
        t_batch, t_loop = best_times([batch, loop], rounds)
        label = f"{name} {rows}x1e{len(str(cols)) - 1}"
        yield Row(label, (t_batch, t_loop), t_loop / t_batch, t_loop >= 1.7 * t_batch)


def call_overhead(rounds: int, budget: float = 2e-6) -> Iterator[Row]:
    for name, call in timing_worker.overhead_calls().items():
        (t,) = best_times([call], rounds, number=2000)
        yield Row(f"{name} (10 points)", (t, budget), t / budget, t <= budget)


def versus_fallback(s: Series, size: str, rounds: int) -> Iterator[Row]:
    rust, python = bridge_calls(s, "rust"), bridge_calls(s, "python")
    for name in INDICATORS:
        t_rust, t_python = best_times([rust[name], python[name]], rounds)
        yield Row(f"{name} {size}", (t_rust, t_python), t_python / t_rust, t_python >= 2 * t_rust)


WORKER = Path(__file__).with_name("timing_worker.py")
DEFAULT_TAKT_PYTHON = Path(__file__).resolve().parents[2] / ".venv-takt" / "bin" / "python"


@dataclass(frozen=True)
class LibraryRow:
    label: str
    size: int
    times: dict[str, float]  # seconds per library: "engine", "talib", "takt"


def worker_times(python: str, *arguments: str, runs: int) -> dict[str, float]:
    """One timing_worker process (`arguments`: its library and size, or `engine --overhead`): the best
    time of each call it makes, in seconds."""
    command = [python, str(WORKER), *arguments, "--runs", str(runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return {name: float(t) for name, t in json.loads(done.stdout).items()}


Workers = dict[str, tuple[str, list[str]]]  # name -> (python, timing_worker's arguments)


def alternate(workers: Workers, processes: int, runs: int) -> dict[str, dict[str, float]]:
    """Each worker's best time per call over `processes` processes of each, the workers alternating
    (so that a busy moment on a shared machine hits them alike)."""
    best: dict[str, dict[str, float]] = {worker: {} for worker in workers}
    for _ in range(processes):
        for worker, (python, arguments) in workers.items():
            for name, t in worker_times(python, *arguments, runs=runs).items():
                best[worker][name] = min(best[worker].get(name, float("inf")), t)
    return best


def size_label(size: int) -> str:
    return f"{size:.0e}".replace("e+0", "e")


def versus_libraries(
    takt_python: str | None, sizes: list[int], processes: int = 4, runs: int = 5
) -> Iterator[LibraryRow]:
    """Engine, TA-Lib and (when `takt_python` is given) ta-lib-takt, each in its own process,
    alternating `processes` times per size (best of processes x runs)."""
    for size in sizes:
        workers = {
            "engine": (sys.executable, ["engine", str(size)]),
            "talib": (sys.executable, ["talib", str(size)]),
        }
        if takt_python is not None:
            workers["takt"] = (takt_python, ["talib", str(size)])
        best = alternate(workers, processes, runs)
        for name in INDICATORS:
            yield LibraryRow(f"{name} {size_label(size)}", size, {lib: best[lib][name] for lib in workers})


@dataclass(frozen=True)
class BaselineRow:
    label: str
    times: tuple[float, float]  # seconds: this engine, the baseline


#: How much slower than the baseline a small-size call may measure before the table calls it slower:
#: the spread of best-of-rounds timings of one build against itself on a shared 2-core machine.
NOISE = 0.05


def versus_baseline(
    baseline_python: str, sizes: list[int], processes: int = 6, runs: int = 5
) -> Iterator[BaselineRow]:
    """This engine against the one `baseline_python` imports (another build, say of an earlier
    commit), each in its own process, alternating: the call overhead on 10 points, then every
    indicator at `sizes`. Indicators the baseline lacks are left out."""
    cases: list[tuple[str, list[str]]] = [("10 points", ["engine", "--overhead"])]
    cases += [(size_label(size), ["engine", str(size)]) for size in sizes]
    for case, arguments in cases:
        workers = {"this": (sys.executable, arguments), "baseline": (baseline_python, arguments)}
        best = alternate(workers, processes, runs)
        for name in (name for name in best["this"] if name in best["baseline"]):
            yield BaselineRow(f"{name} {case}", (best["this"][name], best["baseline"][name]))


def render_baseline(rows: list[BaselineRow], baseline_python: str) -> str:
    title = (
        f"This engine against the baseline at {baseline_python}, each in its own process "
        f"(goal: nothing slower; 'slower' beyond {NOISE:.0%})"
    )
    head = f"{'':<28}{'this us':>11}{'baseline us':>13}{'this/baseline':>15}"
    lines = [title, head, "-" * len(head)]
    for row in rows:
        this, baseline = row.times
        verdict = "ok" if this <= (1 + NOISE) * baseline else "SLOWER"
        lines.append(
            f"{row.label:<28}{this * 1e6:>11.3f}{baseline * 1e6:>13.3f}{this / baseline:>15.2f}  {verdict}"
        )
    return "\n".join(lines) + "\n"


def render_libraries(rows: list[LibraryRow]) -> str:
    if rows and "takt" not in rows[0].times:
        return _render_without_takt(rows)
    title = (
        "Engine, TA-Lib, ta-lib-takt, each in its own process (goal from 1e4 points: engine / takt <= 1.0)"
    )
    head = (
        f"{'':<22}{'engine ms':>11}{'TA-Lib ms':>11}{'takt ms':>11}"
        f"{'eng/TA-Lib':>12}{'takt/TA-Lib':>12}{'eng/takt':>10}"
    )
    lines = [title, head, "-" * len(head)]
    for row in rows:
        e, t, k = (row.times[lib] for lib in ("engine", "talib", "takt"))
        verdict = ("ok" if e <= k else "MISSED") if row.size >= 10_000 else ""
        lines.append(
            f"{row.label:<22}{e * 1e3:>11.4f}{t * 1e3:>11.4f}{k * 1e3:>11.4f}"
            f"{e / t:>12.2f}{k / t:>12.2f}{e / k:>10.2f}  {verdict}"
        )
    return "\n".join(lines) + "\n"


def _render_without_takt(rows: list[LibraryRow]) -> str:
    title = "Engine and TA-Lib, each in its own process (goal: engine / TA-Lib <= 1.0; no ta-lib-takt found)"
    head = f"{'':<22}{'engine ms':>11}{'TA-Lib ms':>11}{'eng/TA-Lib':>12}"
    lines = [title, head, "-" * len(head)]
    for row in rows:
        e, t = row.times["engine"], row.times["talib"]
        verdict = "ok" if e <= t else "MISSED"
        lines.append(f"{row.label:<22}{e * 1e3:>11.4f}{t * 1e3:>11.4f}{e / t:>12.2f}  {verdict}")
    return "\n".join(lines) + "\n"


def find_takt_python(option: str | None) -> str | None:
    """The interpreter that has ta-lib-takt: the option, TAKT_PYTHON, or .venv-takt if present."""
    candidate = option or os.environ.get("TAKT_PYTHON")
    if candidate:
        return candidate
    return str(DEFAULT_TAKT_PYTHON) if DEFAULT_TAKT_PYTHON.exists() else None


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, str, str]
    rows: list[Row]
    unit: str = "ms"


def tables(rounds: int, *, quick: bool) -> Iterator[Table]:
    """The measurements, one table at a time (so that they print as they are done)."""
    s6 = Series.random(1_000_000)
    s7 = None if quick else Series.random(10_000_000)
    if s7 is not None:
        row = versus_copy(s7, rounds)
        yield Table(
            "SMA against the memory floor (goal: <= 3x np.copyto)", ("sma", "copyto", "sma/copyto"), [row]
        )
    del s7
    rows = list(batch_versus_loop(64, 100_000, rounds))
    yield Table("Batch vs a loop of single Rust calls (goal: >= 1.7x)", ("batch", "loop", "speedup"), rows)
    rows = list(call_overhead(rounds))
    yield Table(
        "Call overhead through rust_bridge (goal: <= 2 us)", ("us/call", "goal", "of goal"), rows, "us"
    )
    rows = list(versus_fallback(Series.random(100_000), "1e5", rounds)) + list(versus_fallback(s6, "1e6", 3))
    yield Table("Rust vs the numpy fallback (goal: >= 2x)", ("Rust", "fallback", "speedup"), rows)


def render(table: Table) -> str:
    scale = 1e3 if table.unit == "ms" else 1e6
    columns = table.columns
    head = f"{'':<24}{columns[0]:>12}{columns[1]:>12}{columns[2]:>14}"
    lines = [table.title, head, "-" * len(head)]
    for row in table.rows:
        a, b = (f"{t * scale:.3f}" for t in row.times)
        lines.append(f"{row.label:<24}{a:>12}{b:>12}{row.ratio:>11.2f}  {'ok' if row.met else 'MISSED'}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, no 1e7 points")
    parser.add_argument("--takt-python", help="a Python with ta-lib-takt (default: .venv-takt/bin/python)")
    parser.add_argument("--takt-only", action="store_true", help="only the engine / TA-Lib / takt table")
    parser.add_argument(
        "--sizes", default="1e4,1e6,1e7", help="sizes of the libraries' table (default 1e4,1e6,1e7)"
    )
    parser.add_argument(
        "--baseline-python",
        help="only a table of this engine against the one this Python imports (another build), "
        "at 10 points and at --baseline-sizes",
    )
    parser.add_argument(
        "--baseline-sizes", default="1e2,1e3", help="sizes of the baseline table (default 1e2,1e3)"
    )
    args = parser.parse_args(argv)
    if not rb.RUST_AVAILABLE:
        print("The compiled engine is not available: build it with `maturin develop --release` in engine/.")
        return 1
    if args.baseline_python:
        sizes = [int(float(s)) for s in args.baseline_sizes.split(",")]
        print(render_baseline(list(versus_baseline(args.baseline_python, sizes)), args.baseline_python))
        return 0
    started = time.perf_counter()
    reference = f"TA-Lib {talib.__version__}" if talib else "TA-Lib not installed (its tables are skipped)"
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, ", end="")
    print(f"numpy {np.__version__}, {reference}")
    print("Times: the best of interleaved rounds, in ms (overhead: us per call).\n")
    takt_python = find_takt_python(args.takt_python)
    if args.takt_only and not (takt_python and talib is not None):
        print("ta-lib-takt not found: pass --takt-python or create .venv-takt (scripts/demo.sh does).")
        return 1
    if talib is not None:
        sizes = [int(float(s)) for s in args.sizes.split(",")]
        if args.quick:
            sizes = [s for s in sizes if s < 10_000_000]
        rows = list(versus_libraries(takt_python, sizes, processes=2 if args.quick else 4))
        print(render_libraries(rows), flush=True)
    if args.takt_only:
        return 0
    for table in tables(3 if args.quick else 7, quick=args.quick):
        print(render(table), flush=True)
    print(f"Measured in {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
