"""The errors `devtool profile` reports; each subclasses DevtoolError and carries its exit code.

Kept apart from errors.py while other commands are being written; they can move there unchanged.
"""

from __future__ import annotations

from ..errors import DevtoolError, UsageError


class TargetSyntaxError(UsageError):
    """The target or one of its options cannot be read: not a script, module, module:function or node id."""


class TargetNotFound(UsageError):
    """The script (or the test file of a pytest node id) does not exist."""


class TargetImportError(UsageError):
    """The module, or the function inside it, does not import; the cause is chained."""


class TargetSetupError(UsageError):
    """The `--setup` code or the `--call-args` expression raised before anything was profiled."""


class TargetFailed(DevtoolError):
    """The target raised, exited non-zero or failed its tests; the profile of what ran is still reported."""

    exit_code = 6


class FlamegraphError(DevtoolError):
    """The flame graph could not be drawn (plotly is missing, or the file cannot be written)."""
