"""Finding the engine workspace: walking up, --engine, [tool.devtool]; and the paths and modules inside it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devtool.errors import WorkspaceNotFound
from devtool.workspace import DEFAULT_EDITION, Workspace, find_workspace, load_config

REPO = Path(__file__).resolve().parent.parent


def test_finds_the_workspace_from_its_own_root(sample_workspace: Workspace) -> None:
    assert find_workspace(sample_workspace.root) == Workspace(sample_workspace.root.resolve())


def test_finds_the_workspace_walking_up_from_inside_it(sample_workspace: Workspace) -> None:
    found = find_workspace(sample_workspace.rust_src / "python")
    assert found.root == sample_workspace.root.resolve()


def test_follows_tool_devtool_engine_from_a_parent_project(
    sample_workspace: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.devtool]\nengine = "engine"\n')
    (tmp_path / "app" / "pkg").mkdir(parents=True)
    assert find_workspace(tmp_path / "app" / "pkg").root == sample_workspace.root.resolve()


def test_explicit_engine_wins_over_walking_up(sample_workspace: Workspace, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(sample_workspace.root, other)
    assert find_workspace(sample_workspace.root, engine=other).root == other.resolve()


def test_explicit_engine_that_is_not_a_workspace_is_refused_with_the_reason(
    sample_workspace: Workspace,
) -> None:
    sample_workspace.python_mod_rs.unlink()
    with pytest.raises(WorkspaceNotFound, match=r"--engine .*rust/src/python/mod.rs is missing") as caught:
        find_workspace(engine=sample_workspace.root)
    assert caught.value.exit_code == 2


def test_wrong_configured_engine_path_names_the_setting(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.devtool]\nengine = "nowhere"\n')
    with pytest.raises(WorkspaceNotFound, match=r'\[tool.devtool\] engine = "nowhere".*no pyproject.toml'):
        find_workspace(tmp_path)


def test_nothing_found_says_where_it_looked_and_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceNotFound) as caught:
        find_workspace(tmp_path)
    message = str(caught.value)
    assert str(tmp_path.resolve()) in message
    assert "--engine PATH" in message and "[tool.devtool] engine" in message


def test_a_broken_maturin_project_on_the_way_is_named(sample_workspace: Workspace) -> None:
    sample_workspace.lib_rs.unlink()
    with pytest.raises(WorkspaceNotFound, match=r"nearest maturin project .*rust/src/lib.rs is missing"):
        find_workspace(sample_workspace.rust_src)


def test_invalid_toml_is_reported_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.devtool\n")
    with pytest.raises(WorkspaceNotFound, match=r"pyproject\.toml is not valid TOML"):
        find_workspace(tmp_path)


def test_manifest_path_decides_where_the_rust_sources_are(sample_workspace: Workspace) -> None:
    root = sample_workspace.root
    shutil.move(root / "rust", root / "native")
    text = sample_workspace.pyproject.read_text().replace("rust/Cargo.toml", "native/Cargo.toml")
    sample_workspace.pyproject.write_text(text)
    found = find_workspace(root)
    assert found.lib_rs == root.resolve() / "native" / "src" / "lib.rs"
    assert found.python_mod_rs.is_file()


def test_rust_edition_is_cargo_tomls_else_2021(sample_workspace: Workspace) -> None:
    assert sample_workspace.rust_edition == "2021"  # the engine's
    cargo = sample_workspace.cargo_toml
    cargo.write_text(cargo.read_text().replace('edition = "2021"', 'edition = "2024"'))
    assert sample_workspace.rust_edition == "2024"
    cargo.write_text(cargo.read_text().replace('edition = "2024"\n', ""))
    assert sample_workspace.rust_edition == DEFAULT_EDITION == "2021"


def test_names_every_path_of_the_layout(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    assert ws.pyproject == tmp_path / "pyproject.toml"
    assert ws.cargo_toml == tmp_path / "rust" / "Cargo.toml"
    assert ws.python_mod_rs == tmp_path / "rust" / "src" / "python" / "mod.rs"
    assert ws.bridge_init == tmp_path / "src" / "rust_bridge" / "__init__.py"
    assert ws.fallback_dir == tmp_path / "src" / "rust_bridge" / "_fallback"
    assert ws.stubs_dir == tmp_path / "src" / ws.extension_name
    assert (ws.tests_dir, ws.benchmarks_dir) == (tmp_path / "tests", tmp_path / "benchmarks")
    assert ws.records_dir == tmp_path / ".devtool" / "modules"
    assert ws.logs_dir == tmp_path / ".devtool" / "logs"
    assert ws.module_dir("momentum") == tmp_path / "rust" / "src" / "momentum"


def test_stubs_dir_is_the_extension_modules_package(sample_workspace: Workspace) -> None:
    assert sample_workspace.stubs_dir == sample_workspace.root / "src" / "crypto_trading_engine"
    text = sample_workspace.pyproject.read_text()
    sample_workspace.pyproject.write_text(
        text.replace('module-name = "crypto_trading_engine"', 'module-name = "acme"')
    )
    assert sample_workspace.stubs_dir == sample_workspace.root / "src" / "acme"


def test_module_names_come_from_pub_mod_lines_without_python(sample_workspace: Workspace) -> None:
    sample_workspace.lib_rs.write_text(
        "//! doc\npub mod momentum;\nmod private;\npub mod python;\npub mod technical;\n"
    )
    assert sample_workspace.module_names() == ["momentum", "technical"]
    assert sample_workspace.has_module("technical")
    assert not sample_workspace.has_module("python")
    assert not sample_workspace.has_module("private")


def test_module_names_read_any_layout_the_parser_accepts(sample_workspace: Workspace) -> None:
    # Attributes, doc comments, two items on a line, a declaration split over lines, an inline
    # module (no file of its own), `pub(crate)` and commented-out code: a line regex misreads each.
    sample_workspace.lib_rs.write_text(
        "//! doc\n"
        '/// Momentum.\n#[cfg(feature = "x")] pub mod momentum;\n'
        "pub mod alpha; pub mod beta;\n"
        "pub\n  mod\n  gamma\n;\n"
        "pub mod inline { pub fn f() {} }\n"
        "pub(crate) mod internal;\n"
        "// pub mod commented;\n"
        "/* pub mod blocked; */\n"
        "pub mod support;\n"
    )
    assert sample_workspace.module_names() == ["momentum", "alpha", "beta", "gamma"]


def test_the_repository_finds_its_engine() -> None:
    assert find_workspace(REPO / "devtool").root == (REPO / "engine").resolve()


def test_load_config_reads_the_nearest_tool_devtool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.devtool]\nengine = "engine"\n[tool.devtool.bench]\nmin_speedup = 2\n'
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[project]\nname = "sub"\n')
    config = load_config(tmp_path / "sub")
    assert config == {"engine": "engine", "bench": {"min_speedup": 2}}


def test_load_config_is_empty_without_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    assert load_config(tmp_path) == {}
