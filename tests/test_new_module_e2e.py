"""`new-module` and `remove-module` for real: cookiecutter renders, maturin builds, the generated tests run.

One scratch copy of the engine and one virtualenv serve the whole file (builds are the slow part and
share the one cargo target directory); the tests run in order and build on each other.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import REPO, Scratch, make_scratch, tree_hash

from devtool.verify import rust_env

pytestmark = pytest.mark.slow

SIGNATURES = {
    "stats_default": None,  # the guide's fast_calculation
    "rolling": ("zscore", "values: f64[], window: usize -> f64[]"),
    "spread": ("band", "high: f64[], low: f64[], scale: f64 -> (f64[], f64[])"),
    # `[*]` lengths in and out, more than 7 arguments, a result tuple too complex for clippy unnamed.
    "sweeps": (
        "grid_search",
        "close: f64[,], windows: i64[*], weights: f64[*], fee: f64, a: f64, b: f64, c: i64, flag: bool"
        " -> (i64[*], f64[*], f64[], f64, f64, f64, i64, f64)",
    ),
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    engine, python = make_scratch(tmp_path_factory.mktemp("scratch"))
    scratch = Scratch(engine=engine, python=python)
    built = scratch.devtool("list")  # nothing is built in the fresh venv yet
    assert built.code == 0, built
    yield scratch


@pytest.fixture(scope="module")
def pristine(scratch: Scratch) -> dict[str, str]:
    return tree_hash(scratch.engine)


def new_module(scratch: Scratch, module: str, *extra: str) -> None:
    spec = SIGNATURES.get(module)
    args = ["new-module", module, *(("--function", spec[0], "--signature", spec[1]) if spec else ()), *extra]
    result = scratch.devtool(*args, "--json")
    assert result.code == 0, result
    report = result.json()
    assert report["ok"] and report["verified"]
    assert f"rust/src/{module}/mod.rs" in report["created"]
    assert "rust/src/lib.rs" in report["edited"]


@pytest.mark.parametrize("module", list(SIGNATURES))
def test_generated_module_builds_and_its_tests_pass(
    scratch: Scratch, pristine: dict[str, str], module: str
) -> None:
    new_module(scratch, module)
    function = SIGNATURES[module][0] if SIGNATURES[module] else "fast_calculation"
    imported = scratch.python_run(
        f"from crypto_trading_engine.{module} import {function}\n"
        f"from rust_bridge import {function} as bridged\n"
        "import rust_bridge; assert rust_bridge.RUST_AVAILABLE\n"
    )
    assert imported.returncode == 0, imported.stderr


def test_default_module_computes_the_guides_example(scratch: Scratch) -> None:
    check = scratch.python_run(
        "import numpy as np\n"
        "from rust_bridge import fast_calculation\n"
        "x = np.linspace(-3, 3, 10_001)\n"
        "expected = float(np.sum(x**2 + 2*x + 1))\n"
        "for backend in ('rust', 'python'):\n"
        "    got = fast_calculation(x, backend=backend)\n"
        "    assert abs(got - expected) <= 1e-9 * abs(expected), (backend, got, expected)\n"
    )
    assert check.returncode == 0, check.stderr


def test_adds_a_function_to_an_existing_module(scratch: Scratch) -> None:
    result = scratch.devtool(
        "new-module",
        "rolling",
        "--function",
        "count_above",
        "--signature",
        "ids: i64[], x: f64[] -> i64",
        "--json",
    )
    assert result.code == 0, result
    assert result.json()["added_to_existing"] is True
    listed = scratch.devtool("list", "--json").json()
    rolling = next(m for m in listed["modules"] if m["name"] == "rolling")
    assert [f["name"] for f in rolling["functions"]] == ["zscore", "count_above"]
    assert all(
        f["compiled"] and f["fallback"] and f["tests"] and f["benchmark"] for f in rolling["functions"]
    )
    # pytest-benchmark makes its storage folder even with --benchmark-disable: not in the engine.
    assert not (scratch.engine / ".benchmarks").exists()


def test_generated_code_is_clean_as_generated(scratch: Scratch) -> None:
    """rustfmt, clippy -D warnings, ruff check and ruff format accept every generated file untouched."""
    manifest = str(scratch.engine / "rust" / "Cargo.toml")
    env = rust_env(str(scratch.python))
    checks = [
        ["cargo", "fmt", "--manifest-path", manifest, "--check"],
        ["cargo", "clippy", "--manifest-path", manifest, "--all-targets", "--quiet", "--", "-D", "warnings"],
        ["ruff", "check", "--config", str(REPO / "pyproject.toml"), "."],
        ["ruff", "format", "--config", str(REPO / "pyproject.toml"), "--check", "."],
    ]
    for argv in checks:
        proc = subprocess.run(argv, cwd=scratch.engine, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{' '.join(argv)}\n{proc.stdout}\n{proc.stderr}"


def test_refuses_an_existing_function_and_changes_nothing(scratch: Scratch) -> None:
    before = tree_hash(scratch.engine)
    result = scratch.devtool("new-module", "rolling", "--function", "zscore")
    assert result.code == 3, result
    assert "already has a function" in result.stderr
    assert tree_hash(scratch.engine) == before


def broken_template(tmp_path: Path, file_suffix: str, old: str, new: str) -> Path:
    """A copy of the real template with one line broken in every file whose name ends with file_suffix."""
    template = tmp_path / "template"
    shutil.copytree(REPO / "devtool" / "template", template)
    hits = 0
    for path in template.rglob(f"*{file_suffix}"):
        text = path.read_text()
        if old in text:
            path.write_text(text.replace(old, new, 1))
            hits += 1
    assert hits, f"nothing to break: {old!r} not found in *{file_suffix}"
    return template


def test_broken_kernel_fails_the_build_and_restores_the_tree(scratch: Scratch, tmp_path: Path) -> None:
    template = broken_template(
        tmp_path, ".rs", "use pyo3::prelude::*;", 'compile_error!("broken on purpose");'
    )
    before = tree_hash(scratch.engine)
    result = scratch.devtool(
        "new-module", "broken", "--function", "broken_fn", env={"DEVTOOL_TEMPLATE": str(template)}
    )
    assert result.code == 4, result
    assert "broken on purpose" in result.stderr  # the compiler's excerpt is shown
    assert "full log:" in result.stderr
    assert tree_hash(scratch.engine) == before


def test_failing_generated_test_restores_the_tree_and_the_extension(scratch: Scratch, tmp_path: Path) -> None:
    template = broken_template(tmp_path, ".py", "import numpy as np", "import numpy as np\nnp = None")
    before = tree_hash(scratch.engine)
    extension = sorted((scratch.engine / "src" / "crypto_trading_engine").glob("*.so"))
    ext_before = [p.read_bytes() for p in extension]
    result = scratch.devtool(
        "new-module", "failing", "--function", "failing_fn", env={"DEVTOOL_TEMPLATE": str(template)}
    )
    assert result.code == 4, result
    assert tree_hash(scratch.engine) == before
    assert [p.read_bytes() for p in extension] == ext_before
    still = scratch.python_run("import crypto_trading_engine as e; assert not hasattr(e, 'failing')")
    assert still.returncode == 0, still.stderr


def test_ctrl_c_during_the_build_rolls_back(scratch: Scratch) -> None:
    before = tree_hash(scratch.engine)
    proc = subprocess.Popen(
        [
            str(scratch.python),
            "-m",
            "devtool",
            "new-module",
            "interrupted",
            "--function",
            "interrupted_fn",
            "--engine",
            str(scratch.engine),
        ],
        cwd=scratch.engine,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    for line in proc.stderr:  # wait until the files are written and the build has started
        if "==> build" in line or time.monotonic() > deadline:
            break
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert tree_hash(scratch.engine) == before


def test_remove_one_function_rebuilds_the_module_without_it(scratch: Scratch) -> None:
    result = scratch.devtool("remove-module", "rolling.count_above", "--yes", "--json")
    assert result.code == 0, result
    report = result.json()
    assert report["verified"] and report["function"] == "count_above"
    assert "rust/src/rolling/count_above.rs" in report["deleted"]
    assert report["backup"] is None  # nothing was edited by hand
    check = scratch.python_run(
        "import numpy as np, rust_bridge\n"
        "from crypto_trading_engine import rolling\n"
        "assert not hasattr(rolling, 'count_above') and not hasattr(rust_bridge, 'count_above')\n"
        "rust_bridge.zscore(np.arange(50.0), 5, backend='rust')\n"
    )
    assert check.returncode == 0, check.stderr
    listed = scratch.devtool("list", "--json").json()
    rolling = next(m for m in listed["modules"] if m["name"] == "rolling")
    assert [f["name"] for f in rolling["functions"]] == ["zscore"]
    assert listed["warnings"] == []


def test_remove_module_restores_the_original_engine(scratch: Scratch, pristine: dict[str, str]) -> None:
    for module in reversed(SIGNATURES):
        result = scratch.devtool("remove-module", module, "--yes", "--json")
        assert result.code == 0, result
        assert result.json()["verified"]
    assert tree_hash(scratch.engine) == pristine
    gone = scratch.python_run("import crypto_trading_engine as e; assert not hasattr(e, 'rolling')")
    assert gone.returncode == 0, gone.stderr
