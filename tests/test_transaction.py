"""The transaction: undone byte for byte (midway, on Ctrl-C, after a kill); one run at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from conftest import REPO, Snapshot, snapshot_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from devtool.changes.journal import JOURNAL_FILE, Guard
from devtool.changes.plan import FileChange, Plan
from devtool.changes.transaction import Transaction, WorkspaceLock, check_plan, recover, render_diff
from devtool.errors import ConflictError, RollbackError, WriteFailed

SnapshotFn = Callable[[Path], Snapshot]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small workspace: two text files (one executable) in nested folders."""
    root = tmp_path / "ws"
    (root / "rust" / "src").mkdir(parents=True)
    (root / "rust" / "src" / "lib.rs").write_text("pub mod python;\n")
    (root / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "run.sh").chmod(0o755)
    (root / "notes.txt").write_text("keep\r\nme")
    return root


def a_plan(root: Path) -> Plan:
    """Creates in new nested folders, an edit, a delete: every kind of change."""
    return Plan(
        (
            FileChange(PurePosixPath("rust/src/momentum/mod.rs"), None, "mod rsi;\n"),
            FileChange(PurePosixPath("rust/src/momentum/rsi.rs"), None, "fn rsi() {}\n"),
            FileChange(PurePosixPath("tests/momentum_tests/test_rsi.py"), None, "def test(): ...\n"),
            FileChange(PurePosixPath("rust/src/bindings.rs"), None, "// in a folder that exists\n"),
            FileChange(
                PurePosixPath("rust/src/lib.rs"), "pub mod python;\n", "pub mod momentum;\npub mod python;\n"
            ),
            FileChange(PurePosixPath("run.sh"), "#!/bin/sh\necho hi\n", "#!/bin/sh\necho bye\n"),
            FileChange(PurePosixPath("notes.txt"), "keep\r\nme", None),
        )
    )


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal"


def test_apply_then_commit_writes_everything_and_forgets_the_journal(tree: Path, journal: Path) -> None:
    tx = Transaction(tree, journal)
    tx.apply(a_plan(tree))
    assert (journal / JOURNAL_FILE).is_file()
    tx.commit()
    assert (tree / "rust/src/momentum/rsi.rs").read_text() == "fn rsi() {}\n"
    assert (tree / "rust/src/lib.rs").read_text() == "pub mod momentum;\npub mod python;\n"
    assert not (tree / "notes.txt").exists()
    assert (tree / "run.sh").stat().st_mode & 0o777 == 0o755
    assert not journal.exists()


def test_rollback_leaves_the_tree_byte_identical(tree: Path, journal: Path, snapshot: SnapshotFn) -> None:
    before = snapshot(tree)
    tx = Transaction(tree, journal)
    tx.apply(a_plan(tree))
    (tree / "tests/momentum_tests/__pycache__").mkdir()  # what a test run leaves in a created folder
    (tree / "tests/momentum_tests/__pycache__/test_rsi.pyc").write_bytes(b"\0")
    done = tx.rollback()
    assert snapshot(tree) == before
    assert "restored rust/src/lib.rs" in done and "removed folder rust/src/momentum" in done
    assert not journal.exists()


def test_a_clean_exit_from_the_with_block_commits(tree: Path, journal: Path) -> None:
    with Transaction(tree, journal) as tx:
        tx.apply(a_plan(tree))
    assert (tree / "rust/src/momentum/mod.rs").exists() and not journal.exists()


@pytest.mark.parametrize("interrupt", [RuntimeError("build failed"), KeyboardInterrupt()])
def test_an_exception_in_the_with_block_rolls_back_and_propagates(
    tree: Path, journal: Path, snapshot: SnapshotFn, interrupt: BaseException
) -> None:
    before = snapshot(tree)
    with pytest.raises(type(interrupt)), Transaction(tree, journal) as tx:
        tx.apply(a_plan(tree))
        raise interrupt
    assert snapshot(tree) == before
    assert not journal.exists()


def failing_replace(monkeypatch: pytest.MonkeyPatch, fail_at: int, error: BaseException) -> None:
    """Make the `fail_at`-th rename of the run (journal files included) raise `error`."""
    real = os.replace
    calls = iter(range(1, 1000))

    def replace(src: Any, dst: Any) -> None:
        if next(calls) == fail_at:
            raise error
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("fail_at", range(1, 11))  # 4 journal files, then the 6 writes of the plan
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_midway_through_apply_rolls_everything_back(
    tree: Path,
    journal: Path,
    snapshot: SnapshotFn,
    monkeypatch: pytest.MonkeyPatch,
    fail_at: int,
    error: BaseException,
) -> None:
    before = snapshot(tree)
    failing_replace(monkeypatch, fail_at, error)
    expected = WriteFailed if isinstance(error, OSError) else type(error)
    with pytest.raises(expected) as caught:
        Transaction(tree, journal).apply(a_plan(tree))
    monkeypatch.undo()
    if isinstance(error, OSError):  # one devtool error naming the cause; the original chained
        assert "No space left on device (ENOSPC); nothing was changed" in str(caught.value)
        assert caught.value.__cause__ is error
    assert snapshot(tree) == before
    assert recover(journal, tree) is None


def test_a_conflict_is_found_before_anything_is_written(
    tree: Path, journal: Path, snapshot: SnapshotFn
) -> None:
    (tree / "rust/src/lib.rs").write_text("pub mod python;\npub mod other;\n")
    (tree / "tests/momentum_tests").mkdir(parents=True)
    (tree / "tests/momentum_tests/test_rsi.py").write_text("mine\n")
    before = snapshot(tree)
    with pytest.raises(ConflictError) as caught:
        Transaction(tree, journal).apply(a_plan(tree))
    message = str(caught.value)
    assert "tests/momentum_tests/test_rsi.py exists already" in message
    assert "rust/src/lib.rs changed since the plan was made" in message
    assert caught.value.exit_code == 3
    assert snapshot(tree) == before
    assert not journal.exists()


def test_a_missing_file_to_edit_is_a_conflict(tree: Path, journal: Path) -> None:
    (tree / "run.sh").unlink()
    with pytest.raises(ConflictError, match=r"run\.sh is missing"):
        Transaction(tree, journal).apply(a_plan(tree))


def test_a_file_where_a_folder_must_go_is_a_conflict(tree: Path) -> None:
    (tree / "tests").write_text("not a folder\n")
    with pytest.raises(ConflictError, match="tests is a file, not a folder"):
        check_plan(a_plan(tree), tree)


def test_a_path_outside_the_workspace_is_a_bug(tree: Path) -> None:
    with pytest.raises(ValueError, match="not a path inside the workspace"):
        check_plan(Plan((FileChange(PurePosixPath("../escape.txt"), None, "x"),)), tree)


def test_changes_of_one_file_are_chained(tree: Path, journal: Path) -> None:
    lib = PurePosixPath("rust/src/lib.rs")
    first = FileChange(lib, "pub mod python;\n", "pub mod a;\npub mod python;\n")
    second = FileChange(lib, first.after, "pub mod a;\npub mod b;\npub mod python;\n")
    with Transaction(tree, journal) as tx:
        tx.apply(Plan((first, second)))
    assert (tree / lib).read_text() == second.after
    with pytest.raises(ValueError, match="twice"):
        check_plan(Plan((first, first)), tree)


def test_rollback_that_cannot_restore_everything_says_what_is_left_and_keeps_the_journal(
    tree: Path, journal: Path, snapshot: SnapshotFn
) -> None:
    before = snapshot(tree)
    tx = Transaction(tree, journal)
    tx.apply(a_plan(tree))
    blocker = tree / "rust/src/bindings.rs"
    blocker.unlink()
    (blocker / "inside").mkdir(parents=True)  # a folder where the created file was: unlink fails
    with pytest.raises(RollbackError) as caught:
        tx.rollback()
    assert "could not restore rust/src/bindings.rs" in str(caught.value) and str(journal) in str(caught.value)
    assert caught.value.exit_code == 5
    assert (tree / "rust/src/lib.rs").read_text() == "pub mod python;\n"  # the rest was still restored
    assert (journal / JOURNAL_FILE).is_file()
    (blocker / "inside").rmdir()
    blocker.rmdir()
    assert recover(journal, tree) is not None
    assert snapshot(tree) == before


def test_apply_refuses_while_a_journal_of_an_interrupted_run_is_left(tree: Path, journal: Path) -> None:
    journal.mkdir(parents=True)
    (journal / JOURNAL_FILE).write_text("{}")
    with pytest.raises(ConflictError, match="interrupted devtool run left a journal"):
        Transaction(tree, journal).apply(a_plan(tree))


def test_recover_without_a_journal_does_nothing(tree: Path, journal: Path, snapshot: SnapshotFn) -> None:
    before = snapshot(tree)
    assert recover(journal, tree) is None
    assert snapshot(tree) == before


CRASHING_RUN = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_transaction import a_plan
    from devtool.changes.transaction import Transaction

    real, count = os.replace, [0]
    def replace(src, dst):
        count[0] += 1
        if count[0] == {kill_at}:
            Path(src).write_bytes(b"half")  # the temporary file is half-written when the kill lands
            os.kill(os.getpid(), signal.SIGKILL)
        real(src, dst)
    os.replace = replace
    Transaction(Path({root!r}), Path({journal!r})).apply(a_plan(Path({root!r})))
    """
)


@pytest.mark.parametrize("kill_at", [3, 6, 10])
def test_recover_after_a_killed_run_restores_the_tree(
    tree: Path, journal: Path, snapshot: SnapshotFn, kill_at: int
) -> None:
    before = snapshot(tree)
    script = CRASHING_RUN.format(
        tests=str(Path(__file__).parent), kill_at=kill_at, root=str(tree), journal=str(journal)
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == -9, proc.stderr
    if kill_at > 4:  # the journal was complete: files were changed and must come back
        assert snapshot(tree) != before
        assert recover(journal, tree)
    else:
        assert recover(journal, tree) is None
    assert snapshot(tree) == before
    assert recover(journal, tree) is None


def test_recover_refuses_a_journal_of_another_workspace(tree: Path, journal: Path, tmp_path: Path) -> None:
    tx = Transaction(tree, journal)
    tx.apply(a_plan(tree))
    index = json.loads((journal / JOURNAL_FILE).read_text())
    assert index["root"] == str(tree.resolve())
    with pytest.raises(ConflictError, match="belongs to"):
        recover(journal, tmp_path)
    tx.rollback()


def test_render_diff_lists_created_and_deleted_files_and_diffs_the_edits(tree: Path) -> None:
    text = render_diff(a_plan(tree), tree)
    assert text.startswith(f"in {tree}:\ncreate rust/src/momentum/mod.rs (1 lines)\n")
    assert "delete notes.txt\n" in text
    assert "--- a/rust/src/lib.rs\n+++ b/rust/src/lib.rs\n" in text
    assert "+pub mod momentum;\n pub mod python;\n" in text
    assert "-echo hi\n+echo bye\n" in text


def test_render_diff_marks_a_missing_final_newline() -> None:
    plan = Plan((FileChange(PurePosixPath("a.txt"), "x", "y"),))
    no_newline = "\\ No newline at end of file\n"
    assert render_diff(plan) == f"--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-x\n{no_newline}+y\n{no_newline}"


# --- property: whatever the plan and wherever it fails, the tree comes back ------------------------------

rel_names = st.sampled_from(["a", "b", "c.txt", "d.rs"])
new_paths = st.lists(rel_names, min_size=1, max_size=3).map(lambda parts: PurePosixPath("new", *parts))


@st.composite
def plans(draw: st.DrawFn) -> tuple[dict[str, str], Plan]:
    existing = draw(
        st.dictionaries(st.sampled_from(["x.txt", "src/y.rs", "src/deep/z.py"]), st.text(max_size=20))
    )
    changes: list[FileChange] = []
    for rel, text in existing.items():
        kind = draw(st.sampled_from(["keep", "edit", "delete"]))
        if kind != "keep":
            after = draw(st.text(max_size=20)) if kind == "edit" else None
            changes.append(FileChange(PurePosixPath(rel), text, after))
    created = draw(st.lists(new_paths, max_size=4, unique=True))
    created = [p for p in created if not any(q in p.parents for q in created)]  # a file is no folder
    changes += [FileChange(p, None, draw(st.text(max_size=20))) for p in created]
    return existing, Plan(tuple(changes))


@contextmanager
def replace_failing_at(fail_at: int) -> Iterator[None]:
    """The `fail_at`-th rename raises OSError (hypothesis runs many examples in one test: no monkeypatch)."""
    real, count = os.replace, [0]

    def replace(src: Any, dst: Any) -> None:
        count[0] += 1
        if count[0] == fail_at:
            raise OSError(28, "No space left on device")
        real(src, dst)

    os.replace = replace  # type: ignore[assignment]
    try:
        yield
    finally:
        os.replace = real


@settings(max_examples=40, deadline=None)
@given(plans(), st.integers(min_value=1, max_value=12))
def test_any_plan_failing_anywhere_or_rolled_back_leaves_the_tree_byte_identical(
    case: tuple[dict[str, str], Plan], fail_at: int
) -> None:
    existing, plan = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        root.mkdir()
        for rel, text in existing.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(text.encode())
        before = snapshot_tree(root)
        tx = Transaction(root, Path(tmp) / "journal")
        try:
            with replace_failing_at(fail_at):
                tx.apply(plan)
        except WriteFailed:
            pass
        else:
            tx.rollback()
        assert snapshot_tree(root) == before
        assert not (Path(tmp) / "journal").exists()


# --- the workspace lock ------------------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from devtool.changes.transaction import WorkspaceLock
    with WorkspaceLock(Path(sys.argv[1])):
        print("locked", flush=True)
        sys.stdin.readline()
    """
)


def test_a_second_run_is_refused_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    state = tmp_path / "state"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(state)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(ConflictError, match=rf"another devtool run \(pid {holder.pid}\) is changing"):
            WorkspaceLock(state).__enter__()
    finally:
        holder.communicate("\n", timeout=10)
    with WorkspaceLock(state) as lock:  # released when the holder left its block
        assert lock.path.read_text() == f"{os.getpid()}\n"
    assert lock.path.exists()


def test_the_lock_is_released_on_exit_even_after_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), WorkspaceLock(tmp_path):
        raise RuntimeError
    with WorkspaceLock(tmp_path):
        pass


# --- the guarded extension: not in the plan, changed by the build, restored with the plan's files -----------


@pytest.mark.parametrize("how", ["rollback", "recover"])
def test_a_guarded_extension_is_restored_and_a_new_one_removed(
    tree: Path, journal: Path, snapshot: SnapshotFn, how: str
) -> None:
    (tree / "pkg").mkdir()
    (tree / "pkg/ext.so").write_bytes(b"built before")
    (tree / "pkg/ext.so").chmod(0o755)
    before = snapshot(tree)
    tx = Transaction(tree, journal, Guard("pkg", ("*.so",)))
    tx.apply(a_plan(tree))
    (tree / "pkg/ext.so").write_bytes(b"built by the run")  # in place, as a build may do
    (tree / "pkg/ext.abi3.so").write_bytes(b"new")
    done = tx.rollback() if how == "rollback" else recover(journal, tree)  # recover: as after a kill
    assert done is not None and "restored pkg/ext.so" in done and "removed pkg/ext.abi3.so" in done
    assert snapshot(tree) == before
    assert not journal.exists()
