"""Python code that still uses `rust_bridge` functions: for `remove-module` to warn before they are gone.

A search of the project's Python files (virtualenvs, caches and hidden folders left out) for
`from rust_bridge import name`, `from rust_bridge.<module>_py import name` and `rust_bridge.name`,
read with `ast` so that a name in a comment or a string does not count.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

BRIDGE = "rust_bridge"
#: Folders never searched: build output, caches, version control.
_SKIPPED = {"target", "node_modules", "__pycache__", "site-packages", "build", "dist"}
#: Enough for a project; a search that would read more stops there rather than take minutes.
MAX_FILES = 20_000


@dataclass(frozen=True)
class Caller:
    """One place that uses a function: `path:line` (relative to the project), and the name."""

    path: str
    line: int
    name: str

    def describe(self) -> str:
        return f"{self.path}:{self.line} uses rust_bridge.{self.name}"


def project_root(engine_root: Path) -> Path:
    """The project around the engine: the nearest folder up with .git, else the engine's parent."""
    for folder in (engine_root, *engine_root.parents):
        if (folder / ".git").exists():
            return folder
    return engine_root.parent


def find_callers(root: Path, names: Iterable[str], *, exclude: Iterable[Path] = ()) -> list[Caller]:
    """Every use of the `rust_bridge` functions `names` in the Python files under `root`, in path order.

    `exclude`: files and folders not searched (the bridge itself, files about to be deleted).
    """
    wanted = set(names)
    skipped = {p.resolve() for p in exclude}
    found: list[Caller] = []
    for path in _python_files(root, skipped):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if BRIDGE not in text:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        rel = path.relative_to(root).as_posix()
        found += [Caller(rel, line, name) for line, name in _uses(tree, wanted)]
    return found


def _uses(tree: ast.AST, wanted: set[str]) -> Iterator[tuple[int, str]]:
    aliases = {BRIDGE}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == BRIDGE}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _is_bridge(node.module) and node.level == 0:
            yield from ((node.lineno, a.name) for a in node.names if a.name in wanted)
        elif isinstance(node, ast.Attribute) and _is_name(node.value, aliases) and node.attr in wanted:
            yield node.lineno, node.attr


def _is_name(node: ast.expr, names: set[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in names


def _is_bridge(module: str | None) -> bool:
    return module is not None and (module == BRIDGE or module.startswith(f"{BRIDGE}."))


def _python_files(root: Path, skipped: set[Path]) -> Iterator[Path]:
    count = 0
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _SKIPPED
            and not (here / d / "pyvenv.cfg").exists()  # a virtualenv, whatever its name
            and (here / d).resolve() not in skipped
        )
        for name in sorted(files):
            path = here / name
            if name.endswith(".py") and path.resolve() not in skipped:
                count += 1
                if count > MAX_FILES:
                    return
                yield path
