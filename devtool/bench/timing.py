"""The timing harness of `devtool bench`: paired rounds of Rust and the fallback, and a thread test.

Why not pytest-benchmark: it times one callable at a time, so the Rust rounds and the fallback rounds
of a size happen seconds apart, and a busy moment of a shared machine lands on one side only. Here
each round times both, back to back (in alternating order, so neither always runs on a warm cache),
and the speedup is taken per round.
"""

from __future__ import annotations

import gc
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .stats import median

Call = Callable[[], object]

#: Shortest time of one timed loop: well above the clock's resolution and a call's jitter.
MIN_ROUND_S = 2e-3


@dataclass(frozen=True)
class RoundPlan:
    """How many rounds to time: `rounds`, but no more than `min_rounds` once `budget_s` is spent."""

    rounds: int
    min_rounds: int
    budget_s: float
    min_round_s: float = MIN_ROUND_S


@dataclass(frozen=True)
class PairedTimes:
    """Seconds per call of each implementation, round by round, and the calls per timed loop."""

    rust: tuple[float, ...]
    fallback: tuple[float, ...]
    rust_number: int
    fallback_number: int


@dataclass(frozen=True)
class ThreadScaling:
    """Calls per second of N threads calling at once, against one thread (the median of a few tries)."""

    threads: int
    ratio: float  # throughput of N threads / throughput of one
    single_s: float  # seconds per call, one thread
    concurrent_s: float  # wall seconds per call, N threads sharing the work


@contextmanager
def gc_paused() -> Iterator[None]:
    """The garbage collector off while timing (a collection inside one loop is noise), as timeit does."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def time_loop(call: Call, number: int) -> float:
    """Seconds for `number` calls in a row."""
    start = time.perf_counter()
    for _ in range(number):
        call()
    return time.perf_counter() - start


def calibrate(call: Call, min_time: float = MIN_ROUND_S) -> int:
    """Calls per loop so that a loop takes at least `min_time` (timeit's autorange, aimed closer)."""
    number = 1
    while True:
        taken = time_loop(call, number)
        if taken >= min_time:
            return number
        # Aim 20 % above the target from what was measured; at least double so it always converges.
        guess = math.ceil(number * min_time * 1.2 / max(taken, 1e-9))
        number = max(number * 2, guess)


def paired_rounds(rust: Call, fallback: Call, plan: RoundPlan) -> PairedTimes:
    """Time both implementations round by round; each round runs both loops back to back."""
    with gc_paused():
        rust_number = calibrate(rust, plan.min_round_s)
        fallback_number = calibrate(fallback, plan.min_round_s)
        rust_times: list[float] = []
        fallback_times: list[float] = []
        started = time.perf_counter()
        for i in range(plan.rounds):
            if i >= plan.min_rounds and time.perf_counter() - started > plan.budget_s:
                break
            if i % 2 == 0:
                r = time_loop(rust, rust_number)
                f = time_loop(fallback, fallback_number)
            else:
                f = time_loop(fallback, fallback_number)
                r = time_loop(rust, rust_number)
            rust_times.append(r / rust_number)
            fallback_times.append(f / fallback_number)
    return PairedTimes(tuple(rust_times), tuple(fallback_times), rust_number, fallback_number)


def thread_scaling(call: Call, threads: int, *, tries: int = 3, min_time: float = 20e-3) -> ThreadScaling:
    """Throughput of `threads` threads each making the same calls at once, against one thread.

    Close to min(threads, CPUs) when the call releases the GIL for its work; close to 1 when not.
    """
    with gc_paused():
        number = calibrate(call, min_time)
        ratios, singles, concurrents = [], [], []
        for _ in range(tries):
            single = time_loop(call, number)
            concurrent = _concurrent_loop(call, number, threads)
            singles.append(single / number)
            concurrents.append(concurrent / (number * threads))
            ratios.append(threads * single / concurrent)
    return ThreadScaling(threads, median(ratios), median(singles), median(concurrents))


def _concurrent_loop(call: Call, number: int, threads: int) -> float:
    """Wall seconds for `threads` threads, released together, to make `number` calls each."""
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work() -> None:
        barrier.wait()
        try:
            time_loop(call, number)
        except BaseException as err:  # surfaced in the caller's thread below
            errors.append(err)

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    taken = time.perf_counter() - start
    if errors:
        raise errors[0]
    return taken
