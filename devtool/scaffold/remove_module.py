"""`devtool remove-module`: the inverse of `new-module`, all or nothing, verified by a build.

`MODULE` removes a whole generated module; `MODULE.FUNCTION` one function of it (its files, its part of
the module's files, its registrations). Nothing hand-written is lost without a word: every file that
differs from what the template rendered for it is copied, before it is deleted, under
`.devtool/removed/<target>-<time>/` in the engine (git-ignored), and the Python code that still uses
the removed functions is listed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from ..changes.cargo_deps import dependencies
from ..changes.plan import FileChange, Plan
from ..changes.registration import unregister_functions, unregister_module
from ..changes.runs import changing_run, log_path_for
from ..changes.transaction import render_diff
from ..changes.tree import Tree
from ..errors import ConflictError, DevtoolError, UsageError
from ..names import check_identifier, check_module_name
from ..records import FunctionRecord, ModuleRecord, generated_record, record_path
from ..verify import Progress, VerifyResult, build_only, verify_module
from ..workspace import Workspace
from . import render
from .callers import Caller, find_callers, project_root
from .crates import plan_drop_crates
from .listing import build_release
from .pristine import Pristine, base_dir, base_of, is_stored, plan_store, prune_empty_dirs

#: Where the copies of hand-edited files go, relative to the workspace root (in .gitignore).
REMOVED_DIR = PurePosixPath(".devtool/removed")


@dataclass(frozen=True)
class RemoveModuleResult:
    """What `remove-module` deleted and edited (or would, with --dry-run)."""

    module: str
    deleted: list[str]
    edited: list[str]
    left_behind: list[str]
    dry_run: bool
    diff: str | None = None
    verified: VerifyResult | None = None
    recovered: tuple[str, ...] = ()  # what an interrupted run had left, put back before planning
    function: str | None = None  # MODULE.FUNCTION: the one function removed
    backup: str | None = None  # the folder the hand-edited files were copied to (relative to the root)
    backed_up: list[str] | None = None  # those files, as they were in the workspace
    sources: list[str] | None = None  # "module.function <- package.module:function" it was made --from
    callers: list[Caller] | None = None  # Python code still using the removed functions
    project: Path | None = None  # where the callers were looked for
    release: bool | None = None  # how the engine was rebuilt (None: not rebuilt)
    crates_removed: list[str] | None = None  # crates `cargo remove`d: only the removed module needed them

    @property
    def target(self) -> str:
        return self.module if self.function is None else f"{self.module}.{self.function}"


def remove_module(
    ws: Workspace,
    target: str,
    *,
    release: bool = False,
    verify: bool = True,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RemoveModuleResult:
    """Delete a generated module (MODULE) or one of its functions (MODULE.FUNCTION), then rebuild;
    or change nothing.

    Raises:
        UsageError: no such module or function, a module devtool did not generate, or the last
            function of a module (remove the module instead).
        ConflictError: the part of a module file new-module added for the function was edited.
        VerifyError: the build (for a function: and the module's tests) failed (everything restored).
    """
    module, _, function = target.partition(".")
    module = check_module_name(module)
    if function:
        function = check_identifier(function, "function name")

    def build(log: Path) -> VerifyResult | None:
        if result.release is None:
            return None
        if function:  # the module stays: its remaining functions' tests must still pass
            return verify_module(ws, module, release=result.release, log_path=log, progress=progress)
        return build_only(ws, release=result.release, log_path=log, progress=progress)

    with changing_run(ws) as run:
        record = generated_record(ws, module, "; remove it by hand")
        if function:
            plan, removed = plan_remove_function(ws, record, function), [_function(record, function)]
        else:
            plan, removed = plan_remove_module(ws, module), list(record.functions)
        dropped = [] if function else _crates_removed(ws, record, plan)
        backup = REMOVED_DIR / f"{target}-{time.strftime('%Y%m%d-%H%M%S')}"
        copies = backup_changes(ws, record, plan, backup)
        plan = Plan((*copies, *plan.changes))
        deleted = [p for p in plan.paths("delete") if not is_stored(p, [module])]
        result = RemoveModuleResult(
            module=module,
            function=function or None,
            deleted=[str(p) for p in deleted],
            edited=[str(p) for p in plan.paths("edit") if not is_stored(p, [module])],
            left_behind=_left_behind(ws, plan) if not function else [],
            dry_run=dry_run,
            recovered=run.recovered,
            backup=str(backup) if copies else None,
            backed_up=[str(c.path.relative_to(backup)) for c in copies],
            sources=[f"{module}.{f.name} <- {f.source}" for f in removed if f.source],
            callers=find_callers(
                project_root(ws.root),
                [f.name for f in removed],
                exclude=[ws.bridge_dir, *(ws.root / p for p in deleted)],
            ),
            project=project_root(ws.root),
            release=build_release(release, ws.extension_name) if verify and not dry_run else None,
            crates_removed=dropped,
        )
        if dry_run:
            return replace(result, diff=render_diff(plan, ws.root))
        log_path = log_path_for(ws, f"remove-module-{target}")
        verified = run.apply_and_verify(plan, build, log_path=log_path)
        _prune_empty_dirs(ws, plan)
        prune_empty_dirs(ws, module)
    return replace(result, verified=verified)


def plan_remove_module(ws: Workspace, module: str) -> Plan:
    """Delete every file the record lists (as it is now, hand edits included), the record and the stored
    render, undo the registrations, and `cargo remove` the crates no other module needs.

    Raises:
        UsageError: no such module, or no record of it.
        CrateError: `cargo remove` failed.
    """
    record = generated_record(ws, module, "; remove it by hand")
    tree = Tree(ws.root)
    for path in record.files:
        if (ws.root / path).is_file():
            tree.delete(path)
    unregister_module(tree, ws, module)
    plan_drop_crates(tree, ws, record)
    tree.delete(record_path(module))
    for change in plan_store(ws, module, None):
        tree.stage(change)
    return tree.plan()


def plan_remove_function(ws: Workspace, record: ModuleRecord, function: str) -> Plan:
    """Delete the function's own files, cut its part out of the module's files, unregister it.

    What new-module appended for it is read from the module's stored render, which loses the function too.

    Raises:
        UsageError: no such function, it is the module's last one, or the module's render is not stored.
        ConflictError: the part new-module appended for it to a module file is not there verbatim.
    """
    _function(record, function)
    if len(record.functions) == 1:
        raise UsageError(
            f"{function!r} is the only function of module {record.module!r}: remove the module "
            f"(devtool remove-module {record.module})"
        )
    base = base_of(ws, record, render.active_template())
    if base is None:
        raise UsageError(
            f"module {record.module!r} was generated with an older template and its render is not stored "
            f"({base_dir(record.module)}/), so devtool does not know what new-module added for {function!r}: "
            f"remove it by hand, or first run `devtool update-module {record.module} --base-from-current`"
        )
    rendered = base.functions[function]
    tree = Tree(ws.root)
    for path in sorted(rendered.created):
        if path in record.files and (ws.root / path).is_file():
            tree.delete(path)
    for path, fragment in sorted(rendered.appended.items()):
        before = tree.read(path) or ""
        if before.count(fragment) != 1:
            raise ConflictError(
                f"{path}: the part new-module added for {function!r} was edited, so devtool cannot cut "
                "it out exactly; remove it by hand, or restore it as generated (nothing was changed)"
            )
        tree.write(path, before.replace(fragment, ""))
    unregister_functions(tree, ws, record.module, [function])
    kept = replace(
        record,
        functions=tuple(f for f in record.functions if f.name != function),
        files=tuple(p for p in record.files if p not in rendered.created),
    )
    tree.write(record_path(record.module), kept.to_json())
    for change in plan_store(ws, record.module, base.without_function(function)):
        tree.stage(change)
    return tree.plan()


def _crates_removed(ws: Workspace, record: ModuleRecord, plan: Plan) -> list[str]:
    """The module's crates that the plan takes out of Cargo.toml."""
    change = next((c for c in plan.changes if str(c.path) == ws.manifest), None)
    if change is None or change.after is None:
        return []
    left = dependencies(change.after)
    return [name for name in record.crate_names() if name not in left]


def backup_changes(
    ws: Workspace, record: ModuleRecord, plan: Plan, backup: PurePosixPath
) -> list[FileChange]:
    """Copies, under `backup`, of the files the plan deletes that differ from what was generated.

    What was generated is the module's stored render; when it is not stored (a module of an older
    template) or not readable, every deleted file is copied: a broken render must not stop a removal.
    """
    try:
        base: Pristine | None = base_of(ws, record, render.active_template())
    except DevtoolError:
        base = None
    generated = base.files if base is not None else None
    copies = []
    for change in plan.changes:
        if change.kind != "delete" or change.path == record_path(record.module):
            continue
        if is_stored(change.path, [record.module]):
            continue
        if generated is None or generated.get(str(change.path)) != change.before:
            copies.append(FileChange(backup / change.path, None, change.before))
    return copies


def _function(record: ModuleRecord, function: str) -> FunctionRecord:
    found = next((f for f in record.functions if f.name == function), None)
    if found is None:
        names = ", ".join(record.function_names())
        raise UsageError(f"module {record.module!r} has no function {function!r} (it has: {names})")
    return found


def _module_dirs(ws: Workspace, plan: Plan) -> set[Path]:
    return {(ws.root / p).parent for p in plan.paths("delete")}


def _left_behind(ws: Workspace, plan: Plan) -> list[str]:
    """Files the developer added next to the generated ones: kept, and reported."""
    deleted = {ws.root / p for p in plan.paths("delete")}
    extra: list[str] = []
    for folder in _module_dirs(ws, plan):
        if folder in (
            ws.root,
            ws.bridge_dir,
            ws.fallback_dir,
            ws.stubs_dir,
            ws.benchmarks_dir,
            ws.records_dir,
        ):
            continue  # shared folders: other modules' files are not "left behind"
        if folder.is_dir():
            extra += [
                str(p.relative_to(ws.root))
                for p in sorted(folder.rglob("*"))
                if p.is_file() and p not in deleted and "__pycache__" not in p.parts
            ]
    return extra


def _prune_empty_dirs(ws: Workspace, plan: Plan) -> None:
    for folder in sorted(_module_dirs(ws, plan), key=lambda p: len(p.parts), reverse=True):
        cache = folder / "__pycache__"
        if cache.is_dir() and all(p.suffix == ".pyc" for p in cache.iterdir()):
            for pyc in cache.iterdir():
                pyc.unlink()
            cache.rmdir()
        if folder.is_dir() and folder != ws.root and not any(folder.iterdir()):
            folder.rmdir()
