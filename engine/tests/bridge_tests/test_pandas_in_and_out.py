"""A function made `--from` a pandas function: Series in, Series out; numpy in, numpy out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

# isort: split
from rust_bridge import _convert, _source

pd = pytest.importorskip("pandas")

SCRIPT = """\
import pandas as pd


def lagged(close: pd.Series, lag: int) -> pd.Series:
    out = close.copy()
    for i in range(lag, len(close)):
        out.iloc[i] = close.iloc[i - lag]
    return out


if __name__ == "__main__":
    raise SystemExit("the main block must not run on import")
"""


def test_a_series_in_gives_a_series_with_its_index_and_name_back() -> None:
    index = pd.date_range("2026-01-01", periods=4, freq="1h")
    given = pd.Series([1.0, 2.0, 3.0, 4.0], index=index, name="close")
    values = _convert.as_f64_1d(given, "close")
    assert np.shares_memory(values, given.to_numpy())  # contiguous float64: no copy on the way in
    back = _convert.like_input(values * 2.0, given)
    assert isinstance(back, pd.Series) and back.name == "close"
    pd.testing.assert_index_equal(back.index, index)


def test_numpy_in_gives_numpy_back_untouched() -> None:
    values = np.arange(4.0)
    assert _convert.like_input(values, values) is values


def test_a_plain_script_with_series_hints_is_called_with_series(tmp_path: Path) -> None:
    script = tmp_path / "lagging.py"
    script.write_text(SCRIPT)
    python = _source.python_function(str(script), "lagged")
    result = python(np.array([1.0, 2.0, 3.0, 4.0]), 1)
    assert type(result) is np.ndarray  # the fallback's contract: values, relabelled by the bridge
    np.testing.assert_array_equal(result, [1.0, 1.0, 2.0, 3.0])
