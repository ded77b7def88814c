"""Functions outside the subset (translator test inputs for refusals)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

F64Array = npt.NDArray[np.float64]
counter = 0


def with_pandas(values: F64Array, window: int) -> F64Array:
    df = pd.DataFrame({"close": values})
    means = df.rolling(window).mean()
    return means.to_numpy()


def with_dict_and_try(values: F64Array) -> float:
    seen = {"first": values[0]}
    try:
        return seen["first"] / 2
    except ZeroDivisionError:
        return 0.0


def recursive(values: F64Array, n: int) -> float:
    if n <= 0:
        return 0.0
    return values[0] + recursive(values, n - 1)


def changes_global(values: F64Array) -> float:
    global counter
    counter += 1
    return values[0]
