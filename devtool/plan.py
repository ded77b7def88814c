"""What a command will change, computed in memory before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


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
