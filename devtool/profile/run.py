"""`devtool profile`: run a target under a profiler, find the hot functions, rank the Rust candidates.

request -> check the target imports -> measure (cProfile, or py-spy with a fallback)
        -> save the raw profile -> table of the top functions -> candidates -> flame graph
"""

from __future__ import annotations

import cProfile
import importlib
import pstats
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from ..errors import DevtoolError, UsageError, WorkspaceNotFound
from ..workspace import find_workspace
from .classify import Candidate, rank_candidates, suggest_command
from .commands import command_problem
from .errors import TargetNotFound
from .flamegraph import stacks_from_graph, write_flamegraph
from .graph import (
    CallGraph,
    FuncKey,
    Origin,
    Stacks,
    display_location,
    display_name,
    format_folded,
    graph_from_pstats,
    graph_from_stacks,
)
from .observe import Observed, observe
from .sampler import SamplerRefused, sample
from .source import read_facts
from .target import Target, TargetFailure, prepare, run

Sampler = Literal["cprofile", "py-spy"]
SortKey = Literal["cumulative", "own"]
ProfileFormat = Literal["pstats", "folded"]
_SHOWN: frozenset[Origin] = frozenset({"user", "engine"})


@dataclass(frozen=True)
class ProfileRequest:
    """Everything `devtool profile` was asked to do, as one value."""

    target: Target
    cwd: Path
    sampler: Sampler = "cprofile"
    native: bool = False
    rate: int = 200
    top: int = 20
    sort: SortKey = "cumulative"
    show_all: bool = False
    output: Path | None = None
    flamegraph: Path | None = None
    py_spy: str = "py-spy"


@dataclass(frozen=True)
class FunctionRow:
    """One line of the table of top functions."""

    function: str
    qualname: str
    file: str  # as typed from the working directory, or "built-in"
    line: int
    origin: Origin
    calls: int | None  # None under py-spy (it samples, it does not count)
    primitive_calls: int | None
    own_s: float
    cumulative_s: float
    own_percent: float
    cumulative_percent: float


@dataclass(frozen=True)
class ProfileReport:
    """The outcome of one `devtool profile` run; `failure` is set when the target did not succeed."""

    target: Target
    sampler: Sampler
    requested_sampler: Sampler
    fallback_reason: str | None
    native: bool
    total_s: float
    wall_s: float
    samples: int | None
    sort: SortKey
    show_all: bool
    functions: tuple[FunctionRow, ...]
    hidden: int  # functions left out of the table (standard library, site-packages, built-ins)
    candidates: tuple[Candidate, ...]
    profile_path: Path
    profile_format: ProfileFormat
    flamegraph_path: Path | None
    failure: TargetFailure | None
    target_output: str | None  # what the target printed (py-spy runs; in-process runs print directly)

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class _Measured:
    graph: CallGraph
    stacks: Stacks | None
    failure: TargetFailure | None
    wall_s: float
    samples: int | None
    output: str | None


def profile(request: ProfileRequest) -> ProfileReport:
    """Profile the target and judge its functions; a failing target still gives a report.

    Raises:
        UsageError: options that do not go together (--native without py-spy).
        TargetImportError, TargetSetupError: the target could not be started (nothing was profiled).
        DevtoolError: the profile or the flame graph could not be written.
    """
    if request.native and request.sampler != "py-spy":
        raise UsageError("--native needs --sampler py-spy (cProfile sees Python functions only)")
    if request.flamegraph is not None and request.flamegraph.suffix.lower() not in (".html", ".htm"):
        raise UsageError(
            f"--flamegraph {request.flamegraph}: the flame graph is a self-contained HTML page, name it .html"
        )
    fallback: str | None = None
    measured: _Measured | None = None
    if request.sampler == "py-spy":
        prepare_check(request)
        try:
            measured = _measure_py_spy(request)
        except SamplerRefused as refused:
            fallback = f"{refused.reason}; profiled with cProfile instead"
    sampler: Sampler = "py-spy" if measured is not None else "cprofile"
    output = request.output or default_output(request.cwd, request.target, sampler)
    if measured is None:
        measured = _measure_cprofile(request, output)
    else:
        _write_text(output, format_folded(measured.stacks or {}, seconds_per_sample=1.0 / request.rate))
    _refuse_unknown_test(request.target, measured.failure)
    return _report(request, measured, sampler, fallback, output)


def _refuse_unknown_test(target: Target, failure: TargetFailure | None) -> None:
    """Raises TargetNotFound when pytest ran nothing because the node id (or an option) is wrong.

    pytest says so with its exit code 4 (usage error, "not found"); that is the user's input, not a
    failure of the target.
    """
    if target.kind == "pytest" and failure is not None and (failure.kind, failure.exit_code) == ("pytest", 4):
        raise TargetNotFound(
            f"pytest found no test {target.spec} (or did not accept its options): nothing was profiled"
        )


def prepare_check(request: ProfileRequest) -> None:
    """Fail early, here, on a module or function that does not import (py-spy runs the target elsewhere)."""
    if request.target.kind == "call":
        setup_free = Target(
            "call", request.target.spec, module=request.target.module, function=request.target.function
        )
        prepare(setup_free, request.cwd)
    elif request.target.kind != "script":
        prepare(request.target, request.cwd)


def default_output(cwd: Path, target: Target, sampler: Sampler) -> Path:
    """`.devtool/profiles/<target>.prof` (pstats) or `.folded` (py-spy) under the working directory."""
    suffix = ".folded" if sampler == "py-spy" else ".prof"
    return cwd / ".devtool" / "profiles" / f"{target.label}{suffix}"


def _measure_cprofile(request: ProfileRequest, output: Path) -> _Measured:
    invocation = prepare(request.target, request.cwd)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    failure = run(invocation, profiler.runcall)
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        stats.dump_stats(output)
    except OSError as err:
        raise DevtoolError(f"cannot write the profile to {output}: {err}") from err
    return _Measured(graph_from_pstats(stats, engine_extension(request.cwd)), None, failure, wall, None, None)


def _measure_py_spy(request: ProfileRequest) -> _Measured:
    run_ = sample(
        request.target, cwd=request.cwd, py_spy=request.py_spy, rate=request.rate, native=request.native
    )
    graph = graph_from_stacks(run_.stacks, engine_extension(request.cwd))
    return _Measured(graph, run_.stacks, run_.failure, run_.wall_s, run_.samples, run_.output)


def _write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise DevtoolError(f"cannot write the profile to {path}: {err}") from err


def _report(
    request: ProfileRequest, measured: _Measured, sampler: Sampler, fallback: str | None, output: Path
) -> ProfileReport:
    graph = measured.graph
    rows, hidden = _rows(graph, request)
    ranked = rank_candidates(graph, cwd=request.cwd, engine_exports=engine_exports(), limit=request.top)
    candidates = _with_checked_commands(ranked, request)
    flamegraph = None
    if request.flamegraph is not None:
        stacks = measured.stacks if measured.stacks is not None else stacks_from_graph(graph)
        title = f"devtool profile {request.target.spec} ({sampler}, {graph.total_s:.3f} s)"
        flamegraph = write_flamegraph(
            stacks, request.flamegraph, title=title, cwd=request.cwd, extension=graph.extension
        )
    return ProfileReport(
        target=request.target,
        sampler=sampler,
        requested_sampler=request.sampler,
        fallback_reason=fallback,
        native=request.native and sampler == "py-spy",
        total_s=graph.total_s,
        wall_s=measured.wall_s,
        samples=measured.samples,
        sort=request.sort,
        show_all=request.show_all,
        functions=tuple(rows),
        hidden=hidden,
        candidates=tuple(candidates),
        profile_path=output,
        profile_format="folded" if sampler == "py-spy" else "pstats",
        flamegraph_path=flamegraph,
        failure=measured.failure,
        target_output=measured.output,
    )


def _with_checked_commands(candidates: list[Candidate], request: ProfileRequest) -> list[Candidate]:
    """Each printed `new-module --from` command checked; a function without hints typed from a second run."""
    problems = {
        c.qualname: command_problem(f"{c.file}:{c.qualname}", request.cwd)
        for c in candidates
        if c.suggested_command is not None
    }
    unhinted = [c for c in candidates if _lacks_hints(problems.get(c.qualname))]
    keys = [_key_of(c, request.cwd) for c in unhinted]
    seen = observe(request.target, request.cwd, keys) if keys else {}
    checked = []
    for c in candidates:
        problem = problems.get(c.qualname)
        observed = seen.get(_key_of(c, request.cwd))
        if observed is not None:
            c, problem = _typed_from_run(c, observed, problem, request.cwd)
        checked.append(replace(c, command_problem=problem))
    return checked


def _lacks_hints(problem: str | None) -> bool:
    """Refused for what the run's types can give: a hint, or the columns of a DataFrame parameter."""
    reasons = ("has no type hint", "has no return hint", "cannot tell which of its columns", "say its dtype")
    return problem is not None and any(reason in problem for reason in reasons)


def _key_of(candidate: Candidate, cwd: Path) -> FuncKey:
    file = Path(candidate.file) if Path(candidate.file).is_absolute() else cwd / candidate.file
    return FuncKey(str(file), candidate.line, candidate.function)


def _typed_from_run(
    candidate: Candidate, observed: Observed, problem: str | None, cwd: Path
) -> tuple[Candidate, str | None]:
    """The command with the `--signature` the run's types give, or the hints to write to get one."""
    types = (*observed.parameters, ("return", observed.result))
    candidate = replace(candidate, observed_types=types)
    saw = ", ".join(f"{name}: {kind}" for name, kind in observed.parameters) + f" -> {observed.result}"
    spec = f"{candidate.file}:{candidate.qualname}"
    if observed.hints is not None:
        params, _, result = observed.hints.partition(" -> ")
        hints = f"def {candidate.function}({params}) -> {result}"
        why = "a Series comes back as a Series only when the hints say pd.Series"
        return candidate, f"{spec} lacks type hints; the run saw {saw}: write them as hints ({why}): {hints}"
    if observed.signature is None:
        return candidate, f"{problem}; the run saw {saw}, which no signature maps"
    command = suggest_command(candidate.file, candidate.qualname, observed.signature)
    return replace(candidate, suggested_command=command), command_problem(spec, cwd, observed.signature)


def _rows(graph: CallGraph, request: ProfileRequest) -> tuple[list[FunctionRow], int]:
    keys = [k for k in graph.nodes if request.show_all or graph.origin(k) in _SHOWN]
    hidden = len(graph.nodes) - len(keys)

    def metric(key: FuncKey) -> float:
        node = graph.nodes[key]
        return node.own_s if request.sort == "own" else node.cumulative_s

    keys.sort(key=metric, reverse=True)
    return [_row(graph, k, request.cwd) for k in keys[: request.top]], hidden


def _row(graph: CallGraph, key: FuncKey, cwd: Path) -> FunctionRow:
    node, total = graph.nodes[key], graph.total_s or 1e-12
    facts = read_facts(key.file, key.line, key.name) if key.file.endswith(".py") else None
    location = display_location(key, cwd)
    return FunctionRow(
        function=display_name(key),
        qualname=facts.qualname if facts else display_name(key),
        file=location.rsplit(":", 1)[0] if key.line else location,
        line=key.line,
        origin=graph.origin(key),
        calls=node.calls,
        primitive_calls=node.primitive_calls,
        own_s=node.own_s,
        cumulative_s=node.cumulative_s,
        own_percent=100 * node.own_s / total,
        cumulative_percent=100 * node.cumulative_s / total,
    )


def engine_extension(cwd: Path) -> str | None:
    """The extension module of the engine whose workspace `cwd` is in (or configures), None outside one."""
    try:
        return find_workspace(cwd).extension_name
    except WorkspaceNotFound:
        return None


def engine_exports() -> frozenset[str]:
    """The functions rust_bridge serves (empty when the engine is not installed)."""
    try:
        bridge = importlib.import_module("rust_bridge")
    except ImportError:
        return frozenset()
    names = getattr(bridge, "__all__", [])
    return frozenset(n for n in names if n == n.lower() and callable(getattr(bridge, n, None)))
