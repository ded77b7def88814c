"""Registration: the edits that wire a module into lib.rs, python/mod.rs and rust_bridge/__init__.py,
and the planners that stage them in a command's `Tree`.

Each edit is a value with `apply(text)` (a no-op when already present) and `revert(text)` (removes
what `apply` adds). The Rust files are parsed with tree-sitter (`rust_registration`), the bridge with
Python's `ast` (`bridge_registration`), so a file in any valid shape is read, and one that does not
parse is refused at its line. Planners read and write through the one staged tree of the command, so
a second planner editing the same file starts from the first one's result.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from ..errors import ConflictError, UnrecognisedShape
from ..workspace import Workspace
from .bridge_registration import BRIDGE_INIT, BridgeExports, bridge_functions, exported_names
from .plan import FileChange
from .rust_registration import LIB_RS, PYTHON_MOD_RS, LibModule, ModuleFunction, Submodule
from .rust_syntax import crate_references, parse_rust
from .tree import Tree

__all__ = [
    "BRIDGE_INIT",
    "LIB_RS",
    "PYTHON_MOD_RS",
    "BridgeExports",
    "Edit",
    "LibModule",
    "ModuleFunction",
    "Submodule",
    "bridge_functions",
    "plan_register_functions",
    "plan_register_module",
    "plan_unregister_functions",
    "plan_unregister_module",
    "register_functions",
    "register_module",
    "unregister_functions",
    "unregister_module",
]


class Edit(Protocol):
    """An anchored, idempotent change to one file's text."""

    @property
    def label(self) -> str: ...

    def apply(self, text: str) -> str: ...

    def revert(self, text: str) -> str: ...


# --- staging in a tree -------------------------------------------------------------------------------


def register_module(tree: Tree, ws: Workspace, module: str, functions: Iterable[str]) -> None:
    """Stage the edits wiring `module` (and its `functions`) into lib.rs, python/mod.rs and the bridge.

    Raises:
        UnrecognisedShape: one of these files is missing or does not parse.
        ConflictError: a function is already exported by the bridge from another module.
    """
    functions = tuple(functions)
    _check_unexported(tree, ws, module, functions)
    for path, edit in _module_edits(ws, module, functions):
        _edit(tree, ws, path, edit, revert=False)


def unregister_module(tree: Tree, ws: Workspace, module: str) -> None:
    """Stage the edits removing `module` and every function the bridge imports from it.

    Raises:
        UnrecognisedShape: one of these files is missing or does not parse, or would still name
            the module once its registration is removed (at that line).
    """
    functions = bridge_functions(_read(tree, ws, ws.bridge_init), module, _label(ws, ws.bridge_init))
    for path, edit in _module_edits(ws, module, functions):
        before = _read(tree, ws, path)
        after = edit.revert(before)
        if path != ws.bridge_init:
            _refuse_other_references(before, after, module, _label(ws, path))
        if after != before:
            tree.write(_label(ws, path), after)


def register_functions(tree: Tree, ws: Workspace, module: str, functions: Iterable[str]) -> None:
    """Stage the edits adding `functions` to the generated `module`: its mod.rs and the bridge.

    Raises:
        UnrecognisedShape: the module's mod.rs or the bridge is missing or does not parse.
        ConflictError: a function is already exported by the bridge from another module.
    """
    functions = tuple(functions)
    _check_unexported(tree, ws, module, functions)
    for path, edit in _function_edits(ws, module, functions):
        _edit(tree, ws, path, edit, revert=False)


def unregister_functions(tree: Tree, ws: Workspace, module: str, functions: Iterable[str]) -> None:
    """Stage the edits removing `functions` from `module`'s mod.rs and from the bridge.

    Raises:
        UnrecognisedShape: the module's mod.rs or the bridge is missing or does not parse.
    """
    for path, edit in _function_edits(ws, module, tuple(functions)):
        _edit(tree, ws, path, edit, revert=True)


# --- the same, as the changes of a fresh tree (what the edits would do to the disk as it is) ----------


def plan_register_module(ws: Workspace, module: str, functions: Iterable[str]) -> list[FileChange]:
    """`register_module` on a fresh tree: its changes. See there for what it raises."""
    tree = Tree(ws.root)
    register_module(tree, ws, module, functions)
    return list(tree.list_changes())


def plan_unregister_module(ws: Workspace, module: str) -> list[FileChange]:
    """`unregister_module` on a fresh tree: its changes. See there for what it raises."""
    tree = Tree(ws.root)
    unregister_module(tree, ws, module)
    return list(tree.list_changes())


def plan_register_functions(ws: Workspace, module: str, functions: Iterable[str]) -> list[FileChange]:
    """`register_functions` on a fresh tree: its changes. See there for what it raises."""
    tree = Tree(ws.root)
    register_functions(tree, ws, module, functions)
    return list(tree.list_changes())


def plan_unregister_functions(ws: Workspace, module: str, functions: Iterable[str]) -> list[FileChange]:
    """`unregister_functions` on a fresh tree: its changes. See there for what it raises."""
    tree = Tree(ws.root)
    unregister_functions(tree, ws, module, functions)
    return list(tree.list_changes())


# --- helpers -------------------------------------------------------------------------------------------


def _module_edits(ws: Workspace, module: str, functions: tuple[str, ...]) -> list[tuple[Path, Edit]]:
    return [
        (ws.lib_rs, LibModule(module, _label(ws, ws.lib_rs))),
        (ws.python_mod_rs, Submodule(module, _label(ws, ws.python_mod_rs), ws.extension_name)),
        (ws.bridge_init, BridgeExports(module, functions, _label(ws, ws.bridge_init))),
    ]


def _function_edits(ws: Workspace, module: str, functions: tuple[str, ...]) -> list[tuple[Path, Edit]]:
    mod_rs = ws.module_dir(module) / "mod.rs"
    edits: list[tuple[Path, Edit]] = [(mod_rs, ModuleFunction(f, _label(ws, mod_rs))) for f in functions]
    edits.append((ws.bridge_init, BridgeExports(module, functions, _label(ws, ws.bridge_init))))
    return edits


def _edit(tree: Tree, ws: Workspace, path: Path, edit: Edit, *, revert: bool) -> None:
    before = _read(tree, ws, path)
    after = edit.revert(before) if revert else edit.apply(before)
    if after != before:
        tree.write(_label(ws, path), after)


def _refuse_other_references(before: str, after: str, module: str, label: str) -> None:
    """Raises UnrecognisedShape at a line that still names `module` once its registration is removed.

    Left in place, such a line would name a module whose files are deleted, and the crate would not
    build. The revert removed one span of `before`; a reference outside it is one devtool does not remove.
    """
    start = _common_length(before, after)
    stop = len(before) - _common_length(before[start:][::-1], after[start:][::-1])
    removed = (len(before[:start].encode()), len(before[:stop].encode()))
    _, root = parse_rust(before, label, strict=False)
    for node in crate_references(root, module):
        if node.end_byte <= removed[0] or node.start_byte >= removed[1]:  # not (partly) in the removed span
            shown = before.splitlines()[node.start_point.row].strip()
            raise UnrecognisedShape(
                label,
                node.start_point.row + 1,
                f"still names module {module!r} in a form devtool cannot remove: {shown}",
            )


def _common_length(a: str, b: str) -> int:
    """The length of the longest common prefix."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _check_unexported(tree: Tree, ws: Workspace, module: str, functions: tuple[str, ...]) -> None:
    """Raises ConflictError if the bridge already exports one of `functions`, other than from `module`."""
    text = _read(tree, ws, ws.bridge_init)
    label = _label(ws, ws.bridge_init)
    taken = set(exported_names(text, label)) - set(bridge_functions(text, module, label))
    clash = sorted(taken.intersection(functions))
    if clash:
        raise ConflictError(f"{label} already exports {', '.join(clash)}; choose another function name")


def _read(tree: Tree, ws: Workspace, path: Path) -> str:
    """The file's text as staged in `tree` (else as on disk).

    Raises:
        UnrecognisedShape: the file is missing or not UTF-8.
    """
    try:
        text = tree.read(_label(ws, path))
    except UnicodeDecodeError as err:
        raise UnrecognisedShape(_label(ws, path), None, f"not UTF-8 text ({err.reason})") from err
    if text is None:
        raise UnrecognisedShape(_label(ws, path), None, "the file is missing")
    return text


def _label(ws: Workspace, path: Path) -> str:
    return path.relative_to(ws.root).as_posix()
