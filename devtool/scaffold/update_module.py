"""`devtool update-module`: bring generated modules up to the current template, keeping what developers wrote.

For each module: take the render the template made for it when it was generated or last updated, stored
next to its record (the base; see `pristine`), render it at the current version (the new), merge
base -> new into the files as they are now, three-way, and store the new render as the next base.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from ..changes.merge import conflict_lines, merge3
from ..changes.plan import FileChange, read_text
from ..changes.registration import register_module
from ..changes.runs import changing_run, log_path_for
from ..changes.transaction import render_diff
from ..changes.tree import Tree
from ..errors import ConflictError
from ..records import ModuleRecord, generated_record, read_record, record_path
from ..verify import Progress, VerifyResult, verify_modules
from ..workspace import Workspace
from . import render
from .listing import build_release
from .pristine import (
    base_of,
    missing_base,
    plan_store,
    prune_empty_dirs,
    read_pristine,
    render_pristine,
    template_versions,
)

ConflictMode = Literal["refuse", "markers"]


@dataclass(frozen=True)
class Conflict:
    path: str
    lines: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ModuleUpdate:
    """What updating one module changes."""

    module: str
    from_version: str
    to_version: str
    merged: list[str]
    created: list[str]
    deleted: list[str]
    kept: list[str]  # dropped by the template but changed by the developer, or deleted by the developer
    conflicts: list[Conflict]
    base_from_current: bool = False  # no stored render: the current template's was the base, nothing merged


@dataclass(frozen=True)
class UpdateResult:
    updates: list[ModuleUpdate]
    current: list[str]  # modules already at the current template version
    dry_run: bool
    markers_written: bool
    resolved: list[str] = field(default_factory=list)  # conflict markers resolved: flag cleared, now verified
    unresolved: dict[str, list[str]] = field(default_factory=dict)  # module -> files with markers left
    recovered: tuple[str, ...] = ()  # what an interrupted run had left, put back before planning
    stored: list[str] = field(default_factory=list)  # current modules whose render was stored (made before)
    diff: str | None = None
    verified: VerifyResult | None = None

    @property
    def conflicted(self) -> bool:
        """Conflicts found (written as markers, refused in a dry run) or markers left unresolved."""
        return any(u.conflicts for u in self.updates) or bool(self.unresolved)


def update_modules(
    ws: Workspace,
    modules: Sequence[str] = (),
    *,
    template_dir: Path = render.TEMPLATE_DIR,
    conflicts: ConflictMode = "refuse",
    base_from_current: bool = False,
    release: bool = False,
    verify: bool = True,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> UpdateResult:
    """Update the given generated modules (all of them by default) together, then build and test; or nothing.

    The base of each merge is the module's stored render; `base_from_current` takes the current template's
    render instead for a module that has none (nothing of the template's change is merged into it then).
    A current module made before devtool stored renders gets its render stored.

    Raises:
        UsageError: an unknown module, or a module behind the template whose render is not stored
            (`MissingBase`, unless `base_from_current`).
        ConflictError: a merge conflicts and `conflicts="refuse"` (nothing written).
        VerifyError: the build or the tests failed after the update (everything rolled back).
    """
    version = render.template_version(template_dir)
    with changing_run(ws) as run:
        records = _records(ws, modules)
        behind = [r for r in records if template_versions(r) != {version}]
        flagged = {r.module: marked_files(ws, r) for r in records if r not in behind and r.needs_attention}
        updates: list[ModuleUpdate] = []
        tree = Tree(ws.root)  # one staged tree: modules registering in the same files compose
        for record in behind:
            update, module_changes = plan_update(ws, record, template_dir, conflicts, base_from_current, tree)
            updates.append(update)
            for change in module_changes:
                tree.stage(change)
        unstored = [r for r in records if r not in behind and read_pristine(ws, r) is None]
        for record in unstored:
            for change in plan_store(
                ws,
                record.module,
                render_pristine(record, lambda _: template_dir, ws.rust_edition, ws.extension_name),
            ):
                tree.stage(change)
        resolved = [r for r in records if r.module in flagged and not flagged[r.module]]
        for change in [_clear_attention(ws, r) for r in resolved]:
            tree.stage(change)
        plan = tree.plan()
        found = [c for u in updates for c in u.conflicts]
        result = UpdateResult(
            updates=updates,
            current=[r.module for r in records if r not in behind and r.module not in flagged],
            dry_run=dry_run,
            markers_written=conflicts == "markers" and bool(found) and not dry_run,
            resolved=[r.module for r in resolved],
            unresolved={m: files for m, files in flagged.items() if files},
            recovered=run.recovered,
            stored=[r.module for r in unstored],
        )
        if dry_run:
            return replace(result, diff=render_diff(plan, ws.root))
        if found and conflicts == "refuse":
            raise ConflictError(
                "the template's changes conflict with edits in these files (nothing was written):\n"
                + "\n".join(f"  {c.path}: lines {', '.join(f'{a}-{b}' for a, b in c.lines)}" for c in found)
                + "\nresolve by hand, or rerun with --conflicts=markers to write conflict markers"
            )
        if not plan.changes:
            return result
        # Conflict markers do not compile: the files are written for the developer to resolve, unverified.
        check = verify and not result.markers_written
        names = [u.module for u in updates] + result.resolved  # a resolved module was never verified

        def run_checks(log: Path) -> VerifyResult | None:
            if not check or not names:  # storing a render changes nothing that builds
                return None
            # the profile of the extension it replaces, so a release build stays one (bench refuses debug)
            optimised = build_release(release, ws.extension_name)
            return verify_modules(ws, names, release=optimised, log_path=log, progress=progress)

        verified = run.apply_and_verify(plan, run_checks, log_path=log_path_for(ws, "update-module"))
        for update in updates:
            prune_empty_dirs(ws, update.module)
    return replace(result, verified=verified)


def marked_files(ws: Workspace, record: ModuleRecord) -> list[str]:
    """The module's files that still hold conflict markers (left by `update-module --conflicts=markers`)."""
    return [p for p in record.files if (ws.root / p).is_file() and conflict_lines(read_text(ws.root / p))]


def _clear_attention(ws: Workspace, record: ModuleRecord) -> FileChange:
    """The record of a module whose conflict markers are all resolved, without its `needs_attention` flag."""
    path = record_path(record.module)
    return FileChange(path, read_text(ws.root / path), replace(record, needs_attention=False).to_json())


def plan_update(
    ws: Workspace,
    record: ModuleRecord,
    template_dir: Path,
    conflicts: ConflictMode,
    base_from_current: bool,
    tree: Tree,
) -> tuple[ModuleUpdate, list[FileChange]]:
    """The merged files, new files, removals, the new record and stored render of one module; its
    registrations are staged in `tree`, the one tree of the command (modules registering in one file compose).

    Raises:
        MissingBase: the module's render is not stored and not `base_from_current`.
    """
    version = render.template_version(template_dir)
    stored = base_of(ws, record, template_dir)
    if stored is None and not base_from_current:
        raise missing_base(record)
    rendered = render_pristine(record, lambda _: template_dir, ws.rust_edition, ws.extension_name)
    base, new = (stored or rendered).files, rendered.files
    update = ModuleUpdate(
        record.module, record.template_version, version, [], [], [], [], [], base_from_current=stored is None
    )
    changes: list[FileChange] = []
    for path in sorted(base.keys() | new.keys()):
        old_text, new_text = base.get(path), new.get(path)
        if old_text == new_text:
            continue  # the template did not change this file
        current = _read(ws, path)
        change = _merge_file(path, current, old_text, new_text, record, update, conflicts)
        if change is not None:
            changes.append(change)
    functions = [f.name for f in record.functions]
    register_module(tree, ws, record.module, functions)  # idempotent: only what is missing
    files = tuple(sorted((set(record.files) - set(update.deleted)) | set(update.created)))
    updated = replace(
        record,
        template_version=version,
        functions=tuple(replace(f, template_version=version) for f in record.functions),
        files=files,
        needs_attention=bool(update.conflicts) or bool(marked_files(ws, record)),
    )
    before = read_text(ws.root / record_path(record.module))
    changes.append(FileChange(record_path(record.module), before, updated.to_json()))
    changes += plan_store(ws, record.module, rendered)
    return update, changes


def _merge_file(
    path: str,
    current: str | None,
    old_text: str | None,
    new_text: str | None,
    record: ModuleRecord,
    update: ModuleUpdate,
    conflicts: ConflictMode,
) -> FileChange | None:
    where = PurePosixPath(path)
    if new_text is None:  # the template dropped the file: remove it only if the developer never changed it
        if current is not None and current == old_text:
            update.deleted.append(path)
            return FileChange(where, current, None)
        update.kept.append(path)
        return None
    if current is None:
        if old_text is None:  # a file the new template adds
            update.created.append(path)
            return FileChange(where, None, new_text)
        update.kept.append(path)  # the developer deleted a generated file: respect that
        return None
    labels = (f"{path} (yours)", f"template {record.template_version}", f"template {update.to_version}")
    merged = merge3(current, old_text or "", new_text, labels=labels)
    if merged.conflicts:
        update.conflicts.append(Conflict(path, merged.conflicts))
        if conflicts != "markers":
            return None
    if merged.text == current:
        return None
    update.merged.append(path)
    return FileChange(where, current, merged.text)


def _records(ws: Workspace, modules: Sequence[str]) -> list[ModuleRecord]:
    names = list(modules) or ws.module_names()
    records: list[ModuleRecord] = []
    for name in names:
        if modules:
            records.append(generated_record(ws, name, ": there is nothing to update"))
        elif (record := read_record(ws, name)) is not None:  # hand-written modules are not the template's
            records.append(record)
    return records


def _read(ws: Workspace, path: str) -> str | None:
    file = ws.root / path
    return read_text(file) if file.is_file() else None
