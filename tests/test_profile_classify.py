"""Which functions `devtool profile` calls worth moving to Rust, judged on real cProfile runs."""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import pstats
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtool.changes import runs
from devtool.init.project import InitRequest, init_project
from devtool.profile.classify import Candidate, format_seconds, rank_candidates, suggest_command
from devtool.profile.flamegraph import stacks_from_graph
from devtool.profile.graph import FuncKey, graph_from_pstats, graph_from_stacks, parse_folded
from devtool.profile.run import ProfileReport, ProfileRequest, engine_extension, profile
from devtool.profile.sampler import _why_nothing, find_py_spy
from devtool.profile.target import parse_target

WORKLOAD = """\
import threading
import time

import numpy as np
import numpy.typing as npt


def hot_loop(n: int) -> float:
    total = 0.0
    for i in range(n):
        total += i * 0.5 - (i % 7) * 0.25
    return total


class Book:
    def replay(self, n: int) -> float:
        total = 0.0
        for i in range(n):
            total += i * 0.25 - (i % 3)
        return total


def sleeps() -> None:
    time.sleep(0.04)


def waits_on_event() -> None:
    threading.Event().wait(0.04)


def sorts(values: npt.NDArray[np.float64]) -> float:
    total = 0.0
    for _ in range(3):
        total += float(np.sort(values)[0])
    return total


def array_math(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.sqrt(a * a + 1.0) * 0.5 + a


def tiny(x: float) -> float:
    return x + 1.0


def calls_tiny(n: int) -> float:
    total = 0.0
    for _ in range(n):
        total = tiny(total)
    return total


def main() -> None:
    hot_loop(500_000)
    Book().replay(120_000)
    sleeps()
    waits_on_event()
    sorts(np.random.default_rng(0).normal(size=300_000))
    array_math(np.random.default_rng(1).normal(size=3_000_000))
    calls_tiny(200_000)  # tiny then holds ~3% of the run, clear of the 1% listing line under load


def sma(values: list[float], period: int) -> float:
    total = 0.0
    for value in values:
        total += value * 1.0
    return total / period


def uses_engine(values: npt.NDArray[np.float64]) -> float:
    import rust_bridge

    total = 0.0
    for _ in range(40):
        total += float(rust_bridge.sma(values, 20)[-1])
    return total


def engine_main() -> None:
    values = np.random.default_rng(2).normal(size=400_000)
    sma(values[:100_000].tolist(), 10)
    uses_engine(values)
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("classify")
    (root / "clsload.py").write_text(WORKLOAD)
    importlib.invalidate_caches()
    yield root
    sys.modules.pop("clsload", None)


def run_profile(workdir: Path, spec: str) -> ProfileReport:
    target = parse_target(spec, cwd=workdir)
    return profile(ProfileRequest(target, workdir, output=workdir / f"{target.label}.prof"))


@pytest.fixture(scope="module")
def report(workdir: Path) -> ProfileReport:
    return run_profile(workdir, "clsload:main")


def judged(report: ProfileReport, qualname: str) -> Candidate:
    return next(c for c in report.candidates if c.qualname == qualname)


def test_python_loop_on_numbers_is_the_first_candidate(report: ProfileReport) -> None:
    first = report.candidates[0]
    assert (first.rank, first.qualname, first.verdict) == (1, "hot_loop", "candidate")
    assert "Python loop (line 10) doing arithmetic" in first.reason
    assert (
        first.suggested_command == "devtool new-module clsload --function hot_loop --from clsload.py:hot_loop"
    )
    assert first.python_s / first.attributed_s > 0.9


def test_sleep_dominated_function_is_waiting(report: ProfileReport) -> None:
    sleeps = judged(report, "sleeps")
    assert sleeps.verdict == "waiting" and not sleeps.worth_moving
    assert "time.sleep" in sleeps.reason and sleeps.waiting_s > 0.03


def test_lock_wait_is_waiting(report: ProfileReport) -> None:
    event = judged(report, "waits_on_event")
    assert event.verdict == "waiting"
    assert "acquire" in event.reason


def test_numpy_dominated_function_is_native(report: ProfileReport) -> None:
    sorts = judged(report, "sorts")
    assert sorts.verdict == "native"
    assert "numpy.sort" in sorts.reason
    assert sorts.native_s > sorts.python_s


def test_array_arithmetic_without_a_loop_is_vectorized(report: ProfileReport) -> None:
    assert judged(report, "array_math").verdict == "vectorized"


def test_tiny_function_is_too_cheap_and_its_caller_is_named(report: ProfileReport) -> None:
    tiny = judged(report, "tiny")
    assert tiny.verdict == "too_cheap"
    assert tiny.own_per_call_s is not None and tiny.own_per_call_s < 5e-6
    assert tiny.move_caller == "calls_tiny" and "move its caller calls_tiny instead" in tiny.reason
    caller = judged(report, "calls_tiny")
    assert caller.worth_moving and "takes tiny along" in caller.reason


def test_method_is_a_candidate_without_a_from_command(report: ProfileReport) -> None:
    replay = judged(report, "Book.replay")
    assert replay.worth_moving and replay.suggested_command is None
    assert "not a module-level function" in replay.reason


def test_functions_under_one_percent_are_left_out(report: ProfileReport) -> None:
    assert all(c.percent >= 1.0 for c in report.candidates)
    judged_names = {c.qualname for c in report.candidates}
    assert {row.qualname for row in report.functions if row.own_percent >= 1.0} <= judged_names


def test_caller_is_judged_on_its_own_work_not_its_callees(report: ProfileReport) -> None:
    main = judged(report, "main")  # its own work is numpy's random generator (Cython, unseen by cProfile)
    assert main.attributed_s < main.cumulative_s / 2
    assert main.verdict in ("vectorized", "native")


@pytest.mark.skipif(importlib.util.find_spec("rust_bridge") is None, reason="the engine is not installed")
def test_engine_functions_are_marked_served_not_suggested(workdir: Path) -> None:
    report = run_profile(workdir, "clsload:engine_main")
    by_name = {(c.qualname, c.file.endswith("clsload.py")): c for c in report.candidates}
    own_sma = by_name[("sma", True)]
    assert own_sma.verdict == "engine" and own_sma.engine_function == "rust_bridge.sma"
    assert own_sma.suggested_command is None
    uses = by_name[("uses_engine", True)]
    assert uses.verdict == "engine" and "rust_bridge.sma" in uses.reason
    assert not any(c.worth_moving for c in report.candidates)


def test_saved_profile_is_pstats_and_rebuilds_into_stacks(workdir: Path, report: ProfileReport) -> None:
    graph = graph_from_pstats(pstats.Stats(str(report.profile_path)))
    assert graph.total_s == pytest.approx(report.total_s)
    stacks = stacks_from_graph(graph)
    assert sum(stacks.values()) == pytest.approx(graph.total_s, rel=0.05)
    assert any(frame.name == "hot_loop" for stack in stacks for frame in stack)


# -- the pieces --------------------------------------------------------------------------------------

_CHILD = "<module> (/x/devtool/profile/child.py:1);main (/x/devtool/profile/child.py:20)"
_TARGET = f"{_CHILD};enter_target (/x/devtool/profile/target.py:300);run_path (<frozen runpy>:262)"
FOLDED = "\n".join(
    [
        f"{_TARGET};<module> (/w/s.py:1);hot (/w/s.py:3) 30",
        f"{_TARGET};<module> (/w/s.py:1);hot (/w/s.py:3);gentype_alloc (/v/numpy/_umath.so) 10",
        f"{_CHILD};_find_and_load (<frozen importlib._bootstrap>:1165) 50",  # start-up: not the target
    ]
)


def is_marker(key: FuncKey) -> bool:
    return key.name == "enter_target"


def test_folded_stacks_are_cut_at_the_target_and_start_up_is_dropped() -> None:
    stacks = parse_folded(FOLDED, seconds_per_sample=0.01, is_marker=is_marker)
    assert len(stacks) == 2
    assert all(stack[0].name == "run_path" for stack in stacks)
    native = next(stack[-1] for stack in stacks if len(stack) == 4)
    assert native == FuncKey("/v/numpy/_umath.so", 0, "gentype_alloc")
    graph = graph_from_stacks(stacks)
    hot = FuncKey("/w/s.py", 3, "hot")
    assert graph.nodes[hot].own_s == pytest.approx(0.30)
    assert graph.nodes[hot].cumulative_s == pytest.approx(0.40)
    assert graph.nodes[hot].calls is None
    assert graph.total_s == pytest.approx(0.40)


def test_target_specs_name_their_kind(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text("")
    (tmp_path / "test_t.py").write_text("")
    assert parse_target("s.py", cwd=tmp_path).kind == "script"
    assert parse_target("pkg.mod", cwd=tmp_path, as_module=True).kind == "module"
    call = parse_target("pkg.mod:Book.replay", cwd=tmp_path, call_args="1, n=2")
    assert (call.kind, call.module, call.function) == ("call", "pkg.mod", "Book.replay")
    assert parse_target("test_t.py::test_a[1]", cwd=tmp_path).label == "test_a"
    assert parse_target("test_t.py", cwd=tmp_path, as_pytest=True).kind == "pytest"


def test_suggested_command_is_shell_ready() -> None:
    assert suggest_command("my strategies/Fast-EMA.py", "ema") == (
        "devtool new-module fast_ema --function ema --from 'my strategies/Fast-EMA.py:ema'"
    )
    assert suggest_command("quant/__init__.py", "RSI").startswith("devtool new-module quant --function rsi ")


def test_ptrace_refusal_says_what_to_do() -> None:
    said = (
        "Permission Denied: Try running again with elevated permissions by going 'sudo env \"PATH=$PATH\" !!'"
    )
    done = subprocess.CompletedProcess(["py-spy"], 1, "", said)
    reason = _why_nothing(done, None)
    assert "ptrace" in reason and "SYS_PTRACE" in reason


def test_format_seconds() -> None:
    assert [format_seconds(s) for s in (1.5, 0.0123, 4.2e-6, 3e-8)] == ["1.5 s", "12.3 ms", "4.2 µs", "30 ns"]


needs_py_spy = pytest.mark.skipif(find_py_spy() is None, reason="py-spy is not installed")

PANDAS_WORKLOAD = """\
import time

import numpy as np
import pandas as pd


def iloc_loop(close: pd.Series, window: int) -> pd.Series:
    out = pd.Series(np.zeros(len(close)), index=close.index)
    for i in range(window, len(close)):
        out.iloc[i] = (out.iloc[i - 1] * (window - 1) + close.iloc[i]) / window
    return out


def getitem_loop(close, alpha):
    out = close.copy()
    for i in range(1, len(close)):
        out[i] = alpha * close[i] + (1 - alpha) * out[i - 1]
    return out


def row_loop(frame: pd.DataFrame) -> float:
    total = 0.0
    for _, row in frame.iterrows():
        total += row["high"] - row["low"]
    return total


def lambda_apply(close: pd.Series) -> pd.Series:
    return close.apply(lambda x: x * 1.5 if x > 100 else x - 0.5)


def rolling_slope(close: pd.Series, window: int) -> pd.Series:
    return close.rolling(window).apply(lambda w: np.polyfit(np.arange(len(w)), w, 1)[0], raw=True)


def vectorised(close: pd.Series, window: int) -> pd.Series:
    return close.rolling(window).mean() - close.ewm(span=window).mean()


def waits() -> None:
    time.sleep(0.25)


def main() -> None:
    rng = np.random.default_rng(0)
    close = pd.Series(100 + rng.normal(size=6_000).cumsum(), name="close")
    frame = pd.DataFrame({"high": close + 1.0, "low": close - 1.0})
    big = pd.Series(100 + rng.normal(size=2_000_000).cumsum())
    iloc_loop(close, 14)
    getitem_loop(close, 0.1)
    getitem_loop(close, 0.2)  # second among the candidates, with a printed command to check
    row_loop(frame.iloc[:3_000])
    lambda_apply(pd.Series(100 + rng.normal(size=400_000).cumsum()))  # ~10% of the run under either sampler
    rolling_slope(close.iloc[:2_000], 20)  # np.polyfit per window: numpy's Python, called back per element
    for _ in range(3):
        vectorised(big, 20)
    waits()


if __name__ == "__main__":
    main()
"""


@pytest.fixture(scope="module")
def pandas_workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    pytest.importorskip("pandas")
    root = tmp_path_factory.mktemp("pandas_classify")
    (root / "pdload.py").write_text(PANDAS_WORKLOAD)
    importlib.invalidate_caches()
    yield root
    sys.modules.pop("pdload", None)


@pytest.fixture(scope="module")
def pandas_report(pandas_workdir: Path) -> ProfileReport:
    return run_profile(pandas_workdir, "pdload:main")


PER_ELEMENT = {
    "iloc_loop": "pandas objects element by element through .iloc/.loc",
    "getitem_loop": "a pandas Series element by element",
    "row_loop": "iterating a pandas DataFrame row by row (iterrows)",
    "lambda_apply": "calling a Python function per element through apply",
    "rolling_slope": "no loop of its own, but calling a Python function per element through apply",
}


@pytest.mark.parametrize("function", list(PER_ELEMENT))
def test_pandas_called_element_by_element_is_the_loops_python_work(
    pandas_report: ProfileReport, function: str
) -> None:
    c = judged(pandas_report, function)
    assert c.verdict == "candidate", c.reason
    assert PER_ELEMENT[function] in c.reason
    assert c.python_s / c.attributed_s > 0.8
    calls = re.search(r": ([\d,]+) calls of \S+( \(line \d+\))?( through \S+)?, [\d.]+ .s each", c.reason)
    assert calls is not None and int(calls[1].replace(",", "")) >= 1_500, c.reason


def test_a_series_loop_is_ranked_first_and_vectorised_pandas_and_sleep_are_not_candidates(
    pandas_report: ProfileReport,
) -> None:
    assert pandas_report.candidates[0].qualname == "iloc_loop"
    assert judged(pandas_report, "vectorised").verdict == "native"
    assert "pandas." in judged(pandas_report, "vectorised").reason
    assert judged(pandas_report, "waits").verdict == "waiting"


def test_the_printed_command_is_checked_before_it_is_printed(pandas_report: ProfileReport) -> None:
    first = pandas_report.candidates[0]
    assert first.suggested_command == (
        "devtool new-module pdload --function iloc_loop --from pdload.py:iloc_loop"
    )
    assert first.command_problem is None  # a plain script, pd.Series hints: accepted
    unhinted = judged(pandas_report, "getitem_loop")
    assert unhinted.command_problem is not None
    assert "pdload.py:getitem_loop lacks type hints" in unhinted.command_problem
    assert "def getitem_loop(close: pd.Series, alpha: float) -> pd.Series" in unhinted.command_problem


@needs_py_spy
def test_py_spy_gives_the_same_verdicts_on_pandas(pandas_workdir: Path, pandas_report: ProfileReport) -> None:
    target = parse_target("pdload.py", cwd=pandas_workdir)
    spied = profile(
        ProfileRequest(target, pandas_workdir, sampler="py-spy", rate=500, output=pandas_workdir / "p.folded")
    )
    if spied.sampler != "py-spy":
        pytest.skip(f"py-spy refused here: {spied.fallback_reason}")
    for function in [*PER_ELEMENT, "vectorised"]:
        assert judged(spied, function).verdict == judged(pandas_report, function).verdict, function


UNHINTED = """\
import numpy as np
import pandas as pd


def smooth(values, alpha):
    out = np.empty_like(values)
    out[0] = values[0]
    for i in range(1, len(values)):
        out[i] = alpha * values[i] + (1 - alpha) * out[i - 1]
    return out


def series_ema(close, alpha):
    out = close.copy()
    for i in range(1, len(close)):
        out.iloc[i] = alpha * close.iloc[i] + (1 - alpha) * out.iloc[i - 1]
    return out


if __name__ == "__main__":
    smooth(np.random.default_rng(1).normal(size=300_000), 0.2)
    series_ema(pd.Series(np.random.default_rng(2).normal(size=4_000)), 0.2)
"""


def test_types_seen_in_the_run_give_the_signature_of_an_unhinted_function(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    (tmp_path / "unhinted.py").write_text(UNHINTED)
    report = run_profile(tmp_path, "unhinted.py")
    numpy_one = judged(report, "smooth")
    assert numpy_one.observed_types == (
        ("values", "ndarray[float64, 1-D]"),
        ("alpha", "float"),
        ("return", "ndarray[float64, 1-D]"),
    )
    assert numpy_one.suggested_command == (
        "devtool new-module unhinted --function smooth --from unhinted.py:smooth "
        "--signature 'values: f64[], alpha: f64 -> f64[]'"
    )
    assert numpy_one.command_problem is None  # checked with the signature: accepted
    pandas_one = judged(report, "series_ema")
    assert pandas_one.observed_types is not None and pandas_one.observed_types[0] == (
        "close",
        "Series[float64]",
    )
    assert pandas_one.command_problem is not None
    assert "def series_ema(close: pd.Series, alpha: float) -> pd.Series" in pandas_one.command_problem


def test_a_dataframe_is_described_by_the_numeric_columns_the_kernel_would_take() -> None:
    pd = pytest.importorskip("pandas")
    from devtool.profile.observe import _summary, describe

    bars = pd.DataFrame({"open": [1.0], "high": [2.0], "low": [0.5], "volume": [3], "symbol": ["BTC"]})
    assert describe(bars) == "DataFrame[open, high, low, volume]"  # no text column
    assert describe(bars, lambda: ("low", "high", "symbol", "later")) == "DataFrame[low, high]"  # as read
    frame_only = _summary([({"bars": "DataFrame[high, low]", "window": "int"}, "Series[float64]")])
    assert frame_only.signature == "bars: frame[high, low], window: i64 -> f64[]"
    assert frame_only.hints is None  # the bridge labels a Series result like the frame: no hints needed
    with_series = _summary([({"bars": "DataFrame[high]", "close": "Series[float64]"}, "Series[float64]")])
    assert with_series.hints == "bars: pd.DataFrame, close: pd.Series -> pd.Series"
    ints = _summary([({"bars": "DataFrame[rsi]", "trend": "Series[int64]"}, "Series[int64]")])
    int_series = 'Annotated[pd.Series, "i64[]"]'
    assert ints.hints == f"bars: pd.DataFrame, trend: {int_series} -> {int_series}"
    # the hints it prints run: pandas itself has no pd.Series[int] (only pandas-stubs, for type checkers)
    from typing import Annotated

    exec(f"def signals({ints.hints.replace(' -> ', ') -> ')}: ...", {"pd": pd, "Annotated": Annotated})
    no_columns = _summary([({"bars": "DataFrame[]"}, "ndarray[float64, 1-D]")])
    assert no_columns.signature is None


def test_a_tuple_of_arrays_seen_in_the_run_maps_to_a_tuple_result() -> None:
    """pandas-ta-classic's `_psar_loop` gives back four arrays: each item is split whole, not at the
    comma inside `ndarray[float64, 1-D]`."""
    from devtool.profile.observe import _summary

    array = "ndarray[float64, 1-D]"
    parameters = {"high": array, "m": "int", "falling": "bool"}
    four = _summary([(parameters, f"tuple[{array}, {array}, float, {array}]")])
    assert four.signature == "high: f64[], m: i64, falling: bool -> (f64[], f64[], f64, f64[])"
    unmapped = _summary([({"high": array}, f"tuple[{array}, str]")])
    assert unmapped.signature is None


ROWS = """\
import numpy as np
import pandas as pd


def by_rows(bars: pd.DataFrame) -> pd.Series:
    out = np.empty(len(bars))
    for i, row in enumerate(bars.itertuples()):
        out[i] = (row.high - row.low) / row.close
    return pd.Series(out, index=bars.index)


if __name__ == "__main__":
    close = 100 + np.random.default_rng(3).normal(size=30_000).cumsum()
    by_rows(pd.DataFrame({"high": close + 1, "low": close - 1, "close": close, "symbol": "BTC"}))
"""


def test_a_hinted_dataframe_whose_body_names_no_column_gets_the_columns_of_the_run(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    (tmp_path / "rows.py").write_text(ROWS)
    candidate = judged(run_profile(tmp_path, "rows.py"), "by_rows")
    observed = (("bars", "DataFrame[high, low, close]"), ("return", "Series[float64]"))
    assert candidate.observed_types == observed
    assert candidate.suggested_command == (
        "devtool new-module rows --function by_rows --from rows.py:by_rows "
        "--signature 'bars: frame[high, low, close] -> f64[]'"
    )
    assert candidate.command_problem is None  # checked with the signature: accepted


def _engine_call_stacks(extension: str) -> dict[tuple[FuncKey, ...], float]:
    """A user function spending 0.1 s in its own Python and 0.3 s in a call into the extension."""
    hot = FuncKey("/w/desk.py", 3, "hot")
    native = FuncKey("~", 0, f"<built-in method {extension}.technical.sma>")
    return {(hot,): 0.1, (hot, native): 0.3}


@pytest.mark.parametrize("extension", ["crypto_trading_engine", "other_engine"])
def test_the_workspace_extension_is_the_engine_whatever_its_name(tmp_path: Path, extension: str) -> None:
    graph = graph_from_stacks(_engine_call_stacks(extension), extension)
    native = FuncKey("~", 0, f"<built-in method {extension}.technical.sma>")
    assert graph.origin(native) == "engine"
    (hot,) = rank_candidates(graph, cwd=tmp_path)
    assert hot.engine_s == pytest.approx(0.3) and hot.python_s == pytest.approx(0.1)
    assert hot.verdict == "engine"  # most of its time is in the engine already: not a candidate
    # Another engine's extension is not this workspace's engine: its time is not called the engine's.
    stranger = graph_from_stacks(_engine_call_stacks(f"{extension}_x"), "another_engine")
    assert stranger.origin(FuncKey("~", 0, f"<built-in method {extension}_x.technical.sma>")) != "engine"


def test_the_profile_reads_the_extension_name_from_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runs, "CACHE_DIR", tmp_path / "cache")  # init's lock
    init_project(InitRequest(tmp_path / "desk", name="other_engine", verify=False))
    assert engine_extension(tmp_path / "desk") == "other_engine"
    assert engine_extension(tmp_path / "desk" / "engine" / "src") == "other_engine"
    assert engine_extension(tmp_path) is None


TOP_LEVEL = """\
import sys

import numpy as np
import pandas as pd


def summary(close):
    return float(close.mean())


if __name__ == "__main__":
    n = int(sys.argv[1])
    close = pd.Series(100 + np.random.default_rng(4).normal(size=n).cumsum())
    level = pd.Series(np.zeros(n))
    for i in range(1, n):
        level.iloc[i] = 0.9 * level.iloc[i - 1] + 0.1 * close.iloc[i]
    ranks = close.rolling(30).apply(lambda w: (w[-1] > w).mean(), raw=True)
    print(summary(level))
"""


def test_a_scripts_top_level_code_is_judged_and_names_its_lines(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    (tmp_path / "top.py").write_text(TOP_LEVEL)
    target = parse_target("top.py", cwd=tmp_path, argv=("6000",))
    report = profile(ProfileRequest(target, tmp_path, output=tmp_path / "top.prof"))
    top = judged(report, "<module>")
    assert (top.rank, top.verdict, top.line) == (1, "candidate", 1)
    assert "a Python loop (line 15) " in top.reason
    assert "pandas objects element by element through .iloc/.loc" in top.reason
    assert "most of it under _LocationIndexer.__" in top.reason
    assert "called at line 16:" in top.reason  # level.iloc[i] and close.iloc[i]: the trader's line
    assert top.reason.endswith("top-level code: move these lines into a function to use --from")
    assert top.suggested_command is None
    assert all(c.function != "<lambda>" for c in report.candidates)  # part of the code that runs it


def test_the_lines_that_call_a_function_are_read_from_the_callers_own_body(tmp_path: Path) -> None:
    from devtool.profile.source import call_lines, read_facts

    source = (
        "import ta\n\n\ndef f(x):\n    def g():\n        return ta.adx(x)\n"
        "    return ta.adx(x) + ta.trend.ADX(x)\n\n\ny = ta.adx(1)\nfor i in range(3):\n    ta.ADX(i)\n"
        "    y[i] = x.iloc[i] + sorted(x, key=lambda v: v[0])\n"
    )
    (tmp_path / "calls.py").write_text(source)
    file = str(tmp_path / "calls.py")
    assert call_lines(file, 4, "f", "adx") == (7,)  # not g's line 6
    assert call_lines(file, 4, "f", "ADX") == (7,)
    assert call_lines(file, 1, "<module>", "adx") == (10,)
    assert call_lines(file, 1, "<module>", "ADX") == (12,)
    assert call_lines(file, 1, "<module>", "__setitem__") == (13,)
    assert call_lines(file, 1, "<module>", "__getitem__") == (13,)  # x.iloc[i]; v[0] is the lambda's
    module = read_facts(file, 1, "<module>")
    assert module is not None and (module.qualname, module.loop_line) == ("<module>", 11)
    f = read_facts(file, 4, "f")
    assert f is not None and f.loop_line is None  # the module's loop is not f's


def test_a_callback_search_through_a_wide_library_graph_is_memoised() -> None:
    from devtool.profile.elementwise import callback
    from devtool.profile.graph import CallGraph, Edge, NodeStats

    # A library whose every function calls every function of the next layer (pandas internals are so):
    # an unmemoised search walks 12**6 paths; the user's callback is 7 calls below the entry point.
    layers = [
        [FuncKey("/site-packages/lib/m.py", 10 * d + w, f"f{d}_{w}") for w in range(12)] for d in range(7)
    ]
    user = FuncKey("/home/me/strategy.py", 3, "<lambda>")
    edges: dict[FuncKey, dict[FuncKey, Edge]] = {
        a: {b: Edge(1, 0.1) for b in below} for layer, below in itertools.pairwise(layers) for a in layer
    }
    for a in layers[-1]:
        edges[a] = {user: Edge(5_000, 0.1)}
    nodes = {k: NodeStats(1, 1, 0.0, 1.0) for layer in layers for k in layer} | {
        user: NodeStats(60_000, 60_000, 0.1, 1.0)
    }
    entry = FuncKey("/site-packages/lib/m.py", 1, "apply")
    graph = CallGraph(
        nodes | {entry: NodeStats(1, 1, 0.0, 1.0)}, edges | {entry: {k: Edge(1, 0.1) for k in layers[0]}}, 1.0
    )
    assert callback(graph, entry) == user
    assert callback(graph, layers[0][0]) == user
    assert sum(1 for k in graph.memo if k[0] == "callback") <= 8 * 12 * 8


IN_MAIN = """\
if __name__ == "__main__":

    def ema_loop(values: list[float], alpha: float) -> float:
        level = 0.0
        for v in values:
            level = alpha * v + (1 - alpha) * level
        return level

    ema_loop([1.5] * 300_000, 0.1)
"""


def test_a_function_defined_under_the_main_guard_gets_no_command_but_the_fix(tmp_path: Path) -> None:
    (tmp_path / "inmain.py").write_text(IN_MAIN)
    first = run_profile(tmp_path, "inmain.py").candidates[0]
    assert (first.function, first.rank, first.suggested_command) == ("ema_loop", 1, None)
    assert first.reason.endswith(
        'defined under `if __name__ == "__main__":`, which does not run when --from imports the file: '
        "move the def above that block to use --from"
    )
