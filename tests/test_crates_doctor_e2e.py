"""Crates and doctor for real: `add-crate` builds a kernel using the crate, `doctor` reads the environment.

One scratch engine and virtualenv (as test_new_module_e2e.py): a module is made, its kernel edited to
use `itoa`, and `add-crate` must make it build; then a second copy of the engine is built into the same
virtualenv, which re-points it, and both the build and `doctor` must say so. Two builds in all; the
tests run in order and build on each other.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from e2e_support import Scratch, tree_hash

pytestmark = pytest.mark.slow

MODULE, FUNCTION = "digits", "positive_count"
KERNEL = f"rust/src/{MODULE}/{FUNCTION}.rs"
# The placeholder counts the elements > 0; this counts them from their decimal text, as itoa writes it:
# the same numbers, so the generated tests still hold, but only with the crate in Cargo.toml.
PLACEHOLDER = "let out0 = par::count(len, |i| input(i) > 0.0) as i64;"
WITH_ITOA = (
    "let _ = input;\n"
    "    let positive = |i: usize| {\n"
    "        let mut buffer = itoa::Buffer::new();\n"
    "        let text = buffer.format(values[i]);\n"
    "        !text.starts_with('-') && text != \"0\"\n"
    "    };\n"
    "    let out0 = par::count(len, positive) as i64;"
)


@pytest.fixture(scope="module")
def other(scratch: Scratch, tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    """A second copy of the engine, built into the same virtualenv by a test below."""
    return Scratch(engine=tmp_path_factory.mktemp("other") / "engine", python=scratch.python)


def lock_packages(engine: Path) -> set[str]:
    return {p["name"] for p in tomllib.loads((engine / "rust/Cargo.lock").read_text())["package"]}


def check(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["checks"] if c["name"] == name)
    return found


def test_add_crate_builds_a_kernel_that_uses_the_crate(scratch: Scratch) -> None:
    made = scratch.devtool(
        "new-module", MODULE, "--function", FUNCTION, "--signature", "values: i64[] -> i64", "--no-verify"
    )
    assert made.code == 0, made
    kernel = scratch.engine / KERNEL
    assert PLACEHOLDER in kernel.read_text()
    kernel.write_text(kernel.read_text().replace(PLACEHOLDER, WITH_ITOA))

    before = tree_hash(scratch.engine)
    refused = scratch.devtool("add-crate", MODULE, "devtool-no-such-crate-7q3x")
    assert refused.code == 2, refused
    assert "could not be found in registry index" in refused.stderr
    assert tree_hash(scratch.engine) == before

    added = scratch.devtool("add-crate", MODULE, "itoa", "--json")
    assert added.code == 0, added
    report = added.json()
    assert report["verified"] and report["added"] == ["itoa"]
    assert report["warnings"] == []  # the fresh virtualenv imported no engine before
    assert "itoa" in lock_packages(scratch.engine)
    called = scratch.python_run(
        "import numpy as np\n"
        "from rust_bridge import positive_count\n"
        "values = np.array([5, -3, 0, 120, 7, -1_000_000], dtype=np.int64)\n"
        "assert positive_count(values, backend='rust') == 3\n"
    )
    assert called.returncode == 0, called.stderr
    listed = scratch.devtool("list", "--json").json()
    digits = next(m for m in listed["modules"] if m["name"] == MODULE)
    assert digits["crates"] == {"itoa": report["requirements"]["itoa"]}


def test_doctor_is_content_then_sees_a_stale_extension(scratch: Scratch) -> None:
    healthy = scratch.devtool("doctor", "--json")
    assert healthy.code == 0, healthy
    data = healthy.json()
    assert check(data, "engine installed from")["status"] == "ok"
    assert check(data, "extension up to date")["status"] == "ok"
    assert check(data, "build profile")["detail"].startswith(("debug", "release"))

    kernel = scratch.engine / KERNEL
    (extension,) = (scratch.engine / "src/crypto_trading_engine").glob("*.so")
    later = extension.stat().st_mtime + 5
    os.utime(kernel, (later, later))  # as an edit after the build leaves it
    stale = scratch.devtool("doctor", "--json")
    assert stale.code == 0, stale  # a warning: the next build fixes it
    line = check(stale.json(), "extension up to date")
    assert line["status"] == "warn" and KERNEL in line["detail"]


def test_building_another_copy_repoints_the_environment_and_says_so(scratch: Scratch, other: Scratch) -> None:
    shutil.copytree(scratch.engine, other.engine, ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    removed = other.devtool("remove-module", MODULE, "--yes", "--json")
    assert removed.code == 0, removed
    report = removed.json()
    assert report["crates_removed"] == ["itoa"]
    assert "itoa" not in (other.engine / "rust/Cargo.toml").read_text()
    assert "itoa" not in lock_packages(other.engine)
    (warning,) = report["warnings"]
    assert "THE ACTIVE ENVIRONMENT IMPORTS ANOTHER WORKSPACE'S ENGINE" in warning
    assert f"built from {other.engine}, not from {scratch.engine}" in warning

    doctor = scratch.devtool("doctor")
    assert doctor.code == 1, doctor
    assert "FAIL  engine installed from  THE ACTIVE ENVIRONMENT IMPORTS ANOTHER WORKSPACE'S ENGINE" in (
        doctor.stdout
    )
    assert f"built from {other.engine}, not from {scratch.engine}" in doctor.stdout

    shutil.rmtree(other.engine)  # the trap of the issue: a deleted copy's engine
    gone = scratch.devtool("doctor", "--json")
    assert gone.code == 1, gone
    assert "(that folder no longer exists)" in check(gone.json(), "engine installed from")["detail"]
