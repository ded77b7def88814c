"""The generated tests' data and assertions: Rust against the numpy fallback, or any two libraries.

Data: `draw` gives every generated test and benchmark its arguments, shaped like what a trading
function is written for (`NAME_RULES`: bars for OHLCV columns, windows, fractions; a DataFrame
argument's columns too, `price_frame`), and
`assert_informative` fails a test whose reference proves nothing on them (mostly NaN, or one value).

Assertions:

Where both sides do the same IEEE operations in the same order (sums, products, divisions,
`sqrt`: each correctly rounded), their results are equal bit for bit and a test says so with
`np.testing.assert_array_equal`. A transcendental (`log`, `exp`, `atanh`, `pow`) is not correctly
rounded: Rust's libm, an fdlibm polynomial and numpy's SIMD loops (picked by the CPU at run
time: AVX-512, AVX2 or the baseline) each round differently, so the same call differs by an ulp
or two from one library, or one machine, to another. Those results are compared with
`assert_ulp_close`, within a bound the test states.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def assert_ulp_close(actual: Any, expected: Any, *, max_ulp: int, err_msg: str = "") -> None:
    """Same dtype and shape, NaN and infinities at the same places, and every other value within
    `max_ulp` units in the last place of the expected one.

    The NaN and infinity masks are compared first because `np.testing.assert_array_max_ulp`
    alone takes the largest finite double and an infinity for 1 ulp apart.

    Raises:
        AssertionError: the arrays differ in dtype, shape, special values, or by more than `max_ulp`.
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape), (
        f"{err_msg}: dtype and shape {actual.dtype}{actual.shape} != {expected.dtype}{expected.shape}"
    )
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=f"{err_msg}: NaN positions")
    special = ~np.isfinite(expected)
    np.testing.assert_array_equal(special, ~np.isfinite(actual), err_msg=f"{err_msg}: non-finite positions")
    np.testing.assert_array_equal(actual[special], expected[special], err_msg=f"{err_msg}: infinities")
    try:
        np.testing.assert_array_max_ulp(actual[~special], expected[~special], maxulp=max_ulp)
    except AssertionError as err:
        raise AssertionError(f"{err_msg}: {err}") from None


def assert_same(actual: Any, expected: Any, *, exact: bool = False, typed: bool = True) -> None:
    """The parity assertion of the generated tests: the same structure (tuples of the same
    length), numpy arrays of the same dtype and shape, and equal values (NaN equals NaN),
    exactly or within 1e-9 (relative and absolute).

    `typed`: also the same Python type at every level, and integers and bools equal. A test
    against a Python function (`new-module --from`) passes False: its scalars may be numpy's or
    Python's, and a pandas Series on either side is compared by its values.

    Raises:
        AssertionError: the results differ in structure, type, dtype, shape or value.
    """
    if typed:
        assert type(actual) is type(expected), (type(actual), type(expected))
    else:
        actual, expected = _values(actual), _values(expected)
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            assert_same(a, e, exact=exact, typed=typed)
        return
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), type(actual)
        assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape)
    elif typed and not isinstance(expected, float):
        assert actual == expected
        return
    tolerance = 0.0 if exact else 1e-9
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance)


def _values(value: Any) -> Any:
    """A pandas Series' values; anything else as it is."""
    kind = type(value)
    return value.to_numpy() if kind.__name__ == "Series" and kind.__module__.startswith("pandas") else value


@dataclass(frozen=True)
class NameRule:
    """Arguments that `draw` shapes by their name: `kind`, for these types, by exact (lowercase) name
    or name ending."""

    kind: str
    types: frozenset[str]
    names: frozenset[str]
    suffixes: tuple[str, ...] = ()

    def matches(self, name: str, type_: str) -> bool:
        name = name.lower()
        return type_ in self.types and (name in self.names or name.endswith(self.suffixes))


_COLUMN = frozenset({"f64[]", "i64[]"})
_INTEGERS = frozenset({"i64", "usize", "i64[]", "i64[*]"})

#: How `draw` shapes an argument, by name and type; the first rule that matches wins. What each draws:
#:   open, high, low, close, volume  one bar per element, the same bars for every column: a random-walk
#:        close around 100, open the previous close, high >= max(open, close), low <= min(open, close),
#:        volume >= 0 (int64 columns: rounded, which keeps that order)
#:   length  the arrays' length n: numba-style loops take it as a parameter (pandas-ta-classic's
#:        `_psar_loop(h_arr, l_arr, m, ...)`), and a window-sized one would run them on a few elements
#:   window  a small positive integer below the array length (2 to WINDOW_MAX, or 1 for fewer than
#:        three elements); an int array of them (`windows: i64[*]`) has several
#:   fraction  a float in (0, 1)
#: Any other argument: float arrays are prices (a random walk around 100, positive), int arrays
#: integers in [-50, 50), and scalars OTHER_SCALARS. (`l` for low is refused by the signature grammar.)
NAME_RULES = (
    NameRule("open", _COLUMN, frozenset({"open", "o", "opens", "open_price", "opening"})),
    NameRule("high", _COLUMN, frozenset({"high", "h", "highs", "high_price"})),
    NameRule("low", _COLUMN, frozenset({"low", "lows", "low_price"})),
    NameRule("close", _COLUMN, frozenset({"close", "c", "closes", "close_price", "price", "prices", "px"})),
    NameRule("volume", _COLUMN, frozenset({"volume", "v", "vol", "volumes", "qty", "quantity"})),
    NameRule("length", frozenset({"i64", "usize"}), frozenset({"m", "size", "n_bars", "nbars", "num_bars"})),
    NameRule(
        "window",
        _INTEGERS,
        frozenset(
            {"window", "windows", "period", "periods", "n", "length", "lookback", "span", "lag", "lags"}
        ),
        ("_window", "_period", "_length", "_lookback", "_span", "_lag", "_len"),
    ),
    NameRule(
        "fraction",
        frozenset({"f64"}),
        frozenset({"alpha", "af", "iaf", "maxaf", "max_af", "fraction", "frac", "pct", "percent", "ratio"}),
        ("_alpha", "_af", "_fraction", "_frac", "_pct", "_ratio", "_rate"),
    ),
)
#: The largest window `draw` gives: the tests run at lengths where most of the output is past it.
WINDOW_MAX = 30
#: The scalars no rule matches.
OTHER_SCALARS: dict[str, Any] = {"f64": 0.5, "i64": 10, "usize": 10, "bool": True}


def kind_of(name: str, type_: str) -> str:
    """The `NAME_RULES` kind of an argument, or "other"."""
    return next((rule.kind for rule in NAME_RULES if rule.matches(name, type_)), "other")


def draw(types: Mapping[str, str], n: int, seed: int = 0) -> dict[str, Any]:
    """Arguments for a function whose arguments are `types` ({name: signature type}), arrays of length
    `n` (a `[*]` array: n // 2 + 1), shaped by `NAME_RULES`; the same for the same seed.

    A `frame[COLUMNS]` argument is a pandas DataFrame of n rows (`price_frame`): a column named like a
    bar's (`High`, `close`) takes that bar, the same bars as any array argument of that name.
    """
    rng = np.random.default_rng(seed)
    kinds = {name: kind_of(name, type_) for name, type_ in types.items()}
    frames = {name: frame_columns(type_) for name, type_ in types.items() if type_.startswith(FRAME)}
    column_kinds = [kind_of(c, "f64[]") for columns in frames.values() for c in columns]
    wanted = [*kinds.values(), *column_kinds]
    bars = _bars(rng, n) if any(kind in _BAR_COLUMNS for kind in wanted) else {}
    drawn: dict[str, Any] = {}
    for name, type_ in types.items():
        kind, length = kinds[name], (n // 2 + 1 if type_.endswith("[*]") else n)
        if name in frames:
            drawn[name] = price_frame(rng, n, frames[name], bars=bars)
        elif kind in bars:
            column = bars[kind]
            drawn[name] = np.rint(column).astype(np.int64) if type_ == "i64[]" else column.copy()
        elif kind == "length":
            drawn[name] = n
        elif kind == "window":
            size = None if type_ in ("i64", "usize") else length
            drawn[name] = _windows(rng, n, size)
        elif kind == "fraction":
            drawn[name] = float(rng.uniform(0.01, 0.99))
        elif type_ == "f64[,]":
            drawn[name] = _prices(rng, (n, 3))
        elif type_ in ("f64[]", "f64[*]"):
            drawn[name] = _prices(rng, length)
        elif type_ in ("i64[]", "i64[*]"):
            drawn[name] = rng.integers(-50, 50, length)
        else:
            drawn[name] = OTHER_SCALARS[type_]
    return drawn


_BAR_COLUMNS = ("open", "high", "low", "close", "volume")


def _prices(rng: np.random.Generator, shape: int | tuple[int, int]) -> np.ndarray:
    """A random walk in log space around 100: positive, as trading code expects."""
    return 100.0 * np.exp(np.cumsum(0.01 * rng.standard_normal(shape), axis=0))


def _bars(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """n consistent bars: open is the previous close, high and low beyond both, volume >= 0."""
    close = _prices(rng, n)
    open_ = np.concatenate([close[:1] * np.exp(0.01 * rng.standard_normal(min(n, 1))), close[:-1]])
    high = np.maximum(open_, close) * np.exp(0.005 * np.abs(rng.standard_normal(n)))
    low = np.minimum(open_, close) * np.exp(-0.005 * np.abs(rng.standard_normal(n)))
    volume = rng.lognormal(8.0, 1.0, n)
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume}


#: A DataFrame argument's type as `draw` takes it: the signature's `frame[open, high, low, close]`.
FRAME = "frame["


def frame_type(*columns: str) -> str:
    """The `draw` type of a DataFrame argument with these columns (`frame_type("High", "low")` is
    "frame[High, low]"): a generated test lists the columns one by one, as its line length allows."""
    return f"{FRAME}{', '.join(columns)}]"


def frame_columns(type_: str) -> tuple[str, ...]:
    """The column labels of a `frame[...]` type (`frame[High, low]` -> ("High", "low"))."""
    if not (type_.startswith(FRAME) and type_.endswith("]")):
        raise ValueError(f"not a frame type: {type_!r} (frame[COLUMN, ...])")
    return tuple(c.strip() for c in type_[len(FRAME) : -1].split(","))


def price_frame(
    rng: np.random.Generator,
    n: int,
    columns: Sequence[str],
    *,
    bars: Mapping[str, np.ndarray] | None = None,
) -> Any:
    """A pandas DataFrame of `n` rows with the float64 `columns`: the test input of a function that
    takes a DataFrame. A column named like a bar's (`NAME_RULES`: `High`, `close`, `volume`) takes
    that bar, so high >= low as trading code expects (from `bars` when given, else bars drawn here);
    any other is a random walk of prices around 100 (positive).
    """
    import pandas as pd  # pandas is optional: only the tests of functions that take a DataFrame use it

    kinds = [kind_of(c, "f64[]") for c in columns]
    if bars is None:
        bars = _bars(rng, n) if any(kind in _BAR_COLUMNS for kind in kinds) else {}
    data = {c: bars[k].copy() if k in bars else _prices(rng, n) for c, k in zip(columns, kinds, strict=True)}
    return pd.DataFrame(data)  # each column contiguous, as read_csv makes


def _windows(rng: np.random.Generator, n: int, size: int | None) -> Any:
    """Windows below the array length n: from 2 to WINDOW_MAX, or 1 when n < 3."""
    high = max(1, min(n - 1, WINDOW_MAX))
    low = min(2, high)
    if size is None:
        return int(rng.integers(low, high + 1))
    return rng.integers(low, high + 1, size)


#: The share of a reference's output above which it proves nothing: that much NaN, or one value.
DEGENERATE_SHARE = 0.9
#: An output needs this many elements before "mostly one value" means anything (NaN counts at any size).
MIN_ELEMENTS = 20


def degenerate(result: Any) -> str | None:
    """What makes `result` (a reference's output: arrays, Series, scalars, or a tuple of them) prove
    nothing, e.g. "98.0% NaN" or "result [1]: 95.0% one value (0)"; None when nothing does.

    An output is degenerate when more than DEGENERATE_SHARE of its elements are NaN or infinite (an
    overflow proves no more than a NaN), or, from
    MIN_ELEMENTS elements on, one value. Empty outputs and non-numeric ones are not judged. An output
    of a tuple that is mostly (not all) NaN is not degenerate when the outputs of its length together
    have values in more than 1 - DEGENERATE_SHARE of the places (`_split`: long and short parts).
    """
    parts = result if isinstance(result, tuple) else (result,)
    arrays = [np.asarray(part).ravel() for part in parts]
    for k, values in enumerate(arrays):
        label = f"result [{k}]: " if isinstance(result, tuple) else ""
        if values.size == 0 or values.dtype.kind not in "biuf":
            continue
        nan = _nan(values)
        share = float(nan.mean())
        if share > DEGENERATE_SHARE and not (share < 1.0 and _split(arrays, k)):
            return f"{label}{_percent(share)} {_kinds(values[nan])}"
        if values.size < MIN_ELEMENTS or nan.all():
            continue
        distinct, counts = np.unique(values[~nan], return_counts=True)
        share = float(counts.max()) / values.size
        if share > DEGENERATE_SHARE:
            return f"{label}{_percent(share)} one value ({distinct[counts.argmax()].item()!r})"
    return None


def _nan(values: np.ndarray) -> np.ndarray:
    """Where `values` hold no number a test can compare with meaning: NaN or +-inf."""
    return ~np.isfinite(values) if values.dtype.kind == "f" else np.zeros(values.size, dtype=bool)


def _kinds(missing: np.ndarray) -> str:
    """Names what the non-finite `missing` values are: "NaN", "infinite" or "NaN or infinite"."""
    nan = bool(np.isnan(missing).any())
    inf = bool(np.isinf(missing).any())
    return "NaN or infinite" if nan and inf else "infinite" if inf else "NaN"


def _split(arrays: list[np.ndarray], k: int) -> bool:
    """Whether the outputs of `arrays[k]`'s length together have values where it has none: one line split
    into parts, NaN where the other part holds the value (pandas-ta's long and short of a PSAR or a
    SuperTrend, which a random walk leaves mostly on one side)."""
    same = [_nan(a) for a in arrays if a.size == arrays[k].size and a.dtype.kind in "biuf"]
    return len(same) > 1 and float(np.logical_and.reduce(same).mean()) <= DEGENERATE_SHARE


def _percent(share: float) -> str:
    """A share as a percentage rounded down, so that one above the threshold never reads as it."""
    return f"{math.floor(share * 1000) / 10}%"


def assert_informative(result: Any, *, inputs: str) -> None:
    """Fail when the reference's `result` on the generated inputs is `degenerate`: such an oracle
    passes a wrong kernel as readily as a right one. `inputs` names the place to adjust them.

    Raises:
        AssertionError: what is degenerate, and where to adjust the inputs.
    """
    problem = degenerate(result)
    if problem is not None:
        raise AssertionError(
            f"the reference gives {problem} on the generated inputs: it proves nothing; "
            f"adjust the inputs in {inputs}"
        )
