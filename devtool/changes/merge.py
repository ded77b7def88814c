"""Three-way merge of one file with `git merge-file`: the developer's edits plus the template's change."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ToolchainError

_MARKER_START, _MARKER_END = "<<<<<<< ", ">>>>>>> "


@dataclass(frozen=True)
class Merged:
    """The merged text and the 1-based line ranges of its conflicts (empty when it merged cleanly)."""

    text: str
    conflicts: tuple[tuple[int, int], ...]


def merge3(current: str, base: str, new: str, *, labels: tuple[str, str, str]) -> Merged:
    """Merge the change base -> new into current, as `git merge-file` does.

    `labels` name the three sides in conflict markers: (current, base, new).

    Raises:
        ToolchainError: git is not installed.
    """
    git = shutil.which("git")
    if git is None:
        raise ToolchainError("update-module merges with `git merge-file`, and git is not installed")
    with tempfile.TemporaryDirectory(prefix="devtool-merge-") as tmp:
        paths = [Path(tmp) / name for name in ("current", "base", "new")]
        for path, text in zip(paths, (current, base, new), strict=True):
            path.write_text(text, encoding="utf-8")
        label_args = [arg for label in labels for arg in ("-L", label)]
        proc = subprocess.run(
            [git, "merge-file", "-p", *label_args, *map(str, paths)],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode < 0 or proc.returncode > 127:  # git's own failure, not a count of conflicts
        raise ToolchainError(f"git merge-file failed: {proc.stderr.strip()}")
    return Merged(text=proc.stdout, conflicts=conflict_lines(proc.stdout))


def conflict_lines(text: str) -> tuple[tuple[int, int], ...]:
    """The 1-based line ranges of the conflict markers left in `text` (empty once all are resolved)."""
    ranges: list[tuple[int, int]] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(_MARKER_START):
            start = number
        elif line.startswith(_MARKER_END) and start:
            ranges.append((start, number))
            start = 0
    return tuple(ranges)
