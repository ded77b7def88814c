"""The parity check of a kernel devtool translated from a Python function: generated inputs, one verdict.

`new-module --from` serves a translated kernel only when its parity test passes: hypothesis draws the
function's arguments from `arguments(TYPES)` (the signature's types), and `check` compares the Rust
backend with the Python one on each. A failure names the input and both results on one line that
starts with `counterexample:`, which devtool reads back from the pytest output.

The inputs: arrays of one shared length (0 to `MAX_LEN`; `[*]` arrays a length of their own) of finite
floats from -1e3 to 1e3 with a few special values put in (NaN, inf, -inf, -0.0, the smallest
subnormal), so that a NaN shows where it goes without turning every result into NaN; int arguments
over a small range including 0 and negatives (where Python raises, both must raise the same); float
arguments including 0.0 and NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from hypothesis import strategies as st

from ._testing import assert_same

#: The longest shared array length drawn.
MAX_LEN = 300
#: The special floats put into arrays (a few positions each) and among float arguments.
SPECIAL = (math.nan, math.inf, -math.inf, -0.0, 5e-324)


@st.composite
def _floats(draw: st.DrawFn, n: int) -> np.ndarray:
    values = draw(st.lists(st.floats(-1e3, 1e3), min_size=n, max_size=n))
    out = np.array(values, dtype=np.float64)
    if n:
        for _ in range(draw(st.integers(0, 3))):
            out[draw(st.integers(0, n - 1))] = draw(st.sampled_from(SPECIAL))
    return out


def _ints(n: int) -> st.SearchStrategy[np.ndarray]:
    return st.lists(st.integers(-1_000, 1_000), min_size=n, max_size=n).map(
        lambda v: np.array(v, dtype=np.int64)
    )


def _array(kind: str, n: int) -> st.SearchStrategy[Any]:
    if kind == "f64[,]":
        return st.integers(1, 4).flatmap(lambda k: _floats(n * k).map(lambda a: a.reshape(n, k)))
    return _ints(n) if kind.startswith("i64") else _floats(n)


SCALARS: Mapping[str, st.SearchStrategy[Any]] = {
    "f64": st.one_of(st.floats(-10.0, 10.0), st.sampled_from((0.0, 1.0, 2.0, math.nan))),
    "i64": st.integers(-3, 40),
    "usize": st.integers(0, 40),
    "bool": st.booleans(),
}


@st.composite
def arguments(draw: st.DrawFn, types: Mapping[str, str]) -> dict[str, Any]:
    """Keyword arguments for a function whose parameters have these signature types (`name: type`)."""
    n = draw(st.integers(0, MAX_LEN))
    kwargs: dict[str, Any] = {}
    for name, kind in types.items():
        if kind in SCALARS:
            kwargs[name] = draw(SCALARS[kind])
        else:
            length = draw(st.integers(0, 50)) if kind.endswith("[*]") else n
            kwargs[name] = draw(_array(kind, length))
    return kwargs


def check(function: Callable[..., Any], kwargs: Mapping[str, Any]) -> None:
    """The bridge's `function` gives the same from backend="rust" as from backend="python" (the
    Python function): the same results (`assert_same`: NaN where NaN, 1e-9 relative), or the same
    exception type.

    Raises:
        AssertionError: `counterexample: <input>; python: <result>; rust: <result>`.
    """
    expected, from_python = _call(function, kwargs, "python")
    result, from_rust = _call(function, kwargs, "rust")
    if from_python is not None or from_rust is not None:
        same = from_python is not None and from_rust is not None and type(from_python) is type(from_rust)
        if not same:
            _disagree(kwargs, from_python or expected, from_rust or result)
        return
    try:
        assert_same(result, expected, typed=False)
    except AssertionError:
        _disagree(kwargs, expected, result)


def describe(value: Any) -> str:
    """`value` on one line: arrays in full up to 40 elements, exceptions as `TypeName('message')`."""
    if isinstance(value, np.ndarray):
        return "np.array(" + np.array2string(value, separator=", ", threshold=40, max_line_width=10**6) + ")"
    if isinstance(value, tuple):
        return "(" + ", ".join(describe(v) for v in value) + ")"
    if isinstance(value, dict):
        return ", ".join(f"{k}={describe(v)}" for k, v in value.items())
    if isinstance(value, BaseException):
        return f"{type(value).__name__}({str(value)!r})"
    return repr(value)


def _call(
    function: Callable[..., Any], kwargs: Mapping[str, Any], backend: str
) -> tuple[Any, Exception | None]:
    try:
        with np.errstate(all="ignore"):  # NaN and inf inputs: numpy's warnings are expected, not news
            return function(**{k: _copy(v) for k, v in kwargs.items()}, backend=backend), None
    except (ArithmeticError, IndexError, TypeError, ValueError) as err:
        return None, err


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _disagree(kwargs: Mapping[str, Any], expected: Any, result: Any) -> None:
    raise AssertionError(
        f"counterexample: {describe(dict(kwargs))}; python: {describe(expected)}; rust: {describe(result)}"
    )
