"""The one way files change: check a Plan against disk, journal the originals, write, commit or roll back.

A run killed outright (SIGKILL, power cut) leaves its journal behind; `recover` puts the workspace
back from it, so the next run starts clean. Call `recover` and `Transaction.apply` under the
`WorkspaceLock`, so that no other run is halfway through its own changes.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import fcntl
import filecmp
import functools
import json
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Literal

from .errors import ConflictError, RollbackError, WriteFailed
from .plan import FileChange, Plan

JOURNAL_FILE = "journal.json"
ORIGINALS_DIR = "originals"
GUARDED_DIR = "guarded"
TEMP_SUFFIX = ".devtool-tmp"


@dataclass(frozen=True)
class Guard:
    """Files a run changes outside its plan (the extension a build installs), put back with the plan's files.

    `folder` is relative to the workspace; the files in it (not below) matching one of `patterns` are
    copied into the journal on apply; a rollback or recovery restores them and removes new ones.
    """

    folder: str
    patterns: tuple[str, ...]

    def files(self, ws_root: Path) -> list[str]:
        """The guarded files as they are now, relative to the workspace."""
        folder = ws_root / _safe(self.folder)
        found = {p for pattern in self.patterns for p in folder.glob(pattern) if p.is_file()}
        return sorted(str(PurePosixPath(self.folder, p.name)) for p in found)


@dataclass(frozen=True)
class _Journal:
    """What a rollback needs: the original bytes and mode of every file changed, and what was created."""

    root: str
    originals: dict[str, tuple[bytes, int]]
    created_files: tuple[str, ...]
    created_dirs: tuple[str, ...]  # parents before children
    guard: Guard | None = None
    guarded: dict[str, int] = field(default_factory=dict)  # path -> mode; the bytes are in GUARDED_DIR

    def save(self, journal_dir: Path) -> None:
        """Store the originals, then the journal file itself: it exists only once it is complete."""
        for folder in (ORIGINALS_DIR, GUARDED_DIR):
            shutil.rmtree(journal_dir / folder, ignore_errors=True)
        for rel, (data, _) in self.originals.items():
            _write_atomic(journal_dir / ORIGINALS_DIR / rel, data, None, sync=True)
        for rel in self.guarded:  # copied, not read: an extension can be tens of megabytes
            _copy_atomic(Path(self.root) / rel, journal_dir / GUARDED_DIR / rel, None, sync=True)
        index = {
            "pid": os.getpid(),
            "root": self.root,
            "modes": {rel: mode for rel, (_, mode) in self.originals.items()},
            "created_files": list(self.created_files),
            "created_dirs": list(self.created_dirs),
            "guard": None
            if self.guard is None
            else {"folder": self.guard.folder, "patterns": self.guard.patterns},
            "guarded": self.guarded,
        }
        _write_atomic(journal_dir / JOURNAL_FILE, json.dumps(index, indent=1).encode(), None, sync=True)

    @classmethod
    def load(cls, journal_dir: Path) -> _Journal:
        index = json.loads((journal_dir / JOURNAL_FILE).read_text(encoding="utf-8"))
        originals = {
            rel: ((journal_dir / ORIGINALS_DIR / _safe(rel)).read_bytes(), int(mode))
            for rel, mode in index["modes"].items()
        }
        files = tuple(_safe(rel) for rel in index["created_files"])
        dirs = tuple(_safe(rel) for rel in index["created_dirs"])
        guard = index.get("guard")
        return cls(
            index["root"],
            originals,
            files,
            dirs,
            None if guard is None else Guard(_safe(guard["folder"]), tuple(guard["patterns"])),
            {_safe(rel): int(mode) for rel, mode in index.get("guarded", {}).items()},
        )


def remove_journal(journal_dir: Path) -> None:
    """Forget a journal: its index first (from then on there is nothing to recover), then the originals."""
    (journal_dir / JOURNAL_FILE).unlink(missing_ok=True)
    for folder in (ORIGINALS_DIR, GUARDED_DIR):
        shutil.rmtree(journal_dir / folder, ignore_errors=True)
    with contextlib.suppress(OSError):  # missing, or holds something that is not ours
        journal_dir.rmdir()


class Transaction:
    """Applies one Plan to the workspace all together, with a journal to roll it back or recover it."""

    def __init__(self, ws_root: Path, journal_dir: Path, guard: Guard | None = None) -> None:
        self.ws_root = ws_root
        self.journal_dir = journal_dir
        self.guard = guard
        self._journal: _Journal | None = None
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
        self._journal = _Journal(
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
        done, failed = _restore(self.ws_root, self._journal, self.journal_dir)
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
            _write_atomic(path, change.after.encode("utf-8"), mode)


def recover(journal_dir: Path, ws_root: Path) -> list[str] | None:
    """Put the workspace back from a journal left by a killed run; None if there is none.

    Returns what was restored or removed (empty if the run was killed before it wrote anything).

    Raises:
        ConflictError: the journal belongs to another workspace.
        RollbackError: something could not be restored; the journal is kept.
    """
    if not (journal_dir / JOURNAL_FILE).exists():
        shutil.rmtree(journal_dir / ORIGINALS_DIR, ignore_errors=True)  # killed while journaling
        return None
    journal = _Journal.load(journal_dir)
    if journal.root != str(ws_root.resolve()):
        raise ConflictError(f"the journal in {journal_dir} belongs to {journal.root}, not {ws_root}")
    done, failed = _restore(ws_root, journal, journal_dir)
    if failed:
        raise RollbackError(_rollback_message(failed, journal_dir))
    remove_journal(journal_dir)
    return done


def check_plan(plan: Plan, ws_root: Path) -> list[FileChange]:
    """The plan's net change per file (several changes of one file chained), checked against disk.

    Raises:
        ConflictError: a file to create exists, or a file to edit or delete is not as the plan read it.
        ValueError: a path leaves the workspace, or changes of one file do not chain (a bug).
    """
    changes = [c for c in _net(plan) if c.before is not None or c.after is not None]
    conflicts = [msg for c in changes if (msg := _conflict(ws_root, c)) is not None]
    if conflicts:
        raise ConflictError("; ".join(conflicts) + "; nothing was written")
    return changes


def render_diff(plan: Plan, ws_root: Path | None = None) -> str:
    """The plan as text for --dry-run: the files created and deleted, then unified diffs of the edits."""
    changes = [c for c in _net(plan) if c.before != c.after]
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


def _net(plan: Plan) -> list[FileChange]:
    """One change per file: several changes of one file chained, from the first `before` to the last `after`.

    Raises:
        ValueError: a path leaves the workspace, or a change does not start from the previous one's result.
    """
    net: dict[PurePosixPath, FileChange] = {}
    for change in plan.changes:
        _safe(str(change.path))
        first = net.get(change.path)
        if first is not None and first.after != change.before:
            raise ValueError(
                f"the plan changes {change.path} twice, the second time not from the first's result"
            )
        net[change.path] = FileChange(
            change.path, change.before if first is None else first.before, change.after
        )
    return list(net.values())


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


def _restore(ws_root: Path, journal: _Journal, journal_dir: Path) -> tuple[list[str], list[str]]:
    """Undo a journaled apply, trying every item; return what was done and what failed."""
    steps: list[tuple[str, Callable[[], bool]]] = []
    for rel in reversed(journal.created_dirs):  # first: with them go the created files inside
        steps.append((f"removed folder {rel}", functools.partial(_remove_dir, ws_root / rel)))
    for rel in reversed(journal.created_files):
        steps.append((f"removed {rel}", functools.partial(_remove_file, ws_root / rel)))
    for rel, (data, mode) in journal.originals.items():
        steps.append((f"restored {rel}", functools.partial(_put_back, ws_root / rel, data, mode)))
    if journal.guard is not None:
        for rel in journal.guard.files(ws_root):
            if rel not in journal.guarded:  # built by the run: the restored sources do not declare it
                steps.append((f"removed {rel}", functools.partial(_remove_file, ws_root / rel)))
        for rel, mode in journal.guarded.items():
            copy = journal_dir / GUARDED_DIR / rel
            steps.append((f"restored {rel}", functools.partial(_copy_back, copy, ws_root / rel, mode)))
    done: list[str] = []
    failed: list[str] = []
    for description, step in steps:
        try:
            if step():
                done.append(description)
        except OSError as err:
            failed.append(f"{description.split(' ', 1)[1]} ({describe_os_error(err)})")
    return done, failed


# Each step looks before it touches: on a read-only or full file system, even removing a file that
# is not there fails (EROFS), and a rollback of a run that wrote nothing must not fail for that.


def _remove_file(path: Path) -> bool:
    _remove_temp(path)
    if not _exists(path):
        return False
    path.unlink()
    return True


def _put_back(path: Path, data: bytes, mode: int) -> bool:
    _remove_temp(path)
    if path.is_file() and path.read_bytes() == data and stat.S_IMODE(path.stat().st_mode) == mode:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, data, mode)
    return True


def _copy_back(copy: Path, path: Path, mode: int) -> bool:
    _remove_temp(path)
    if (
        path.is_file()
        and stat.S_IMODE(path.stat().st_mode) == mode
        and filecmp.cmp(copy, path, shallow=False)
    ):
        return False
    _copy_atomic(copy, path, mode)  # a fresh inode: a process that has the old file mapped keeps it intact
    return True


def _remove_dir(path: Path) -> bool:
    if not path.is_dir():
        return False
    shutil.rmtree(path)  # it did not exist before the run: everything in it is the run's
    return True


def _write_atomic(path: Path, data: bytes, mode: int | None, *, sync: bool = False) -> None:
    """Write through a temporary file next to `path` and rename it over, so `path` is never half-written.

    `mode` None: a new file's default permissions (the umask applies).
    """
    temp = _temp_path(path)
    temp.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _copy_atomic(source: Path, path: Path, mode: int | None, *, sync: bool = False) -> None:
    """`_write_atomic` of a file's content, streamed rather than read whole."""
    temp = _temp_path(path)
    temp.parent.mkdir(parents=True, exist_ok=True)
    try:
        with source.open("rb") as src, temp.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            if sync:
                dst.flush()
                os.fsync(dst.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _remove_temp(path: Path) -> None:
    """Remove the temporary file a write to `path` was interrupted with, if there is one."""
    if _exists(_temp_path(path)):
        _temp_path(path).unlink()


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}{TEMP_SUFFIX}")


def _safe(rel: str) -> str:
    """`rel` if it is a relative path that stays inside the workspace.

    Raises:
        ValueError: it is absolute, empty or climbs out with `..` (a bug in whoever made the plan).
    """
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or str(path) in ("", "."):
        raise ValueError(f"{rel!r} is not a path inside the workspace")
    return rel


def _count_lines(text: str | None) -> int:
    return len((text or "").splitlines())


def describe_os_error(err: OSError) -> str:
    """ "Read-only file system (EROFS) at /path": the cause, its errno name, and the path it concerns."""
    name = errno.errorcode.get(err.errno or 0)
    cause = err.strerror or str(err)
    where = f" at {err.filename}" if err.filename and not str(err.filename).endswith(TEMP_SUFFIX) else ""
    return f"{cause} ({name}){where}" if name else f"{cause}{where}"


def _rollback_message(failed: list[str], journal_dir: Path) -> str:
    return (
        f"could not restore {'; '.join(failed)}; the journal in {journal_dir} lists what is left "
        "(devtool tries again at the start of its next run)"
    )
