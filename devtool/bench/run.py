"""`devtool bench`: Rust against the fallback by input size -> BenchReport (speedups, crossover, gate).

For every function with both implementations: check that they agree on the benchmark data, time
them in paired rounds across the sizes, take the speedup and its interval at each size, then judge
the gate, compare with a baseline, save one, and draw the plot, as asked.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..changes.runs import log_path_for, state_dir
from ..changes.transaction import WorkspaceLock
from ..errors import DevtoolError, EngineNotBuilt, ParityMismatch, SpeedupBelowGate, SpeedupRegression
from ..scaffold.listing import workspace_functions
from ..verify import build_only
from ..workspace import Workspace, load_config
from .baseline import Baseline, baseline_path, compare_with, load_baseline, save_baseline
from .cases import (
    BenchCase,
    Runnable,
    Skipped,
    discover_cases,
    resolve,
    select_cases,
    uncovered,
)
from .config import DEFAULT_TOLERANCE, BenchConfig, gate_for, parse_config
from .engine import Engine, load_engine, profile_warnings
from .measure import BenchProgress, BenchStep, Tracker, measure_function
from .memory import available_memory, check_fits
from .plot import ensure_plotting, write_plot
from .results import (
    BenchReport,
    Environment,
    Settings,
)
from .timing import RoundPlan

DEFAULT_SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
FULL_PLAN = RoundPlan(rounds=20, min_rounds=5, budget_s=5.0)  # per size: 20 rounds, or 5 after 5 s
QUICK_PLAN = RoundPlan(rounds=5, min_rounds=3, budget_s=1.0)


@dataclass(frozen=True)
class BenchRequest:
    """What to benchmark and how; None means the configured or built-in default."""

    names: tuple[str, ...] = ()  # "module" or "module.function"; empty: every case
    sizes: tuple[int, ...] | None = None
    quick: bool = False
    rounds: int | None = None
    min_speedup: float | None = None
    tolerance: float | None = None
    threads: int | None = None
    build: bool = False
    allow_debug: bool = False
    save: str | None = None
    compare: str | None = None
    plot: Path | None = None
    seed: int = 0


def run_bench(ws: Workspace, request: BenchRequest, *, progress: BenchProgress | None = None) -> BenchReport:
    """Benchmark the workspace's functions as `request` asks.

    Raises:
        UsageError: an unknown function, a bad setting, a missing baseline, no matplotlib for --plot,
            sizes whose inputs would not fit in memory.
        EngineNotBuilt: rust_bridge or the compiled engine does not import; nothing can be timed.
        DebugBuildError: a debug build without --allow-debug.
        VerifyError: --build failed.
        ConflictError: --build, while another devtool run is changing the workspace.
        DevtoolError: a benchmark file does not load, or its inputs do not work for either side.
    """
    config = parse_config(load_config(ws.root))
    if request.plot is not None:
        ensure_plotting()
    if request.save is not None:
        baseline_path(ws, request.save)  # a bad name fails now, not after minutes of measuring
    warnings = _build(ws, progress) if request.build else []
    engine = load_engine(ws)
    environment = _environment(ws, engine)  # before measuring: the load average of the machine as we start
    warnings += profile_warnings(engine, ws, allow_debug=request.allow_debug)
    cases, known = discover_cases(ws), workspace_functions(ws)
    missing = uncovered(cases, known, request.names)
    runnable, skipped = _resolve_all(select_cases(cases, request.names, known), engine, missing)
    baseline = load_baseline(ws, request.compare) if request.compare is not None else None
    settings = _settings(request, config)
    plan = _plan(request)
    sizes = {r.case.name: _sizes_for(r.case, settings.sizes, config, request) for r in runnable}
    memory = available_memory()
    for r in runnable:
        check_fits(r.case, sizes[r.case.name], memory)
    tracker = Tracker(progress, sum(2 * len(s) + (request.threads is not None) for s in sizes.values()))
    functions = tuple(
        measure_function(
            r,
            sizes[r.case.name],
            gate_for(config, r.case.name, sizes[r.case.name], override=request.min_speedup),
            plan,
            tracker,
            threads=request.threads,
            seed=request.seed,
        )
        for r in runnable
    )
    report = BenchReport(
        environment=environment,
        settings=settings,
        functions=functions,
        skipped=tuple((s.name, s.reason) for s in skipped),
        warnings=tuple(warnings),
    )
    return _finish(ws, report, request, baseline)


def verdict(report: BenchReport) -> DevtoolError | None:
    """The error the run ends with (parity first, then the gate, then a regression), or None."""
    if report.parity_failures:
        names = ", ".join(f.name for f in report.parity_failures)
        return ParityMismatch(f"Rust and the fallback disagree: {names} (not timed)")
    if report.gate_failures:
        names = ", ".join(f.name for f in report.gate_failures)
        return SpeedupBelowGate(f"below the speedup gate: {names}")
    if report.comparison is not None and report.comparison.regressions:
        rows = report.comparison.regressions
        names = ", ".join(sorted({f"{r.name} n={r.size:,}" for r in rows}))
        return SpeedupRegression(f"speedup regressed against baseline {report.comparison.name!r}: {names}")
    return None


# --- the steps ----------------------------------------------------------------------------------


def _build(ws: Workspace, progress: BenchProgress | None) -> list[str]:
    """An optimised build into this Python's virtualenv, before the engine is imported."""
    warnings = []
    if ws.extension_name in sys.modules:  # an extension module cannot be imported twice
        warnings.append(
            "the engine was imported before --build: this process times the build it loaded first"
        )

    def report_line(step: str, line: str) -> None:
        if progress is not None:
            progress(BenchStep("build", "", None, 0, 0, detail=line))

    with WorkspaceLock(state_dir(ws)):  # not while new-module or remove-module rebuilds it
        build_only(ws, release=True, log_path=log_path_for(ws, "bench-build"), progress=report_line)
    return warnings


def _resolve_all(
    cases: Sequence[BenchCase], engine: Engine, uncovered: Sequence[Skipped]
) -> tuple[list[Runnable], list[Skipped]]:
    resolved = [resolve(case, engine.bridge, engine.native) for case in cases]
    runnable = [r for r in resolved if isinstance(r, Runnable)]
    skipped = sorted([*(r for r in resolved if isinstance(r, Skipped)), *uncovered], key=lambda s: s.name)
    if not runnable:
        reasons = (
            "; ".join(f"{s.name}: {s.reason}" for s in skipped) or "no benchmark file defines BENCH_CASES"
        )
        raise EngineNotBuilt(f"nothing to benchmark ({reasons})")
    return runnable, skipped


def _settings(request: BenchRequest, config: BenchConfig) -> Settings:
    plan = _plan(request)
    sizes = request.sizes or (QUICK_SIZES if request.quick else DEFAULT_SIZES)
    tolerance = next((t for t in (request.tolerance, config.tolerance) if t is not None), DEFAULT_TOLERANCE)
    return Settings(
        sizes=tuple(sorted(set(sizes))),
        rounds=plan.rounds,
        min_rounds=plan.min_rounds,
        budget_s=plan.budget_s,
        min_round_s=plan.min_round_s,
        seed=request.seed,
        quick=request.quick,
        threads=request.threads,
        tolerance=tolerance,
    )


def _plan(request: BenchRequest) -> RoundPlan:
    base = QUICK_PLAN if request.quick else FULL_PLAN
    if request.rounds is None:
        return base
    return RoundPlan(rounds=request.rounds, min_rounds=request.rounds, budget_s=base.budget_s)


def _sizes_for(case: BenchCase, run: Sequence[int], config: BenchConfig, request: BenchRequest) -> list[int]:
    """The run's sizes, plus the sizes the function is meant for unless --sizes or --quick chose them."""
    wanted = config.configured_sizes(case.name) or ()
    chosen = request.sizes is not None or request.quick
    return sorted(set(run) | (set() if chosen else set(wanted)))


def _finish(
    ws: Workspace, report: BenchReport, request: BenchRequest, baseline: Baseline | None
) -> BenchReport:
    """Compare with the baseline, save a new one (not from a run whose results disagree), plot."""
    if baseline is not None:
        report = replace(report, comparison=compare_with(baseline, report, report.settings.tolerance))
    if request.save is not None:
        if report.parity_failures:
            report = replace(
                report, notes=(*report.notes, f"baseline {request.save!r} not saved: parity failed")
            )
        else:
            report = replace(report, saved=save_baseline(ws, request.save, report))
    if request.plot is not None:
        report = replace(report, plot=write_plot(report, request.plot))
    return report


def _environment(ws: Workspace, engine: Engine) -> Environment:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return Environment(
        engine=ws.root,
        bridge=engine.bridge_dir,
        build_profile=engine.build_profile,
        python=platform.python_version(),
        numpy=np.__version__,
        machine=f"{platform.system()} {platform.machine()}",
        cpus=cpus,
        load_average=os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
