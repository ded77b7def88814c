"""`devtool init` without the toolchain: the files it plans, the one source they come from, its refusals.

The build and tests of an initialised engine, and init from devtool's installed wheel, are in
tests/test_init_build_e2e.py.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ENGINE, REPO, snapshot_tree

from devtool.changes.registration import bridge_functions, register_module
from devtool.changes.tree import Tree
from devtool.cli import main
from devtool.init.project import GITIGNORE_LINES, InitRequest, default_name, init_project
from devtool.init.shared import REGISTRATION_FILES, engine_files, shared_paths, source_workspace
from devtool.workspace import find_workspace

SOURCE = source_workspace(ENGINE)


def test_a_fresh_init_and_the_repository_engine_agree_on_every_shared_file() -> None:
    made = engine_files(SOURCE.extension_name, ENGINE)
    shared = shared_paths(SOURCE)
    assert len(shared) > 20 and set(made) == set(shared) | set(REGISTRATION_FILES)
    for path in shared:
        assert made[path] == (ENGINE / path).read_text(encoding="utf-8"), path


def test_the_repository_engine_is_a_fresh_init_plus_its_modules(tmp_path: Path) -> None:
    """Registering the engine's modules, in the order python/mod.rs adds them, into init's registration
    files gives the engine's own, byte for byte."""
    root = tmp_path / "engine"
    for path, text in engine_files(SOURCE.extension_name, ENGINE).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    ws = find_workspace(engine=root)
    assert ws.module_names() == []
    mod_rs = SOURCE.python_mod_rs.read_text()
    bridge = SOURCE.bridge_init.read_text()
    tree = Tree(root)
    for module in sorted(SOURCE.module_names(), key=lambda m: mod_rs.index(f'"{m}"')):
        register_module(tree, ws, module, bridge_functions(bridge, module))
    for path in REGISTRATION_FILES:
        assert tree.read(path) == (ENGINE / path).read_text(encoding="utf-8"), path


def test_a_renamed_engine_keeps_no_trace_of_the_source_engines_name() -> None:
    made = engine_files("acme_engine", ENGINE)
    assert "src/acme_engine/acme_engine.pyi" in made
    for path, text in made.items():
        assert "crypto_trading_engine" not in path
        assert "crypto_trading_engine" not in text and "crypto-trading-engine" not in text, path
    maturin = tomllib.loads(made["pyproject.toml"])
    assert (maturin["project"]["name"], maturin["tool"]["maturin"]["module-name"]) == (
        "acme-engine",
        "acme_engine",
    )
    cargo = tomllib.loads(made["rust/Cargo.toml"])
    assert cargo["package"]["name"] == cargo["lib"]["name"] == "acme_engine"
    assert 'importlib.import_module("acme_engine")' in made["src/rust_bridge/_native.py"]
    assert "fn acme_engine(" in made["rust/src/python/mod.rs"]


def test_pyo3_numpy_and_rayon_are_the_engines_versions_and_the_lock_is_its_own() -> None:
    made = tomllib.loads(engine_files("acme_engine", ENGINE)["rust/Cargo.toml"])
    engine = tomllib.loads(SOURCE.cargo_toml.read_text())
    assert made["dependencies"] == engine["dependencies"]
    assert set(made["dependencies"]) >= {"pyo3", "numpy", "rayon"}


def test_the_wheel_ships_every_file_init_copies() -> None:
    """pyproject.toml's force-include puts each shared file in devtool's wheel, as `devtool/_engine/...`."""
    include = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]
    shipped = include["wheel"]["force-include"]
    for source, target in shipped.items():
        if source.startswith("engine/"):
            assert target == f"devtool/_{source}" and (REPO / source).exists(), source
    folders = [s for s in shipped if (REPO / s).is_dir()]
    for path in [*shared_paths(SOURCE), *REGISTRATION_FILES]:
        rel = f"engine/{path}"
        assert rel in shipped or any(rel.startswith(f"{folder}/") for folder in folders), rel


@pytest.mark.parametrize(
    ("project_name", "folder", "expected"),
    [
        ("acme-trading", "x", "acme_trading_engine"),
        ("Quant.Desk", "x", "quant_desk_engine"),
        ("pricing-engine", "x", "pricing_engine"),
        (None, "my desk", "my_desk_engine"),
    ],
)
def test_the_default_name_comes_from_the_project(
    project_name: str | None, folder: str, expected: str, tmp_path: Path
) -> None:
    pyproject = {"project": {"name": project_name}} if project_name else None
    assert default_name(tmp_path / folder, pyproject) == expected


def _init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("9lives", "is not snake_case"),
        ("Acme", "is not snake_case"),
        ("rust_bridge", "a name the engine uses itself"),
        ("numpy", "a name the engine uses itself"),
        ("match", "is a Rust keyword"),
        ("json", "shadows a Python standard-library module"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_is_written(name: str, reason: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "desk"\n')
    before = snapshot_tree(tmp_path)
    code, output = _init(str(tmp_path), "--name", name)
    assert code == 2 and reason in output and f"engine name {name!r}" in output
    assert snapshot_tree(tmp_path) == before
    code, _ = _init(str(tmp_path / "new"), "--name", name)
    assert code == 2 and not (tmp_path / "new").exists()


def test_a_project_name_that_makes_no_engine_name_asks_for_name(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "2fast"\n')
    code, output = _init(str(tmp_path), "--no-verify")
    assert code == 2 and "give one with --name" in output


def test_an_existing_engine_folder_is_refused_byte_identical(
    tmp_path: Path,
) -> None:
    (tmp_path / "engine").mkdir()
    (tmp_path / "engine" / "notes.txt").write_text("mine\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "desk"\n')
    before = snapshot_tree(tmp_path)
    code, output = _init(str(tmp_path), "--no-verify")
    assert code == 3 and "exists already" in output and "overwrites nothing" in output
    assert snapshot_tree(tmp_path) == before


def test_a_project_set_up_for_devtool_already_is_refused_byte_identical(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "desk"\n\n[tool.devtool]\nengine = "rust"\n')
    (tmp_path / ".gitignore").write_text("*.so\n")
    before = snapshot_tree(tmp_path)
    code, output = _init(str(tmp_path), "--no-verify")
    assert code == 3 and "[tool.devtool] table already" in output
    assert snapshot_tree(tmp_path) == before


def test_a_pyproject_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    code, output = _init(str(tmp_path), "--no-verify")
    assert code == 2 and "is not valid TOML" in output and not (tmp_path / "engine").exists()


def test_dry_run_lists_the_files_and_the_edits_and_writes_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "desk"\n')
    before = snapshot_tree(tmp_path)
    code, output = _init(str(tmp_path), "--dry-run")
    assert code == 0 and snapshot_tree(tmp_path) == before
    assert "create engine/rust/src/support/mod.rs" in output and "create engine/src/desk_engine/" in output
    assert '+[tool.devtool]\n+engine = "engine"' in output and "create .gitignore" in output


def test_an_existing_project_gains_the_devtool_table_and_only_the_missing_gitignore_lines(
    tmp_path: Path,
) -> None:
    pyproject = '[project]\nname = "desk"\n\n[tool.ruff]\nline-length = 100'  # no final newline
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / ".gitignore").write_text("*.so\n/data\n")
    result = init_project(InitRequest(folder=tmp_path, verify=False))
    assert result.name == "desk_engine" and result.edited == ["pyproject.toml", ".gitignore"]
    text = (tmp_path / "pyproject.toml").read_text()
    assert text == pyproject + '\n\n[tool.devtool]\nengine = "engine"\n'
    assert tomllib.loads(text)["tool"]["devtool"] == {"engine": "engine"}
    gitignore = (tmp_path / ".gitignore").read_text().splitlines()
    assert gitignore[:2] == ["*.so", "/data"] and gitignore.count("*.so") == 1
    assert set(GITIGNORE_LINES) <= set(gitignore)
    ws = find_workspace(start=tmp_path)  # found through [tool.devtool], as new-module will find it
    assert ws.root == tmp_path / "engine" and ws.extension_name == "desk_engine"


def test_a_new_folder_gets_a_minimal_pyproject(tmp_path: Path) -> None:
    result = init_project(InitRequest(folder=tmp_path / "a" / "desk", name="desk", verify=False))
    assert result.created[-2:] == ["pyproject.toml", ".gitignore"]
    data = tomllib.loads((tmp_path / "a" / "desk" / "pyproject.toml").read_text())
    assert data["project"]["name"] == "desk" and data["tool"]["devtool"] == {"engine": "engine"}
    assert find_workspace(start=tmp_path / "a" / "desk").extension_name == "desk"


def test_a_module_cannot_take_the_engines_extension_name(tmp_path: Path) -> None:
    init_project(InitRequest(folder=tmp_path, name="desk_engine", verify=False))
    result = CliRunner().invoke(
        main, ["new-module", "desk_engine", "--no-verify", "--engine", str(tmp_path / "engine")]
    )
    assert result.exit_code == 2 and "module name 'desk_engine' is reserved" in result.output


FAILING_MATURIN = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "maturin 9.9.9 (fake)"; exit 0; fi
printf 'half-installed' > src/desk_engine/desk_engine.abi3.so
echo "error: the fake build failed"; exit 1
"""


@pytest.mark.parametrize("existing", [True, False], ids=["existing project", "new folder"])
def test_a_failed_build_rolls_back_every_file_and_folder(
    existing: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fake maturin that installs an extension and fails: the tree is as before, the new folder gone."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "maturin").write_text(FAILING_MATURIN)
    (bin_dir / "maturin").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    root = tmp_path / "work"
    root.mkdir()
    if existing:
        (root / "pyproject.toml").write_text('[project]\nname = "desk"\n')
        (root / ".gitignore").write_text("/data\n")
    before = snapshot_tree(root)
    folder = root if existing else root / "desk"
    code, output = _init(str(folder), "--name", "desk_engine")
    assert code == 4 and "the fake build failed" in output
    assert snapshot_tree(root) == before
