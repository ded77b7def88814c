"""Every refusal of `new-module`: one clear message, a meaningful exit code, the workspace byte-identical."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_engine
from e2e_support import tree_hash

from devtool.changes.runs import state_dir
from devtool.changes.transaction import WorkspaceLock
from devtool.cli import main
from devtool.workspace import Workspace


@pytest.fixture
def engine(tmp_path: Path) -> Path:
    copy = tmp_path / "engine"
    copy_engine(copy)
    return copy


def run(engine: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--engine", str(engine)], env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["new-module", "Bad-Name"], 2, "module name"),
        (["new-module", "list"], 2, "builtin"),
        (["new-module", "json"], 2, "standard"),
        (["new-module", "match"], 2, "keyword"),
        (["new-module", "fn"], 2, "Rust"),
        (["new-module", "core"], 2, "Rust"),
        (["new-module", "python"], 2, "reserved"),
        (["new-module", "stats", "--function", "class"], 2, "function name"),
        (["new-module", "stats", "--signature", "x: f32[] -> f64"], 2, "supported types"),
        (["new-module", "stats", "--signature", "x: f64[] ->"], 2, "^"),
        (["new-module", "stats", "--signature", "x: f64[], x: f64[] -> f64"], 2, "x"),
        (["new-module", "technical"], 3, "technical"),
    ],
)
def test_refusal_leaves_the_workspace_byte_identical(
    engine: Path, args: list[str], code: int, message: str
) -> None:
    before = tree_hash(engine)
    exit_code, output = run(engine, *args)
    assert exit_code == code, output
    assert message in output
    assert output.count("error:") == 1
    assert tree_hash(engine) == before


def test_missing_toolchain_is_named_and_nothing_is_written(engine: Path, tmp_path: Path) -> None:
    before = tree_hash(engine)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    exit_code, output = run(engine, "new-module", "stats", env={"PATH": str(empty)})
    assert exit_code == 2, output
    assert "cargo" in output
    assert tree_hash(engine) == before


def test_a_second_run_on_a_locked_workspace_is_refused(engine: Path) -> None:
    before = tree_hash(engine)
    with WorkspaceLock(state_dir(Workspace(engine))):
        exit_code, output = run(engine, "new-module", "stats", "--no-verify")
    assert exit_code == 3, output
    assert "another devtool run" in output
    assert tree_hash(engine) == before


def test_dry_run_shows_files_and_diffs_and_writes_nothing(engine: Path) -> None:
    before = tree_hash(engine)
    exit_code, output = run(engine, "new-module", "stats", "--dry-run")
    assert exit_code == 0, output
    assert "rust/src/stats/mod.rs" in output
    assert "+pub mod stats;" in output
    assert tree_hash(engine) == before


def test_no_verify_writes_the_module_and_says_it_was_not_built(engine: Path) -> None:
    exit_code, output = run(engine, "new-module", "stats", "--no-verify")
    assert exit_code == 0, output
    assert "skipped (--no-verify)" in output
    assert (engine / "rust" / "src" / "stats" / "fast_calculation.rs").exists()
    assert "pub mod stats;" in (engine / "rust" / "src" / "lib.rs").read_text()


def to_crlf(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def test_crlf_files_are_compared_as_read_not_as_a_false_conflict(engine: Path) -> None:
    assert run(engine, "new-module", "stats", "--no-verify")[0] == 0
    record = engine / ".devtool/modules/stats.json"
    for rel in [*json.loads(record.read_text())["files"], ".devtool/modules/stats.json"]:
        to_crlf(engine / rel)
    exit_code, output = run(engine, "new-module", "stats", "--function", "second", "--no-verify")
    assert exit_code == 0, output
    exit_code, output = run(engine, "remove-module", "stats", "--yes", "--no-verify")
    assert exit_code == 0, output
    assert not (engine / "rust/src/stats").exists()


def test_remove_module_removes_a_tab_indented_registration(engine: Path) -> None:
    before = tree_hash(engine)
    assert run(engine, "new-module", "stats", "--no-verify")[0] == 0
    mod_rs = engine / "rust/src/python/mod.rs"
    mod_rs.write_text(
        mod_rs.read_text().replace('    add_submodule(m, "stats"', '\tadd_submodule(m, "stats"')
    )
    exit_code, output = run(engine, "remove-module", "stats", "--yes", "--no-verify")
    assert exit_code == 0, output
    assert "stats" not in mod_rs.read_text()
    assert tree_hash(engine) == before


def test_dry_run_with_nothing_to_change_says_so(engine: Path) -> None:
    exit_code, output = run(engine, "update-module", "--dry-run")
    assert exit_code == 0, output
    assert not output.rstrip().endswith(":"), output
    assert f"nothing to change in {engine}" in output
