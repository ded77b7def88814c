"""Every error devtool reports; each kind carries the exit code the CLI ends with."""

from __future__ import annotations

from pathlib import Path


class DevtoolError(Exception):
    """Base of every error devtool reports to the user (exit code 1)."""

    exit_code = 1


class UsageError(DevtoolError):
    """Invalid user input (a name, a signature, an option): nothing was written."""

    exit_code = 2


class WorkspaceNotFound(DevtoolError):
    """No engine workspace where one was looked for."""

    exit_code = 2


class CrateError(UsageError):
    """`cargo add` or `cargo remove` refused a crate (none of that name or version): nothing was written."""


class ToolchainError(DevtoolError):
    """cargo, rustc or maturin is missing or unusable."""

    exit_code = 2


class ConflictError(DevtoolError):
    """The target exists already, or another run holds the workspace lock: nothing was written."""

    exit_code = 3


class VerifyError(DevtoolError):
    """The build or the tests failed; the changes were rolled back (unless --keep)."""

    exit_code = 4

    def __init__(self, message: str, *, step: str | None = None, log_path: Path | None = None) -> None:
        super().__init__(message)
        self.step = step
        self.log_path = log_path
        self.kept: bool | None = None  # set by the run that applied the changes: kept (--keep) or rolled back
        self.keepable = False  # whether the command has --keep (then a rollback says how to keep the files)

    def __str__(self) -> str:
        if self.kept is None:
            return super().__str__()
        if self.kept:
            outcome = "the changes were kept for inspection (--keep); nothing was rolled back"
        else:
            outcome = "every change of this run was rolled back (files and built extension as before)"
            if self.keepable:
                outcome += "; rerun with --keep to keep the files where they failed and edit them there"
        return f"{super().__str__()}\n{outcome}"


class WriteFailed(DevtoolError):
    """A file could not be written (read-only, no space left, not permitted); everything was rolled back."""


class RollbackError(DevtoolError):
    """A rollback could not restore every file; the journal says what is left."""

    exit_code = 5


class UnrecognisedShape(DevtoolError):
    """A file devtool edits is not in a shape it knows (no anchor, an odd line): nothing was written."""

    exit_code = 2

    def __init__(self, path_label: str, line_no: int | None, message: str) -> None:
        super().__init__(path_label, line_no, message)
        self.path_label = path_label
        self.line_no = line_no
        self.message = message

    def __str__(self) -> str:
        where = self.path_label if self.line_no is None else f"{self.path_label}:{self.line_no}"
        return f"{where}: {self.message}"


class SignatureError(UsageError):
    """A `--signature` that does not parse or names an unsupported type: nothing was written."""

    def __init__(self, text: str, column: int, reason: str, supported: tuple[str, ...] = ()) -> None:
        super().__init__(text, column, reason)
        self.text = text
        self.column = column  # 0-based, into `text`
        self.reason = reason
        self.supported = supported

    def __str__(self) -> str:
        # Keep tabs under tabs so the caret lines up however the terminal expands them.
        pad = "".join(c if c == "\t" else " " for c in self.text[: self.column])
        lines = [f"invalid signature: {self.reason} (column {self.column})", f"  {self.text}", f"  {pad}^"]
        if self.supported:
            lines.append(f"supported types: {', '.join(self.supported)}")
        return "\n".join(lines)


class SourceError(UsageError):
    """A `--from` function that cannot be imported, or whose type hints do not map: nothing was written."""


class RenderError(DevtoolError):
    """The template did not render (a Jinja error in one of its files): a bug, nothing was written."""

    def __init__(self, template_file: str, line: int | None, message: str) -> None:
        super().__init__(template_file, line, message)
        self.template_file = template_file
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.template_file if self.line is None else f"{self.template_file}:{self.line}"
        return f"the template does not render: {where}: {self.message}"


class EngineNotBuilt(DevtoolError):
    """`devtool bench`: rust_bridge or the compiled engine does not import here, so nothing can be timed."""

    exit_code = 2


class DebugBuildError(DevtoolError):
    """`devtool bench` refused a debug build of the engine (it makes Rust look many times slower)."""

    exit_code = 2


class ParityMismatch(DevtoolError):
    """`devtool bench`: Rust and the fallback disagree on the benchmark data (so they were not timed)."""

    exit_code = 7


class SpeedupBelowGate(DevtoolError):
    """`devtool bench`: a function's speedup is below its bar even at the upper end of its interval."""

    exit_code = 8


class SpeedupRegression(DevtoolError):
    """`devtool bench --compare`: a speedup fell below the baseline's by more than the tolerance."""

    exit_code = 9
