"""Input normalisation shared by the Rust and fallback paths, so both see (and reject) the same thing."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import numpy.typing as npt

F64Array = npt.NDArray[np.float64]
I64Array = npt.NDArray[np.int64]

_F64 = np.dtype(np.float64)


_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1


def _numeric(values: Any, name: str, *, big_ints: bool = False) -> np.ndarray:
    """`values` as a numeric array; with `big_ints`, Python ints that no numpy integer type holds
    together (numpy makes them objects beyond 64 bits, floats when some need uint64 and some are
    negative) as an object array of those ints, for the caller to refuse naming the value."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers: {err}") from None
    if big_ints and arr.dtype.kind in "fO" and arr.size:
        objects = arr if arr.dtype == object else np.asarray(values, dtype=object)
        if all(type(v) is int for v in objects.flat):
            return objects
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    return arr


def as_f64_1d(values: Any, name: str) -> F64Array:
    """`values` as a C-contiguous, aligned float64 1-D array (no copy when it already is one).

    Raises:
        TypeError: not numeric.
        ValueError: not one-dimensional.
    """
    if type(values) is np.ndarray and values.dtype is _F64 and values.ndim == 1:
        flags = values.flags
        if flags.c_contiguous and flags.aligned:  # the hot path: nothing to convert
            return values
    arr = _numeric(values, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got {arr.ndim} dimensions")
    return _contiguous_f64(arr)


def as_f64_2d(values: Any, name: str) -> F64Array:
    """`values` as a C-contiguous, aligned float64 2-D array, one series per row.

    Raises:
        TypeError: not numeric.
        ValueError: not two-dimensional.
    """
    if type(values) is np.ndarray and values.dtype is _F64 and values.ndim == 2:
        flags = values.flags
        if flags.c_contiguous and flags.aligned:
            return values
    arr = _numeric(values, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional (one series per row), got {arr.ndim} dimensions")
    return _contiguous_f64(arr)


def _contiguous_f64(arr: np.ndarray) -> F64Array:
    # Not `ascontiguousarray`: it keeps a misaligned array (e.g. from a byte buffer), which Rust
    # cannot borrow as a slice. (The fast paths above check `dtype is` float64: an equal dtype
    # that is another object comes here and is returned uncopied.)
    return np.require(arr, dtype=np.float64, requirements=["C", "A"])


def as_i64_1d(values: Any, name: str) -> I64Array:
    """`values` as a C-contiguous int64 1-D array.

    Raises:
        TypeError: not integers.
        ValueError: not one-dimensional, or a value beyond int64 (a uint64 from 2**63 on, a Python
            int beyond 64 bits), named as given.
    """
    arr = _numeric(values, name, big_ints=True)
    if arr.dtype.kind not in "biuO" and arr.size:  # `[]` is float64 to numpy, and empty of integers too
        raise TypeError(f"{name} must be an array of integers, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got {arr.ndim} dimensions")
    _check_int64_range(arr, name)
    return np.require(arr, dtype=np.int64, requirements=["C", "A"])


def _check_int64_range(arr: np.ndarray, name: str) -> None:
    """Refuses integers int64 cannot hold, quoting the first as given: the cast would wrap them
    (2**63 + 5 as uint64 becomes -9223372036854775803)."""
    if arr.dtype == np.uint64:
        beyond = np.flatnonzero(arr > _I64_MAX)
    elif arr.dtype == object:
        beyond = np.flatnonzero([not _I64_MIN <= v <= _I64_MAX for v in arr])
    else:
        return
    if beyond.size:
        index = int(beyond[0])
        raise ValueError(
            f"{name} must be integers from -2**63 to 2**63 - 1 (int64): {name}[{index}] is {int(arr[index])}"
        )


def as_int(value: Any, name: str, *, minimum: int = _I64_MIN, maximum: int = _I64_MAX) -> int:
    """`value` as a Python int (bools refused), from `minimum` to `maximum` (bounds within int64),
    and within int64 always: the Rust kernels take i64 or usize, which PyO3 would refuse with
    OverflowError where the fallback took any Python int, so both are refused here with one
    ValueError.

    Raises:
        TypeError: not an integer.
        ValueError: below `minimum`, above `maximum`, or beyond int64.
    """
    if type(value) is int:  # the hot path
        number = value
    elif isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got bool")
    else:
        try:
            number = operator.index(value)
        except TypeError:
            raise TypeError(f"{name} must be an integer, got {type(value).__name__}") from None
    # One test of two locals on the hot path: every indicator's period passes here, and a call on
    # 10 points takes about 0.5 us (three tests, two of them of module globals, took 25 ns more).
    if minimum <= number <= maximum:
        return number
    if number < minimum and minimum > _I64_MIN:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    if number > maximum and maximum < _I64_MAX:
        raise ValueError(f"{name} must be <= {maximum}, got {number}")
    raise ValueError(f"{name} must be an integer from -2**63 to 2**63 - 1 (int64), got {number}")


def as_float(value: Any, name: str) -> float:
    """`value` as a Python float.

    Raises:
        TypeError: not a real number.
    """
    if type(value) is float:  # the hot path
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return float(value)


def as_bool(value: Any, name: str) -> bool:
    """`value` as a Python bool.

    Raises:
        TypeError: not a bool.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return bool(value)


#: The most rayon threads one call may ask for. A fixed number, not one per core, so that a call
#: good on one machine is good on every Dask worker: twice the hardware threads of the largest
#: servers (512), where each thread more than the cores only costs a stack and a start (4096
#: threads took 11.9 s on a 4 x 500 sweep that takes milliseconds).
MAX_THREADS = 1024


def as_threads(threads: Any, *, default: int) -> int:
    """`threads` checked, `default` for None.

    Raises:
        TypeError: not an integer.
        ValueError: below 0 or above `MAX_THREADS`.
    """
    if threads is None:
        return default
    return as_int(threads, "threads", minimum=0, maximum=MAX_THREADS)


def frame_columns(frame: Any, name: str, columns: tuple[str, ...]) -> tuple[F64Array, ...]:
    """The named columns of the pandas DataFrame `frame` as float64 arrays (`_pandas.frame_columns`).

    Raises:
        TypeError: `frame` is not a DataFrame, or a column is not numeric.
        ValueError: a column is missing.
    """
    from . import _pandas  # pandas is optional: imported only for functions that take a DataFrame

    return _pandas.frame_columns(frame, name, columns)


def like_input(result: Any, given: Any) -> Any:
    """`result` as a pandas Series with `given`'s index (and name) when `given` is a Series or a
    DataFrame (else as is).

    What makes a function made `--from` a pandas function a drop-in replacement in pandas code: the
    values cross into Rust as a numpy array (no copy for a contiguous float64 Series) and come back
    labelled like the input. Cheap for numpy callers: one type check.
    """
    if type(given).__module__.startswith("pandas"):
        from . import _pandas  # pandas is optional: imported only when a caller passes it

        return _pandas.like_series(result, given)
    return result
