"""The crates a module needs: `new-module --crate`, `devtool add-crate`, and what `remove-module` drops.

Each module's record lists the crates its kernels need; Cargo.toml has one dependency for all of them.
A crate leaves Cargo.toml with the last module that needs it, and only if devtool's `cargo add` put it
there (a dependency the engine had already, such as rayon, stays).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..changes.cargo_deps import CrateSpec, dependencies, parse_crate, stage_cargo_add, stage_cargo_remove
from ..changes.runs import changing_run, log_path_for
from ..changes.transaction import render_diff
from ..changes.tree import Tree
from ..errors import UsageError
from ..names import check_module_name
from ..records import CrateRecord, ModuleRecord, generated_record, record_path
from ..verify import Progress, VerifyResult, verify_module
from ..workspace import Workspace
from .listing import build_release


@dataclass(frozen=True)
class AddCrateResult:
    """What `add-crate` did (or, with --dry-run, would do)."""

    module: str
    crates: list[str]  # as given: NAME[@VERSION]
    added: list[str]  # the names that were not dependencies of the crate before
    requirements: dict[str, str]  # name -> the requirement Cargo.toml holds now (as cargo add resolved it)
    edited: list[str]
    dry_run: bool
    diff: str | None = None
    verified: VerifyResult | None = None
    recovered: tuple[str, ...] = ()
    release: bool | None = None  # how it was built (None: not built)


def parse_crates(texts: tuple[str, ...] | list[str]) -> list[CrateSpec]:
    """Each `NAME[@VERSION]`, parsed; a name given twice is refused.

    Raises:
        UsageError: not a crate spec, or a crate named twice.
    """
    specs = [parse_crate(t) for t in texts]
    names = [s.name for s in specs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"crate {', '.join(twice)} given more than once")
    return specs


def plan_add_crates(tree: Tree, ws: Workspace, record: ModuleRecord, crates: list[CrateSpec]) -> ModuleRecord:
    """Stage `cargo add` of `crates`; return the module's record that needs them (for the caller to write).

    Raises:
        CrateError: cargo refused a crate (nothing is staged).
    """
    if not crates:
        return record
    before = dependencies(tree.read(ws.manifest) or "")
    stage_cargo_add(tree, ws, crates)
    return record.with_crates([CrateRecord(c.name, added=c.name not in before) for c in crates])


def plan_drop_crates(tree: Tree, ws: Workspace, record: ModuleRecord) -> list[str]:
    """For removing the module: stage `cargo remove` of the crates only it needs and devtool added.

    A crate another module needs stays; if devtool added it, that module's record takes over the mark,
    so the crate goes with the last module that needs it. Returns the crates removed from Cargo.toml.
    """
    others = [m for m in ws.module_names() if m != record.module]
    removed = []
    for crate in record.crates:
        needing = [m for m in others if (r := _staged_record(tree, ws, m)) and crate.name in r.crate_names()]
        if not needing:
            if crate.added:
                removed.append(crate.name)
            continue
        if crate.added:
            heir = _staged_record(tree, ws, needing[0])
            assert heir is not None
            tree.write(record_path(heir.module), heir.with_crates([crate]).to_json())
    stage_cargo_remove(tree, ws, removed)
    return removed


def add_crates(
    ws: Workspace,
    module: str,
    crates: list[str],
    *,
    release: bool = False,
    verify: bool = True,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> AddCrateResult:
    """Add crates to the engine's Cargo.toml for `module`, record that it needs them, build and test it.

    Raises:
        UsageError: an invalid crate spec, or no such generated module.
        CrateError: cargo refused a crate (a name crates.io does not have, a version it lacks).
        VerifyError: the build or the module's tests failed (everything rolled back).
    """
    module = check_module_name(module)
    specs = parse_crates(crates)
    if not specs:
        raise UsageError("name at least one crate: devtool add-crate MODULE NAME[@VERSION] ...")

    def build(log: Path) -> VerifyResult | None:
        if result.release is None:
            return None
        return verify_module(ws, module, release=result.release, log_path=log, progress=progress)

    with changing_run(ws) as run:
        record = generated_record(ws, module, ": add the crate with cargo add in the crate's folder")
        tree = Tree(ws.root)
        before = dependencies(tree.read(ws.manifest) or "")
        updated = plan_add_crates(tree, ws, record, specs)
        tree.write(record_path(module), updated.to_json())
        after = dependencies(tree.read(ws.manifest) or "")
        plan = tree.plan()
        result = AddCrateResult(
            module=module,
            crates=[str(s) for s in specs],
            added=[s.name for s in specs if s.name not in before],
            requirements={s.name: after.get(s.name, "?") for s in specs},
            edited=[str(p) for p in plan.paths("edit")] + [str(p) for p in plan.paths("create")],
            dry_run=dry_run,
            recovered=run.recovered,
            release=build_release(release) if verify and not dry_run else None,
        )
        if dry_run:
            return replace(result, diff=render_diff(plan, ws.root))
        verified = run.apply_and_verify(plan, build, log_path=log_path_for(ws, f"add-crate-{module}"))
    return replace(result, verified=verified)


def _staged_record(tree: Tree, ws: Workspace, module: str) -> ModuleRecord | None:
    text = tree.read(record_path(module))
    return ModuleRecord.from_json(text) if text is not None else None
