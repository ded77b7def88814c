"""Every error devtool reports; each kind carries the exit code the CLI ends with."""

from __future__ import annotations


class DevtoolError(Exception):
    """Base of every error devtool reports to the user (exit code 1)."""

    exit_code = 1


class UsageError(DevtoolError):
    """Invalid user input (a name, a signature, an option): nothing was written."""

    exit_code = 2


class WorkspaceNotFound(DevtoolError):
    """No engine workspace where one was looked for."""

    exit_code = 2


class ToolchainError(DevtoolError):
    """cargo, rustc or maturin is missing or unusable."""

    exit_code = 2


class ConflictError(DevtoolError):
    """The target exists already, or another run holds the workspace lock: nothing was written."""

    exit_code = 3


class VerifyError(DevtoolError):
    """The build or the tests failed; the changes were rolled back (unless --keep)."""

    exit_code = 4


class RollbackError(DevtoolError):
    """A rollback could not restore every file; the journal says what is left."""

    exit_code = 5
