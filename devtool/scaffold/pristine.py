"""A module's pristine render: what the template produced for it, kept in the engine as the base of updates.

`update-module` merges the template's change into a module three-way, and the base of that merge is
what the template wrote for the module when it was generated (or last updated). devtool keeps that
render next to the module's record, committed with it, so that neither an old template nor a copy of
one is needed (an installed devtool has only its current template):

    .devtool/modules/<module>/module/               the module's own files (mod.rs, the bridge, the
                                                    fallback, the stub, ...) with every function's part
    .devtool/modules/<module>/functions/<f>/files/  the files function <f> created
    .devtool/modules/<module>/functions/<f>/append/ its part of the module's files (what it appended)

Every path below those folders mirrors the engine, with `.base` added to the file name (as golden
files end in `.golden`) so that no build, test or lint tool takes the copies for code. The appended
parts are what `remove-module MODULE.FUNCTION` cuts out of the module's files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from ..changes.plan import FileChange, read_text
from ..changes.registration import ModuleFunction
from ..errors import DevtoolError, UsageError
from ..records import RECORDS_DIR, FunctionRecord, ModuleRecord
from ..workspace import DEFAULT_EDITION, Workspace
from . import render
from .signature import parse_signature

_MODULE, _FUNCTIONS, _FILES, _APPEND = "module", "functions", "files", "append"
#: Every stored file's name ends in this, as golden files end in `.golden`: so that rustc, pytest, ruff
#: and grep-based tools leave the copies of generated code alone.
SUFFIX = ".base"


@dataclass(frozen=True)
class FunctionPart:
    """What the template rendered for one function: its own files, and its part of the module's files."""

    created: dict[str, str]
    appended: dict[str, str]


@dataclass(frozen=True)
class Pristine:
    """Every file the template rendered for a module, by engine-relative path, and each function's part."""

    name: str
    module: dict[str, str]  # the module's own files, each function's part included
    functions: dict[str, FunctionPart] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, str]:
        """Every generated file exactly as the template rendered it."""
        files = dict(self.module)
        for part in self.functions.values():
            files |= part.created
        return files

    def with_function(self, function: str, rendered: render.RenderedFunction) -> Pristine:
        """The render after `new-module` added `function`: its files, its parts appended, its mod.rs lines."""
        module = dict(self.module)
        for path, fragment in rendered.appended.items():
            module[path] = module.get(path, "") + fragment
        mod_rs = _mod_rs(self.name)
        if mod_rs in module:
            module[mod_rs] = ModuleFunction(function).apply(module[mod_rs])
        part = FunctionPart(dict(rendered.created), dict(rendered.appended))
        return replace(self, module=module, functions={**self.functions, function: part})

    def without_function(self, function: str) -> Pristine:
        """The render after `remove-module MODULE.FUNCTION`: its files and parts cut out, its mod.rs lines."""
        part = self.functions[function]
        module = dict(self.module)
        for path, fragment in part.appended.items():
            if path in module:
                module[path] = module[path].replace(fragment, "", 1)
        mod_rs = _mod_rs(self.name)
        if mod_rs in module:
            module[mod_rs] = ModuleFunction(function).revert(module[mod_rs])
        others = {name: p for name, p in self.functions.items() if name != function}
        return replace(self, module=module, functions=others)

    def stored_files(self) -> dict[PurePosixPath, str]:
        """The files that keep this render, by workspace-relative path (under `base_dir`)."""
        root = base_dir(self.name)
        stored = {root / _MODULE / f"{path}{SUFFIX}": text for path, text in self.module.items()}
        for function, part in self.functions.items():
            folder = root / _FUNCTIONS / function
            stored |= {folder / _FILES / f"{path}{SUFFIX}": text for path, text in part.created.items()}
            stored |= {folder / _APPEND / f"{path}{SUFFIX}": text for path, text in part.appended.items()}
        return stored


class MissingBase(UsageError):
    """A module made at an older template version has no stored render: the merge has no base."""


def base_dir(module: str) -> PurePosixPath:
    """Where a module's pristine render is kept, relative to the workspace root (next to its record)."""
    return RECORDS_DIR / module


def render_pristine(
    record: ModuleRecord, template_for: Callable[[FunctionRecord], Path], edition: str = DEFAULT_EDITION
) -> Pristine:
    """The module rendered as `new-module` wrote it: its first function, then each added one, in order.

    `edition`: the engine's Rust edition (`Workspace.rust_edition`), which rustfmt formats for.

    Raises:
        UsageError, RenderError: as `render.render_module`.
    """
    first, *rest = record.functions
    template = template_for(first)
    part = _render_function(record.module, first, template, edition)
    files = render.render_module(
        record.module,
        first.name,
        parse_signature(first.signature),
        template_dir=template,
        source=first.source,
        translation=first.translation,
        not_served=first.not_served,
        edition=edition,
    )
    module = {path: text for path, text in files.items() if path not in part.created}
    pristine = Pristine(record.module, module, {first.name: FunctionPart(part.created, part.appended)})
    for function in rest:
        pristine = pristine.with_function(
            function.name, _render_function(record.module, function, template_for(function), edition)
        )
    return pristine


def read_pristine(ws: Workspace, record: ModuleRecord) -> Pristine | None:
    """The module's stored render, or None when none is stored.

    Raises:
        DevtoolError: what is stored does not hold the record's functions.
    """
    root = ws.root / base_dir(record.module)
    if not root.is_dir():
        return None
    functions_dir = root / _FUNCTIONS
    names = sorted(p.name for p in functions_dir.iterdir() if p.is_dir()) if functions_dir.is_dir() else []
    if names != sorted(record.function_names()):
        raise DevtoolError(
            f"{root}: the stored render holds the functions {', '.join(names) or 'none'}, but the record "
            f"{', '.join(record.function_names())}; restore {base_dir(record.module)}/ from version "
            "control, or delete it: `devtool update-module` then stores it again (add "
            "--base-from-current for a module behind the template)"
        )
    functions = {
        name: FunctionPart(
            _read_tree(functions_dir / name / _FILES), _read_tree(functions_dir / name / _APPEND)
        )
        for name in names
    }
    return Pristine(record.module, _read_tree(root / _MODULE), functions)


def base_of(ws: Workspace, record: ModuleRecord, template_dir: Path) -> Pristine | None:
    """The base of the module's next update: its stored render; for a module made before devtool kept
    renders, the render of `template_dir` when that is the version the module was made with; else None.

    Raises:
        DevtoolError: as `read_pristine`.
    """
    stored = read_pristine(ws, record)
    if stored is not None:
        return stored
    if template_versions(record) == {render.template_version(template_dir)}:
        return render_pristine(record, lambda _: template_dir, ws.rust_edition)
    return None


def missing_base(record: ModuleRecord) -> MissingBase:
    """The error for a module of an older template version whose render is not stored."""
    versions = ", ".join(sorted(template_versions(record)))
    return MissingBase(
        f"module {record.module!r} was generated with template {versions} and its render is not stored "
        f"(no {base_dir(record.module)}/: it was made by a devtool that did not keep renders), so the base "
        "of the three-way merge is unknown. Either run `devtool update-module "
        f"{record.module} --base-from-current`, which takes the current template's render as the base "
        "(your files stay exactly as they are, marked current; the template's changes since "
        f"{versions} are not merged: bring in by hand what you want of them), or remove the module and "
        "generate it again with `devtool new-module` (copy your kernels and fallbacks first)"
    )


def plan_store(ws: Workspace, module: str, pristine: Pristine | None) -> list[FileChange]:
    """The changes that make the module's stored render `pristine` (None: remove it)."""
    root = base_dir(module)
    wanted = pristine.stored_files() if pristine is not None else {}
    folder = ws.root / root
    present = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    before = {PurePosixPath(p.relative_to(ws.root).as_posix()): read_text(p) for p in present}
    changes = []
    for path in sorted(wanted.keys() | before.keys()):
        old, new = before.get(path), wanted.get(path)
        if old != new:
            changes.append(FileChange(path, old, new))
    return changes


def prune_empty_dirs(ws: Workspace, module: str) -> None:
    """Remove the folders of the module's stored render that a run left empty (deleting files leaves them)."""
    root = ws.root / base_dir(module)
    if not root.is_dir():
        return
    folders = sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
    for folder in folders:
        if not any(folder.iterdir()):
            folder.rmdir()
    if not any(root.iterdir()):
        root.rmdir()


def is_stored(path: PurePosixPath | str, modules: Iterable[str]) -> bool:
    """Whether `path` is part of the stored render of one of `modules`."""
    return any(PurePosixPath(path).is_relative_to(base_dir(m)) for m in modules)


def template_versions(record: ModuleRecord) -> set[str]:
    """Every template version the module's files were rendered with (the module's and its functions')."""
    return {record.template_version} | {f.template_version for f in record.functions}


def _render_function(
    module: str, function: FunctionRecord, template: Path, edition: str
) -> render.RenderedFunction:
    return render.render_function(
        module,
        function.name,
        parse_signature(function.signature),
        template_dir=template,
        source=function.source,
        translation=function.translation,
        not_served=function.not_served,
        edition=edition,
    )


def _mod_rs(module: str) -> str:
    return f"rust/src/{module}/mod.rs"


def _read_tree(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix().removesuffix(SUFFIX): read_text(p)
        for p in sorted(folder.rglob(f"*{SUFFIX}"))
        if p.is_file()
    }
