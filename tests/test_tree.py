"""One staged tree per command: reads see staged changes, planners touching one file compose."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest
from conftest import SAMPLE_BRIDGE_INIT, SAMPLE_LIB_RS, SAMPLE_PYTHON_MOD_RS, Snapshot

from devtool.changes.plan import FileChange, Plan
from devtool.changes.registration import (
    bridge_functions,
    plan_register_module,
    register_module,
    unregister_module,
)
from devtool.changes.transaction import Transaction, check_plan
from devtool.changes.tree import Tree
from devtool.errors import ConflictError
from devtool.workspace import Workspace

LIB = PurePosixPath("rust/src/lib.rs")


def test_reads_see_staged_changes_and_the_disk_is_untouched(
    sample_workspace: Workspace, snapshot: Callable[[Path], Snapshot]
) -> None:
    before = snapshot(sample_workspace.root)
    tree = Tree(sample_workspace.root)
    assert tree.read(LIB) == SAMPLE_LIB_RS
    tree.write(LIB, "pub mod python;\n")
    tree.create("rust/src/momentum/mod.rs", "mod rsi;\n")
    assert tree.read(LIB) == "pub mod python;\n"
    assert tree.exists("rust/src/momentum/mod.rs")
    tree.delete("rust/src/momentum/mod.rs")  # created, then deleted: nothing to do
    assert not tree.exists("rust/src/momentum/mod.rs")
    assert tree.list_changes() == (FileChange(LIB, SAMPLE_LIB_RS, "pub mod python;\n"),)
    assert snapshot(sample_workspace.root) == before


def test_a_write_back_to_the_original_is_no_change(sample_workspace: Workspace) -> None:
    tree = Tree(sample_workspace.root)
    tree.write(LIB, "x")
    tree.write(LIB, SAMPLE_LIB_RS)
    assert tree.list_changes() == ()


def test_creating_an_existing_file_is_a_conflict(sample_workspace: Workspace) -> None:
    with pytest.raises(ConflictError, match=r"rust/src/lib\.rs exists already"):
        Tree(sample_workspace.root).create(LIB, "")


def test_a_staged_change_must_start_from_what_the_tree_holds(sample_workspace: Workspace) -> None:
    tree = Tree(sample_workspace.root)
    tree.stage(FileChange(LIB, SAMPLE_LIB_RS, "a"))
    tree.stage(FileChange(LIB, "a", "b"))
    with pytest.raises(ValueError, match="twice"):
        tree.stage(FileChange(LIB, SAMPLE_LIB_RS, "c"))
    assert tree.list_changes() == (FileChange(LIB, SAMPLE_LIB_RS, "b"),)


def test_two_planners_touching_the_same_files_compose(sample_workspace: Workspace, tmp_path: Path) -> None:
    # Each planning from the disk, the second change of lib.rs would not start from the first's result.
    apart = plan_register_module(sample_workspace, "alpha", ["fa"])
    apart += plan_register_module(sample_workspace, "beta", ["fb"])
    with pytest.raises(ValueError, match="twice"):
        check_plan(Plan(tuple(apart)), sample_workspace.root)

    tree = Tree(sample_workspace.root)
    register_module(tree, sample_workspace, "alpha", ["fa"])
    register_module(tree, sample_workspace, "beta", ["fb"])
    changes = tree.list_changes()
    assert [str(c.path) for c in changes] == [
        "rust/src/lib.rs",
        "rust/src/python/mod.rs",
        "src/rust_bridge/__init__.py",
    ]
    assert [c.before for c in changes] == [SAMPLE_LIB_RS, SAMPLE_PYTHON_MOD_RS, SAMPLE_BRIDGE_INIT]
    with Transaction(sample_workspace.root, tmp_path / "journal") as tx:
        tx.apply(tree.plan())
    assert sample_workspace.module_names() == ["alpha", "beta", "technical"]
    init = sample_workspace.bridge_init.read_text()
    assert bridge_functions(init, "alpha") == ("fa",) and bridge_functions(init, "beta") == ("fb",)

    undo = Tree(sample_workspace.root)
    unregister_module(undo, sample_workspace, "alpha")
    unregister_module(undo, sample_workspace, "beta")
    assert [c.after for c in undo.list_changes()] == [SAMPLE_LIB_RS, SAMPLE_PYTHON_MOD_RS, SAMPLE_BRIDGE_INIT]
