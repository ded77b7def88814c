"""`devtool bench` for real on a module `new-module` generates, in a scratch engine and virtualenv.

One scratch serves the file and the tests build on each other, in order: the module is generated
with a debug build (which bench refuses), `--build` rebuilds it optimised, and then the gate, a
baseline and a regression, and a parity failure are made on purpose by editing Python files only
(the bridge and the fallback), so no further build is needed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from e2e_support import REPO, Result, Scratch, make_scratch

pytestmark = pytest.mark.slow

MODULE, FUNCTION = "rolling", "zscore"
NAME = f"{MODULE}.{FUNCTION}"
SMALL = ("--sizes", "1e3,1e4", "--quick")
#: A bar the generated placeholder clears easily, so that only the edits below can fail the runs.
LOW_BAR = "[tool.devtool.bench]\nmin-speedup = 0.05\n"

#: Wrap the compiled module so each Rust call first spins for 200 µs: a regression made on purpose.
SLOW_RUST = f"""

import time as _time


class _Slowed:
    def __init__(self, inner):
        self._inner = inner

    def {FUNCTION}(self, *args):
        start = _time.perf_counter()
        while _time.perf_counter() - start < 2e-4:
            pass
        return self._inner.{FUNCTION}(*args)


_rust = _Slowed(_rust)
"""

#: A fallback that is wrong by one part in a million.
WRONG_FALLBACK = f"""

_exact_{FUNCTION} = {FUNCTION}


def {FUNCTION}(*args):
    return _exact_{FUNCTION}(*args) * (1.0 + 1e-6)
"""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    engine, python = make_scratch(tmp_path_factory.mktemp("bench"))
    scratch = Scratch(engine=engine, python=python)
    signature = "values: f64[], window: usize -> f64[]"
    made = scratch.devtool("new-module", MODULE, "--function", FUNCTION, "--signature", signature)
    assert made.code == 0, made
    bench_file = engine / "benchmarks" / f"test_bench_{MODULE}_{FUNCTION}.py"
    text = bench_file.read_text(encoding="utf-8")
    if "BENCH_CASES" not in text:  # templates from before the convention
        cases = '\n\nBENCH_CASES = {f"{MODULE}.{FUNCTION}": _inputs}\n'
        bench_file.write_text(text + cases, encoding="utf-8")
    yield scratch


def bench(scratch: Scratch, *args: str) -> Result:
    return scratch.devtool("bench", NAME, *args)


@contextmanager
def appended(path: Path, text: str) -> Iterator[None]:
    """`text` at the end of `path` for the duration; the file restored byte for byte after."""
    original = path.read_bytes()
    path.write_bytes(original + text.encode())
    try:
        yield
    finally:
        path.write_bytes(original)


def test_refuses_a_debug_build(scratch: Scratch) -> None:
    refused = bench(scratch, *SMALL)
    assert refused.code == 2, refused
    assert "debug build" in refused.stderr and "--allow-debug" in refused.stderr
    assert refused.stdout == ""


def test_times_a_debug_build_only_when_allowed_and_says_so_loudly(scratch: Scratch) -> None:
    allowed = bench(scratch, *SMALL, "--allow-debug", "--min-speedup", "0.0001")
    assert allowed.code == 0, allowed
    assert "DEBUG BUILD" in allowed.stderr and "DEBUG BUILD" in allowed.stdout


def test_build_makes_a_release_build_and_prints_the_table(scratch: Scratch) -> None:
    (scratch.engine / "pyproject.toml").write_text(
        (scratch.engine / "pyproject.toml").read_text(encoding="utf-8") + "\n" + LOW_BAR, encoding="utf-8"
    )
    result = bench(scratch, "--build", *SMALL, "--json", str(scratch.engine / "bench.json"))
    assert result.code == 0, result
    assert "release build" in result.stdout
    assert f"{NAME}   gate: >= 0.05x at 1,000, 10,000" in result.stdout
    assert re.search(rf"PASS +{re.escape(NAME)} +[0-9.]+x at 10,000", result.stdout), result.stdout
    data = json.loads((scratch.engine / "bench.json").read_text(encoding="utf-8"))
    assert data["environment"]["build_profile"] == "release"
    assert data["environment"]["bridge"] == str((scratch.engine / "src" / "rust_bridge").resolve())
    (function,) = data["functions"]
    assert function["name"] == NAME and function["status"] == "pass"
    assert [row["size"] for row in function["sizes"]] == [1000, 10000]
    assert data["warnings"] == []


def test_gate_fails_when_the_configured_bar_is_above_the_speedup(scratch: Scratch) -> None:
    pyproject = scratch.engine / "pyproject.toml"
    with appended(pyproject, f'\n[tool.devtool.bench.functions."{NAME}"]\nmin-speedup = 500\n'):
        result = bench(scratch, *SMALL)
    assert result.code == 8, result
    assert f"below the speedup gate: {NAME}" in result.stderr
    assert re.search(rf"FAIL +{re.escape(NAME)} .* below the 500x bar", result.stdout), result.stdout


def test_compare_catches_a_slowed_rust_path(scratch: Scratch) -> None:
    saved = bench(scratch, *SMALL, "--save", "before")
    assert saved.code == 0, saved
    assert (scratch.engine / ".devtool" / "bench" / "before.json").is_file()
    bridge = scratch.engine / "src" / "rust_bridge" / f"{MODULE}_py.py"
    with appended(bridge, SLOW_RUST):
        # The bar out of the way: a run that also misses its gate ends with the gate's exit code (8).
        slowed = bench(scratch, *SMALL, "--compare", "before", "--json", "-", "--min-speedup", "1e-4")
    assert slowed.code == 9, slowed
    data = json.loads(slowed.stdout)
    rows = data["comparison"]["rows"]
    assert {row["size"] for row in rows} == {1000, 10000}
    assert all(row["regressed"] and row["change"] < -0.5 for row in rows), rows
    assert f"speedup regressed against baseline 'before': {NAME} n=1,000" in slowed.stderr


def test_parity_failure_is_reported_and_not_timed(scratch: Scratch) -> None:
    fallback = scratch.engine / "src" / "rust_bridge" / "_fallback" / f"{MODULE}.py"
    with appended(fallback, WRONG_FALLBACK):
        result = bench(scratch, *SMALL, "--save", "broken")
    assert result.code == 7, result
    assert f"Rust and the fallback disagree: {NAME}" in result.stderr
    assert "PARITY MISMATCH at n=1,000: result at index [0]: values differ" in result.stdout
    assert "(not timed)" in result.stdout
    assert "baseline 'broken' not saved" in result.stdout
    assert not (scratch.engine / ".devtool" / "bench" / "broken.json").exists()


def test_sizes_that_do_not_fit_in_memory_are_refused_before_anything_is_built(scratch: Scratch) -> None:
    result = bench(scratch, "--sizes", "1e3,1e12")
    assert result.code == 2, result
    assert f"{NAME} at n=1,000,000,000,000 needs about" in result.stderr
    assert "choose smaller --sizes" in result.stderr and result.stdout == ""


def test_adding_a_function_keeps_the_release_build_and_an_unwritten_kernel_is_skipped(
    scratch: Scratch,
) -> None:
    """After `bench --build`, new-module (without --release) must not leave a debug build behind."""
    made = scratch.devtool(
        "new-module", "strategy", "--from", "examples/strategy.py:kama", "--no-translate", cwd=REPO
    )
    assert made.code == 0, made
    assert "built optimised (release), as the extension it replaced was" in made.stdout
    result = scratch.devtool("bench", MODULE, "strategy", *SMALL, "--json", "-")
    assert result.code == 0, result  # not refused as a debug build, not a parity mismatch
    data = json.loads(result.stdout)
    assert data["environment"]["build_profile"] == "release"
    assert [f["name"] for f in data["functions"]] == [NAME]
    (skipped,) = data["skipped"]
    assert skipped["name"] == "strategy.kama" and skipped["reason"].startswith("kernel not written")


def test_a_function_without_bench_cases_is_reported_as_skipped(scratch: Scratch) -> None:
    bench_file = scratch.engine / "benchmarks" / "test_bench_strategy_kama.py"
    original = bench_file.read_text(encoding="utf-8")
    bench_file.write_text(original.replace("\nBENCH_CASES = ", "\n_UNUSED = "), encoding="utf-8")
    try:
        result = scratch.devtool("bench", MODULE, "strategy", *SMALL)
        listed = scratch.devtool("list", "--json")
    finally:
        bench_file.write_text(original, encoding="utf-8")
    assert result.code == 0, result
    assert "skipped strategy.kama: no BENCH_CASES entry" in result.stdout
    strategy = next(m for m in listed.json()["modules"] if m["name"] == "strategy")
    assert strategy["functions"][0]["benchmark"] is False
