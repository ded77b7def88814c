"""`sma_crossover_sweep` on a Dask cluster: chunks of symbols per task, the tables gathered in order.

`rust_bridge.sma_crossover_sweep(..., client=client)` comes here. Each task calls the same function
without a client on a worker, so the Rust kernel runs there with its own rayon threads and the GIL
released; the functions travel by reference (`rust_bridge.sweep._sweep_chunk`), so every worker
needs this package installed (with its compiled engine, or it runs the numpy fallback).

A symbol's row depends on nothing but that symbol's closes, and the kernel computes each row the
same way on any number of threads: the gathered table is the local one, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import _convert, _native
from .backtesting_py import SweepTable, sma_crossover_sweep

if TYPE_CHECKING:
    from distributed import Client

#: fee_bps, slippage_bps, periods_per_year, allow_short
Terms = tuple[float, float, float, bool]

#: Tasks per worker thread when `symbols_per_task` is not given: two, so that a slow task does
#: not leave the other threads idle at the end.
TASKS_PER_THREAD = 2


def sweep_on_cluster(
    client: Client,
    close: _convert.F64Array,
    fast_windows: _convert.I64Array,
    slow_windows: _convert.I64Array,
    terms: Terms,
    *,
    threads: int | None = None,
    symbols_per_task: int | None = None,
    backend: _native.Backend = "auto",
) -> SweepTable:
    """The sweep of `close` (normalised by the caller) on `client`'s workers.

    Raises:
        ValueError, TypeError: as `sma_crossover_sweep`, raised here before anything is sent.
    """
    threads = _convert.as_threads(threads, default=1)
    _check_here(close, fast_windows, slow_windows, terms, backend)
    rows = close.shape[0]
    per_task = _symbols_per_task(client, rows, symbols_per_task)
    starts = list(range(0, rows, per_task))
    if not starts:
        return sma_crossover_sweep(close, fast_windows, slow_windows, *terms, threads=1, backend=backend)
    chunks = client.scatter([close[start : start + per_task] for start in starts])  # type: ignore[no-untyped-call]
    tasks = [
        client.submit(_sweep_chunk, chunk, start, fast_windows, slow_windows, terms, threads, backend)
        for chunk, start in zip(chunks, starts, strict=True)
    ]
    return _concatenate(client.gather(tasks))  # type: ignore[no-untyped-call]


def _check_here(
    close: _convert.F64Array,
    fast_windows: _convert.I64Array,
    slow_windows: _convert.I64Array,
    terms: Terms,
    backend: _native.Backend,
) -> None:
    """Refuse bad input with the local messages, in the local order, before anything is sent (a
    worker would name a close by its row in a chunk). Two cheap calls: the windows and the terms
    against no symbols, then every close with no windows."""
    sma_crossover_sweep(close[:0], fast_windows, slow_windows, *terms, threads=1, backend=backend)
    no_windows = np.empty(0, dtype=np.int64)
    sma_crossover_sweep(close, no_windows, no_windows, *terms, threads=1, backend=backend)


def _symbols_per_task(client: Client, rows: int, requested: int | None) -> int:
    if requested is not None:
        return _convert.as_int(requested, "symbols_per_task", minimum=1)
    worker_threads = sum(client.nthreads().values()) or 1  # type: ignore[no-untyped-call]
    return max(1, math.ceil(rows / (TASKS_PER_THREAD * worker_threads)))


def _sweep_chunk(
    close: _convert.F64Array,
    first_symbol: int,
    fast_windows: _convert.I64Array,
    slow_windows: _convert.I64Array,
    terms: Terms,
    threads: int,
    backend: _native.Backend,
) -> SweepTable:
    """One task, on a worker: the sweep of `close`'s rows, numbered from `first_symbol`."""
    table = sma_crossover_sweep(close, fast_windows, slow_windows, *terms, threads=threads, backend=backend)
    return table._replace(symbol=table.symbol + first_symbol)


def _concatenate(tables: Sequence[SweepTable]) -> SweepTable:
    return SweepTable(*(np.concatenate(column) for column in zip(*tables, strict=True)))
