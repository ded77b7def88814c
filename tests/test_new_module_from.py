"""`new-module --from` for real, on the example strategy's hot spot: scaffold, build, write the kernel.

The command is the one `devtool profile examples/strategy.py` prints, run from the repository root
(where `examples/` is, importable in the scratch virtualenv) against a scratch engine. The tests run
in order and build on each other: first the kernel is unwritten and the bridge serves the Python
function; then the test writes the kernel as docs/profiling.md tells a developer to, and the parity
test passes.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import REPO, Scratch, make_scratch

from devtool.verify import rust_env

pytestmark = pytest.mark.slow

COMMAND = ["new-module", "strategy", "--function", "kama", "--from", "examples/strategy.py:kama"]
KERNEL = Path("rust/src/strategy/kama.rs")
TESTS = Path("tests/strategy_tests/test_kama.py")

#: Kaufman's adaptive moving average in Rust, the same arithmetic in the same order as examples/strategy.py.
KAMA_INTO = """\
pub fn kama_into(values: &[f64], period: i64, out0: &mut [f64]) -> Result<(), KernelError> {
    let len = values.len();
    KernelError::check_output("out0", out0.len(), len)?;
    out0.fill(f64::NAN);
    let period = match usize::try_from(period) {
        Ok(period) if period >= 1 && period < len => period,
        _ => return Ok(()), // as the Python function: all NaN
    };
    let fast = 2.0 / (2.0 + 1.0);
    let slow = 2.0 / (30.0 + 1.0);
    let mut volatility = 0.0;
    for i in 1..period {
        volatility += (values[i] - values[i - 1]).abs();
    }
    let mut previous = values[period - 1];
    for i in period..len {
        volatility += (values[i] - values[i - 1]).abs();
        if i > period {
            volatility -= (values[i - period] - values[i - period - 1]).abs();
        }
        let direction = (values[i] - values[i - period]).abs();
        let ratio = if volatility > 0.0 { direction / volatility } else { 0.0 };
        let smoothing = (ratio * (fast - slow) + slow).powi(2);
        previous += smoothing * (values[i] - previous);
        out0[i] = previous;
    }
    Ok(())
}
"""

KAMA_TESTS = """\
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_trend_moves_at_the_fast_rate() {
        let mut out = vec![0.0; 5];
        kama_into(&[1.0, 2.0, 3.0, 4.0, 5.0], 3, &mut out).unwrap();
        assert!(out[..3].iter().all(|x| x.is_nan()));
        let fast = 2.0_f64 / 3.0;
        assert!((out[3] - (3.0 + fast * fast)).abs() < 1e-12);
    }

    #[test]
    fn a_window_longer_than_the_input_gives_nan() {
        let mut out = vec![0.0; 3];
        kama_into(&[1.0, 2.0, 3.0], 3, &mut out).unwrap();
        assert!(out.iter().all(|x| x.is_nan()));
    }
}
"""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    engine, python = make_scratch(tmp_path_factory.mktemp("scratch"))
    yield Scratch(engine=engine, python=python)


def pytest_in_scratch(scratch: Scratch, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(scratch.python), "-m", "pytest", "-q", "-rxX", "-p", "no:cacheprovider", *args],
        cwd=scratch.engine,
        capture_output=True,
        text=True,
        check=False,
    )


def rebuild(scratch: Scratch) -> None:
    """`maturin develop` in the scratch engine, into the scratch virtualenv (never the developer's)."""
    env = {**rust_env(str(scratch.python)), "VIRTUAL_ENV": str(scratch.python.parent.parent)}
    built = subprocess.run(
        ["maturin", "develop"], cwd=scratch.engine, env=env, capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stdout + built.stderr


def test_the_profile_reports_command_scaffolds_builds_and_tests_the_module(scratch: Scratch) -> None:
    result = scratch.devtool(*COMMAND, "--json", cwd=REPO)
    assert result.code == 0, result
    summary = result.json()
    assert summary["verified"] and summary["signature"] == "values: f64[], period: i64 -> f64[]"
    assert (summary["source"], summary["kernel_written"]) == ("examples.strategy:kama", False)
    assert "tests/strategy_tests/test_kama.py" in summary["created"]


def test_the_generated_tests_run_and_the_parity_test_is_expected_to_fail(scratch: Scratch) -> None:
    ran = pytest_in_scratch(scratch, "tests/strategy_tests")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "6 xfailed" in ran.stdout, ran.stdout
    assert "XFAIL tests/strategy_tests/test_kama.py::test_rust_matches_the_python_function" in ran.stdout


def test_list_reports_the_kernel_unwritten(scratch: Scratch) -> None:
    listed = scratch.devtool("list", "--json")
    assert listed.code == 0, listed
    strategy = next(m for m in listed.json()["modules"] if m["name"] == "strategy")
    (kama,) = strategy["functions"]
    assert kama["compiled"] and kama["kernel"] == "UNWRITTEN"
    assert (kama["kernel_written"], kama["kernel_written_built"]) == (False, False)


def test_the_bridge_serves_the_python_function_until_the_kernel_is_written(scratch: Scratch) -> None:
    check = scratch.python_run(
        "import numpy as np, pytest\n"
        "import rust_bridge\n"
        "from examples.strategy import generate_prices, kama\n"
        "prices = generate_prices(5_000)\n"
        "assert rust_bridge.RUST_AVAILABLE\n"
        "assert np.array_equal(rust_bridge.kama(prices, 10), kama(prices, 10), equal_nan=True)\n"
        "with pytest.raises(NotImplementedError, match='not written yet'):\n"
        "    rust_bridge.kama(prices, 10, backend='rust')\n"
    )
    assert check.returncode == 0, check.stderr


def test_writing_the_kernel_without_removing_the_xfail_mark_turns_the_parity_test_red(
    scratch: Scratch,
) -> None:
    kernel = scratch.engine / KERNEL
    text = kernel.read_text()
    text = text.replace("pub const WRITTEN: bool = false;", "pub const WRITTEN: bool = true;")
    text = re.sub(r"pub fn kama_into\(.*?\n}\n", lambda _: KAMA_INTO, text, count=1, flags=re.DOTALL)
    text = text[: text.index("#[cfg(test)]")] + KAMA_TESTS
    kernel.write_text(text)
    rebuild(scratch)
    ran = pytest_in_scratch(scratch, "tests/strategy_tests")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "XPASS(strict)" in ran.stdout, ran.stdout


def test_with_the_mark_removed_the_kernel_matches_the_python_function(scratch: Scratch) -> None:
    tests = scratch.engine / TESTS
    text = tests.read_text()
    mark = "@pytest.mark.xfail(raises=NotImplementedError, strict=True, reason=UNWRITTEN)\n"
    assert text.count(mark) == 1
    tests.write_text(text.replace(mark, ""))
    ran = pytest_in_scratch(scratch, "tests/strategy_tests", "benchmarks/test_bench_strategy_kama.py",
                            "--benchmark-disable")  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "xfail" not in ran.stdout and "skipped" not in ran.stdout, ran.stdout
    cargo = subprocess.run(
        ["cargo", "test", "--manifest-path", str(scratch.engine / "rust/Cargo.toml"), "--lib", "strategy::"],
        capture_output=True,
        text=True,
        check=False,
        env=rust_env(str(scratch.python)),
    )
    assert cargo.returncode == 0, cargo.stdout + cargo.stderr
    assert "2 passed" in cargo.stdout


def test_now_the_bridge_serves_the_kernel_and_list_reports_it_written(scratch: Scratch) -> None:
    check = scratch.python_run(
        "import numpy as np\n"
        "import rust_bridge\n"
        "from rust_bridge import _native\n"
        "from examples.strategy import generate_prices, kama\n"
        "prices = generate_prices(50_000)\n"
        "assert not _native.is_unwritten(_native.native_module('strategy'), 'kama')\n"
        "rust = rust_bridge.kama(prices, 10, backend='rust')\n"
        "np.testing.assert_allclose(rust, kama(prices, 10), rtol=1e-12)\n"
        "assert np.array_equal(rust_bridge.kama(prices, 10), rust, equal_nan=True)\n"
    )
    assert check.returncode == 0, check.stderr
    listed = scratch.devtool("list", "--json")
    strategy = next(m for m in listed.json()["modules"] if m["name"] == "strategy")
    assert strategy["functions"][0]["kernel"] == "written"
