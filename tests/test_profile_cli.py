"""`devtool profile` end to end through its click command: every kind of target, real profilers."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pstats
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from devtool.cli.profile import profile_command
from devtool.profile.sampler import find_py_spy

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "profiling.md"

WORKLOAD = """\
import sys
import time


def hot_loop(n: int) -> float:
    total = 0.0
    for i in range(n):
        total += (i % 7) * 0.5 - i * 1e-6
    return total


def sleepy() -> None:
    time.sleep(0.03)


def main(n: int) -> None:
    hot_loop(n)
    sleepy()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
    print("ran with", sys.argv[1:])
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """tmp_path as the working directory, holding `workload.py`; forgets the module afterwards."""
    (tmp_path / "workload.py").write_text(WORKLOAD)
    monkeypatch.chdir(tmp_path)
    importlib.invalidate_caches()
    sys.modules.pop("workload", None)
    yield tmp_path
    sys.modules.pop("workload", None)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(profile_command, list(args), catch_exceptions=False)


def invoke_json(*args: str) -> tuple[Result, dict[str, Any]]:
    result = invoke("--json", *args)
    return result, json.loads(result.stdout)


def function_names(report: dict[str, Any]) -> list[str]:
    return [row["function"] for row in report["functions"]]


def candidate(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in report["candidates"] if c["function"] == name)


# -- targets -----------------------------------------------------------------------------------------


def test_example_workload_hot_spot_is_ranked_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    output = tmp_path / "strategy.prof"
    result, report = invoke_json("examples/strategy.py", "-o", str(output), "--", "--bars", "30000")
    assert result.exit_code == 0, result.stderr
    first = report["candidates"][0]
    assert (first["rank"], first["function"], first["verdict"]) == (1, "kama", "candidate")
    assert first["suggested_command"] == (
        "devtool new-module strategy --function kama --from examples/strategy.py:kama"
    )
    # By a wide margin over every other function, so that a loaded machine does not reorder them.
    assert all(first["attributed_s"] > 3 * c["attributed_s"] for c in report["candidates"][1:])
    verdicts = {c["function"]: c["verdict"] for c in report["candidates"]}
    assert verdicts["rsi"] == "engine"  # rust_bridge.rsi serves it already
    assert candidate(report, "rsi")["engine_function"] == "rust_bridge.rsi"
    assert verdicts["fetch_fee_schedule"] == "waiting"
    assert verdicts["volatility_filter"] == "native"
    # position_size takes about 1-2% of this run, around the 1% a function needs to be listed at all
    # (MIN_SHARE): a loaded machine can leave it out. When listed, it is too cheap, and its caller named.
    # (The too-cheap verdict itself is pinned by test_profile_classify's controlled workload.)
    if "position_size" in verdicts:
        assert verdicts["position_size"] == "too_cheap"
        assert candidate(report, "position_size")["move_caller"] == "backtest"
    assert "30000 bars" in result.stderr  # the script's own print, kept out of the JSON
    stats = pstats.Stats(str(output))  # the saved profile loads in pstats (and so in snakeviz)
    assert any(name == "kama" for _, _, name in vars(stats)["stats"])


def test_text_report_shows_table_candidates_and_the_command(workdir: Path) -> None:
    result = invoke("workload.py", "--", "20000")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "calls" in out and "cumulative" in out and "hot_loop  workload.py:5" in out
    assert "1. hot_loop  workload.py:5" in out
    assert "$ devtool new-module workload --function hot_loop --from workload.py:hot_loop" in out
    assert "Raw profile: .devtool/profiles/workload.prof" in out
    assert (workdir / ".devtool" / "profiles" / "workload.prof").is_file()
    assert "ran with ['20000']" in result.stdout  # in-process: the script prints as it would


def test_module_target_gets_its_arguments(workdir: Path) -> None:
    result, report = invoke_json("-m", "workload", "--", "12345")
    assert result.exit_code == 0, result.stderr
    assert report["target"]["kind"] == "module"
    assert report["target"]["argv"] == ["12345"]
    assert "ran with ['12345']" in result.stderr
    assert {"hot_loop", "sleepy", "main"} <= set(function_names(report))


def test_function_call_target_with_setup_call_args_and_repeat(workdir: Path) -> None:
    result, report = invoke_json(
        "workload:hot_loop", "--setup", "n = 10_000 * 2", "--call-args", "n", "--repeat", "3"
    )
    assert result.exit_code == 0, result.stderr
    (row,) = [r for r in report["functions"] if r["function"] == "hot_loop"]
    assert row["calls"] == 3
    assert report["target"]["kind"] == "call"
    assert candidate(report, "hot_loop")["rank"] == 1


def test_pytest_node_id_runs_in_process(workdir: Path) -> None:
    (workdir / "test_wl_nodes.py").write_text(
        "from workload import hot_loop\n\n"
        "def test_hot():\n    assert hot_loop(50_000) != 0\n\n"
        "def test_other():\n    raise AssertionError('not run')\n"
    )
    result, report = invoke_json("test_wl_nodes.py::test_hot", "--", "-q", "-p", "no:cacheprovider")
    assert result.exit_code == 0, result.stderr
    assert report["target"]["kind"] == "pytest"
    assert {"test_hot", "hot_loop"} <= set(function_names(report))
    assert "1 passed" in result.stderr


def test_failing_pytest_node_exits_non_zero_with_the_profile(workdir: Path) -> None:
    (workdir / "test_wl_failing.py").write_text(
        "from workload import hot_loop\n\ndef test_fails():\n    assert hot_loop(20_000) == 0\n"
    )
    result, report = invoke_json("test_wl_failing.py::test_fails", "--", "-q", "-p", "no:cacheprovider")
    assert result.exit_code == 6
    assert report["failure"]["kind"] == "pytest" and report["failure"]["exit_code"] == 1
    assert "hot_loop" in function_names(report)


# -- outputs -----------------------------------------------------------------------------------------


def documented_fields() -> set[str]:
    """Every `field` row of the table in the JSON section of docs/profiling.md."""
    section = DOCS.read_text().split("\n## JSON\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_\[\].]+)` \|", section, flags=re.MULTILINE))


def json_fields(value: Any, prefix: str = "") -> set[str]:
    fields: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            fields |= {path} | json_fields(item, path)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        fields |= json_fields(value[0], f"{prefix}[]")
    return fields


def test_json_has_exactly_the_documented_fields(workdir: Path) -> None:
    (workdir / "fails.py").write_text(
        "from workload import hot_loop\nhot_loop(30_000)\nraise KeyError('x')\n"
    )
    result, report = invoke_json("fails.py")
    assert result.exit_code == 6
    assert report["version"] == 1 and report["ok"] is False
    assert json_fields(report) == documented_fields()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_flamegraph_is_a_self_contained_html_page(workdir: Path) -> None:
    result, report = invoke_json("workload.py", "--flamegraph", "out/flame.html", "--", "30000")
    assert result.exit_code == 0, result.stderr
    page = (workdir / "out" / "flame.html").read_text()
    parser = _Tags()
    parser.feed(page)
    assert {"html", "head", "body", "script", "div"} <= set(parser.tags)
    assert '"type":"icicle"' in page and "hot_loop" in page
    assert "cdn.plot.ly" not in page.split("<body>")[0]  # plotly.js is inlined: it opens offline
    assert report["flamegraph"] == "out/flame.html"


def test_flamegraph_must_be_html(workdir: Path) -> None:
    result = invoke("workload.py", "--flamegraph", "flame.svg")
    assert result.exit_code == 2
    assert ".html" in result.stderr


def test_sort_own_and_all(workdir: Path) -> None:
    _, own = invoke_json("workload.py", "--sort", "own", "--", "30000")
    owns = [row["own_s"] for row in own["functions"]]
    assert owns == sorted(owns, reverse=True)
    assert {row["origin"] for row in own["functions"]} == {"user"}
    _, everything = invoke_json("workload.py", "--all", "-n", "200", "--", "30000")
    assert everything["hidden"] == 0
    assert {"builtin", "stdlib"} <= {row["origin"] for row in everything["functions"]}
    assert "time.sleep" in function_names(everything)


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.py"], "script not found: missing.py"),
        (["tests/test_nothing.py::test_x"], "test file not found"),
        (["-m", "no_such_module_here"], "no module named 'no_such_module_here'"),
        (["workload:hot_lop"], "did you mean hot_loop"),
        (["no_such_module_here:f"], "module no_such_module_here does not import"),
        (["workload"], "looks like a module: run it with `-m workload`"),
        (["not a target!"], "cannot tell what"),
        (["workload:hot_loop", "--call-args", "1,,"], "--call-args is not valid Python"),
        (["workload:hot_loop", "--setup", "1/0"], "--setup raised"),
        (["workload.py", "--call-args", "1"], "apply to a MODULE:FUNCTION target only"),
        (["workload.py", "--native"], "--native needs --sampler py-spy"),
    ],
)
def test_clear_errors_exit_2(workdir: Path, args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.startswith("error: ")


def test_module_that_raises_on_import_is_an_import_error(workdir: Path) -> None:
    (workdir / "broken_mod.py").write_text("import json\nraise RuntimeError('no config')\n")
    try:
        result = invoke("broken_mod:f")
    finally:
        sys.modules.pop("broken_mod", None)
    assert result.exit_code == 2
    assert "raised while importing" in result.stderr and "RuntimeError: no config" in result.stderr


def test_target_that_raises_shows_traceback_and_partial_profile(workdir: Path) -> None:
    (workdir / "raiser.py").write_text(
        "from workload import hot_loop\n\ndef run():\n    hot_loop(40_000)\n"
        "    raise ValueError('bad bar 42')\n\nrun()\n"
    )
    result = invoke("raiser.py")
    assert result.exit_code == 6
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raiser.py", line 5, in run' in result.stderr
    assert "ValueError: bad bar 42" in result.stderr
    assert "runpy" not in result.stderr and "cProfile.py" not in result.stderr  # only the target's frames
    assert "error: the target failed: ValueError: bad bar 42" in result.stderr
    assert "this profile covers what ran" in result.stdout
    assert "1. hot_loop" in result.stdout  # what ran before the error is still ranked


def test_a_script_that_changes_directory_and_raises_keeps_its_outputs_where_asked(workdir: Path) -> None:
    (workdir / "data").mkdir()
    (workdir / "mover.py").write_text(
        "import os\nfrom workload import hot_loop\n\nos.chdir('data')\nhot_loop(40_000)\n"
        "raise SystemExit('nothing good enough, no trade today')\n"
    )
    result = invoke("mover.py", "--flamegraph", "flame.html", "-o", "mover.prof")
    assert result.exit_code == 6
    assert "nothing good enough, no trade today" in result.stderr
    assert (workdir / "flame.html").is_file() and (workdir / "mover.prof").is_file()
    assert list((workdir / "data").iterdir()) == []  # not beside the CSVs the script moved to
    assert Path.cwd() == workdir


@pytest.mark.parametrize(("code", "exit_code"), [("0", 0), ("None", 0), ("3", 6), ("'bad'", 6)])
def test_sys_exit_of_the_target(workdir: Path, code: str, exit_code: int) -> None:
    (workdir / "exits.py").write_text(f"import sys\nsys.exit({code})\n")
    result, report = invoke_json("exits.py")
    assert result.exit_code == exit_code
    assert report["ok"] is (exit_code == 0)


# -- py-spy ------------------------------------------------------------------------------------------

needs_py_spy = pytest.mark.skipif(find_py_spy() is None, reason="py-spy is not installed")


@needs_py_spy
def test_py_spy_samples_the_script_in_a_child(workdir: Path) -> None:
    result, report = invoke_json(
        "workload.py", "--sampler", "py-spy", "--rate", "500", "--flamegraph", "spy.html", "--", "1500000"
    )
    assert result.exit_code == 0, result.stderr
    if report["sampler"] != "py-spy":  # the system refused: the fallback must say why
        assert report["fallback_reason"] and "cProfile instead" in report["fallback_reason"]
        pytest.skip(f"py-spy refused here: {report['fallback_reason']}")
    assert report["samples"] > 10 and report["profile"]["format"] == "folded"
    assert report["candidates"][0]["function"] == "hot_loop"
    assert report["functions"][0]["calls"] is None  # sampled, not counted
    assert "ran with ['1500000']" in report["target_output"]
    assert "hot_loop" in (workdir / ".devtool" / "profiles" / "workload.folded").read_text()
    assert "enter_target" not in (workdir / ".devtool" / "profiles" / "workload.folded").read_text()
    assert (workdir / "spy.html").stat().st_size > 0


def test_py_spy_missing_falls_back_to_cprofile(workdir: Path) -> None:
    result, report = invoke_json("workload.py", "--sampler", "py-spy", "--py-spy", str(workdir / "nope"))
    assert result.exit_code == 0, result.stderr
    assert (report["requested_sampler"], report["sampler"]) == ("py-spy", "cprofile")
    assert "py-spy is not installed" in report["fallback_reason"]
    assert report["profile"]["path"].endswith("workload.prof")


@needs_py_spy
def test_py_spy_too_short_to_sample_falls_back_to_cprofile(workdir: Path) -> None:
    (workdir / "quick.py").write_text("x = sum(range(10))\n")
    result, report = invoke_json("quick.py", "--sampler", "py-spy", "--rate", "1")  # no tick lands in it
    assert result.exit_code == 0, result.stderr
    assert report["sampler"] == "cprofile"
    assert "cProfile instead" in report["fallback_reason"]


@needs_py_spy
def test_py_spy_target_failure_is_reported(workdir: Path) -> None:
    (workdir / "late_fail.py").write_text(
        "from workload import hot_loop\nhot_loop(600_000)\nraise RuntimeError('late')\n"
    )
    result, report = invoke_json("late_fail.py", "--sampler", "py-spy", "--rate", "500")
    assert result.exit_code == 6
    assert report["failure"]["message"] == "RuntimeError: late"
    assert "late_fail.py" in report["failure"]["traceback"]
    assert "profile_child" not in report["failure"]["traceback"]


# -- targets that fork, exit hard or are interrupted: real processes -----------------------------------


def devtool_profile(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devtool", "profile", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_target_that_forks_is_reported_once_by_the_original_process(workdir: Path) -> None:
    (workdir / "forker.py").write_text(
        "import os\nfrom workload import hot_loop\n\nhot_loop(20_000)\npid = os.fork()\n"
        "if pid:\n    os.waitpid(pid, 0)\n"  # the child returns normally, into whoever runs the script
    )
    done = devtool_profile(workdir, "forker.py", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # one JSON document, not two
    assert report["ok"] is True


def test_os_exit_in_the_target_is_the_targets_failure_exit_6(workdir: Path) -> None:
    (workdir / "hard_exit.py").write_text("import os\nos._exit(4)\n")
    done = devtool_profile(workdir, "hard_exit.py")
    assert done.returncode == 6, done.stderr
    assert "error: the target failed: the target called os._exit(4)" in done.stderr


def test_a_pytest_node_id_that_does_not_exist_is_exit_2(workdir: Path) -> None:
    (workdir / "test_some.py").write_text("def test_there() -> None:\n    assert True\n")
    done = devtool_profile(workdir, "test_some.py::test_not_there")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error: pytest found no test test_some.py::test_not_there" in done.stderr


FAKE_PY_SPY = """#!/bin/sh
while [ "$1" != "--" ]; do shift; done
shift
"$@" &
wait
"""


def test_ctrl_c_during_py_spy_stops_the_target_and_says_so_in_profiles_words(workdir: Path) -> None:
    (workdir / "fake-py-spy").write_text(FAKE_PY_SPY)
    (workdir / "fake-py-spy").chmod(0o755)
    (workdir / "waits.py").write_text(
        "import os, time\nfrom pathlib import Path\n"
        "Path('target.pid').write_text(str(os.getpid()))\ntime.sleep(300)\n"
    )
    spy = ["--sampler", "py-spy", "--py-spy", str(workdir / "fake-py-spy")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "devtool", "profile", "waits.py", *spy],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    pid_file = workdir / "target.pid"
    deadline = time.monotonic() + 60
    while not (pid_file.is_file() and pid_file.read_text()):
        assert time.monotonic() < deadline and proc.poll() is None, "the target did not start"
        time.sleep(0.05)
    target = int(pid_file.read_text())
    try:
        proc.send_signal(signal.SIGINT)  # devtool's pid only
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "interrupted: the profiled target and every process it started were stopped" in err
        assert "rolled back" not in err
        deadline = time.monotonic() + 10
        while Path(f"/proc/{target}").exists() and "Z" not in _state(target):
            assert time.monotonic() < deadline, "the profiled target is still running"
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "X"
