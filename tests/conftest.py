"""Shared fixtures: engine copies, the e2e scratch engine and its trader's desk, a snapshot of a tree."""

from __future__ import annotations

import hashlib
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import Scratch, make_scratch

from devtool.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
ENGINE = REPO / "engine"
SAMPLE_FILES = (
    "pyproject.toml",
    "rust/Cargo.toml",
    "rust/src/lib.rs",
    "rust/src/python/mod.rs",
    "src/rust_bridge/__init__.py",
)

Snapshot = dict[str, str]

#: What a copy of the engine leaves out: build outputs and tool caches (a developer's mypy cache is
#: megabytes, more than the small file system of the full-disk test holds).
COPY_IGNORE = shutil.ignore_patterns(
    "target", "__pycache__", "*.so", ".mypy_cache", ".hypothesis", ".benchmarks"
)


def copy_engine(dest: Path) -> Path:
    """A copy of the repository's engine at `dest`, without build outputs and caches."""
    shutil.copytree(ENGINE, dest, ignore=COPY_IGNORE)
    return dest


#: The registration files in their real shape, frozen with one module (`technical`, exporting `sma`) so the
#: edits' expectations stay fixed while the engine's own modules grow.
SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_LIB_RS = (SAMPLES / "lib.rs.sample").read_text()
SAMPLE_PYTHON_MOD_RS = (SAMPLES / "python_mod.rs.sample").read_text()
SAMPLE_BRIDGE_INIT = (SAMPLES / "rust_bridge_init.py.sample").read_text()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    """A copy of the engine and a virtualenv of its own (tests/e2e_support.py), one per test module: the
    module's end-to-end tests build on each other in it. A module that needs more set-up overrides it."""
    engine, python = make_scratch(tmp_path_factory.mktemp("scratch"))
    yield Scratch(engine=engine, python=python)


@pytest.fixture(scope="module")
def desk(scratch: Scratch, request: pytest.FixtureRequest) -> Path:
    """The trader's folder beside the scratch engine, with the test module's `STRATEGY` as trader.py."""
    return scratch.desk("trader.py", request.module.STRATEGY)


@pytest.fixture(scope="module")
def report(scratch: Scratch, desk: Path) -> dict[str, Any]:
    """`devtool profile --json` of the desk's trader.py, run in the scratch."""
    return scratch.profile(desk / "trader.py")


@pytest.fixture
def sample_workspace(tmp_path: Path) -> Workspace:
    """The engine's registration files (and what makes it a workspace) copied into tmp_path/engine."""
    root = tmp_path / "engine"
    for rel in SAMPLE_FILES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ENGINE / rel, root / rel)
    (root / "rust/src/lib.rs").write_text(SAMPLE_LIB_RS)
    (root / "rust/src/python/mod.rs").write_text(SAMPLE_PYTHON_MOD_RS)
    (root / "src/rust_bridge/__init__.py").write_text(SAMPLE_BRIDGE_INIT)
    return Workspace(root)


def snapshot_tree(root: Path) -> Snapshot:
    """Every folder and file under root with its mode, and each file's sha256: equal means byte-identical."""
    entries: Snapshot = {}
    for path in sorted(root.rglob("*")):
        mode = oct(stat.S_IMODE(path.lstat().st_mode))
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        entries[path.relative_to(root).as_posix()] = f"{mode} {digest}"
    return entries


@pytest.fixture
def snapshot() -> Callable[[Path], Snapshot]:
    """`snapshot(root)`: the tree under root as {relative path: mode and sha256}."""
    return snapshot_tree


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current template instead of comparing with it",
    )
