"""Child processes that never outlive devtool: each in a process group of its own, stopped as a whole.

cargo starts rustc, maturin starts cargo, py-spy starts the target: stopping only the direct child
would leave the rest running after devtool exits. So a child gets its own session (a terminal's
Ctrl-C then reaches devtool alone, which stops the group itself), the whole group is stopped when
devtool is interrupted, and on Linux the child is killed by the kernel if devtool dies outright (SIGKILL),
so that it cannot install a build after the next run has recovered the workspace.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

STOP_TIMEOUT_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1


def start_group(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    stdout: int | IO[str] | None = subprocess.PIPE,
    stderr: int | IO[str] | None = subprocess.STDOUT,
) -> subprocess.Popen[str]:
    """Start `argv` as the leader of a new process group (and session), text output, no stdin.

    Raises:
        OSError: `argv[0]` cannot be run (missing, not executable).
    """
    return subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        start_new_session=True,
        preexec_fn=_die_with_parent if _PRCTL is not None else None,
    )


@contextmanager
def stopped_on_exit(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """Leave the block with `proc` finished: if it still runs (interrupted, an error), stop its group."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            stop_group(proc)


def stop_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM to the child's whole group, then SIGKILL to what is left after a grace period."""
    _signal_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_TIMEOUT_SECONDS)
    _signal_group(proc.pid, signal.SIGKILL)  # the leader may be gone while its children still run
    proc.wait()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


# Looked up here, not in the child: between fork and exec the child should only make the call.
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """In the child, before exec: the kernel sends SIGKILL if devtool dies, however it dies."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
