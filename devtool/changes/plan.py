"""What a command will change, computed in memory before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class FileChange:
    """One file's change, relative to the workspace root. `before`/`after` None: created/deleted."""

    path: PurePosixPath
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "create"
        if self.after is None:
            return "delete"
        return "edit"


@dataclass(frozen=True)
class Plan:
    """Every change of one command, applied all together or not at all."""

    changes: tuple[FileChange, ...]

    def paths(self, kind: str) -> list[PurePosixPath]:
        return [c.path for c in self.changes if c.kind == kind]


def read_text(path: Path) -> str:
    """A file's text exactly as it is on disk: UTF-8, newlines untranslated (CRLF stays CRLF).

    What a plan records as a file's `before`, since the transaction compares it with the disk byte for
    byte; `Path.read_text` would turn CRLF into LF and make an untouched file look changed.

    Raises:
        OSError: the file cannot be read.
        UnicodeDecodeError: it is not UTF-8.
    """
    return path.read_bytes().decode("utf-8")
