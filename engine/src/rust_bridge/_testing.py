"""Assertions for the parity tests: Rust against the numpy fallback, or any two libraries.

Where both sides do the same IEEE operations in the same order (sums, products, divisions,
`sqrt`: each correctly rounded), their results are equal bit for bit and a test says so with
`np.testing.assert_array_equal`. A transcendental (`log`, `exp`, `atanh`, `pow`) is not correctly
rounded: Rust's libm, an fdlibm polynomial and numpy's SIMD loops (picked by the CPU at run
time: AVX-512, AVX2 or the baseline) each round differently, so the same call differs by an ulp
or two from one library, or one machine, to another. Those results are compared with
`assert_ulp_close`, within a bound the test states.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def price_frame(rng: np.random.Generator, n: int, columns: Sequence[str]) -> Any:
    """A pandas DataFrame of `n` rows with the float64 `columns`, each a random walk of prices around
    100 (positive, as trading code expects): the test input of a function that takes a DataFrame."""
    import pandas as pd  # pandas is optional: only the tests of functions that take a DataFrame use it

    walks = 100.0 * np.exp(np.cumsum(0.01 * rng.standard_normal((len(columns), n)), axis=1))
    return pd.DataFrame(dict(zip(columns, walks, strict=True)))  # each column contiguous, as read_csv makes
