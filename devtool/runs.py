"""One changing run on a workspace: lock it, apply a plan, verify, then commit or roll everything back."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from .plan import Plan
from .transaction import Transaction, WorkspaceLock, recover
from .workspace import Workspace

T = TypeVar("T")

CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "devtool"


def state_dir(ws: Workspace) -> Path:
    """Where the lock and journal of this workspace live: outside it, so a refused run leaves it untouched."""
    key = hashlib.sha256(str(ws.root.resolve()).encode()).hexdigest()[:16]
    return CACHE_DIR / "workspaces" / key


def journal_dir(ws: Workspace) -> Path:
    return state_dir(ws) / "journal"


def log_path_for(ws: Workspace, name: str) -> Path:
    """A fresh log file path for one run (kept after a failure, named in the error)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return CACHE_DIR / "logs" / f"{name}-{stamp}-{os.getpid()}.log"


def apply_and_verify(
    ws: Workspace,
    plan: Plan,
    verify: Callable[[Path], T],
    *,
    log_path: Path,
    keep: bool = False,
) -> T:
    """Apply `plan` under the workspace lock, run `verify`, and keep the changes only if it succeeds.

    On any failure, Ctrl-C included, every file of the plan and the built extension are restored,
    unless `keep` asks to leave them for inspection.

    Raises:
        ConflictError: another run holds the lock, or the workspace changed under the plan.
        RollbackError: the rollback could not restore everything.
        Whatever `verify` raises, after the rollback.
    """
    with WorkspaceLock(state_dir(ws)):
        recover(journal_dir(ws), ws.root)  # a run killed outright (SIGKILL) left its journal behind
        with _preserved_extension(ws, restore=not keep):
            tx = Transaction(ws.root, journal_dir(ws))
            tx.apply(plan)
            try:
                result = verify(log_path)
            except BaseException:
                if keep:
                    tx.commit()
                else:
                    tx.rollback()
                raise
            tx.commit()
            return result


@contextmanager
def _preserved_extension(ws: Workspace, *, restore: bool) -> Iterator[None]:
    """Restore the compiled extension (built in place by `maturin develop`) if the block fails.

    A build that succeeded before the tests failed would otherwise leave an extension that no
    longer matches the restored sources.
    """
    built = sorted(ws.stubs_dir.glob("*.so")) + sorted(ws.stubs_dir.glob("*.pyd"))
    with tempfile.TemporaryDirectory(prefix="devtool-ext-") as backup:
        for path in built:
            shutil.copy2(path, Path(backup) / path.name)
        try:
            yield
        except BaseException:
            if restore:
                for path in list(ws.stubs_dir.glob("*.so")) + list(ws.stubs_dir.glob("*.pyd")):
                    if path not in built:
                        path.unlink()
                for path in built:  # a fresh inode: a process that has the old file mapped keeps it intact
                    staged = path.with_name(path.name + ".devtool-restore")
                    shutil.copy2(Path(backup) / path.name, staged)
                    os.replace(staged, path)
            raise
