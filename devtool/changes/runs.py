"""One changing run on a workspace: lock it, apply a plan, verify, then commit or roll everything back."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from ..errors import DevtoolError, VerifyError
from ..workspace import Workspace
from .journal import Guard
from .plan import Plan
from .transaction import Transaction, WorkspaceLock, recover

T = TypeVar("T")

EXTENSION_PATTERNS = ("*.so", "*.pyd")

CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "devtool"


def state_dir(ws: Workspace) -> Path:
    """Where the lock and journal of this workspace live: outside it, so a refused run leaves it untouched."""
    return state_dir_of(ws.root)


def state_dir_of(root: Path) -> Path:
    """Where the lock and journal of the runs changing files under `root` live (see `state_dir`)."""
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return CACHE_DIR / "workspaces" / key


def journal_dir(ws: Workspace) -> Path:
    return state_dir(ws) / "journal"


def log_path_for(ws: Workspace, name: str) -> Path:
    """A fresh log file path for one run (kept after a failure, named in the error)."""
    return log_path_named(name)


def log_path_named(name: str) -> Path:
    """A fresh log file path for one run named `name`, in devtool's cache (see `log_path_for`)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return CACHE_DIR / "logs" / f"{name}-{stamp}-{os.getpid()}.log"


def extension_guard(ws: Workspace) -> Guard:
    """The compiled extension `maturin develop` installs next to the stubs: part of every run's rollback.

    A build that succeeded before the tests failed, or before the run was killed, would otherwise leave
    an extension that no longer matches the restored sources.
    """
    return Guard(ws.stubs_dir.relative_to(ws.root).as_posix(), EXTENSION_PATTERNS)


class Run:
    """One changing run on a workspace, holding its lock: what it recovered first, then one plan applied."""

    def __init__(self, ws: Workspace, recovered: tuple[str, ...]) -> None:
        self.ws = ws
        self.recovered = recovered  # what a killed run had left, put back before this run planned anything

    def apply_and_verify(
        self,
        plan: Plan,
        verify: Callable[[Path], T],
        *,
        log_path: Path,
        keep: bool | None = None,
    ) -> T:
        """Apply `plan`, run `verify`, and keep the changes only if it succeeds.

        On any failure, Ctrl-C included, every file of the plan and the built extension are restored;
        only a failed build or test (VerifyError) leaves them in place when `keep` asks for inspection.
        `keep=None` is a command without `--keep`: its rollback message does not offer it.

        Raises:
            ConflictError: the workspace changed under the plan.
            RollbackError: the rollback could not restore everything.
            VerifyError: the build or the tests failed (saying whether the changes were rolled back or kept).
            Whatever else `verify` raises, after the rollback.
        """
        tx = Transaction(self.ws.root, journal_dir(self.ws), extension_guard(self.ws))
        return apply_and_verify(tx, plan, verify, log_path=log_path, keep=keep)


def apply_and_verify(
    tx: Transaction, plan: Plan, verify: Callable[[Path], T], *, log_path: Path, keep: bool | None = None
) -> T:
    """Apply `plan` through `tx`, run `verify`, and commit only if it succeeds (see `Run.apply_and_verify`).

    Raises:
        As `Run.apply_and_verify`.
    """
    tx.apply(plan)
    try:
        result = verify(log_path)
    except VerifyError as err:
        if keep:
            tx.commit()
        else:
            tx.rollback()
        err.kept = bool(keep)
        err.keepable = keep is not None
        raise
    except BaseException:
        tx.rollback()
        raise
    tx.commit()
    return result


@contextmanager
def changing_run(ws: Workspace) -> Iterator[Run]:
    """Lock the workspace, recover what a killed run left (files and extension), then let the caller plan.

    Recovering before planning matters: a plan read from a half-changed tree would not match the
    tree the recovery puts back. An error raised inside the block notes what was recovered.

    Raises:
        ConflictError: another run holds the lock, or the journal left belongs to another workspace.
        RollbackError: the recovery could not restore everything.
    """
    with WorkspaceLock(state_dir(ws)):
        run = Run(ws, tuple(recover(journal_dir(ws), ws.root) or ()))
        try:
            yield run
        except DevtoolError as err:
            if run.recovered:
                err.add_note(recovery_note(run.recovered))
            raise


def recovery_note(recovered: Sequence[str]) -> str:
    """One sentence on what the start of a run put back after an interrupted one."""
    return "recovered first from an interrupted devtool run: " + "; ".join(recovered)
