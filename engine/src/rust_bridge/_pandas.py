"""pandas in and out of functions made `devtool new-module --from` a function hinted `pd.Series`.

The kernel and the fallback's contract are numpy arrays. The bridge converts a Series to its values
on the way in (`_convert.as_f64_1d`, no copy when they are contiguous float64) and labels the result
like the input on the way out (`_convert.like_input`). The Python function itself, written for pandas,
is called with Series and its Series result is turned back into values (`adapt`), so it stays the
fallback and the reference.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


def like_series(result: Any, given: pd.Series) -> Any:
    """A 1-D array as long as `given` -> a Series with its index and name; tuples item by item."""
    if isinstance(result, tuple):
        return tuple(like_series(item, given) for item in result)
    if isinstance(result, np.ndarray) and result.ndim == 1 and len(result) == len(given):
        return pd.Series(result, index=given.index, name=given.name, copy=False)
    return result


def is_pandas_function(function: Callable[..., Any]) -> bool:
    """Whether a parameter or the result of `function` is hinted as a pandas Series."""
    hints = [p.annotation for p in inspect.signature(function).parameters.values()]
    hints.append(inspect.signature(function).return_annotation)
    return any(_is_series_hint(h) for h in hints)


def adapt(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` called with numpy arrays: Series-hinted parameters get Series, a Series result values."""
    signature = inspect.signature(function)
    series_params = [p.name for p in signature.parameters.values() if _is_series_hint(p.annotation)]

    @functools.wraps(function)
    def adapted(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        for name in series_params:
            value = bound.arguments.get(name)
            if isinstance(value, np.ndarray):
                bound.arguments[name] = pd.Series(value, copy=False)
        return _values(function(*bound.args, **bound.kwargs))

    return adapted


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
