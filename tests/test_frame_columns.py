"""A `pd.DataFrame` parameter of a `--from` function: the columns found in its body, the signature they
give, and the refusals that say what to write instead."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from devtool.errors import SourceError
from devtool.scaffold.frame_columns import columns_read
from devtool.scaffold.python_source import load_script, read_python_function
from devtool.scaffold.signature import parse_signature

pytest.importorskip("pandas")

SCRIPT = """\
import pandas as pd


def true_range(bars: pd.DataFrame) -> pd.Series:
    previous = bars["close"].shift(1)
    high = pd.concat([bars.high, previous], axis=1).max(axis=1)
    low = pd.concat([bars["low"], previous], axis=1).min(axis=1)
    return high - low


def many_ways(bars: pd.DataFrame, window: int) -> pd.Series:
    bars["range"] = bars["High"] - bars.loc[:, "Low"]
    both = bars[["Open", "Close"]].mean(axis=1)
    return both.rolling(window).mean() + bars["range"] + bars.index.to_series().diff().dt.days


def by_rows(bars: pd.DataFrame) -> pd.Series:
    return pd.Series([row.high - row.low for row in bars.itertuples()], index=bars.index)


def adjusted(bars: pd.DataFrame) -> pd.Series:
    return bars["Adj Close"] * 2.0


def untyped(bars, window):
    return bars["close"].rolling(window).mean()
"""


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("desk") / "trader.py"  # a plain script: no __init__.py
    path.write_text(SCRIPT)
    return path


@pytest.mark.parametrize(
    ("function", "columns"),
    [
        ("true_range", ("close", "high", "low")),  # in the order the body first reads them
        ("many_ways", ("High", "Low", "Open", "Close")),  # not `range` (its own), `index`, `rolling`
        ("by_rows", ()),
        ("untyped", ("close",)),
    ],
)
def test_columns_are_read_from_the_body(script: Path, function: str, columns: tuple[str, ...]) -> None:
    assert columns_read(getattr(load_script(script), function), "bars") == columns


def test_a_function_without_source_reads_no_columns() -> None:
    namespace: dict[str, object] = {}
    exec(textwrap.dedent("def f(bars):\n    return bars['close']\n"), namespace)
    assert columns_read(namespace["f"], "bars") == ()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("true_range", "bars: frame[close, high, low] -> f64[]"),
        ("many_ways", "bars: frame[High, Low, Open, Close], window: i64 -> f64[]"),
    ],
)
def test_a_dataframe_hint_maps_to_the_columns_read(script: Path, function: str, expected: str) -> None:
    assert str(read_python_function(f"{script}:{function}", script.parent).signature) == expected


def test_signature_names_the_columns_when_the_body_does_not(script: Path) -> None:
    given = parse_signature("bars: frame[high, low] -> f64[]")
    found = read_python_function(f"{script}:by_rows", script.parent, given)
    assert found.signature == given


def test_signature_types_an_unhinted_frame(script: Path) -> None:
    given = parse_signature("bars: frame[close], window: usize -> f64[]")
    assert read_python_function(f"{script}:untyped", script.parent, given).signature == given


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (
            "by_rows",
            "parameter 'bars' is a pd.DataFrame, and devtool cannot tell which of its columns the kernel "
            'takes: the function reads none by name (bars["close"] or bars.close). Name them with '
            "--signature, e.g. --signature 'bars: frame[open, high, low, close] -> f64[]'",
        ),
        (
            "adjusted",
            "parameter 'bars' is a pd.DataFrame whose column 'Adj Close' cannot name a kernel argument",
        ),
    ],
)
def test_refusals_say_what_to_write(script: Path, function: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        read_python_function(f"{script}:{function}", script.parent)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2
