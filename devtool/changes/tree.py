"""One staged tree per command: planners read and write through it, the transaction commits its changes.

Like an Nx generator's `Tree` or Angular's `HostTree`: reads see the changes staged so far (so two
planners editing one file compose instead of colliding), nothing touches the disk, and
`list_changes()` gives one `FileChange` per file, from what was on disk to what is staged.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..errors import ConflictError
from .plan import FileChange, Plan, read_text

PathLike = str | PurePosixPath


class Tree:
    """Staged file contents over a workspace root (or over nothing, for replaying a list of changes).

    A path's original is read from disk the first time it is touched; None means the file does not exist.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._original: dict[PurePosixPath, str | None] = {}
        self._staged: dict[PurePosixPath, str | None] = {}
        self._written: dict[PurePosixPath, None] = {}  # the order of the plan: first written, first listed

    def read(self, path: PathLike) -> str | None:
        """The file's text as staged (else as on disk, newlines untranslated), or None if it does not exist.

        Raises:
            OSError: the file cannot be read.
            UnicodeDecodeError: it is not UTF-8.
        """
        return self._staged[self._load(PurePosixPath(path))]

    def exists(self, path: PathLike) -> bool:
        return self.read(path) is not None

    def create(self, path: PathLike, text: str) -> None:
        """Stage a new file.

        Raises:
            ConflictError: the file exists (on disk or staged).
        """
        if self.exists(path):
            raise ConflictError(f"{path} exists already")
        self.write(path, text)

    def write(self, path: PathLike, text: str) -> None:
        """Stage the file's new text (creating it if it does not exist)."""
        self._set(PurePosixPath(path), text)

    def delete(self, path: PathLike) -> None:
        """Stage the file's removal (nothing if it does not exist)."""
        self._set(PurePosixPath(path), None)

    def stage(self, change: FileChange) -> None:
        """Stage a `FileChange` made elsewhere: it must start from what the tree holds for its path.

        On a tree without a root, the first change of a path says what the path held.

        Raises:
            ValueError: the change does not start from the staged (or, first, the disk's) text (a bug).
        """
        path = change.path
        if self.root is None and path not in self._staged:
            self._original[path] = self._staged[path] = change.before
        if self.read(path) != change.before:
            raise ValueError(f"the plan changes {path} twice, the second time not from the first's result")
        self._set(path, change.after)

    def list_changes(self) -> tuple[FileChange, ...]:
        """One change per file whose staged text differs from its original, in the order first touched."""
        return tuple(
            FileChange(path, self._original[path], self._staged[path])
            for path in self._written
            if self._staged[path] != self._original[path]
        )

    def plan(self) -> Plan:
        return Plan(self.list_changes())

    def _set(self, path: PurePosixPath, text: str | None) -> None:
        self._staged[self._load(path)] = text
        self._written.setdefault(path)

    def _load(self, path: PurePosixPath) -> PurePosixPath:
        if path not in self._staged:
            if self.root is None:
                raise KeyError(f"{path}: a tree without a root only knows the changes staged on it")
            file = self.root / path
            self._original[path] = self._staged[path] = read_text(file) if file.is_file() else None
        return path


def net_changes(changes: tuple[FileChange, ...]) -> tuple[FileChange, ...]:
    """One change per file: several changes of one file chained, from the first `before` to the last `after`.

    Raises:
        ValueError: a change does not start from the previous change's result.
    """
    tree = Tree(None)
    for change in changes:
        tree.stage(change)
    return tree.list_changes()
