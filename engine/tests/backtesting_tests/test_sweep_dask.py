"""`sma_crossover_sweep(..., client=...)` on a real Dask cluster: two worker processes on loopback.

The table from the cluster must be the local table bit for bit, however the symbols are chunked;
bad input must be refused here, with the local message, before anything is sent; and the engine's
functions, Rust ones included, must pickle and import on the workers.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

# isort: split
import rust_bridge
from rust_bridge import sweep

from .conftest import random_closes

distributed = pytest.importorskip("distributed")

FAST = [3, 10, 25]
SLOW = [20, 50]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two single-threaded worker processes, on loopback only, without a dashboard."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _assert_identical(actual: rust_bridge.SweepTable, expected: rust_bridge.SweepTable) -> None:
    for name, a, e in zip(expected._fields, actual, expected, strict=True):
        assert a.dtype == e.dtype, name
        np.testing.assert_array_equal(a, e, err_msg=name)  # NaN equals NaN here


@pytest.mark.parametrize("symbols_per_task", [None, 1, 3, 100])
def test_the_cluster_table_is_the_local_table(client: Any, symbols_per_task: int | None) -> None:
    close = random_closes(7, 3_000, seed=1)
    local = rust_bridge.sma_crossover_sweep(close, FAST, SLOW, 5.0, 2.0, 365.0)
    remote = rust_bridge.sma_crossover_sweep(
        close, FAST, SLOW, 5.0, 2.0, 365.0, client=client, symbols_per_task=symbols_per_task
    )
    _assert_identical(remote, local)


def test_the_tasks_run_in_the_worker_processes(client: Any) -> None:
    pids = client.run(os.getpid)
    assert len(pids) == 2 and os.getpid() not in pids.values()
    # The workers import the compiled engine, so the tasks run the Rust kernel.
    assert all(client.run(lambda: rust_bridge.RUST_AVAILABLE).values())
    close = random_closes(4, 500, seed=2)
    with distributed.get_task_stream(client) as stream:
        table = rust_bridge.sma_crossover_sweep(close, FAST, SLOW, client=client, symbols_per_task=1)
    np.testing.assert_array_equal(np.unique(table.symbol), [0, 1, 2, 3])
    tasks = [t for t in stream.data if str(t["key"]).startswith("_sweep_chunk")]
    assert len(tasks) == 4  # one per symbol
    assert {t["worker"] for t in tasks} <= set(pids)


def test_the_fallback_runs_on_the_workers_too(client: Any) -> None:
    close = random_closes(3, 400, seed=4)
    local = rust_bridge.sma_crossover_sweep(close, FAST, SLOW, backend="python")
    remote = rust_bridge.sma_crossover_sweep(close, FAST, SLOW, client=client, backend="python")
    _assert_identical(remote, local)


def test_bad_input_is_refused_here_with_the_local_message(client: Any) -> None:
    close = random_closes(6, 100, seed=3)
    close[5, 17] = np.nan  # in the third task of two symbols: its row there would be 1
    expected = "close must be finite and > 0: close[5, 17] is not"
    with pytest.raises(ValueError, match=expected.replace("[", r"\[")):
        rust_bridge.sma_crossover_sweep(close, FAST, SLOW, client=client, symbols_per_task=2)
    with pytest.raises(ValueError, match="slow_windows must be from 1 to the series length"):
        rust_bridge.sma_crossover_sweep(close, FAST, [500], client=client)
    with pytest.raises(ValueError, match="symbols_per_task must be >= 1"):
        rust_bridge.sma_crossover_sweep(close[:5], FAST, SLOW, client=client, symbols_per_task=0)
    with pytest.raises(ValueError, match="threads must be <= 1024, got 4096"):
        rust_bridge.sma_crossover_sweep(close, FAST, SLOW, client=client, threads=4096)


def test_no_symbols_give_an_empty_table(client: Any) -> None:
    table = rust_bridge.sma_crossover_sweep(np.empty((0, 50)), FAST, SLOW, client=client)
    assert all(len(column) == 0 for column in table)


@pytest.mark.parametrize(
    "function",
    [rust_bridge.sma_crossover_sweep, rust_bridge.backtest, sweep._sweep_chunk],
    ids=["bridge-sweep", "bridge-backtest", "task"],
)
def test_bridge_functions_pickle_by_reference(function: Any) -> None:
    assert pickle.loads(pickle.dumps(function)) is function


def test_compiled_functions_pickle_by_reference() -> None:
    from crypto_trading_engine import backtesting, market_data

    for native in (backtesting.sma_crossover_sweep, backtesting.backtest, market_data.resample_ohlcv):
        assert native.__module__.startswith("crypto_trading_engine.")
        assert pickle.loads(pickle.dumps(native)) is native
