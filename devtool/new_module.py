"""`devtool new-module`: plan a module (or one more function) in memory, apply it, verify it, or undo it."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from . import render
from .errors import ConflictError
from .names import check_identifier, check_module_name
from .plan import FileChange, Plan
from .records import FunctionRecord, ModuleRecord, read_record, record_path
from .registration import plan_register_functions, plan_register_module
from .runs import apply_and_verify, log_path_for
from .signature import DEFAULT_FUNCTION, DEFAULT_SIGNATURE, Signature, parse_signature
from .toolchain import check_toolchain
from .transaction import render_diff
from .verify import Progress, VerifyResult, verify_module
from .workspace import Workspace

#: A customised copy of the template to render instead of the one devtool ships.
TEMPLATE_ENV = "DEVTOOL_TEMPLATE"


@dataclass(frozen=True)
class NewModuleRequest:
    """Everything `new-module` was asked to do; the CLI fills it from its options."""

    module: str
    function: str = DEFAULT_FUNCTION
    signature: str = DEFAULT_SIGNATURE
    release: bool = False
    verify: bool = True
    dry_run: bool = False
    keep: bool = False


@dataclass(frozen=True)
class NewModuleResult:
    """What `new-module` did (or, with --dry-run, would do)."""

    module: str
    function: str
    signature: str
    added_to_existing: bool
    created: list[str]
    edited: list[str]
    plan_seconds: float
    dry_run: bool
    diff: str | None = None
    verified: VerifyResult | None = None
    toolchain: dict[str, str] = field(default_factory=dict)


def new_module(ws: Workspace, request: NewModuleRequest, progress: Progress | None = None) -> NewModuleResult:
    """Check, plan, apply, build and test one new module or function; all of it or nothing.

    Raises:
        UsageError: an invalid name or signature (nothing written).
        ConflictError: the module or function exists, or another run holds the workspace.
        ToolchainError: cargo, rustc or maturin is missing.
        VerifyError: the build or the tests failed (everything rolled back unless `keep`).
    """
    started = time.perf_counter()
    module = check_module_name(request.module)
    function = check_identifier(request.function, "function name")
    signature = parse_signature(request.signature)
    toolchain = check_toolchain() if request.verify and not request.dry_run else {}
    plan, added = plan_new_module(ws, module, function, signature, template_dir=template_dir())
    plan_seconds = time.perf_counter() - started
    result = NewModuleResult(
        module=module,
        function=function,
        signature=str(signature),
        added_to_existing=added,
        created=[str(p) for p in plan.paths("create")],
        edited=[str(p) for p in plan.paths("edit")],
        plan_seconds=plan_seconds,
        dry_run=request.dry_run,
        toolchain=toolchain,
    )
    if request.dry_run:
        return replace(result, diff=render_diff(plan, ws.root))

    def verify(log: Path) -> VerifyResult | None:
        if not request.verify:
            return None
        return verify_module(ws, module, release=request.release, log_path=log, progress=progress)

    verified = apply_and_verify(
        ws, plan, verify, log_path=log_path_for(ws, f"new-module-{module}"), keep=request.keep
    )
    return replace(result, verified=verified)


def template_dir() -> Path:
    """The template to render: $DEVTOOL_TEMPLATE (a customised copy) or the one devtool ships."""
    custom = os.environ.get(TEMPLATE_ENV)
    return Path(custom) if custom else render.TEMPLATE_DIR


def plan_new_module(
    ws: Workspace,
    module: str,
    function: str,
    signature: Signature,
    *,
    template_dir: Path = render.TEMPLATE_DIR,
) -> tuple[Plan, bool]:
    """The files to create and the edits to make, computed from the workspace as it is now.

    Returns the plan and whether it adds a function to an existing module.

    Raises:
        ConflictError: the module (when not adding a function) or the function exists already.
    """
    if not ws.has_module(module):
        files = render.render_module(module, function, signature, template_dir=template_dir)
        _refuse_existing_files(ws, files)
        record = ModuleRecord(
            module=module,
            template_version=render.template_version(template_dir),
            functions=(_function_record(function, signature, template_dir),),
            files=tuple(sorted(files)),
        )
        changes = [FileChange(PurePosixPath(p), None, text) for p, text in sorted(files.items())]
        changes += plan_register_module(ws, module, [function])
        changes.append(FileChange(record_path(module), None, record.to_json()))
        return Plan(tuple(changes)), False

    existing = read_record(ws, module)
    if existing is None:
        raise ConflictError(
            f"module {module!r} exists and was not generated by devtool (no {record_path(module)}); "
            "add functions to it by hand, or choose another module name"
        )
    if function in existing.function_names():
        raise ConflictError(f"module {module!r} already has a function {function!r}")
    rendered = render.render_function(module, function, signature, template_dir=template_dir)
    _refuse_existing_files(ws, rendered.created)
    changes = [FileChange(PurePosixPath(p), None, text) for p, text in sorted(rendered.created.items())]
    for path, fragment in sorted(rendered.appended.items()):
        before = (ws.root / path).read_text(encoding="utf-8")
        changes.append(FileChange(PurePosixPath(path), before, before + fragment))
    changes += plan_register_functions(ws, module, [function])
    record = existing.with_function(
        _function_record(function, signature, template_dir), tuple(rendered.created)
    )
    changes.append(FileChange(record_path(module), existing.to_json(), record.to_json()))
    return Plan(tuple(changes)), True


def _function_record(function: str, signature: Signature, template_dir: Path) -> FunctionRecord:
    return FunctionRecord(
        name=function, signature=str(signature), template_version=render.template_version(template_dir)
    )


def _refuse_existing_files(ws: Workspace, files: dict[str, str]) -> None:
    clashes = sorted(p for p in files if (ws.root / p).exists())
    if clashes:
        raise ConflictError(
            "these files exist already and would be overwritten: "
            + ", ".join(clashes)
            + " (remove them, or choose another name)"
        )
