"""`new-module --from` without a build: what it plans and records, what it refuses, how it reports.

The build, the generated tests and writing the kernel are in test_new_module_from.py (slow).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, copy_engine
from e2e_support import tree_hash

from devtool.cli import main, report
from devtool.errors import VerifyError
from devtool.records import read_record
from devtool.scaffold.listing import FunctionStatus, ModuleStatus, WorkspaceStatus
from devtool.scaffold.new_module import NewModuleResult
from devtool.scaffold.pristine import render_pristine
from devtool.scaffold.translation import KernelOutcome, counterexample_of
from devtool.translate import Refusal
from devtool.verify import VerifyResult
from devtool.workspace import Workspace, find_workspace

COMMAND = ["new-module", "strategy", "--function", "kama", "--from", "examples/strategy.py:kama"]


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the engine; the working folder is the repository, where `examples/` is."""
    monkeypatch.chdir(REPO)
    return copy_engine(tmp_path / "engine")


def run(engine: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--engine", str(engine)])
    return result.exit_code, result.output


def test_dry_run_writes_nothing(engine: Path) -> None:
    before = tree_hash(engine)
    code, output = run(engine, *COMMAND, "--dry-run")
    assert code == 0, output
    assert "create rust/src/strategy/kama.rs" in output
    assert tree_hash(engine) == before


def test_the_module_is_made_around_the_python_function(engine: Path) -> None:
    code, output = run(engine, *COMMAND, "--no-verify")
    assert code == 0, output
    kernel = (engine / "rust/src/strategy/kama.rs").read_text()
    assert "pub const WRITTEN: bool = false;" in kernel
    assert '    m.add("_kama_written", WRITTEN)?;' in kernel
    assert "    Err(KernelError::NotWritten)" in kernel
    fallback = (engine / "src/rust_bridge/_fallback/strategy.py").read_text()
    assert '    _python = _source.python_function("examples.strategy", "kama")' in fallback
    bridge = (engine / "src/rust_bridge/strategy_py.py").read_text()
    assert '    _impl = _native.pick_kernel(_rust, _fallback, backend, "kama")' in bridge
    tests = (engine / "tests/strategy_tests/test_kama.py").read_text()
    assert "@pytest.mark.xfail(raises=NotImplementedError, strict=True, reason=UNWRITTEN)" in tests
    assert 'reference = _source.python_function("examples.strategy", "kama")' in tests


def test_module_path_and_file_make_the_same_and_the_function_name_defaults_to_the_pythons(
    engine: Path, tmp_path: Path
) -> None:
    other = copy_engine(tmp_path / "other")
    assert run(engine, *COMMAND, "--no-verify")[0] == 0
    code, output = run(other, "new-module", "strategy", "--from", "examples.strategy:kama", "--no-verify")
    assert code == 0, output
    assert tree_hash(other) == tree_hash(engine)


def test_the_rust_function_may_have_another_name(engine: Path) -> None:
    code, output = run(engine, "new-module", "strategy", "--function", "kama_fast", "--from",
                       "examples/strategy.py:kama", "--no-verify")  # fmt: skip
    assert code == 0, output
    assert "def kama_fast(" in (engine / "src/rust_bridge/strategy_py.py").read_text()
    fallback = (engine / "src/rust_bridge/_fallback/strategy.py").read_text()
    assert "def kama_fast(" in fallback
    assert '    _python = _source.python_function("examples.strategy", "kama")' in fallback


def test_a_signature_that_agrees_with_the_hints_is_accepted(engine: Path) -> None:
    code, output = run(engine, *COMMAND, "--signature", "values: f64[], period: i64 -> f64[]", "--dry-run")
    assert code == 0, output


def test_no_verify_writes_it_and_list_reports_the_kernel_unwritten(engine: Path) -> None:
    code, output = run(engine, *COMMAND, "--no-verify", "--json")
    assert code == 0, output
    summary = json.loads(output)
    assert (summary["source"], summary["kernel_written"]) == ("examples.strategy:kama", False)
    record = json.loads((engine / ".devtool" / "modules" / "strategy.json").read_text())
    assert record["functions"][0]["source"] == "examples.strategy:kama"
    code, output = run(engine, "list", "--json")
    assert code == 0, output
    strategy = next(m for m in json.loads(output)["modules"] if m["name"] == "strategy")
    (kama,) = strategy["functions"]
    assert (kama["kernel"], kama["kernel_written"], kama["source"]) == (
        "UNWRITTEN",
        False,
        "examples.strategy:kama",
    )
    technical = next(m for m in json.loads(output)["modules"] if m["name"] == "technical")
    assert {f["kernel"] for f in technical["functions"]} == {"-"}  # kernels without the flag
    code, text = run(engine, "list")
    assert "kernel not written yet: kama (the Python function is served)" in text
    assert "from examples.strategy:kama" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--signature", "values: f64[], period: usize -> f64[]"],
            "--signature 'values: f64[], period: usize -> f64[]' does not match the type hints of "
            "examples/strategy.py:kama, which read 'values: f64[], period: i64 -> f64[]'",
        ),
        (
            ["--from", "examples/strategy.py:backtest"],
            "examples/strategy.py:backtest: the result has the hint examples.strategy.BacktestResult",
        ),
        (["--from", "examples/nothing.py:kama"], "no such file: examples/nothing.py"),
        (["--from", "examples/strategy.py:nope"], "examples.strategy has no function 'nope'"),
        (["--from", "examples/strategy.py"], "expected FILE:FUNCTION or package.module:function"),
    ],
)
def test_refusals_exit_2_and_write_nothing(engine: Path, args: list[str], message: str) -> None:
    before = tree_hash(engine)
    code, output = run(engine, *COMMAND, *args)
    assert code == 2, output
    assert message in output
    assert tree_hash(engine) == before


def test_an_engine_whose_bridge_predates_from_is_refused(engine: Path) -> None:
    (engine / "src" / "rust_bridge" / "_source.py").unlink()
    before = tree_hash(engine)
    code, output = run(engine, *COMMAND, "--no-verify")
    assert code == 2, output
    assert "lacks _source.py or _native.pick_kernel" in output
    assert tree_hash(engine) == before


def test_summary_says_the_kernel_is_unwritten_and_what_to_do() -> None:
    result = NewModuleResult(
        module="strategy",
        function="kama",
        signature="values: f64[], period: i64 -> f64[]",
        added_to_existing=False,
        created=["rust/src/strategy/kama.rs"],
        edited=["rust/src/lib.rs"],
        plan_seconds=0.1,
        dry_run=False,
        source="examples.strategy:kama",
    )
    text = report.new_module_text(result)
    assert "from the Python function examples.strategy:kama" in text
    assert "the Rust kernel is NOT WRITTEN" in text
    assert 'rust_bridge.kama serves examples.strategy:kama (backend="auto")' in text
    assert "set `pub const WRITTEN: bool = true;` in rust/src/strategy/kama.rs" in text
    assert "delete the @pytest.mark.xfail line in tests/strategy_tests/test_kama.py" in text
    assert "devtool bench strategy.kama" in text
    assert report.new_module_json(result)["kernel_written"] is False


@pytest.mark.parametrize(
    ("source_flag", "built_flag", "shown"),
    [(None, None, "-"), (False, None, "UNWRITTEN"), (False, False, "UNWRITTEN"), (True, False, "rebuild"),
     (True, True, "written"), (True, None, "written")],
)  # fmt: skip
def test_list_shows_the_kernel_column(source_flag: bool | None, built_flag: bool | None, shown: str) -> None:
    function = FunctionStatus("kama", "values: f64[] -> f64[]", True, True, True, True, "m:kama", source_flag,
                              built_flag)  # fmt: skip
    assert function.kernel == shown
    status = WorkspaceStatus(
        root=Path("/engine"),
        extension_importable=True,
        extension_file="/engine/x.so",
        extension_error=None,
        modules=(ModuleStatus("strategy", True, "1.0.0", False, False, True, (function,)),),
    )
    assert f" {shown} " in report.status_text(status)


def test_update_module_renders_the_module_as_new_module_wrote_it(engine: Path) -> None:
    assert run(engine, *COMMAND, "--no-verify")[0] == 0
    record = read_record(Workspace(engine), "strategy")
    assert record is not None
    rendered = render_pristine(record, lambda _: REPO / "devtool" / "template").files
    assert rendered == {path: (engine / path).read_text() for path in rendered}


def test_a_second_kernel_of_the_same_python_function_is_warned_about(engine: Path) -> None:
    code, output = run(engine, *COMMAND, "--no-verify")
    assert code == 0, output
    assert "warning" not in output
    again = ["new-module", "signals", "--function", "kama_fast", "--from", "examples/strategy.py:kama"]
    code, output = run(engine, *again, "--dry-run")
    assert code == 0, output
    warning = "warning: examples.strategy:kama is already the source of strategy.kama"
    assert output.startswith(warning)
    code, output = run(engine, *again, "--no-verify")
    assert code == 0, output  # a warning, not a refusal: a variant of the same function is legitimate
    assert output.startswith(warning) and "devtool remove-module signals.kama_fast" in output
    third = ["new-module", "signals", "--function", "kama_3", "--from", "examples/strategy.py:kama"]
    code, output = run(engine, *third, "--no-verify", "--json")
    assert code == 0, output
    summary = json.loads(output)
    assert sorted(summary["same_source"]) == ["signals.kama_fast", "strategy.kama"]
    assert summary["warnings"] == [summary["warnings"][0]] and "second Rust kernel" in summary["warnings"][0]


PANDAS_SCRIPT = """\
from typing import Annotated

import pandas as pd


def lagged(close: pd.Series, lag: int) -> pd.Series:
    return close.shift(lag)


def spread(bars: pd.DataFrame) -> pd.Series:
    return bars["high"] - bars["low"]


def by_rows(bars: pd.DataFrame) -> pd.Series:
    return pd.Series([row[1] - row[2] for row in bars.itertuples()], index=bars.index)


def whole(bars: pd.DataFrame) -> pd.DataFrame:
    return bars[["high"]] * 2.0


def counts(ticks: Annotated[pd.Series, "i64[]"], scale: float) -> pd.Series:
    return ticks * scale


def framed(ticks: Annotated[pd.Series, "f64[,]"]) -> pd.Series:
    return ticks


def unhinted(values, alpha):
    return values * alpha
"""


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    folder = tmp_path / "desk"  # a plain folder: no __init__.py
    folder.mkdir()
    (folder / "trader.py").write_text(PANDAS_SCRIPT)
    return folder


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "by_rows",
            "parameter 'bars' is a pd.DataFrame, and devtool cannot tell which of its columns the kernel "
            'takes: the function reads none by name (bars["close"] or bars.close). Name them with '
            "--signature, e.g. --signature 'bars: frame[open, high, low, close] -> f64[]'",
        ),
        ("whole", "the result has the hint pandas.DataFrame, which devtool cannot map: a DataFrame crosses"),
        ("framed", "'f64[,]' does not fit a Series, which is 1-D"),
        ("unhinted", "parameter 'values' has no type hint"),
    ],
)
def test_pandas_refusals_exit_2_and_write_nothing(engine: Path, desk: Path, spec: str, message: str) -> None:
    pytest.importorskip("pandas")
    before = tree_hash(engine)
    code, output = run(engine, "new-module", "trader", "--from", f"{desk / 'trader.py'}:{spec}")
    assert code == 2, output
    assert message in output and output.count("\n") == 1, output
    assert tree_hash(engine) == before


def test_a_plain_scripts_series_function_is_recorded_by_its_path(engine: Path, desk: Path) -> None:
    pytest.importorskip("pandas")
    script = desk / "trader.py"
    code, output = run(engine, "new-module", "trader", "--from", f"{script}:lagged", "--no-verify")
    assert code == 0, output
    record = read_record(Workspace(engine), "trader")
    assert record is not None
    assert [(f.name, f.source) for f in record.functions] == [("lagged", f"{script}:lagged")]
    fallback = (engine / "src/rust_bridge/_fallback/trader.py").read_text()
    assert f'_source.python_function("{script}", "lagged")' in fallback or str(script) in fallback


def test_an_integer_series_is_said_with_annotated(engine: Path, desk: Path) -> None:
    pytest.importorskip("pandas")
    args = ["new-module", "trader", "--from", f"{desk / 'trader.py'}:counts", "--dry-run", "--json"]
    code, output = run(engine, *args)
    assert code == 0, output
    assert json.loads(output)["signature"] == "ticks: i64[], scale: f64 -> f64[]"


def test_signature_types_the_parameters_without_hints(engine: Path, desk: Path) -> None:
    script = desk / "trader.py"
    sig = "values: f64[], alpha: f64 -> f64[]"
    args = ["new-module", "trader", "--from", f"{script}:unhinted", "--signature", sig, "--dry-run", "--json"]
    code, output = run(engine, *args)
    assert code == 0, output
    assert json.loads(output)["signature"] == sig


def test_a_dataframe_parameter_takes_the_columns_its_body_reads(engine: Path, desk: Path) -> None:
    pytest.importorskip("pandas")
    args = ["new-module", "trader", "--from", f"{desk / 'trader.py'}:spread", "--dry-run", "--json"]
    code, output = run(engine, *args)
    assert code == 0, output
    assert json.loads(output)["signature"] == "bars: frame[high, low] -> f64[]"


@pytest.mark.parametrize("function", ["spread", "by_rows"])
def test_signature_names_a_dataframes_columns(engine: Path, desk: Path, function: str) -> None:
    pytest.importorskip("pandas")
    sig = "bars: frame[open, high, low, close] -> f64[]"
    spec = f"{desk / 'trader.py'}:{function}"
    code, output = run(
        engine, "new-module", "trader", "--from", spec, "--signature", sig, "--dry-run", "--json"
    )
    assert code == 0, output
    assert json.loads(output)["signature"] == sig


def test_a_frame_without_from_is_refused_with_the_columns_as_arrays(engine: Path) -> None:
    before = tree_hash(engine)
    code, output = run(engine, "new-module", "bars", "--signature", "bars: frame[high, low] -> f64[]")
    assert code == 2, output
    assert "take the columns as arrays: high: f64[], low: f64[]" in output
    assert tree_hash(engine) == before


def test_dry_run_shows_the_translated_kernel_it_would_verify(engine: Path) -> None:
    code, output = run(engine, *COMMAND, "--dry-run", "--json")
    assert code == 0, output
    summary = json.loads(output)
    assert summary["kernel"]["state"] == "translated" and not summary["kernel"]["verified"]
    assert "create rust/src/strategy/kama.rs" in summary["diff"]


def test_no_verify_keeps_the_translation_commented_out_and_unserved(engine: Path) -> None:
    code, output = run(engine, *COMMAND, "--no-verify")
    assert code == 0, output
    assert "strategy.kama: translated but NOT verified (--no-verify), so not served" in output
    kernel = (engine / "rust/src/strategy/kama.rs").read_text()
    assert "pub const WRITTEN: bool = false;" in kernel
    assert "//!     it is not verified: new-module ran with --no-verify" in kernel
    assert "\n// pub fn kama(values: &[f64], period: i64) -> Result<Vec<f64>, KernelError> {\n" in kernel
    record = read_record(find_workspace(engine=engine), "strategy")
    assert record is not None
    (function,) = record.functions
    assert function.translation is not None and not function.served_translation


def test_no_translate_leaves_the_kernel_unwritten_as_before(engine: Path) -> None:
    code, output = run(engine, *COMMAND, "--no-verify", "--no-translate")
    assert code == 0, output
    assert "strategy.kama: not translated (--no-translate)" in output
    assert "Translated by devtool" not in (engine / "rust/src/strategy/kama.rs").read_text()
    record = json.loads((engine / ".devtool" / "modules" / "strategy.json").read_text())
    assert "translation" not in record["functions"][0]  # a record as before translations existed


def test_a_function_outside_the_subset_is_refused_with_each_line(engine: Path, tmp_path: Path) -> None:
    script = tmp_path / "desk.py"
    script.write_text(
        "import numpy as np\nimport numpy.typing as npt\n\n\n"
        "def labels(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:\n"
        "    names = {'a': 1}\n    return values * len(names)\n"
    )
    code, output = run(engine, "new-module", "desk", "--from", f"{script}:labels", "--no-verify", "--json")
    assert code == 0, output
    kernel = json.loads(output)["kernel"]
    assert kernel["state"] == "refused"
    assert {"line": 6, "construct": "{'a': 1}", "why": "is a dict: dicts are not translated"} in kernel[
        "refusals"
    ]


def test_the_counterexample_is_read_from_the_pytest_log(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    log.write_text(
        "$ pytest -q tests/m_tests\nFalsifying example: test_x(kwargs={...})\n"
        "E   AssertionError: counterexample: values=np.array([1., 2.]), period=1; python: 1.0; rust: 2.0\n"
        "FAILED tests/m_tests/test_f.py::test_x - AssertionError: counterexample: ...\n"
    )
    err = VerifyError("pytest failed (exit code 1)", step="pytest", log_path=log)
    assert counterexample_of(err) == "values=np.array([1., 2.]), period=1; python: 1.0; rust: 2.0"
    log.write_text("FAILED tests/m_tests/test_f.py::test_y[empty] - assert 1 == 2\n")
    assert counterexample_of(err) == "tests/m_tests/test_f.py::test_y[empty] failed: assert 1 == 2"
    # Several distinct failures: hypothesis raises an exception group, whose lines pytest prints with `|`.
    log.write_text(
        "  | ExceptionGroup: Hypothesis found 2 distinct failures. (2 sub-exceptions)\n"
        "    | AssertionError: \n"
        "    | AssertionError: counterexample: values=np.array([nan]), period=2; python: nan; rust: inf\n"
        "    | AssertionError: counterexample: values=np.array([0.]), period=1; python: 0.0; rust: 1.0\n"
        "FAILED tests/m_tests/test_f.py::test_x - ExceptionGroup: Hypothesis found 2 distinct failures.\n"
    )
    assert counterexample_of(err) == "values=np.array([nan]), period=2; python: nan; rust: inf"


NOTE = (
    "line 103: `var / (n - 1)` mixes Python and numpy scalars; the kernel keeps Python's ZeroDivisionError "
    "on a zero divisor (numpy would give inf)"
)


@pytest.mark.parametrize(
    ("kernel", "expected"),
    [
        (KernelOutcome("translated", rust="fn", examples=200), "strategy.kama: translated and verified: "
         "the Rust kernel agreed with examples.strategy:kama on 200 generated inputs (hypothesis)"),
        (KernelOutcome("refused", refusals=(Refusal(41, "df.rolling(...)", "calls pandas"),)),
         "strategy.kama: not translated:\n  line 41: `df.rolling(...)` calls pandas"),
        (KernelOutcome("disagreed", rust="fn", counterexample="values=[1.0]; python: 1.0; rust: 2.0"),
         "strategy.kama: translated but DISAGREEING with examples.strategy:kama, so not served; on this "
         "input:\n  values=[1.0]; python: 1.0; rust: 2.0"),
        # the translator's notes under the counterexample: finta's SAR, its `.std()` written as a loop
        (KernelOutcome("disagreed", rust="fn", counterexample="high=np.array([0.]); python: nan; rust: "
                       "ZeroDivisionError('division by zero')", notes=(NOTE,)),
         "rust: ZeroDivisionError('division by zero')\n  where the translation rests on an assumption (the "
         f"likely cause):\n    {NOTE}\n  the translation is kept"),
    ],
)  # fmt: skip
def test_the_summary_says_what_became_of_the_kernel(kernel: KernelOutcome, expected: str) -> None:
    result = NewModuleResult(
        module="strategy",
        function="kama",
        signature="values: f64[], period: i64 -> f64[]",
        added_to_existing=False,
        created=[],
        edited=[],
        plan_seconds=0.1,
        dry_run=False,
        source="examples.strategy:kama",
        verified=VerifyResult(steps=(), log_path=Path("log")),
        kernel=kernel,
    )
    assert expected in report.new_module_text(result)
    assert report.new_module_json(result)["kernel"]["state"] == kernel.state
    assert report.new_module_json(result)["kernel"]["notes"] == list(kernel.notes)
    assert ("NOT WRITTEN" in report.new_module_text(result)) is (kernel.state != "translated")


def test_a_2d_signature_is_not_translated_yet_and_says_so(engine: Path, tmp_path: Path) -> None:
    script = tmp_path / "grid.py"
    script.write_text(
        "from typing import Annotated\n\nimport numpy as np\nimport numpy.typing as npt\n\n\n"
        'def first_column(m: Annotated[npt.NDArray[np.float64], "f64[,]"]) -> float:\n'
        "    return m[0, 0]\n"
    )
    code, output = run(engine, "new-module", "grid", "--from", f"{script}:first_column", "--no-verify")
    assert code == 0, output
    assert (
        "grid.first_column: not translated:\n  `f64[,]` is a 2-D array: the binding of a translated" in output
    )
    assert "pub const WRITTEN: bool = false;" in (engine / "rust/src/grid/first_column.rs").read_text()


def test_a_dataframe_function_is_not_translated_and_says_why(engine: Path, desk: Path) -> None:
    pytest.importorskip("pandas")
    args = ["new-module", "trader", "--from", f"{desk / 'trader.py'}:spread", "--dry-run", "--json"]
    code, output = run(engine, *args)
    assert code == 0, output
    kernel = json.loads(output)["kernel"]
    assert kernel["state"] == "refused"
    (refusal,) = kernel["refusals"]
    assert refusal["construct"] == "bars: frame[high, low]"
    assert "is a pandas DataFrame: the translator does not read a DataFrame's columns yet" in refusal["why"]
    assert "high: &[f64], low: &[f64]" in refusal["why"]
    code, output = run(engine, *args[:-2], "--no-verify")
    assert code == 0, output
    assert "trader.spread: not translated:\n  `bars: frame[high, low]` is a pandas DataFrame" in output
    assert "pub const WRITTEN: bool = false;" in (engine / "rust/src/trader/spread.rs").read_text()


def test_a_dataframe_parameter_takes_no_default(engine: Path, tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    script = tmp_path / "frames.py"
    script.write_text(
        "import pandas as pd\n\n\n"
        "def spread(bars: pd.DataFrame = None, k: float = 2.0) -> pd.Series:\n"
        '    return (bars["high"] - bars["low"]) * k\n'
    )
    before = tree_hash(engine)
    code, output = run(engine, "new-module", "frames", "--from", f"{script}:spread", "--dry-run")
    assert code == 2, output
    assert f"{script}:4: parameter 'bars' is a pd.DataFrame with the default None" in output
    assert "a DataFrame parameter takes no default" in output
    assert tree_hash(engine) == before
