"""Defaults and data-shaped test inputs for real: `new-module` on functions with default values (issue 12,
steps 5 and 6), in a scratch engine and virtualenv, with real maturin builds and the generated tests.

A Parabolic SAR without hints, `def psar(high, low, iaf=0.02, maxaf=0.2)`, typed by `--signature`: the
bridge keeps its defaults for both backends, the stub shows them, and its generated tests draw bars
(high above low) on which the reference proves something. A module without `--from`, whose placeholder
kernel is written, serves its defaults from Rust. A default that contradicts its hint is refused with
nothing written, and a reference that gives only NaN on the generated data fails its test, saying where
to adjust the inputs.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from e2e_support import Scratch, tree_hash

pytestmark = pytest.mark.slow

INDICATORS = """\
import numpy as np
import numpy.typing as npt


def psar(high, low, iaf=0.02, maxaf=0.2):
    n = len(high)
    out = np.full(n, np.nan)
    if n < 2:
        return out
    rising, af, extreme, sar = True, iaf, high[0], low[0]
    out[0] = sar
    for i in range(1, n):
        sar = sar + af * (extreme - sar)
        if rising:
            sar = min(sar, low[i - 1], low[max(i - 2, 0)])
            if low[i] < sar:
                rising, sar, extreme, af = False, extreme, low[i], iaf
            elif high[i] > extreme:
                extreme, af = high[i], min(af + iaf, maxaf)
        else:
            sar = max(sar, high[i - 1], high[max(i - 2, 0)])
            if high[i] > sar:
                rising, sar, extreme, af = True, extreme, high[i], iaf
            elif low[i] < extreme:
                extreme, af = low[i], min(af + iaf, maxaf)
        out[i] = sar
    return out


def stepped(
    close: npt.NDArray[np.float64],
    iaf: int = 0.02,
) -> npt.NDArray[np.float64]:
    return close * iaf


def blank(close: npt.NDArray[np.float64], period: int = 10) -> npt.NDArray[np.float64]:
    return np.full(len(close), np.nan)
"""

PSAR_TYPES = "high: f64[], low: f64[], iaf: f64, maxaf: f64 -> f64[]"
PSAR_SIGNATURE = "high: f64[], low: f64[], iaf: f64 = 0.02, maxaf: f64 = 0.2 -> f64[]"
PLACEHOLDER_SIGNATURE = "close: f64[], period: usize = 14, scale: f64 = 0.5, flip: bool = false -> f64[]"


@pytest.fixture(scope="module")
def desk(scratch: Scratch) -> Path:
    folder = scratch.engine.parent / "desk"  # no __init__.py: a plain script, imported by its path
    folder.mkdir()
    (folder / "indicators.py").write_text(INDICATORS)
    return folder / "indicators.py"


def pytest_in_scratch(scratch: Scratch, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(scratch.python), "-m", "pytest", "-q", "-rxXs", "-p", "no:cacheprovider", *args],
        cwd=scratch.engine,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_default_that_contradicts_its_hint_is_refused_and_nothing_is_written(
    scratch: Scratch, desk: Path
) -> None:
    before = tree_hash(scratch.engine)
    refused = scratch.devtool("new-module", "steps", "--from", f"{desk}:stepped")
    assert refused.code == 2, refused
    line = INDICATORS.splitlines().index("    iaf: int = 0.02,") + 1
    assert f"{desk}:stepped: {desk}:{line}: parameter 'iaf' has the hint int, but its default is 0.02" in (
        refused.stderr
    ), refused
    assert "make the hint float (iaf: float = 0.02), or the default an int" in refused.stderr
    assert tree_hash(scratch.engine) == before


def test_an_unhinted_function_typed_by_signature_keeps_its_defaults_and_its_tests_pass(
    scratch: Scratch, desk: Path
) -> None:
    made = scratch.devtool(
        "new-module", "trend", "--from", f"{desk}:psar", "--signature", PSAR_TYPES, "--json"
    )
    assert made.code == 0, made
    summary = made.json()
    assert summary["verified"] and summary["signature"] == PSAR_SIGNATURE
    assert summary["kernel"]["state"] == "translated", summary["kernel"]
    stub = (scratch.engine / "src/crypto_trading_engine/trend.pyi").read_text()
    assert "iaf: float = 0.02, maxaf: float = 0.2" in stub
    ran = pytest_in_scratch(scratch, "tests/trend_tests")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for test in (
        "test_the_python_function_proves_something",
        "test_the_bridge_has_the_python_functions_defaults",
    ):
        assert test in (scratch.engine / "tests/trend_tests/test_psar.py").read_text()
    assert "skipped" not in ran.stdout, ran.stdout


def test_the_bridge_calls_psar_without_its_defaults_for_both_backends(scratch: Scratch, desk: Path) -> None:
    check = scratch.python_run(
        "import importlib.util, numpy as np\n"
        "import rust_bridge\n"
        "from rust_bridge import _testing\n"
        f"spec = importlib.util.spec_from_file_location('indicators', {str(desk)!r})\n"
        "indicators = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(indicators)\n"
        "bars = _testing.draw({'high': 'f64[]', 'low': 'f64[]'}, 2_000, seed=5)\n"
        "high, low = bars['high'], bars['low']\n"
        "expected = indicators.psar(high, low)\n"
        "assert np.isfinite(expected).all()\n"
        "assert np.array_equal(rust_bridge.psar(high, low), expected)\n"
        "assert np.array_equal(rust_bridge.psar(high, low, backend='python'), expected)\n"
        "assert np.array_equal(rust_bridge.psar(high, low, maxaf=0.2), expected)\n"
        "assert not np.array_equal(rust_bridge.psar(high, low, 0.05), expected)\n"
        "assert rust_bridge.RUST_AVAILABLE\n"
        # devtool translated psar and served it: the Rust kernel takes the defaults through the bridge too.
        "rust = rust_bridge.psar(high, low, backend='rust')\n"
        "np.testing.assert_allclose(rust, expected, rtol=1e-12, atol=0)\n"
        "np.testing.assert_allclose(rust_bridge.psar(high, low, 0.05, backend='rust'),"
        " indicators.psar(high, low, 0.05), rtol=1e-12, atol=0)\n"
    )
    assert check.returncode == 0, check.stderr


def test_a_module_without_from_serves_its_defaults_from_the_written_placeholder_kernel(
    scratch: Scratch,
) -> None:
    made = scratch.devtool(
        "new-module", "tuned", "--function", "tuned", "--signature", PLACEHOLDER_SIGNATURE, "--json"
    )
    assert made.code == 0, made
    assert made.json()["signature"] == PLACEHOLDER_SIGNATURE
    check = scratch.python_run(
        "import numpy as np\n"
        "import rust_bridge\n"
        "close = 100.0 + np.arange(50.0)\n"
        "for backend in ('rust', 'python'):\n"
        "    given = rust_bridge.tuned(close, 14, 0.5, False, backend=backend)\n"
        "    assert np.array_equal(rust_bridge.tuned(close, backend=backend), given)\n"
        "    assert not np.array_equal(rust_bridge.tuned(close, 15, backend=backend), given)\n"
        "    assert not np.array_equal(rust_bridge.tuned(close, flip=True, backend=backend), given)\n"
        "assert rust_bridge.RUST_AVAILABLE\n"
    )
    assert check.returncode == 0, check.stderr


def test_a_reference_that_gives_only_nan_on_the_generated_inputs_fails_its_test(
    scratch: Scratch, desk: Path
) -> None:
    made = scratch.devtool("new-module", "blanks", "--from", f"{desk}:blank", "--no-verify", "--json")
    assert made.code == 0, made
    assert json.loads(made.stdout)["signature"] == "close: f64[], period: i64 = 10 -> f64[]"
    ran = pytest_in_scratch(scratch, "tests/blanks_tests/test_blank.py", "-k", "proves_something")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert (
        "the reference gives 100.0% NaN on the generated inputs: it proves nothing; "
        "adjust the inputs in tests/blanks_tests/test_blank.py::_random"
    ) in ran.stdout, ran.stdout
