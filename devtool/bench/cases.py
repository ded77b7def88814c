"""Find what `devtool bench` times: the BENCH_CASES of the engine's benchmark files.

Each benchmark file defines, at module level,

    BENCH_CASES: dict[str, Callable[[int], dict[str, Any]]]

mapping "module.function" to a function that returns the keyword arguments of size n for
`rust_bridge.<function>(**kwargs, backend=...)`. The files are loaded by path (they are pytest files
in a folder that is not a package), so the same data feeds pytest-benchmark and devtool bench.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import DevtoolError, UsageError
from ..workspace import Workspace

Inputs = Callable[[int], dict[str, Any]]
Call = Callable[[], Any]

_NAME = re.compile(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class BenchCase:
    """One function to benchmark, as a benchmark file declares it."""

    name: str  # "module.function"
    inputs: Inputs
    source: Path  # the benchmark file

    @property
    def module(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def function(self) -> str:
        return self.name.split(".", 1)[1]


@dataclass(frozen=True)
class Runnable:
    """A case with both implementations found: `call(kwargs, backend)` runs it through rust_bridge."""

    case: BenchCase
    entry: Callable[..., Any]  # rust_bridge.<function>

    def bind(self, kwargs: dict[str, Any], backend: str) -> Call:
        entry = self.entry
        return lambda: entry(**kwargs, backend=backend)


@dataclass(frozen=True)
class Skipped:
    """A case that cannot be benchmarked here, and why."""

    name: str
    reason: str


def benchmark_files(ws: Workspace) -> list[Path]:
    """The benchmark files of the workspace: `benchmarks/test_*.py` (pytest's own naming), sorted."""
    if not ws.benchmarks_dir.is_dir():
        return []
    return sorted(ws.benchmarks_dir.glob("test_*.py"))


def discover_cases(ws: Workspace) -> list[BenchCase]:
    """Every case of every benchmark file, sorted by name; files without BENCH_CASES are passed over.

    Raises:
        DevtoolError: a file does not load, its BENCH_CASES is malformed, or two files declare one name.
    """
    found: dict[str, BenchCase] = {}
    for path in benchmark_files(ws):
        for case in _cases_of(path, load_bench_file(path)):
            if case.name in found:
                raise DevtoolError(
                    f"{case.name!r} is in the BENCH_CASES of both {found[case.name].source} and {path}"
                )
            found[case.name] = case
    return [found[name] for name in sorted(found)]


def load_bench_file(path: Path) -> ModuleType:
    """Execute a benchmark file as a module of its own, with its folder on sys.path (as pytest has it).

    Raises:
        DevtoolError: the file raised while loading; the cause is chained.
    """
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    name = f"_devtool_bench_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DevtoolError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up there
    folder = str(path.parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        sys.modules.pop(name, None)
        raise DevtoolError(f"{path} does not load: {type(err).__name__}: {err}") from err
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return module


def _cases_of(path: Path, module: ModuleType) -> list[BenchCase]:
    table = getattr(module, "BENCH_CASES", None)
    if table is None:
        return []
    if not isinstance(table, dict):
        raise DevtoolError(f"{path}: BENCH_CASES must be a dict, got {type(table).__name__}")
    cases = []
    for name, inputs in table.items():
        if not (isinstance(name, str) and _NAME.fullmatch(name)):
            raise DevtoolError(f'{path}: BENCH_CASES key {name!r} is not "module.function"')
        if not callable(inputs):
            raise DevtoolError(f"{path}: BENCH_CASES[{name!r}] must be a function of the size n")
        cases.append(BenchCase(name=name, inputs=inputs, source=path))
    return cases


def select_cases(
    cases: Sequence[BenchCase], names: Sequence[str], functions: Sequence[str] = ()
) -> list[BenchCase]:
    """The cases `names` ask for ("module" or "module.function"; none: all), in the order found.

    `functions` are the workspace's "module.function"s: a name among them is known even without a case
    (it is reported as skipped, see `uncovered`).

    Raises:
        UsageError: a name matches no case and no function; the message lists the known ones.
    """
    if not names:
        return list(cases)
    unknown = [
        n
        for n in names
        if not any(_matches(c, n) for c in cases) and not any(_selects(n, f) for f in functions)
    ]
    if unknown:
        known = ", ".join(c.name for c in cases) or "none (no benchmark file defines BENCH_CASES)"
        raise UsageError(f"unknown benchmark {', '.join(map(repr, unknown))}; known: {known}")
    return [c for c in cases if any(_matches(c, n) for n in names)]


def _matches(case: BenchCase, name: str) -> bool:
    return _selects(name, case.name)


def _selects(name: str, function: str) -> bool:
    """Whether `name` ("module" or "module.function") selects `function` ("module.function")."""
    return name in (function, function.split(".", 1)[0])


def resolve(case: BenchCase, bridge: ModuleType, native: ModuleType | None) -> Runnable | Skipped:
    """The case ready to run, or why it cannot be: both a compiled implementation and a fallback needed."""
    entry = getattr(bridge, case.function, None)
    if not callable(entry):
        return Skipped(case.name, f"rust_bridge has no function {case.function!r}")
    compiled = getattr(native, case.module, None) if native is not None else None
    if not hasattr(compiled, case.function):
        why = "the compiled engine is not loaded" if native is None else "not in the compiled engine"
        return Skipped(case.name, f"no Rust implementation ({why}; rebuild it)")
    try:
        fallback = importlib.import_module(f"{bridge.__name__}._fallback.{case.module}")
    except ImportError:
        return Skipped(case.name, f"no fallback module rust_bridge._fallback.{case.module}")
    if not hasattr(fallback, case.function):
        return Skipped(case.name, f"rust_bridge._fallback.{case.module} has no {case.function!r}")
    if getattr(compiled, written_flag(case.function), True) is False:
        return Skipped(
            case.name,
            "kernel not written (made with new-module --from): write it, set "
            f"`pub const WRITTEN: bool = true;` in rust/src/{case.module}/{case.function}.rs and rebuild",
        )
    return Runnable(case=case, entry=entry)


def written_flag(function: str) -> str:
    """The compiled submodule's flag: is `function`'s kernel written? (new-module --from leaves it False)"""
    return f"_{function}_written"


def uncovered(cases: Sequence[BenchCase], functions: Sequence[str], names: Sequence[str]) -> list[Skipped]:
    """The workspace's "module.function"s that `names` select (none: all) but no BENCH_CASES entry has."""
    covered = {c.name for c in cases}
    selected = [f for f in functions if not names or any(_selects(n, f) for n in names)]
    return [
        Skipped(f, "no BENCH_CASES entry in benchmarks/test_*.py (add one to time it)")
        for f in selected
        if f not in covered
    ]
