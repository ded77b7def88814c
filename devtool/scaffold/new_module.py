"""`devtool new-module`: plan a module (or one more function) in memory, apply it, verify it, or undo it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..changes.cargo_deps import CrateSpec
from ..changes.plan import FileChange, Plan
from ..changes.registration import register_functions, register_module
from ..changes.runs import changing_run, log_path_for
from ..changes.transaction import render_diff
from ..changes.tree import Tree
from ..errors import ConflictError, UsageError, VerifyError
from ..names import check_identifier, check_module_name
from ..records import FunctionRecord, ModuleRecord, read_record, record_path
from ..toolchain import check_toolchain
from ..verify import Progress, VerifyResult, verify_module
from ..workspace import Workspace
from . import render
from .crates import parse_crates, plan_add_crates
from .listing import build_release
from .model import PARITY_EXAMPLES
from .pristine import Pristine, base_dir, base_of, is_stored, plan_store, render_pristine
from .python_source import PythonFunction, check_bridge_supports_sources, read_python_function
from .signature import DEFAULT_FUNCTION, DEFAULT_SIGNATURE, Signature, parse_signature
from .translation import KernelOutcome, counterexample_of, translate_function


@dataclass(frozen=True)
class NewModuleRequest:
    """Everything `new-module` was asked to do; the CLI fills it from its options."""

    module: str
    function: str | None = None  # default: the --from function's name, else the guide's example
    signature: str | None = None  # default: read from the --from function's hints, else the example's
    source: str | None = None  # --from: FILE:FUNCTION or package.module:function
    source_base: Path = Path()  # the folder a relative FILE is relative to (the caller's working folder)
    release: bool = False
    verify: bool = True
    dry_run: bool = False
    keep: bool = False
    crates: tuple[str, ...] = ()  # --crate NAME[@VERSION]: added with `cargo add`, recorded as the module's
    translate: bool = True  # --no-translate: leave a --from function's kernel unwritten, as before


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
    source: str | None = None  # the Python function it was made from (`package.module:function`)
    diff: str | None = None
    verified: VerifyResult | None = None
    toolchain: dict[str, str] = field(default_factory=dict)
    recovered: tuple[str, ...] = ()  # what an interrupted run had left, put back before planning
    release: bool | None = None  # how it was built (None: not built); see `build_release`
    release_requested: bool = False  # --release; else the profile of the extension it replaced
    same_source: tuple[str, ...] = ()  # other "module.function"s made --from the same Python function
    stored: str | None = None  # the folder that keeps the template's render of the module (None: not kept)
    crates: tuple[str, ...] = ()  # the crates added for it (NAME[@VERSION] as given)
    # What became of the kernel: translated and verified, refused, disagreeing (see `KernelOutcome`).
    kernel: KernelOutcome = field(default_factory=lambda: KernelOutcome("placeholder"))

    @property
    def kernel_written(self) -> bool:
        """False for a kernel made `--from` a Python function that devtool did not translate, or whose
        translation disagreed with it (with --dry-run: a translation not yet verified counts as written)."""
        return self.source is None or self.kernel.state == "translated"


def new_module(ws: Workspace, request: NewModuleRequest, progress: Progress | None = None) -> NewModuleResult:
    """Check, plan, apply, build and test one new module or function; all of it or nothing.

    Raises:
        UsageError: an invalid name, signature or crate, or a --from function that does not import or
            whose hints do not map (nothing written).
        CrateError: `cargo add` refused a --crate (nothing written).
        ConflictError: the module or function exists, or another run holds the workspace.
        ToolchainError: cargo, rustc or maturin is missing.
        VerifyError: the build or the tests failed (everything rolled back unless `keep`). A translated
            kernel whose tests fail is not an error: it is rolled back and the module made again with
            the kernel unwritten (`result.kernel` says why); only when that fails too is this raised.
    """
    started = time.perf_counter()
    module = check_module_name(request.module, ws.extension_name)
    given = parse_signature(request.signature) if request.source and request.signature else None
    source = read_python_function(request.source, request.source_base, given) if request.source else None
    function = _function_name(request, source)
    signature = _signature(request, source)
    crates = parse_crates(request.crates)
    building = request.verify and not request.dry_run
    toolchain = check_toolchain() if building else {}
    reference = source.reference if source else None
    kernel = _kernel(ws, request, source, signature)
    if kernel.state == "translated" and not request.verify and not request.dry_run:
        kernel = replace(kernel, state="unverified")  # nothing is built: nothing is served

    def verify(log: Path) -> VerifyResult | None:
        if result.release is None:
            return None
        return verify_module(ws, module, release=result.release, log_path=log, progress=progress)

    def plan_for(kernel: KernelOutcome) -> tuple[Plan, bool]:
        return plan_new_module(
            ws,
            module,
            function,
            signature,
            template_dir=render.active_template(),
            source=reference,
            crates=crates,
            translation=kernel.rust,
            not_served=kernel.not_served,
        )

    with changing_run(ws) as run:
        plan, added = plan_for(kernel)
        result = NewModuleResult(
            module=module,
            function=function,
            signature=str(signature),
            added_to_existing=added,
            created=[str(p) for p in plan.paths("create") if not is_stored(p, [module])],
            edited=[str(p) for p in plan.paths("edit") if not is_stored(p, [module])],
            stored=str(base_dir(module)) if any(is_stored(c.path, [module]) for c in plan.changes) else None,
            plan_seconds=time.perf_counter() - started,
            dry_run=request.dry_run,
            source=reference,
            toolchain=toolchain,
            recovered=run.recovered,
            release=build_release(request.release, ws.extension_name) if building else None,
            release_requested=request.release,
            same_source=made_from(ws, reference) if reference else (),
            crates=tuple(str(c) for c in crates),
            kernel=kernel,
        )
        if request.dry_run:
            return replace(result, diff=render_diff(plan, ws.root))
        log_path = log_path_for(ws, f"new-module-{module}")
        if kernel.state != "translated":  # nothing to verify before it is served
            verified = run.apply_and_verify(plan, verify, log_path=log_path, keep=request.keep)
            return replace(result, verified=verified)
        try:
            # Never kept on failure (--keep): a disagreeing translation is replaced, not left in place.
            verified = run.apply_and_verify(plan, verify, log_path=log_path)
            return replace(result, verified=verified, kernel=replace(kernel, examples=PARITY_EXAMPLES))
        except VerifyError as err:
            kernel = replace(kernel, state="disagreed", counterexample=counterexample_of(err))
        plan, _ = plan_for(kernel)
        log_path = log_path_for(ws, f"new-module-{module}-unwritten")
        verified = run.apply_and_verify(plan, verify, log_path=log_path, keep=request.keep)
        return replace(result, verified=verified, kernel=kernel)


def _kernel(
    ws: Workspace, request: NewModuleRequest, source: PythonFunction | None, signature: Signature
) -> KernelOutcome:
    """The kernel to plan: the template's placeholder, the unwritten one, or devtool's translation."""
    if source is None:
        return KernelOutcome("placeholder")
    if not request.translate:
        return KernelOutcome("not-asked")
    return translate_function(ws, source, signature)


def made_from(ws: Workspace, source: str) -> tuple[str, ...]:
    """The "module.function"s of the workspace already made `--from` the Python function `source`.

    Made again under another name, it is a second kernel to write and to keep in step: worth a warning,
    not a refusal (a variant, or a rename before removing the old one, are fine reasons).
    """
    return tuple(
        f"{module}.{f.name}"
        for module in ws.module_names()
        if (record := read_record(ws, module)) is not None
        for f in record.functions
        if f.source == source
    )


def _function_name(request: NewModuleRequest, source: PythonFunction | None) -> str:
    if request.function is not None or source is None:
        name = DEFAULT_FUNCTION if request.function is None else request.function
        return check_identifier(name, "function name")
    try:
        return check_identifier(source.name, "function name")
    except UsageError as err:
        raise UsageError(f"{err}: name the Rust function with --function NAME") from err


def _signature(request: NewModuleRequest, source: PythonFunction | None) -> Signature:
    """--signature, or the one read from the --from function's hints (the two must agree)."""
    if source is None:
        signature = parse_signature(request.signature or DEFAULT_SIGNATURE)
        frame = next((a for a in signature.args if a.is_frame), None)
        if frame is not None:
            raise UsageError(
                f"--signature: {frame} is a pandas DataFrame, which a module takes only --from the Python "
                f"function that reads it (new-module --from FILE:FUNCTION); without one, take the columns "
                f"as arrays: {', '.join(f'{c}: f64[]' for c in frame.columns)}"
            )
        return signature
    # Defaults come from the function (python_hints checks those --signature repeats): compare the types.
    given = parse_signature(request.signature) if request.signature is not None else None
    if given is not None and given.without_defaults() != source.signature.without_defaults():
        raise UsageError(
            f"--signature {request.signature!r} does not match the type hints of {request.source}, "
            f"which read {str(source.signature)!r}: drop --signature (the hints are enough), or "
            'change the hints (Annotated[int, "usize"] for an integer that cannot be negative)'
        )
    return source.signature


def plan_new_module(
    ws: Workspace,
    module: str,
    function: str,
    signature: Signature,
    *,
    template_dir: Path = render.TEMPLATE_DIR,
    source: str | None = None,
    crates: Sequence[CrateSpec] = (),
    translation: str | None = None,
    not_served: str | None = None,
) -> tuple[Plan, bool]:
    """The files to create and the edits to make, computed from the workspace as it is now.

    `source` (`package.module:function`) makes that Python function the fallback and the reference,
    and leaves the Rust kernel unwritten, unless `translation` is the kernel devtool translated it
    into (written and served; or, with the reason it is `not_served`, kept in a comment); `crates` are
    added to Cargo.toml with `cargo add` and recorded as the module's. Returns the plan and whether it
    adds a function to an existing module.

    Raises:
        ConflictError: the module (when not adding a function) or the function exists already.
        UsageError: `source` is given but the engine's bridge lacks what serves it.
        CrateError: `cargo add` refused a crate.
    """
    if source is not None:
        check_bridge_supports_sources(ws.bridge_dir)
    made = render.Kernel(source, translation if source else None, not_served if translation else None)
    tree = Tree(ws.root)
    if not ws.has_module(module):
        record = ModuleRecord(
            module=module,
            template_version=render.template_version(template_dir),
            functions=(_function_record(function, signature, template_dir, made),),
        )
        pristine = render_pristine(record, lambda _: template_dir, ws.rust_edition, ws.extension_name)
        files = pristine.files
        _refuse_existing_files(ws, files)
        for path, text in sorted(files.items()):
            tree.create(path, text)
        register_module(tree, ws, module, [function])
        record = plan_add_crates(tree, ws, replace(record, files=tuple(sorted(files))), list(crates))
        tree.create(record_path(module), record.to_json())
        for change in plan_store(ws, module, pristine):
            tree.stage(change)
        return tree.plan(), False

    existing = read_record(ws, module)
    if existing is None:
        raise ConflictError(
            f"module {module!r} exists and was not generated by devtool (no {record_path(module)}); "
            "add functions to it by hand, or choose another module name"
        )
    if function in existing.function_names():
        raise ConflictError(f"module {module!r} already has a function {function!r}")
    rendered = render.render_function(
        module,
        function,
        signature,
        template_dir=template_dir,
        source=source,
        translation=made.translation,
        not_served=made.not_served,
        edition=ws.rust_edition,
        extension=ws.extension_name,
    )
    _refuse_existing_files(ws, rendered.created)
    for path, text in sorted(rendered.created.items()):
        tree.create(path, text)
    for path, fragment in sorted(rendered.appended.items()):
        current = tree.read(path)
        if current is None:
            raise ConflictError(f"{path} is missing: module {module!r} is not as devtool generated it")
        tree.write(path, current + fragment)
    register_functions(tree, ws, module, [function])
    record = existing.with_function(
        _function_record(function, signature, template_dir, made), tuple(rendered.created)
    )
    record = plan_add_crates(tree, ws, record, list(crates))
    tree.write(record_path(module), record.to_json())
    for change in _plan_store_added(ws, existing, function, rendered, template_dir):
        tree.stage(change)
    return tree.plan(), True


def _plan_store_added(
    ws: Workspace,
    existing: ModuleRecord,
    function: str,
    rendered: render.RenderedFunction,
    template_dir: Path,
) -> list[FileChange]:
    """The stored render with the function added; none for a module of an older template whose render
    is not stored (its base stays unknown: `update-module` says what to do)."""
    base: Pristine | None = base_of(ws, existing, template_dir)
    if base is None:
        return []
    return plan_store(ws, existing.module, base.with_function(function, rendered))


def _function_record(
    function: str, signature: Signature, template_dir: Path, made: render.Kernel
) -> FunctionRecord:
    return FunctionRecord(
        name=function,
        signature=str(signature),
        template_version=render.template_version(template_dir),
        source=made.source,
        translation=made.translation,
        not_served=made.not_served,
    )


def _refuse_existing_files(ws: Workspace, files: dict[str, str]) -> None:
    clashes = sorted(p for p in files if (ws.root / p).exists())
    if clashes:
        raise ConflictError(
            "these files exist already and would be overwritten: "
            + ", ".join(clashes)
            + " (remove them, or choose another name)"
        )
