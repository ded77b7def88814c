"""`devtool build` without the toolchain: the wheel's platform tag, what the throwaway environment installs.

The build itself, the install and the tests against the installed wheel: tests/test_init_build_e2e.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from devtool.build import install_arguments, maturin_build_command, platform_tag
from devtool.errors import UsageError
from devtool.workspace import Workspace


@pytest.mark.parametrize(
    ("name", "tag"),
    [
        ("desk_engine-0.1.0-cp311-cp311-manylinux_2_34_x86_64.whl", "manylinux_2_34_x86_64"),
        ("desk_engine-0.1.0-1-cp311-cp311-macosx_11_0_arm64.whl", "macosx_11_0_arm64"),
        ("desk_engine-0.1.0-cp311-abi3-win_amd64.whl", "win_amd64"),
    ],
)
def test_the_platform_tag_is_the_last_part_of_the_wheel_name(name: str, tag: str) -> None:
    assert platform_tag(name) == tag


def _workspace(tmp_path: Path, pyproject: str) -> Workspace:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    return Workspace(tmp_path)


def test_the_wheel_is_installed_with_pytest_when_the_engine_declares_no_test_extra(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, '[project]\nname = "desk-engine"\n')
    assert install_arguments(ws, tmp_path / "w.whl") == [str(tmp_path / "w.whl"), "pytest"]


def test_the_wheel_is_installed_with_its_test_extra_when_declared(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path, '[project]\nname = "e"\n[project.optional-dependencies]\ntest = ["pytest", "pandas"]\n'
    )
    assert install_arguments(ws, tmp_path / "w.whl") == [f"{tmp_path / 'w.whl'}[test]"]


def test_the_projects_build_test_requires_are_installed_next_to_the_wheel(tmp_path: Path) -> None:
    """This repository's engine: its tests compare with pandas, TA-Lib, ..., which an engine that
    `devtool init` makes from the same engine pyproject.toml should not carry."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.devtool]\nengine = "engine"\n[tool.devtool.build]\ntest-requires = ["pandas>=2.1", "ta-lib"]\n'
    )
    (tmp_path / "engine").mkdir()
    ws = _workspace(
        tmp_path / "engine", '[project]\nname = "e"\n[project.optional-dependencies]\ntest = []\n'
    )
    wheel = tmp_path / "w.whl"
    assert install_arguments(ws, wheel) == [f"{wheel}[test]", "pandas>=2.1", "ta-lib"]


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ('test-requires = "pandas"', "test-requires must be a list of requirements"),
        ('test-requires = ["pandas", 3]', "test-requires must be a list of requirements"),
        (
            'test_requires = ["pandas"]',
            "[tool.devtool.build]: unknown key test_requires; known: test-requires",
        ),
    ],
)
def test_a_wrong_build_setting_is_refused_with_what_it_takes(tmp_path: Path, table: str, says: str) -> None:
    ws = _workspace(tmp_path, f'[project]\nname = "e"\n[tool.devtool.build]\n{table}\n')
    with pytest.raises(UsageError, match=re.escape(says)):
        install_arguments(ws, tmp_path / "w.whl")


def test_this_repositorys_engine_lists_what_its_tests_import_beyond_the_test_extra() -> None:
    """`devtool build` of this repository's engine installs what its tests import (826 passed when run)."""
    ws = Workspace(Path(__file__).resolve().parents[1] / "engine")
    names = {re.split(r"[<>=\[ ]", r)[0] for r in install_arguments(ws, Path("w.whl"))[1:]}
    assert {"pandas", "ta-lib", "vectorbt", "dask", "mypy"} <= names


def test_maturin_builds_a_release_wheel_for_this_interpreter(tmp_path: Path) -> None:
    command = maturin_build_command(tmp_path, sdist=True)
    assert command[:3] == ["maturin", "build", "--release"] and "--sdist" in command
    assert "--sdist" not in maturin_build_command(tmp_path, sdist=False)
