"""Is the workspace as a finished run leaves it? For `devtool list` to say so before anything else.

A run killed outright (SIGKILL, a power cut) leaves its journal behind and its files half-written
until the next changing run restores them; a module can also end up with its record, its
registrations and its files disagreeing (edited by hand, or removed halfway). Each finding is one
plain sentence; nothing here changes a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..changes.journal import JOURNAL_FILE
from ..changes.registration import BridgeExports, Edit, Submodule
from ..changes.runs import journal_dir
from ..errors import DevtoolError
from ..records import RECORDS_DIR, read_record
from ..workspace import ENGINE_OWN_MODULES, Workspace


def interrupted_run_warnings(ws: Workspace) -> list[str]:
    """A sentence if a killed run left its journal: its files may be half-created or half-removed."""
    journal = journal_dir(ws)
    if not (journal / JOURNAL_FILE).exists():
        return []
    return [
        f"an interrupted devtool run left its journal in {journal}: what it was changing may be "
        "half-done below. The next new-module, remove-module or update-module restores it first"
    ]


def module_warnings(ws: Workspace, module: str, functions: Sequence[str]) -> list[str]:
    """Where a module's record, its registrations and its files disagree.

    Every function of a generated module (one with a record) must be a top-level name of the bridge, as
    new-module made it; a hand-written module (no record) exports the functions its authors chose.
    """
    found: list[str] = []
    rust = ws.module_dir(module)
    if not ((rust / "mod.rs").is_file() or rust.with_suffix(".rs").is_file()):
        found.append(f"module {module}: lib.rs declares it, but {_rel(ws, rust / 'mod.rs')} is missing")
    unreadable: str | None = None
    try:
        record = read_record(ws, module)
    except DevtoolError as err:
        record, unreadable = None, str(err)
    wiring: list[tuple[Path, Edit]] = [(ws.python_mod_rs, Submodule(module, extension=ws.extension_name))]
    if record is not None:
        wiring.append((ws.bridge_init, BridgeExports(module, tuple(functions))))
    for path, edit in wiring:
        missing = _not_applied(path, edit)
        if missing:
            found.append(f"module {module}: {missing} in {_rel(ws, path)}")
    if unreadable is not None:
        return [*found, f"module {module}: {unreadable}"]
    if record is not None:
        gone = [p for p in record.files if not (ws.root / p).is_file()]
        if gone:
            found.append(f"module {module}: files its record lists are missing: {', '.join(gone)}")
    return found


def orphan_warnings(ws: Workspace, modules: Sequence[str]) -> list[str]:
    """Records and Rust module folders of modules lib.rs does not declare (half-created or half-removed)."""
    found = []
    records = sorted((ws.root / RECORDS_DIR).glob("*.json"))
    for path in records:
        if path.stem not in modules:
            found.append(
                f"{_rel(ws, path)} records a module lib.rs does not declare ({path.stem}): "
                "a module half-created or half-removed"
            )
    if ws.rust_src.is_dir():
        for folder in sorted(p.parent for p in ws.rust_src.glob("*/mod.rs")):
            if folder.name not in modules and folder.name not in ENGINE_OWN_MODULES:
                found.append(f"{_rel(ws, folder)}/ is a Rust module folder lib.rs does not declare")
    return found


def _not_applied(path: Path, edit: Edit) -> str | None:
    """What registering would still add to the file ("not registered"), or None when it is all there."""
    try:
        text = path.read_text(encoding="utf-8")
        return None if edit.apply(text) == text else "not (fully) registered"
    except (OSError, DevtoolError) as err:
        return f"cannot check the registration ({err})"


def _rel(ws: Workspace, path: Path) -> str:
    return path.relative_to(ws.root).as_posix()
