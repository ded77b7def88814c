"""What numpy users pass: lists, integer and float32 arrays, strided, read-only, byte-swapped and
misaligned arrays all give the float64 result; the hot path does not copy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import rust_bridge as rb
from rust_bridge._convert import as_f64_1d, as_f64_2d

BASE = np.array([3.0, 5.0, 4.0, 8.0, 6.0, 9.0, 7.0, 12.0, 10.0, 11.0])


def read_only(x: np.ndarray) -> np.ndarray:
    y = x.copy()
    y.flags.writeable = False
    return y


def misaligned(x: np.ndarray) -> np.ndarray:
    raw = np.zeros(x.nbytes + 1, dtype=np.uint8)
    y = np.ndarray(len(x), dtype=np.float64, buffer=raw, offset=1)
    y[:] = x
    assert not y.flags.aligned
    return y


def strided(x: np.ndarray) -> np.ndarray:
    doubled = np.repeat(x, 2)
    return doubled[::2]


KINDS: dict[str, Callable[[np.ndarray], object]] = {
    "list": lambda x: x.tolist(),
    "tuple": lambda x: tuple(x.tolist()),
    "int64": lambda x: x.astype(np.int64),
    "int8": lambda x: x.astype(np.int8),
    "float32": lambda x: x.astype(np.float32),
    "strided": strided,
    "reversed twice": lambda x: x[::-1][::-1],
    "read-only": read_only,
    "big-endian": lambda x: x.astype(">f8"),
    "misaligned": misaligned,
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("name", "args"),
    [("sma", (3,)), ("ema", (3,)), ("rsi", (3,)), ("bollinger_bands", (3,)), ("macd", (2, 4, 2))],
)
def test_input_kinds_give_the_float64_result(agree, backend: str, kind: str, name: str, args: tuple) -> None:
    function = getattr(rb.technical_py, name)
    agree(
        function(KINDS[kind](BASE), *args, backend=backend),
        function(BASE, *args, backend=backend),
        scale=20.0,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_atr_input_kinds(agree, backend: str, kind: str) -> None:
    high, low = BASE + 1, BASE - 1
    convert = KINDS[kind]
    expected = rb.atr(high, low, BASE, 3, backend=backend)
    agree(rb.atr(convert(high), convert(low), convert(BASE), 3, backend=backend), expected, scale=20.0)


@pytest.mark.parametrize("kind", ["list", "int64", "float32", "fortran", "strided", "read-only"])
def test_batch_input_kinds(agree, backend: str, kind: str) -> None:
    matrix = np.stack([BASE, BASE[::-1], BASE * 2])
    convert = {
        "list": lambda m: m.tolist(),
        "int64": lambda m: m.astype(np.int64),
        "float32": lambda m: m.astype(np.float32),
        "fortran": np.asfortranarray,
        "strided": lambda m: np.repeat(m, 2, axis=1)[:, ::2],
        "read-only": read_only,
    }[kind]
    agree(
        rb.sma_batch(convert(matrix), 3, backend=backend),
        rb.sma_batch(matrix, 3, backend=backend),
        scale=30.0,
    )


def test_numpy_integer_parameters_are_accepted(agree, backend: str) -> None:
    out = rb.bollinger_bands(BASE, np.int64(3), np.float32(2.0), np.int32(1), backend=backend)
    agree(out, rb.bollinger_bands(BASE, 3, 2.0, 1.0, backend=backend), scale=20.0)


def test_contiguous_float64_passes_through_uncopied() -> None:
    assert as_f64_1d(BASE, "values") is BASE
    matrix = np.ones((3, 4))
    assert as_f64_2d(matrix, "values") is matrix
    ro = read_only(BASE)
    assert as_f64_1d(ro, "values") is ro


def test_inputs_are_not_modified(backend: str) -> None:
    x = BASE.copy()
    rb.macd(x, 2, 4, 2, backend=backend)
    rb.bollinger_bands(x, 3, backend=backend)
    np.testing.assert_array_equal(x, BASE)


def test_outputs_are_fresh_writable_float64_arrays(backend: str) -> None:
    out = rb.sma(BASE, 3, backend=backend)
    assert out.dtype == np.float64 and out.flags.c_contiguous and out.flags.writeable
    assert not np.shares_memory(out, BASE)
