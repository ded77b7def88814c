"""From a pandas strategy to a Rust module, as a user would: profile, then run the printed command.

The strategy is a plain script in a folder without `__init__.py`, written in `ta`'s style (a Python loop
reading and writing Series elements with `.iloc`). The profile must rank that loop first, leave the
vectorised and the sleeping functions alone, and print a command that runs as printed in a scratch engine
and virtualenv; the bridge it makes takes and gives pandas Series.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from e2e_support import Scratch, judged

pytest.importorskip("pandas")
pytestmark = pytest.mark.slow

STRATEGY = """\
import time

import numpy as np
import pandas as pd


def average_true_range(high: pd.Series, low: pd.Series, close: pd.Series, window: int) -> pd.Series:
    n = len(close)
    out = pd.Series(np.full(n, np.nan), index=close.index, name="atr")
    level = 0.0
    for i in range(1, n):
        true_range = max(
            high.iloc[i] - low.iloc[i],
            abs(high.iloc[i] - close.iloc[i - 1]),
            abs(low.iloc[i] - close.iloc[i - 1]),
        )
        level = true_range if i == 1 else (level * (window - 1) + true_range) / window
        if i >= window:
            out.iloc[i] = level
    return out


def trend(close: pd.Series, window: int) -> pd.Series:
    return close.rolling(window).mean() - close.ewm(span=window).mean()


def slope(close: pd.Series, window: int) -> pd.Series:
    return close.rolling(window).apply(lambda w: np.polyfit(np.arange(len(w)), w, 1)[0], raw=True)


def by_columns(bars: pd.DataFrame) -> pd.Series:
    return bars["high"] - bars["low"]


def smooth(values, alpha):
    out = np.empty_like(values)
    out[0] = values[0]
    for i in range(1, len(values)):
        out[i] = alpha * values[i] + (1 - alpha) * out[i - 1]
    return out


def fetch_fees() -> None:
    time.sleep(0.4)


def main() -> None:
    rng = np.random.default_rng(7)
    close = pd.Series(100 + rng.normal(size=8_000).cumsum(), name="close")
    average_true_range(close + 1.0, close - 1.0, close, 14)
    big = pd.Series(100 + rng.normal(size=2_000_000).cumsum())
    for _ in range(3):
        trend(big, 20)
    smooth(rng.normal(size=200_000), 0.2)
    slope(close.iloc[:3_000], 20)
    fetch_fees()


if __name__ == "__main__":
    main()
"""


def test_the_series_loop_is_ranked_first_and_says_what_it_is(report: dict[str, Any]) -> None:
    first = report["candidates"][0]
    assert (first["function"], first["verdict"], first["rank"]) == ("average_true_range", "candidate", 1)
    assert "element by element through .iloc/.loc" in first["reason"]
    assert first["command_problem"] is None


def test_an_unhinted_loop_gets_the_signature_its_run_showed(
    scratch: Scratch, desk: Path, report: dict[str, Any]
) -> None:
    unhinted = judged(report, "smooth")
    assert unhinted["verdict"] == "candidate" and unhinted["command_problem"] is None
    assert unhinted["observed_types"] == [
        ["values", "ndarray[float64, 1-D]"],
        ["alpha", "float"],
        ["return", "ndarray[float64, 1-D]"],
    ]
    command = shlex.split(unhinted["suggested_command"])
    assert command[-2:] == ["--signature", "values: f64[], alpha: f64 -> f64[]"]
    result = scratch.devtool(*command[1:], "--json", cwd=desk)
    assert result.code == 0, result
    assert result.json()["signature"] == "values: f64[], alpha: f64 -> f64[]"
    refusals = result.json()["kernel"]["refusals"]
    assert [(r["line"], r["construct"]) for r in refusals] == [(36, "np.empty_like(values)")]


def test_vectorised_pandas_and_sleep_are_not_candidates(report: dict[str, Any]) -> None:
    # rolling().mean() shares pandas' window internals with slope's rolling().apply(lambda): still native
    assert judged(report, "trend")["verdict"] == "native"
    assert judged(report, "fetch_fees")["verdict"] == "waiting"


def test_a_lambda_called_per_window_is_python_work_not_numpy_arithmetic(report: dict[str, Any]) -> None:
    rolling_apply = judged(report, "slope")
    assert rolling_apply["verdict"] == "candidate", rolling_apply["reason"]
    assert (
        "no loop of its own, but calling a Python function per element through apply"
        in rolling_apply["reason"]
    )
    assert "calls of <lambda> (line 28) through Rolling.apply" in rolling_apply["reason"]


def test_the_printed_command_runs_as_printed(scratch: Scratch, desk: Path, report: dict[str, Any]) -> None:
    command = shlex.split(report["candidates"][0]["suggested_command"])
    assert command[:2] == ["devtool", "new-module"]
    result = scratch.devtool(*command[1:], "--json", cwd=desk)
    assert result.code == 0, result
    summary = result.json()
    assert summary["verified"]
    assert summary["signature"] == "high: f64[], low: f64[], close: f64[], window: i64 -> f64[]"
    assert summary["source"] == f"{desk / 'trader.py'}:average_true_range"
    # pandas is outside what devtool translates: the kernel is left unwritten, each reason with its line.
    kernel = summary["kernel"]
    assert (kernel["state"], summary["kernel_written"]) == ("refused", False)
    pandas = {
        "line": 9,
        "construct": "pd.Series(...)",
        "why": "calls pandas: not translatable; write this part by hand",
    }
    assert pandas in kernel["refusals"]
    (rust,) = scratch.engine.glob("rust/src/*/average_true_range.rs")
    assert "pub const WRITTEN: bool = false;" in rust.read_text()


BRIDGE_WITH_SERIES = """\
import importlib.util, sys
import numpy as np, pandas as pd
import rust_bridge

spec = importlib.util.spec_from_file_location("trader_reference", sys.argv[1])
trader = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trader)
rng = np.random.default_rng(3)
index = pd.date_range("2026-01-01", periods=500, freq="1min")
close = pd.Series(100 + rng.normal(size=500).cumsum(), index=index, name="close")
high, low = (close + 1.0).rename("high"), (close - 1.0).rename("low")
result = rust_bridge.average_true_range(high, low, close, 14)
expected = trader.average_true_range(high, low, close, 14)
assert isinstance(result, pd.Series), type(result)
pd.testing.assert_index_equal(result.index, expected.index)
np.testing.assert_allclose(result.to_numpy(), expected.to_numpy(), rtol=0, atol=0)
assert result.name == "high", result.name
plain = rust_bridge.average_true_range(high.to_numpy(), low.to_numpy(), close.to_numpy(), 14)
assert type(plain) is np.ndarray
print("ok")
"""


def test_the_bridge_takes_series_and_gives_a_series_like_the_python_function(
    scratch: Scratch, desk: Path
) -> None:
    done = subprocess.run(
        [str(scratch.python), "-c", BRIDGE_WITH_SERIES, str(desk / "trader.py")],
        cwd=scratch.engine.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr
