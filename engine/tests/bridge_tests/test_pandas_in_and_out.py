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


FRAME_SCRIPT = """\
import pandas as pd


def true_range(bars: pd.DataFrame) -> pd.Series:
    previous = bars["Close"].shift(1)
    high = pd.concat([bars["High"], previous], axis=1).max(axis=1)
    low = pd.concat([bars["Low"], previous], axis=1).min(axis=1)
    return high - low
"""

COLUMNS = ("High", "Low", "Close")


def bars(rows: int = 4) -> pd.DataFrame:
    index = pd.date_range("2026-01-01", periods=rows, freq="1h")
    close = 100.0 + np.arange(rows, dtype=np.float64)
    return pd.DataFrame({"Open": close, "High": close + 1.0, "Low": close - 1.0, "Close": close}, index=index)


def test_a_dataframes_float_columns_cross_without_a_copy() -> None:
    frame = bars()
    high, low, close = _convert.frame_columns(frame, "bars", COLUMNS)
    for column, values in zip(COLUMNS, (high, low, close), strict=True):
        assert values.dtype == np.float64 and values.flags.c_contiguous
        assert np.shares_memory(values, frame[column].to_numpy())


def test_integer_columns_cross_as_float64() -> None:
    frame = bars().astype({"Close": np.int64})
    (close,) = _convert.frame_columns(frame, "bars", ("Close",))
    assert close.dtype == np.float64
    np.testing.assert_array_equal(close, frame["Close"].to_numpy())


@pytest.mark.parametrize(
    ("frame", "error", "message"),
    [
        (
            bars().drop(columns="Low"),
            ValueError,
            "bars has no column 'Low': it needs High, Low, Close (its columns: Open, High, Close)",
        ),
        (bars().assign(Close=["a", "b", "c", "d"]), TypeError, "bars['Close'] must be numbers, got dtype "),
        (
            np.zeros((4, 3)),
            TypeError,
            "bars must be a pandas DataFrame with the columns High, Low, Close, got ndarray",
        ),
        (
            pd.concat([bars()[["High", "Low"]], bars()[["Close", "Close"]]], axis=1),
            ValueError,
            "bars has 2 columns named 'Close': keep one",
        ),
    ],
)
def test_a_frame_that_does_not_fit_gets_one_clear_error(
    frame: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        _convert.frame_columns(frame, "bars", COLUMNS)
    assert str(caught.value).startswith(message)  # a text column's dtype: object, or str from pandas 3


def test_a_frame_in_gives_a_series_with_its_index_and_no_name() -> None:
    frame = bars()
    back = _convert.like_input(np.arange(4.0), frame)
    assert isinstance(back, pd.Series) and back.name is None
    pd.testing.assert_index_equal(back.index, frame.index)


def test_the_python_function_gets_a_dataframe_of_the_columns(tmp_path: Path) -> None:
    script = tmp_path / "ranges.py"
    script.write_text(FRAME_SCRIPT)
    python = _source.python_function(str(script), "true_range", frames={"bars": COLUMNS})
    frame = bars()
    result = python(*_convert.frame_columns(frame, "bars", COLUMNS))
    assert type(result) is np.ndarray  # the fallback's contract: values, relabelled by the bridge
    expected = _source.python_function(str(script), "true_range")(frame)  # the function on the frame itself
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(result, [2.0, 2.0, 2.0, 2.0])
