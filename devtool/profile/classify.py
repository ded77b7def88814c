"""Which hot functions are worth moving to Rust, and why (or why not) for each.

A function's time is split into four kinds by walking the call graph below it: Python it runs
itself (its own time, and builtins such as `len` or `list.append` it calls from its loops), waiting
(sleep, I/O, locks), native code (numpy and other compiled libraries) and the Rust engine. Callees
that are the user's own functions are left out: they are judged on their own. Where cProfile only
knows a callee's total, its time is shared out between callers in proportion to their edge times.

Native means compiled: a library's Python called element by element from the user's loop (`close[i]`,
`.iloc[i]`, `iterrows`, `apply` with a lambda) is the loop's own Python work (`elementwise` says which
calls are); a call into the library that works on the whole array stays native.
"""

from __future__ import annotations

import re
import shlex
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from .elementwise import callback as callback_of
from .elementwise import element_action, is_per_element, library_qualname
from .graph import BRIDGE_PACKAGE, CallGraph, FuncKey, display_name, relative_file
from .source import SourceFacts, call_lines, read_facts

Verdict = Literal["candidate", "too_cheap", "waiting", "native", "vectorized", "engine"]
Category = Literal["python", "waiting", "native", "engine"]
Contribution = dict[tuple[Category, str], float]  # (kind of time, where it was spent) -> seconds

#: The Python -> Rust call costs about a microsecond; a function doing less than this per call gains
#: little on its own (its caller has to move with it).
CHEAP_PER_CALL_S = 5e-6
#: Functions under this share of the run are left out of the candidates.
MIN_SHARE = 0.01
#: A kind of time (waiting, native, engine) that is at least this share of a function decides its verdict.
DOMINANT_SHARE = 0.5
#: Compiled libraries: time under them is native code already.
NATIVE_LIBRARIES = frozenset({"numpy", "scipy", "pandas", "talib", "numba", "numexpr", "polars", "pyarrow"})
_WAITING = re.compile(
    r"time\.sleep|select\.|\bpoll\b|epoll|kqueue|_socket|socket\.|_ssl\.|\brecv|\bsendall\b|\baccept\b"
    r"|\bconnect\b|_io\.(?!StringIO|BytesIO)|io\.open|posix\.(read|write|wait)|\bacquire\b|_thread\.|\bwait\b"
    r"|_queue\.|nanosleep|pthread_cond|futex|sem_wait"
)
#: Native frames (py-spy --native) that are the per-element cost of Python code touching numpy scalars
#: (`values[i]`, `out[i] = x`, scalar arithmetic): a Rust loop removes them, so they count as Python.
_SCALAR_OVERHEAD = re.compile(
    r"gentype_|scalar|_getitem|_setitem|subscript|prepare_index|unpack_indices|floatstatus|fetestexcept"
    r"|richcompare|^(double|float|long|int|half|bool|cfloat|cdouble|longdouble)_|convert_to_|PyArray_Pack"
    r"|PyArray_PyIntAsIntp|array_item"
)
_DEPTH_LIMIT = 200
_DOMINANT_RULES: tuple[tuple[Category, Verdict, str], ...] = (
    ("engine", "engine", "is in the Rust engine already"),
    ("waiting", "waiting", "is spent waiting; Rust cannot make waiting faster"),
    ("native", "native", "is in native code already; a Rust port would gain little"),
)


@dataclass(frozen=True)
class Candidate:
    """One of the user's functions, judged: worth moving to Rust or not, and why."""

    rank: int | None  # 1, 2, ... for the functions worth moving; None for the others
    verdict: Verdict
    function: str
    qualname: str
    file: str  # as typed from the working directory
    line: int
    calls: int | None  # None under a sampling profiler
    own_s: float
    cumulative_s: float
    attributed_s: float  # own time plus the time of the non-user code it calls
    percent: float  # attributed_s as a percentage of the whole run
    python_s: float
    waiting_s: float
    native_s: float
    engine_s: float
    own_per_call_s: float | None
    reason: str
    suggested_command: str | None = None
    engine_function: str | None = None  # the rust_bridge function that serves it already
    move_caller: str | None = None  # for too_cheap: the caller worth moving instead
    command_problem: str | None = None  # why suggested_command would be refused as it stands
    observed_types: tuple[tuple[str, str], ...] | None = None  # (parameter or "return", type) seen in a run

    @property
    def worth_moving(self) -> bool:
        return self.verdict == "candidate"


@dataclass(frozen=True)
class _Unit:
    key: FuncKey
    facts: SourceFacts | None
    parts: Contribution
    elementwise: Mapping[str, FuncKey]  # the per-element library calls among its parts, by label
    heaviest: tuple[float, FuncKey] | None  # the library or built-in call it spends most in (seconds, callee)


def rank_candidates(
    graph: CallGraph,
    *,
    cwd: Path,
    engine_exports: frozenset[str] = frozenset(),
    limit: int = 20,
    commands: int = 3,
) -> list[Candidate]:
    """The user's functions that matter (>= MIN_SHARE of the run), best Rust candidates first."""
    total = graph.total_s or 1e-12
    unit_keys = {k for k in graph.nodes if _is_unit(graph, k, engine_exports)}
    top_level = {k for k in graph.nodes if _is_top_level(graph, k)}
    # Time in the user's other functions is theirs; time in the engine stays with the caller, as "engine".
    own_code = {k for k in unit_keys if graph.origin(k) == "user"} | top_level
    units = [_unit(graph, k, own_code) for k in unit_keys | top_level]
    judged = [
        (u, _judge(graph, u, unit_keys, cwd=cwd, total=total, engine_exports=engine_exports))
        for u in units
        if sum(u.parts.values()) >= MIN_SHARE * total
    ]
    worth = sorted(((u, c) for u, c in judged if c.worth_moving), key=lambda uc: -uc[1].python_s)
    others = sorted((c for _, c in judged if not c.worth_moving), key=lambda c: -c.attributed_s)
    ranked = [_with_rank(c, u.facts, i + 1, with_command=i < commands) for i, (u, c) in enumerate(worth)]
    return _takes_along(ranked + others)[:limit]


def _is_unit(graph: CallGraph, key: FuncKey, engine_exports: frozenset[str]) -> bool:
    """The user's named functions, and the engine's public functions (to mark them as served)."""
    if _bare(key.name).startswith("<"):  # <module>, <listcomp>, <lambda>: part of whoever runs them
        return False
    origin = graph.origin(key)
    return origin == "user" or (
        origin == "engine" and key.file.endswith(".py") and key.name in engine_exports
    )


def _is_top_level(graph: CallGraph, key: FuncKey) -> bool:
    """A script's (or the user's module's) top-level code: judged like a function, its imports left out."""
    return key.name == "<module>" and graph.origin(key) == "user"


def _is_import(key: FuncKey) -> bool:
    return key.file.startswith("<frozen importlib") or display_name(key) == "__import__"


def _unit(graph: CallGraph, key: FuncKey, units: set[FuncKey]) -> _Unit:
    facts = read_facts(key.file, key.line, key.name)
    parts: Contribution = defaultdict(float)
    elementwise: dict[str, FuncKey] = {}
    if graph.origin(key) == "engine":
        parts[("engine", f"rust_bridge.{key.name}")] += graph.nodes[key].cumulative_s
        return _Unit(key, facts, dict(parts), elementwise, None)
    parts[("python", key.name)] += graph.nodes[key].own_s
    walk = _Walk(graph, units, {}, elementwise)
    heaviest: tuple[float, FuncKey] | None = None
    top_level = _is_top_level(graph, key)
    for callee, edge in graph.callees(key).items():
        if callee in units or callee == key or (top_level and _is_import(callee)):
            continue
        _add_scaled(parts, _attribute(walk, callee, None, {key}, 0), graph, callee, edge.cumulative_s)
        if graph.origin(callee) != "user" and (heaviest is None or edge.cumulative_s > heaviest[0]):
            heaviest = (edge.cumulative_s, callee)
    return _Unit(key, facts, dict(parts), elementwise, heaviest)


@dataclass(frozen=True)
class _Walk:
    """The state of one unit's walk down the call graph."""

    graph: CallGraph
    units: set[FuncKey]
    memo: dict[tuple[FuncKey, tuple[Category, str] | None], Contribution]
    elementwise: dict[str, FuncKey]


def _attribute(
    walk: _Walk,
    key: FuncKey,
    override: tuple[Category, str] | None,
    active: set[FuncKey],
    depth: int,
) -> Contribution:
    """All of `key`'s cumulative time except what its user-function callees spend, by kind."""
    graph, memo_key = walk.graph, (key, override)
    if memo_key in walk.memo:
        return walk.memo[memo_key]
    override = override or _subtree_kind(walk, key)
    parts: Contribution = defaultdict(float)
    parts[override or _own_kind(graph, key)] += graph.nodes[key].own_s
    if depth < _DEPTH_LIMIT:
        active.add(key)
        for callee, edge in graph.callees(key).items():
            if callee in walk.units or callee in active:
                continue
            sub = _attribute(walk, callee, override, active, depth + 1)
            _add_scaled(parts, sub, graph, callee, edge.cumulative_s)
        active.discard(key)
    walk.memo[memo_key] = dict(parts)
    return walk.memo[memo_key]


def _add_scaled(
    parts: Contribution,
    sub: Mapping[tuple[Category, str], float],
    graph: CallGraph,
    callee: FuncKey,
    edge_s: float,
) -> None:
    whole = graph.nodes[callee].cumulative_s
    share = min(1.0, edge_s / whole) if whole > 0 else 0.0
    for part, seconds in sub.items():
        parts[part] += seconds * share


def _subtree_kind(walk: _Walk, key: FuncKey) -> tuple[Category, str] | None:
    """Engine and compiled-library Python code: everything below counts as theirs.

    A library's Python entered element by element from the user's code is the user's Python work.
    """
    origin = walk.graph.origin(key)
    if origin == "engine":
        extension = walk.graph.extension
        package = BRIDGE_PACKAGE if BRIDGE_PACKAGE in key.file or extension is None else extension
        return ("engine", f"{package}.{_bare(key.name)}" if key.file.endswith(".py") else display_name(key))
    if origin != "site-packages" or not key.file.endswith(".py"):
        return None
    library = _library_of(key)
    if is_per_element(walk.graph, key):
        label = f"{library} {library_qualname(key)}"
        walk.elementwise.setdefault(label, key)
        return ("python", label)
    if library in NATIVE_LIBRARIES:
        return ("native", f"{library}.{key.name}")
    return None


def _own_kind(graph: CallGraph, key: FuncKey) -> tuple[Category, str]:
    origin, name = graph.origin(key), display_name(key)
    if origin == "native" and _SCALAR_OVERHEAD.search(name):
        return ("python", "numpy scalar access")
    if origin in ("builtin", "native"):
        if _WAITING.search(name):
            return ("waiting", name)
        if origin == "native" or name.split(".")[0] in NATIVE_LIBRARIES or "numpy" in name:
            return ("native", name)
    return ("python", name)


def _library_of(key: FuncKey) -> str:
    """`numpy` for .../site-packages/numpy/_core/numeric.py."""
    parts = Path(key.file).parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts and parts.index(marker) + 1 < len(parts):
            return parts[parts.index(marker) + 1]
    return ""


def _judge(
    graph: CallGraph,
    unit: _Unit,
    units: set[FuncKey],
    *,
    cwd: Path,
    total: float,
    engine_exports: frozenset[str],
) -> Candidate:
    key, facts, parts = unit.key, unit.facts, unit.parts
    node = graph.nodes[key]
    by_kind: dict[Category, float] = defaultdict(float)
    for (kind, _), seconds in parts.items():
        by_kind[kind] += seconds
    attributed = sum(by_kind.values()) or 1e-12
    per_call = by_kind["python"] / node.calls if node.calls else None
    share = {kind: seconds / attributed for kind, seconds in by_kind.items()}
    per_element = _per_element(graph, unit)
    verdict, reason, extra = (
        _engine_verdict(graph, key, engine_exports)
        or _dominant_verdict(parts, share)
        or _cheap_verdict(graph, key, facts, per_call, units, per_element=bool(unit.elementwise))
        or (_vectorized_verdict(facts) if per_element is None else None)
        or ("candidate", _candidate_reason(facts, share.get("python", 0.0), per_call, per_element), {})
    )
    if _is_top_level(graph, key) or (
        verdict == "candidate" and per_element is None and not (facts and facts.loop_line)
    ):
        reason += _heaviest_call(unit)
    return Candidate(
        rank=None,
        verdict=verdict,
        function=_bare(key.name),
        qualname=facts.qualname if facts else key.name,
        file=relative_file(key.file, cwd),
        line=key.line,
        calls=node.calls,
        own_s=node.own_s,
        cumulative_s=node.cumulative_s,
        attributed_s=attributed,
        percent=100 * attributed / total,
        python_s=by_kind["python"],
        waiting_s=by_kind["waiting"],
        native_s=by_kind["native"],
        engine_s=by_kind["engine"],
        own_per_call_s=per_call,
        reason=reason,
        engine_function=extra.get("engine_function"),
        move_caller=extra.get("move_caller"),
    )


_Judgement = tuple[Verdict, str, dict[str, str]]


def _engine_verdict(graph: CallGraph, key: FuncKey, engine_exports: frozenset[str]) -> _Judgement | None:
    name = _bare(key.name)
    if graph.origin(key) == "engine":
        served = "a function of rust_bridge: served by the Rust engine already"
        return "engine", served, {"engine_function": f"rust_bridge.{name}"}
    if name in engine_exports:
        return (
            "engine",
            f"same name as rust_bridge.{name}, which the Rust engine serves already: call it instead of "
            "moving this one again (check that it computes the same thing)",
            {"engine_function": f"rust_bridge.{name}"},
        )
    return None


def _dominant_verdict(parts: Contribution, share: Mapping[Category, float]) -> _Judgement | None:
    for kind, verdict, says in _DOMINANT_RULES:
        if share.get(kind, 0.0) >= DOMINANT_SHARE:
            return verdict, f"{share[kind]:.0%} of its time {says} ({_top(parts, kind)})", {}
    return None


def _cheap_verdict(
    graph: CallGraph,
    key: FuncKey,
    facts: SourceFacts | None,
    per_call: float | None,
    units: set[FuncKey],
    *,
    per_element: bool,
) -> _Judgement | None:
    calls = graph.nodes[key].calls
    no_loop = facts is not None and facts.loop_line is None and not facts.uses_numpy and not per_element
    if per_call is not None and calls and per_call < CHEAP_PER_CALL_S:
        why = f"only {format_seconds(per_call)} of Python work per call over {calls:,} calls"
    elif calls is None and no_loop:
        why = "no loop in its body (py-spy counts no calls; cProfile shows the cost per call)"
    else:
        return None
    caller = _busiest_caller(graph, key, units)
    where = f"move its caller {caller} instead" if caller else "move its caller instead"
    reason = f"{why}: the ~1 µs cost of each call into Rust would eat the gain; {where}"
    return "too_cheap", reason, ({"move_caller": caller} if caller else {})


def _vectorized_verdict(facts: SourceFacts | None) -> _Judgement | None:
    if facts is None or not facts.uses_numpy or facts.loop_arithmetic > 0:
        return None
    body = "no Python loop in its body" if facts.loop_line is None else "no arithmetic in its Python loops"
    return (
        "vectorized",
        f"{body} and it works on numpy arrays: its own time is most likely numpy array arithmetic "
        "(operators and ufuncs, which cProfile cannot see into), native already",
        {},
    )


def _candidate_reason(
    facts: SourceFacts | None, python_share: float, per_call: float | None, per_element: _PerElement | None
) -> str:
    what = f"{python_share:.0%} of its time is Python it runs itself"
    loop = f"a Python loop (line {facts.loop_line})" if facts and facts.loop_line else ""
    if per_element is not None and not per_element.direct:
        body = f"library code it calls, {per_element.text}"  # the loop is the library's (ta's ADX)
    elif per_element is not None:
        body = f"{loop} {per_element.text}" if loop else f"no loop of its own, but {per_element.text}"
    elif facts is None or facts.loop_line is None:
        body = "straight-line Python (no loop in its body), heavy per call"
    elif facts.loop_arithmetic:
        ops = facts.loop_arithmetic
        body = f"{loop} doing arithmetic on numbers ({ops} operations)"
    else:
        body = f"{loop} with no arithmetic: worth it if its work is numeric"
    cost = (
        f"{';' if per_element else ','} {format_seconds(per_call)} per call" if per_call is not None else ""
    )
    return f"{what}: {body}{cost}"


@dataclass(frozen=True)
class _PerElement:
    """What the unit does element by element, and whether its own code makes those calls (False: a library
    it calls does, as `ta`'s ADX loop reads Series elements)."""

    text: str  # `indexing a pandas Series element by element: 384,408 calls of Series.__getitem__, ...`
    direct: bool


def _per_element(graph: CallGraph, unit: _Unit) -> _PerElement | None:
    """`indexing a pandas Series element by element: 384,408 calls of Series.__getitem__, 8.1 µs each`.

    None unless library calls made element by element are most of the unit's Python time.
    """
    seconds = {
        label: s for (kind, label), s in unit.parts.items() if kind == "python" and label in unit.elementwise
    }
    python = sum(s for (kind, _), s in unit.parts.items() if kind == "python")
    if not seconds or sum(seconds.values()) < 0.5 * python:
        return None
    label = max(seconds, key=lambda k: seconds[k])
    key = unit.elementwise[label]
    node, qualname = graph.nodes[key], label.split(" ", 1)[-1]
    callback = callback_of(graph, key)
    called = graph.nodes[callback].calls if callback is not None else None
    if callback is not None and called:
        each = format_seconds(node.cumulative_s / called)
        count = f"{called:,} calls of {callback.name} (line {callback.line}) through {qualname}, {each} each"
    elif node.calls:
        count = f"{node.calls:,} calls of {qualname}, {format_seconds(node.cumulative_s / node.calls)} each"
    else:
        count = f"{qualname}, {seconds[label] / python:.0%} of its Python time (a sampler counts no calls)"
    return _PerElement(f"{element_action(key, label)}: {count}", key in graph.callees(unit.key))


def _heaviest_call(unit: _Unit) -> str:
    """`; most of it under ADXIndicator.__init__ (ta/trend.py:703), called at line 55: 2.26 s`."""
    if unit.heaviest is None:
        return ""
    seconds, callee = unit.heaviest
    if callee.file.endswith(".py"):
        qualname = library_qualname(callee)
        where = f" ({relative_file(callee.file, Path.cwd())}:{callee.line})"
    else:
        qualname, where = display_name(callee), ""
    parts = qualname.split(".")
    called = parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1]
    lines = call_lines(unit.key.file, unit.key.line, unit.key.name, called)
    at = f", called at line {', '.join(map(str, lines))}" if lines else ""
    return f"; most of it under {qualname}{where}{at}: {format_seconds(seconds)}"


def _top(parts: Contribution, kind: Category) -> str:
    labels = sorted(((s, label) for (k, label), s in parts.items() if k == kind), reverse=True)
    return ", ".join(label for _, label in labels[:2])


def _busiest_caller(graph: CallGraph, key: FuncKey, units: set[FuncKey]) -> str | None:
    """The user function that calls `key` most, looking through comprehensions and lambdas."""
    frontier, seen = [key], {key}
    for _ in range(4):
        callers = [
            (edge.calls or 0, edge.cumulative_s, caller)
            for k in frontier
            for caller, edge in graph.callers(k).items()
            if caller not in seen
        ]
        named = [c for c in callers if c[2] in units]
        if named:
            caller = max(named)[2]
            facts = read_facts(caller.file, caller.line, caller.name)
            return facts.qualname if facts else caller.name
        frontier = [c for _, _, c in callers if graph.origin(c) == "user"]
        seen.update(frontier)
    return None


def _takes_along(candidates: list[Candidate]) -> list[Candidate]:
    """A candidate whose too-cheap callees would move with it says so."""
    cheap: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.verdict == "too_cheap" and c.move_caller:
            cheap[c.move_caller].append(c)
    return [
        replace(
            c, reason=f"{c.reason}; moving it takes {', '.join(x.qualname for x in cheap[c.qualname])} along"
        )
        if c.worth_moving and c.qualname in cheap
        else c
        for c in candidates
    ]


def _bare(name: str) -> str:
    """`ema` from `ema`, `run.<locals>.<dictcomp>` -> `<dictcomp>` (py-spy names frames by qualname)."""
    return name.rsplit(".", 1)[-1] if not name.startswith("<") else name


def _with_rank(
    candidate: Candidate, facts: SourceFacts | None, rank: int, *, with_command: bool
) -> Candidate:
    if with_command and facts is not None and facts.is_module_level:
        command = suggest_command(candidate.file, facts.qualname)
        return replace(candidate, rank=rank, suggested_command=command)
    if with_command and facts is not None and facts.in_main_block:
        reason = (
            f'{candidate.reason}; defined under `if __name__ == "__main__":`, which does not run when --from '
            "imports the file: move the def above that block to use --from"
        )
        return replace(candidate, rank=rank, reason=reason)
    if with_command and facts is not None and facts.qualname == "<module>":
        reason = f"{candidate.reason}; top-level code: move these lines into a function to use --from"
        return replace(candidate, rank=rank, reason=reason)
    if with_command and facts is not None:
        reason = f"{candidate.reason}; not a module-level function: move its loop into one to use --from"
        return replace(candidate, rank=rank, reason=reason)
    return replace(candidate, rank=rank)


def suggest_command(file: str, function: str, signature: str | None = None) -> str:
    """`devtool new-module <module> --function <name> --from <file>:<function> [--signature SIG]`."""
    stem = Path(file).stem if Path(file).stem != "__init__" else Path(file).parent.name
    module = re.sub(r"\W+", "_", stem).strip("_").lower() or "kernels"
    if module[0].isdigit():
        module = f"m_{module}"
    words = ["devtool", "new-module", module, "--function", function.lower(), "--from", f"{file}:{function}"]
    return shlex.join(words + (["--signature", signature] if signature else []))


def format_seconds(seconds: float) -> str:
    """`1.23 s`, `45.6 ms`, `7.8 µs`, `120 ns`: three significant digits, a unit a person reads."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"
