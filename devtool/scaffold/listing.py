"""`devtool list`: the modules and functions of the workspace, and what each has (Rust, fallback, tests)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..changes.cargo_deps import dependencies
from ..records import ModuleRecord, read_record
from ..workspace import Workspace
from . import render
from .consistency import interrupted_run_warnings, module_warnings, orphan_warnings

# Run in a child interpreter: importing the extension here would pin whatever build was loaded first.
# The benchmark files are loaded there too (they import rust_bridge), to read their BENCH_CASES.
_PROBE = """
import json, sys
from pathlib import Path
out = {"importable": False, "error": None, "file": None, "build_profile": None, "modules": {}, "written": {},
       "bench_cases": None, "bench_error": None}
root, manifest, *names = sys.argv[1:]
if root:
    from devtool.bench.cases import discover_cases
    from devtool.errors import DevtoolError
    from devtool.workspace import Workspace
    try:
        out["bench_cases"] = [c.name for c in discover_cases(Workspace(Path(root), manifest))]
    except DevtoolError as err:
        out["bench_error"] = str(err)
try:
    import crypto_trading_engine as engine
except Exception as err:
    out["error"] = f"{type(err).__name__}: {err}"
else:
    out["importable"] = True
    out["file"] = getattr(engine.crypto_trading_engine, "__file__", None)
    out["build_profile"] = str(getattr(engine, "__build_profile__", "unknown"))
    for name in names:
        sub = getattr(engine, name, None)
        out["modules"][name] = sorted(n for n in dir(sub) if not n.startswith("_")) if sub else None
        flags = [n for n in dir(sub) if n.startswith("_") and n.endswith("_written")] if sub else []
        out["written"][name] = {n[1:-len("_written")]: bool(getattr(sub, n)) for n in flags}
print(json.dumps(out))
"""


#: The flag a kernel made `new-module --from` carries in its .rs file until the developer writes it.
_WRITTEN_FLAG = re.compile(r"^pub const WRITTEN: bool = (true|false);", re.MULTILINE)


@dataclass(frozen=True)
class FunctionStatus:
    name: str
    signature: str | None
    compiled: bool
    fallback: bool
    tests: bool
    benchmark: bool  # a BENCH_CASES entry "module.function": what `devtool bench` times
    source: str | None = None  # the Python function it was made from (`new-module --from`)
    kernel_written: bool | None = None  # WRITTEN in its .rs file; None for a kernel without the flag
    kernel_written_built: bool | None = None  # the same flag in the built extension, if it has it
    # "served": the kernel is devtool's translation, verified; "not served": a translation kept in a
    # comment (it disagreed, or was not verified); None: not translated (from the record).
    translation: str | None = None

    @property
    def kernel(self) -> str:
        """`written`, `UNWRITTEN`, `rebuild` (written, but the build predates it) or `-` (no flag)."""
        if self.kernel_written is None:
            return "-"
        if not self.kernel_written:
            return "UNWRITTEN"
        return "rebuild" if self.kernel_written_built is False else "written"


@dataclass(frozen=True)
class ModuleStatus:
    name: str
    generated: bool
    template_version: str | None
    behind: bool  # generated from an older template: `devtool update-module` brings it up
    needs_attention: bool  # conflict markers from an update are waiting to be resolved
    compiled: bool
    functions: tuple[FunctionStatus, ...]
    crates: dict[str, str] = field(default_factory=dict)  # the crates it needs -> Cargo.toml's requirement


@dataclass(frozen=True)
class WorkspaceStatus:
    root: Path
    extension_importable: bool
    extension_file: str | None
    extension_error: str | None
    modules: tuple[ModuleStatus, ...]
    warnings: tuple[str, ...] = ()  # an interrupted run, a half-made module: what to look at first

    @property
    def built_here(self) -> bool:
        """Whether the importable extension is this workspace's build, not one installed from elsewhere."""
        return self.extension_file is not None and Path(self.extension_file).is_relative_to(self.root)


@dataclass(frozen=True)
class _Probe:
    importable: bool
    file: str | None
    error: str | None
    build_profile: str | None = None  # "release", "debug", "unknown" (an old build); None: not importable
    modules: dict[str, list[str] | None] = field(default_factory=dict)
    written: dict[str, dict[str, bool]] = field(default_factory=dict)
    bench_cases: list[str] | None = None
    bench_error: str | None = None


def list_workspace(ws: Workspace) -> WorkspaceStatus:
    """The status of every module, probing the compiled extension in a child interpreter."""
    names = ws.module_names()
    probe = _probe_extension(names, ws)
    cases = set(probe.bench_cases or ())
    modules = tuple(
        _module_status(ws, n, probe.modules.get(n), probe.written.get(n, {}), cases) for n in names
    )
    warnings = interrupted_run_warnings(ws)
    warnings += [w for m in modules for w in module_warnings(ws, m.name, [f.name for f in m.functions])]
    warnings += orphan_warnings(ws, names)
    if probe.bench_error is not None:
        warnings.append(f"the benchmark files do not load, so none shows as benchmarked: {probe.bench_error}")
    return WorkspaceStatus(
        root=ws.root,
        extension_importable=probe.importable,
        extension_file=probe.file,
        extension_error=probe.error,
        modules=modules,
        warnings=tuple(warnings),
    )


def installed_build_profile() -> str | None:
    """How the extension this Python imports was built ("release", "debug", "unknown"), None if none is.

    Probed in a child interpreter, as `devtool bench` reads it in its own (`__build_profile__`).
    """
    return _probe_extension([], None).build_profile


def build_release(requested: bool) -> bool:
    """Whether to build optimised: when asked, or when the extension the build replaces is a release build.

    A debug rebuild over a release build would make the next `devtool bench` refuse it.
    """
    return requested or installed_build_profile() == "release"


def workspace_functions(ws: Workspace) -> list[str]:
    """Every "module.function" of the workspace, in lib.rs order."""
    return [f"{m}.{f}" for m in ws.module_names() for f in module_functions(ws, m)]


def module_functions(ws: Workspace, module: str) -> list[str]:
    """A module's functions: its record's, or for a hand-written module its bridge file's public ones."""
    record = read_record(ws, module)
    if record is not None:
        return record.function_names()
    return _public_functions(ws.bridge_dir / f"{module}_py.py")


def _probe_extension(modules: list[str], ws: Workspace | None) -> _Probe:
    where = [str(ws.root), ws.manifest] if ws is not None else ["", ""]
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *where, *modules],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        return _Probe(importable=False, file=None, error=proc.stderr.strip()[-500:])
    # A benchmark file may print while it loads: the probe's JSON is the last line.
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return _Probe(**data)


def _module_status(
    ws: Workspace,
    name: str,
    compiled_names: list[str] | None,
    built_flags: dict[str, bool],
    bench_cases: set[str],
) -> ModuleStatus:
    record = read_record(ws, name)
    signatures = {f.name: f.signature for f in record.functions} if record else {}
    sources = {f.name: f.source for f in record.functions} if record else {}
    translations = {
        f.name: "served" if f.served_translation else "not served"
        for f in (record.functions if record else ())
        if f.translation is not None
    }
    functions = module_functions(ws, name)
    fallback = set(_public_functions(ws.fallback_dir / f"{name}.py"))
    tests_text = _texts(ws.tests_dir / f"{name}_tests", "test_*.py")
    return ModuleStatus(
        name=name,
        generated=record is not None,
        template_version=record.template_version if record else None,
        behind=record is not None
        and record.template_version != render.template_version(render.active_template()),
        needs_attention=record is not None and record.needs_attention,
        compiled=compiled_names is not None,
        crates=crate_requirements(ws, record) if record is not None and record.crates else {},
        functions=tuple(
            FunctionStatus(
                name=f,
                signature=signatures.get(f),
                compiled=compiled_names is not None and f in compiled_names,
                fallback=f in fallback,
                tests=_mentions(tests_text, f),
                benchmark=f"{name}.{f}" in bench_cases,
                source=sources.get(f),
                kernel_written=_written_flag(ws.module_dir(name) / f"{f}.rs"),
                kernel_written_built=built_flags.get(f),
                translation=translations.get(f),
            )
            for f in functions
        ),
    )


def crate_requirements(ws: Workspace, record: ModuleRecord) -> dict[str, str]:
    """The module's crates with the requirement Cargo.toml holds for each ("missing" if it has none)."""
    declared = dependencies(ws.cargo_toml.read_text(encoding="utf-8"))
    return {name: declared.get(name, "missing from Cargo.toml") for name in record.crate_names()}


def _written_flag(kernel: Path) -> bool | None:
    """WRITTEN in a kernel's .rs file, or None for a kernel that has no such flag."""
    if not kernel.is_file():
        return None
    match = _WRITTEN_FLAG.search(kernel.read_text(encoding="utf-8"))
    return None if match is None else match.group(1) == "true"


def _public_functions(path: Path) -> list[str]:
    if not path.exists():
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


def _texts(folder: Path, pattern: str) -> str:
    if not folder.is_dir():
        return ""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob(pattern)))


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", text) is not None
