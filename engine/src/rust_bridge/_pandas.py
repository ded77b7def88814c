"""pandas in and out of functions made `devtool new-module --from` a function hinted `pd.Series`
or taking a `pd.DataFrame`.

The kernel and the fallback's contract are numpy arrays. The bridge converts a Series to its values
on the way in (`_convert.as_f64_1d`, no copy when they are contiguous float64), a DataFrame to the
columns its signature names (`frame_columns`, no copy for float64 columns), and labels the result like
the input on the way out (`_convert.like_input`). The Python function itself, written for pandas, is
called with Series and DataFrames and its Series result is turned back into values (`adapt`), so it
stays the fallback and the reference.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _convert


def like_series(result: Any, given: pd.Series | pd.DataFrame) -> Any:
    """A 1-D array as long as `given` -> a Series with its index (and a Series' name); tuples item by item."""
    if isinstance(result, tuple):
        return tuple(like_series(item, given) for item in result)
    if isinstance(result, np.ndarray) and result.ndim == 1 and len(result) == len(given):
        name = given.name if isinstance(given, pd.Series) else None
        return pd.Series(result, index=given.index, name=name, copy=False)
    return result


def frame_columns(frame: Any, name: str, columns: Sequence[str]) -> tuple[_convert.F64Array, ...]:
    """The `columns` of the DataFrame `frame` as C-contiguous float64 arrays, in order (a float64
    column is not copied: pandas keeps a column's values contiguous).

    Raises:
        TypeError: `frame` is not a DataFrame, or a column is not numeric (named).
        ValueError: a column is missing, or two columns have its name (named).
    """
    wanted = ", ".join(columns)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame with the columns {wanted}, got {type(frame).__name__}"
        )
    arrays = []
    for column in columns:
        if column not in frame.columns:
            present = ", ".join(map(str, frame.columns)) or "none"
            raise ValueError(f"{name} has no column {column!r}: it needs {wanted} (its columns: {present})")
        series = frame[column]
        if isinstance(series, pd.DataFrame):
            raise ValueError(f"{name} has {series.shape[1]} columns named {column!r}: keep one")
        label = f"{name}[{column!r}]"
        if series.dtype.kind not in "biuf":
            raise TypeError(f"{label} must be numbers, got dtype {series.dtype}")
        values = (
            series.to_numpy()
            if isinstance(series.dtype, np.dtype)
            else series.to_numpy(np.float64, na_value=np.nan)
        )
        arrays.append(_convert.as_f64_1d(values, label))
    return tuple(arrays)


def is_pandas_function(function: Callable[..., Any]) -> bool:
    """Whether a parameter or the result of `function` is hinted as a pandas Series."""
    hints = [p.annotation for p in inspect.signature(function).parameters.values()]
    hints.append(inspect.signature(function).return_annotation)
    return any(_is_series_hint(h) for h in hints)


def adapt(
    function: Callable[..., Any], frames: Mapping[str, Sequence[str]] | None = None
) -> Callable[..., Any]:
    """`function` called with numpy arrays: Series-hinted parameters get Series, a Series result values.

    A parameter in `frames` ({parameter: columns}) is passed as its columns, one positional array each:
    the function gets a DataFrame of them.
    """
    signature = inspect.signature(function)
    series_params = [p.name for p in signature.parameters.values() if _is_series_hint(p.annotation)]
    names = list(signature.parameters)
    frames = dict(frames or {})

    @functools.wraps(function)
    def adapted(*args: Any, **kwargs: Any) -> Any:
        if frames:
            args = _regrouped(args, names, frames)
        bound = signature.bind(*args, **kwargs)
        for name in series_params:
            value = bound.arguments.get(name)
            if isinstance(value, np.ndarray):
                bound.arguments[name] = pd.Series(value, copy=False)
        return _values(function(*bound.args, **bound.kwargs))

    return adapted


def _regrouped(
    args: tuple[Any, ...], names: list[str], frames: Mapping[str, Sequence[str]]
) -> tuple[Any, ...]:
    """The positional `args`, each frame parameter's columns gathered into a DataFrame."""
    grouped: list[Any] = []
    rest = list(args)
    for name in names:
        if not rest:
            break
        if name in frames:
            columns = frames[name]
            taken, rest = rest[: len(columns)], rest[len(columns) :]
            grouped.append(pd.DataFrame(dict(zip(columns, taken, strict=True)), copy=False))
        else:
            grouped.append(rest.pop(0))
    return (*grouped, *rest)


def _values(result: Any) -> Any:
    if isinstance(result, tuple):
        return tuple(_values(item) for item in result)
    if isinstance(result, pd.Series):
        return result.to_numpy()
    return result


def _is_series_hint(hint: Any) -> bool:
    """`pd.Series`, `pd.Series[float]`, or the same as a string (`from __future__ import annotations`)."""
    if isinstance(hint, str):
        return hint.split("[")[0].rsplit(".", 1)[-1] == "Series"
    cls = getattr(hint, "__origin__", hint)
    return isinstance(cls, type) and issubclass(cls, pd.Series)
