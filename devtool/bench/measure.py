"""One function of `devtool bench`: parity at every size, then the timings, the gate and the threads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import DevtoolError
from .cases import BenchCase, Runnable
from .config import Gate
from .parity import Mismatch, compare_results
from .results import FunctionResult, GateMiss, GateResult, ParityResult, SizeResult
from .stats import bootstrap_ci, crossover, median, paired_ratios
from .timing import RoundPlan, paired_rounds, thread_scaling

Phase = Literal["build", "parity", "timing", "threads"]


@dataclass(frozen=True)
class BenchStep:
    """Progress: `done` of `total` steps finished; the one under way is `phase` of `function` at `size`."""

    phase: Phase
    function: str
    size: int | None
    done: int
    total: int
    detail: str = ""


BenchProgress = Callable[[BenchStep], None]


class Tracker:
    """Counts the steps for the progress callback."""

    def __init__(self, progress: BenchProgress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def start(self, phase: Phase, function: str, size: int | None) -> None:
        if self.progress is not None:
            self.progress(BenchStep(phase, function, size, self.done, self.total))

    def finish(self) -> None:
        self.done += 1

    def skip(self, steps: int) -> None:
        self.done += steps


def measure_function(
    runnable: Runnable,
    sizes: Sequence[int],
    gate: Gate,
    plan: RoundPlan,
    tracker: Tracker,
    *,
    threads: int | None,
    seed: int,
) -> FunctionResult:
    """Parity at every size first; then, only if it holds, the timings, the gate and the threads.

    Raises:
        DevtoolError: the case's inputs do not build, or both implementations raise on them.
    """
    name = runnable.case.name
    inputs: dict[int, dict[str, Any]] = {}
    checked = []
    for n in sizes:
        tracker.start("parity", name, n)
        inputs[n] = build_inputs(runnable.case, n)
        checked.append(n)
        mismatch = _parity(runnable, inputs[n], n)
        tracker.finish()
        if mismatch is not None:
            tracker.skip(2 * len(sizes) - len(checked) + (threads is not None))
            return FunctionResult(name, runnable.case.source, ParityResult(tuple(checked), mismatch, n))
    results = []
    for n in sizes:
        tracker.start("timing", name, n)
        results.append(_time_size(runnable, inputs[n], n, plan, seed))
        tracker.finish()
    scaling = None
    if threads is not None:
        tracker.start("threads", name, sizes[-1])
        scaling = thread_scaling(runnable.bind(inputs[sizes[-1]], "rust"), threads)
        tracker.finish()
    return FunctionResult(
        name=name,
        source=runnable.case.source,
        parity=ParityResult(tuple(checked)),
        sizes=tuple(results),
        crossover=crossover([r.size for r in results], [r.speedup for r in results]),
        gate=_judge(gate, results),
        threads=scaling,
    )


def build_inputs(case: BenchCase, n: int) -> dict[str, Any]:
    """The keyword arguments of size n, as the case's BENCH_CASES entry builds them.

    Raises:
        DevtoolError: the entry raised, or did not return a dict.
    """
    try:
        kwargs = case.inputs(n)
    except Exception as err:
        raise DevtoolError(f"{case.source}: BENCH_CASES[{case.name!r}]({n}) raised {err!r}") from err
    if not isinstance(kwargs, dict):
        raise DevtoolError(
            f"{case.source}: BENCH_CASES[{case.name!r}]({n}) must return a dict of keyword arguments"
        )
    return kwargs


def _parity(runnable: Runnable, kwargs: dict[str, Any], n: int) -> Mismatch | None:
    """Both implementations once on the data (also their warm-up); a call that raises is a mismatch too."""
    outcomes = [_outcome(runnable.bind(kwargs, backend)) for backend in ("rust", "python")]
    (rust, rust_err), (fallback, fallback_err) = outcomes
    if rust_err is not None and fallback_err is not None:
        raise DevtoolError(
            f"{runnable.case.name} n={n:,}: both implementations raise on the benchmark data "
            f"(Rust: {rust_err!r}; fallback: {fallback_err!r}): check BENCH_CASES in {runnable.case.source}"
        )
    if rust_err is not None or fallback_err is not None:
        return Mismatch(
            "", f"Rust raised {rust_err!r}" if rust_err else f"the fallback raised {fallback_err!r}"
        )
    return compare_results(rust, fallback)


def _outcome(call: Callable[[], Any]) -> tuple[Any, Exception | None]:
    try:
        return call(), None
    except Exception as err:
        return None, err


def _time_size(runnable: Runnable, kwargs: dict[str, Any], n: int, plan: RoundPlan, seed: int) -> SizeResult:
    times = paired_rounds(runnable.bind(kwargs, "rust"), runnable.bind(kwargs, "python"), plan)
    ratios = paired_ratios(times.fallback, times.rust)
    low, high = bootstrap_ci(ratios, seed=seed)
    return SizeResult(
        size=n,
        rust_s=times.rust,
        fallback_s=times.fallback,
        rust_number=times.rust_number,
        fallback_number=times.fallback_number,
        rust_median_s=median(times.rust),
        fallback_median_s=median(times.fallback),
        speedup=median(ratios),
        ci_low=low,
        ci_high=high,
    )


def _judge(gate: Gate, results: Sequence[SizeResult]) -> GateResult:
    """A miss where even the interval's upper end is below the bar: noise alone does not fail."""
    by_size = {r.size: r for r in results}
    misses = tuple(
        GateMiss(n, by_size[n].speedup, by_size[n].ci_high, gate.min_speedup)
        for n in gate.sizes
        if by_size[n].ci_high < gate.min_speedup
    )
    return GateResult(gate.min_speedup, gate.sizes, misses, gate.note)
