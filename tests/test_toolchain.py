"""The toolchain check: versions of what is there; a missing or broken tool named with how to install it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from devtool import toolchain
from devtool.errors import ToolchainError
from devtool.toolchain import check_toolchain

HAS_TOOLCHAIN = all(shutil.which(tool) for tool in toolchain.REQUIRED)
SLEEP = shutil.which("sleep") or "/bin/sleep"


@pytest.fixture
def bare_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH is one empty folder: a machine where nothing is installed (tests add tools to it)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def script(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.mark.skipif(not HAS_TOOLCHAIN, reason="cargo, rustc and maturin are not all installed")
def test_reports_the_version_of_each_installed_tool() -> None:
    versions = check_toolchain()
    assert list(versions) == ["cargo", "rustc", "maturin"]
    assert all(versions[tool].startswith(f"{tool} ") for tool in versions)


def test_nothing_installed_names_every_tool_and_how_to_install_it(bare_path: Path) -> None:
    with pytest.raises(ToolchainError) as caught:
        check_toolchain()
    message = str(caught.value)
    for tool in ("cargo", "rustc", "maturin"):
        assert f"{tool}: not found on PATH" in message
    assert "rustup" in message and "pip install maturin" in message
    assert message.count("rustup (https://rustup.rs)") == 1
    assert caught.value.exit_code == 2


@pytest.mark.skipif(shutil.which("rustc") is None, reason="rustc is not installed")
def test_the_error_lists_the_versions_of_the_tools_it_did_find(bare_path: Path) -> None:
    real_rustc = shutil.which("rustc", path=os.defpath + os.pathsep + str(Path.home() / ".cargo" / "bin"))
    if real_rustc is None:
        pytest.skip("rustc is not on the default path or in ~/.cargo/bin")
    (bare_path / "rustc").symlink_to(real_rustc)
    with pytest.raises(ToolchainError) as caught:
        check_toolchain()
    message = str(caught.value)
    assert "Found: rustc 1." in message
    assert "cargo: not found" in message and "maturin: not found" in message
    assert "rustc:" not in message


def test_a_tool_that_fails_to_run_is_named_with_its_error(bare_path: Path) -> None:
    script(bare_path, "cargo", 'echo "error: rustup could not choose a version of cargo to run" >&2; exit 1')
    script(bare_path, "rustc", 'echo "rustc 1.99.0 (test 2030-01-01)"')
    with pytest.raises(ToolchainError) as caught:
        check_toolchain(("cargo", "rustc"))
    message = str(caught.value)
    assert "failed (exit code 1: error: rustup could not choose a version of cargo to run)" in message
    assert "Found: rustc 1.99.0 (test 2030-01-01)" in message


def test_a_tool_that_hangs_is_given_up_on(bare_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script(bare_path, "maturin", f"exec {SLEEP} 5")
    monkeypatch.setattr(toolchain, "TIMEOUT_SECONDS", 0.2)
    with pytest.raises(ToolchainError, match=r"maturin: .* did not answer within"):
        check_toolchain(("maturin",))


def test_only_the_required_tools_are_checked(bare_path: Path) -> None:
    script(bare_path, "maturin", 'echo "maturin 1.16.0"')
    assert check_toolchain(("maturin",)) == {"maturin": "maturin 1.16.0"}
