"""The repository's own promises: the README's requirements and what git ignores."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_readme_states_the_python_version_pyproject_requires() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    required = pyproject["project"]["requires-python"]
    minimum = re.fullmatch(r">=\s*(\d+\.\d+)", required)
    assert minimum is not None, required
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"Python (\d+\.\d+)\+", readme) == [minimum.group(1)]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize(
    "path",
    [
        "engine/.devtool/profiles/bench.prof",  # `devtool profile` run from engine/
        ".devtool/profiles/bench.prof",  # ... and from the repository root
        "engine/.devtool/removed/rolling-20261207-031500/rust/src/rolling/zscore.rs",
    ],
)
def test_gitignore_covers_what_devtool_writes(path: str) -> None:
    proc = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", path], cwd=REPO, capture_output=True, check=False
    )
    assert proc.returncode == 0, f"{path} is not ignored"


def test_gitignore_lists_no_state_devtool_keeps_in_its_cache() -> None:
    """The lock, the journal and the logs moved to ~/.cache/devtool: listing them suggests otherwise."""
    entries = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    stale = {"engine/.devtool/lock", "engine/.devtool/logs/", "engine/.devtool/journal/", "/target/"}
    assert stale.isdisjoint(entries)
