"""The journal of one changing run: the originals of every file it changes, and how to put them back.

It is written completely (originals first, the index file last) before the first change, so a run
killed at any moment leaves either nothing to recover or everything needed to recover. Restoring
looks before it touches: a file already as it was is left alone, which a read-only or full file
system needs.
"""

from __future__ import annotations

import contextlib
import errno
import filecmp
import functools
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

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
        folder = ws_root / safe_path(self.folder)
        found = {p for pattern in self.patterns for p in folder.glob(pattern) if p.is_file()}
        return sorted(str(PurePosixPath(self.folder, p.name)) for p in found)


@dataclass(frozen=True)
class Journal:
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
            write_atomic(journal_dir / ORIGINALS_DIR / rel, data, None, sync=True)
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
        write_atomic(journal_dir / JOURNAL_FILE, json.dumps(index, indent=1).encode(), None, sync=True)

    @classmethod
    def load(cls, journal_dir: Path) -> Journal:
        index = json.loads((journal_dir / JOURNAL_FILE).read_text(encoding="utf-8"))
        originals = {
            rel: ((journal_dir / ORIGINALS_DIR / safe_path(rel)).read_bytes(), int(mode))
            for rel, mode in index["modes"].items()
        }
        files = tuple(safe_path(rel) for rel in index["created_files"])
        dirs = tuple(safe_path(rel) for rel in index["created_dirs"])
        guard = index.get("guard")
        return cls(
            index["root"],
            originals,
            files,
            dirs,
            None if guard is None else Guard(safe_path(guard["folder"]), tuple(guard["patterns"])),
            {safe_path(rel): int(mode) for rel, mode in index.get("guarded", {}).items()},
        )


def remove_journal(journal_dir: Path) -> None:
    """Forget a journal: its index first (from then on there is nothing to recover), then the originals."""
    (journal_dir / JOURNAL_FILE).unlink(missing_ok=True)
    for folder in (ORIGINALS_DIR, GUARDED_DIR):
        shutil.rmtree(journal_dir / folder, ignore_errors=True)
    with contextlib.suppress(OSError):  # missing, or holds something that is not ours
        journal_dir.rmdir()


def restore(ws_root: Path, journal: Journal, journal_dir: Path) -> tuple[list[str], list[str]]:
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
    write_atomic(path, data, mode)
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


def write_atomic(path: Path, data: bytes, mode: int | None, *, sync: bool = False) -> None:
    """Write through a temporary file next to `path` and rename it over, so `path` is never half-written.

    `mode` None: a new file's default permissions (the umask applies).
    """
    with _replacing(path, mode, sync=sync) as handle:
        handle.write(data)


def _copy_atomic(source: Path, path: Path, mode: int | None, *, sync: bool = False) -> None:
    """`write_atomic` of a file's content, streamed rather than read whole."""
    with source.open("rb") as src, _replacing(path, mode, sync=sync) as handle:
        shutil.copyfileobj(src, handle, 1 << 20)


@contextlib.contextmanager
def _replacing(path: Path, mode: int | None, *, sync: bool) -> Iterator[BinaryIO]:
    """A temporary file next to `path` to write; renamed over `path` once written, removed on failure."""
    temp = _temp_path(path)
    temp.parent.mkdir(parents=True, exist_ok=True)
    try:
        with temp.open("wb") as handle:
            yield handle
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
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


def safe_path(rel: str) -> str:
    """`rel` if it is a relative path that stays inside the workspace.

    Raises:
        ValueError: it is absolute, empty or climbs out with `..` (a bug in whoever made the plan).
    """
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or str(path) in ("", "."):
        raise ValueError(f"{rel!r} is not a path inside the workspace")
    return rel


def describe_os_error(err: OSError) -> str:
    """ "Read-only file system (EROFS) at /path": the cause, its errno name, and the path it concerns."""
    name = errno.errorcode.get(err.errno or 0)
    cause = err.strerror or str(err)
    where = f" at {err.filename}" if err.filename and not str(err.filename).endswith(TEMP_SUFFIX) else ""
    return f"{cause} ({name}){where}" if name else f"{cause}{where}"
