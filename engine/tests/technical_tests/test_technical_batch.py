"""Batch functions equal a loop of single-series calls, serial (small) or parallel (large)."""

from __future__ import annotations

import numpy as np
import pytest

import rust_bridge as rb

# Below and above the Rust side's parallel threshold (2**15 points), and rows long enough for RSI's
# SIMD lanes (which a batch's rows run too).
SHAPES = [(3, 40), (16, 4_000), (4, 20_000)]

CASES = [
    ("sma", (10,)),
    ("ema", (10,)),
    ("rsi", (10,)),
    ("bollinger_bands", (10, 2.0, 1.5)),
    ("macd", (5, 13, 4)),
]


def as_tuple(result: object) -> tuple[np.ndarray, ...]:
    return result if isinstance(result, tuple) else (result,)  # type: ignore[return-value]


def matrix(rows: int, cols: int, walk) -> np.ndarray:
    return np.stack([walk(cols, seed=row) for row in range(rows)])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("name", "args"), CASES)
def test_batch_equals_a_loop_of_single_calls(backend: str, walk, shape, name: str, args: tuple) -> None:
    values = matrix(*shape, walk)
    values[1, :7] = np.nan  # the NaN convention holds per row
    batch = as_tuple(getattr(rb.technical_py, f"{name}_batch")(values, *args, backend=backend))
    single = getattr(rb.technical_py, name)
    rows = [as_tuple(single(row, *args, backend=backend)) for row in values]
    for i, out in enumerate(batch):
        assert out.shape == values.shape
        np.testing.assert_array_equal(out, np.stack([row[i] for row in rows]))


@pytest.mark.parametrize("shape", SHAPES)
def test_atr_batch_equals_a_loop_of_single_calls(backend: str, ohlc, shape) -> None:
    rows = [ohlc(shape[1], seed=row) for row in range(shape[0])]
    high, low, close = (np.stack([row[i] for row in rows]) for i in range(3))
    batch = rb.atr_batch(high, low, close, 14, backend=backend)
    expected = np.stack([rb.atr(h, lo, c, 14, backend=backend) for h, lo, c in rows])
    np.testing.assert_array_equal(batch, expected)


@pytest.mark.float_parity
def test_batch_backends_agree(needs_rust: None, agree, walk) -> None:
    values = matrix(8, 5_000, walk)
    for name, args in CASES:
        function = getattr(rb.technical_py, f"{name}_batch")
        agree(function(values, *args, backend="rust"), function(values, *args, backend="python"), scale=1e3)


def test_a_batch_without_rows(backend: str) -> None:
    empty = np.empty((0, 12))
    assert rb.sma_batch(empty, 5, backend=backend).shape == (0, 12)
    assert all(out.shape == (0, 12) for out in rb.macd_batch(empty, 2, 3, 2, backend=backend))
    assert rb.atr_batch(empty, empty, empty, 3, backend=backend).shape == (0, 12)


def test_a_single_row_batch(agree, backend: str, walk) -> None:
    x = walk(100)
    agree(rb.rsi_batch(x[None, :], 14, backend=backend)[0], rb.rsi(x, 14, backend=backend), scale=100.0)
