"""The one way files change: check a Plan against disk, journal the originals, write, commit or roll back.

A run killed outright (SIGKILL, power cut) leaves its journal behind; `recover` puts the workspace
back from it, so the next run starts clean. Call `recover` and `Transaction.apply` under the
`WorkspaceLock`, so that no other run is halfway through its own changes.
"""

from __future__ import annotations

import difflib
import fcntl
import os
import stat
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Literal

from ..errors import ConflictError, RollbackError, WriteFailed
from .journal import (
    JOURNAL_FILE,
    Guard,
    Journal,
    describe_os_error,
    remove_journal,
    restore,
    safe_path,
    write_atomic,
)
from .plan import FileChange, Plan
from .tree import net_changes


class Transaction:
    """Applies one Plan to the workspace all together, with a journal to roll it back or recover it."""

    def __init__(self, ws_root: Path, journal_dir: Path, guard: Guard | None = None) -> None:
        self.ws_root = ws_root
        self.journal_dir = journal_dir
        self.guard = guard
        self._journal: Journal | None = None
        self._state: Literal["new", "applied", "committed", "rolled back", "rollback failed"] = "new"

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._state != "applied":
            return
        if exc is None:
            self.commit()
        else:
            self.rollback()  # the original exception propagates (or becomes the RollbackError's context)

    def apply(self, plan: Plan) -> None:
        """Write every change of `plan`, journaling the originals first; on any failure, roll back.

        Raises:
            ConflictError: a change does not match the disk, or a journal of an interrupted run
                is left over; nothing was written.
            WriteFailed: a write failed (read-only, no space, not permitted); everything was rolled back.
            RollbackError: a write failed and the rollback could not restore everything.
        """
        if self._state != "new":
            raise RuntimeError(f"this transaction is {self._state}; use a new one for another plan")
        changes = check_plan(plan, self.ws_root)
        if (self.journal_dir / JOURNAL_FILE).exists():
            raise ConflictError(
                f"an interrupted devtool run left a journal in {self.journal_dir}; "
                "recover it first (devtool does so at the start of its next run)"
            )
        self._journal = Journal(
            root=str(self.ws_root.resolve()),
            originals={str(c.path): self._original(c.path) for c in changes if c.before is not None},
            created_files=tuple(str(c.path) for c in changes if c.before is None),
            created_dirs=_dirs_to_create(self.ws_root, [c.path for c in changes if c.before is None]),
            guard=self.guard,
            guarded={rel: self._mode(rel) for rel in self.guard.files(self.ws_root)} if self.guard else {},
        )
        self._state = "applied"  # from here on a failure rolls back, whatever was written
        writing = f"the journal in {self.journal_dir}"
        try:
            self._journal.save(self.journal_dir)
            for change in changes:
                writing = str(self.ws_root / change.path)
                self._write(change)
        except OSError as err:  # read-only, full, immutable (chattr +i), not permitted
            self.rollback()
            raise WriteFailed(
                f"cannot write {writing}: {describe_os_error(err)}; nothing was changed"
            ) from err
        except BaseException:
            self.rollback()
            raise

    def commit(self) -> None:
        """Keep the changes and forget the journal."""
        if self._state == "applied":
            remove_journal(self.journal_dir)
            self._state = "committed"

    def rollback(self) -> list[str]:
        """Restore every original byte for byte, remove every file and folder created; say what was done.

        Raises:
            RollbackError: something could not be restored (after trying everything); the journal is kept.
        """
        if self._state not in ("applied", "rollback failed") or self._journal is None:
            return []
        done, failed = restore(self.ws_root, self._journal, self.journal_dir)
        if failed:
            self._state = "rollback failed"  # not retried on the way out of the `with` block
            raise RollbackError(_rollback_message(failed, self.journal_dir))
        remove_journal(self.journal_dir)
        self._state = "rolled back"
        return done

    def _original(self, rel: PurePosixPath) -> tuple[bytes, int]:
        return (self.ws_root / rel).read_bytes(), self._mode(rel)

    def _mode(self, rel: PurePosixPath | str) -> int:
        return stat.S_IMODE((self.ws_root / rel).stat().st_mode)

    def _write(self, change: FileChange) -> None:
        path = self.ws_root / change.path
        if change.after is None:
            path.unlink()
        elif change.after != change.before:
            path.parent.mkdir(parents=True, exist_ok=True)
            mode = None if change.before is None else stat.S_IMODE(path.stat().st_mode)
            write_atomic(path, change.after.encode("utf-8"), mode)


def recover(journal_dir: Path, ws_root: Path) -> list[str] | None:
    """Put the workspace back from a journal left by a killed run; None if there is none.

    Returns what was restored or removed (empty if the run was killed before it wrote anything).

    Raises:
        ConflictError: the journal belongs to another workspace.
        RollbackError: something could not be restored; the journal is kept.
    """
    if not (journal_dir / JOURNAL_FILE).exists():
        remove_journal(journal_dir)  # killed while journaling: the originals copied so far are of no use
        return None
    journal = Journal.load(journal_dir)
    if journal.root != str(ws_root.resolve()):
        raise ConflictError(f"the journal in {journal_dir} belongs to {journal.root}, not {ws_root}")
    done, failed = restore(ws_root, journal, journal_dir)
    if failed:
        raise RollbackError(_rollback_message(failed, journal_dir))
    remove_journal(journal_dir)
    return done


def journal_root(journal_dir: Path) -> Path | None:
    """The folder whose files the journal left in `journal_dir` puts back; None if there is no journal."""
    if not (journal_dir / JOURNAL_FILE).exists():
        return None
    return Path(Journal.load(journal_dir).root)


def check_plan(plan: Plan, ws_root: Path) -> tuple[FileChange, ...]:
    """The plan's net change per file (several changes of one file chained), checked against disk.

    Raises:
        ConflictError: a file to create exists, or a file to edit or delete is not as the plan read it.
        ValueError: a path leaves the workspace, or changes of one file do not chain (a bug).
    """
    changes = _net(plan)
    conflicts = [msg for c in changes if (msg := _conflict(ws_root, c)) is not None]
    if conflicts:
        raise ConflictError("; ".join(conflicts) + "; nothing was written")
    return changes


def render_diff(plan: Plan, ws_root: Path | None = None) -> str:
    """The plan as text for --dry-run: the files created and deleted, then unified diffs of the edits."""
    changes = _net(plan)
    if not changes:
        return "" if ws_root is None else f"nothing to change in {ws_root}\n"
    lines = [] if ws_root is None else [f"in {ws_root}:"]
    lines += [f"create {c.path} ({_count_lines(c.after)} lines)" for c in changes if c.before is None]
    lines += [f"delete {c.path}" for c in changes if c.after is None]
    text = "".join(f"{line}\n" for line in lines)
    for c in changes:
        if c.before is not None and c.after is not None:
            diff = difflib.unified_diff(
                c.before.splitlines(keepends=True),
                c.after.splitlines(keepends=True),
                fromfile=f"a/{c.path}",
                tofile=f"b/{c.path}",
            )
            text += "".join(
                line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in diff
            )
    return text


class WorkspaceLock:
    """One changing run per workspace: a non-blocking `flock` on `<state_dir>/lock`, naming its holder."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "lock"
        self._fd: int | None = None

    def __enter__(self) -> WorkspaceLock:
        """Take the lock.

        Raises:
            ConflictError: another process holds it (its pid is in the message).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ConflictError(
                f"another devtool run (pid {holder}) is changing this workspace; "
                f"wait for it to finish or stop it (lock file: {self.path})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.ftruncate(fd, 0)  # the file stays; an empty one names no holder
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def lock_holder(state_dir: Path) -> tuple[bool, str | None]:
    """(whether a run holds the workspace lock now, the pid the lock file names); takes nothing.

    A run killed outright leaves its pid in the file but no lock: the next run takes it as if free.
    """
    path = state_dir / "lock"
    if not path.is_file():
        return False, None
    fd = os.open(path, os.O_RDONLY)
    try:
        named = os.read(fd, 32).decode(errors="replace").strip() or None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True, named
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False, named
    finally:
        os.close(fd)


def _net(plan: Plan) -> tuple[FileChange, ...]:
    """The plan's changes chained per file (see `tree.net_changes`), each path checked to stay inside.

    Raises:
        ValueError: a path leaves the workspace, or changes of one file do not chain (a bug).
    """
    for change in plan.changes:
        safe_path(str(change.path))
    return net_changes(plan.changes)


def _conflict(ws_root: Path, change: FileChange) -> str | None:
    """Why `change` cannot be applied to the disk as it is, or None."""
    path = ws_root / change.path
    if change.before is None:
        if path.exists() or path.is_symlink():
            return f"{change.path} exists already"
        for parent in change.path.parents:
            if (ws_root / parent).exists() and not (ws_root / parent).is_dir():
                return f"{parent} is a file, not a folder"
        return None
    try:
        current = path.read_bytes().decode("utf-8") if path.is_file() else None
    except UnicodeDecodeError:
        current = None
    if current is None:
        return f"{change.path} is missing or not a UTF-8 text file"
    if current != change.before:
        return f"{change.path} changed since the plan was made"
    return None


def _dirs_to_create(ws_root: Path, created: list[PurePosixPath]) -> tuple[str, ...]:
    """The folders that must be made for the created files, parents before children."""
    missing: set[PurePosixPath] = set()
    for rel in created:
        missing.update(p for p in rel.parents if p != PurePosixPath(".") and not (ws_root / p).exists())
    return tuple(str(p) for p in sorted(missing, key=lambda p: (len(p.parts), str(p))))


def _count_lines(text: str | None) -> int:
    return len((text or "").splitlines())


def _rollback_message(failed: list[str], journal_dir: Path) -> str:
    return (
        f"could not restore {'; '.join(failed)}; the journal in {journal_dir} lists what is left "
        "(devtool tries again at the start of its next run)"
    )
