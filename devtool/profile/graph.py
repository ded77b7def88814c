"""One call-graph model for both profilers: functions with their times, and caller -> callee edges.

cProfile's pstats gives exact call counts and per-edge times; py-spy's folded stacks give sample
counts, turned into seconds with the sampling rate. Everything downstream (the table, the
candidates, the flame graph) reads a `CallGraph` and does not care which profiler made it.
"""

from __future__ import annotations

import functools
import itertools
import re
import sysconfig
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Origin = Literal["user", "engine", "stdlib", "site-packages", "builtin", "native"]

#: cProfile's own bookkeeping entry, present in every profile and never interesting.
_PROFILER_ENTRY = "<method 'disable' of '_lsprof.Profiler' objects>"
#: The engine's Python package, the same in every engine; its extension module is named per workspace.
BRIDGE_PACKAGE = "rust_bridge"
_NATIVE_SUFFIXES = (".so", ".c", ".h", ".cc", ".cpp", ".rs", ".pyd", ".dylib")


@dataclass(frozen=True, order=True)
class FuncKey:
    """A function as profilers name it: file ("~" for builtins), first line, name."""

    file: str
    line: int
    name: str


@dataclass(frozen=True)
class NodeStats:
    """Times of one function; `calls` is None when the profiler samples instead of counting."""

    calls: int | None
    primitive_calls: int | None
    own_s: float
    cumulative_s: float


@dataclass(frozen=True)
class Edge:
    """The calls from one function to another and the callee's cumulative time under them."""

    calls: int | None
    cumulative_s: float


@dataclass(frozen=True)
class CallGraph:
    """Functions and caller -> callee edges; `total_s` is the sum of every function's own time.

    `extension` is the engine's extension module (the workspace's), None when profiled outside one.
    """

    nodes: Mapping[FuncKey, NodeStats]
    edges: Mapping[FuncKey, Mapping[FuncKey, Edge]]
    total_s: float
    extension: str | None = None
    #: Answers computed from the graph, kept for its lifetime (elementwise.callback: a deep search per key).
    memo: dict[tuple[object, ...], object] = field(default_factory=dict, compare=False, repr=False)

    def origin(self, key: FuncKey) -> Origin:
        return origin_of(key, self.extension)

    def callees(self, key: FuncKey) -> Mapping[FuncKey, Edge]:
        return self.edges.get(key, {})

    def callers(self, key: FuncKey) -> dict[FuncKey, Edge]:
        return {caller: out[key] for caller, out in self.edges.items() if key in out}

    def roots(self) -> list[FuncKey]:
        """Functions nobody in the profile called: where the target's stacks start."""
        called = {callee for caller, out in self.edges.items() for callee in out if callee != caller}
        return [k for k in self.nodes if k not in called]


def graph_from_pstats(stats: Any, extension: str | None = None) -> CallGraph:
    """Read a `pstats.Stats` (its `.stats` mapping) into a CallGraph; `extension` as `CallGraph` has it."""
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, dict[Any, Any]]] = vars(stats)["stats"]
    nodes: dict[FuncKey, NodeStats] = {}
    edges: dict[FuncKey, dict[FuncKey, Edge]] = defaultdict(dict)
    for (file, line, name), (primitive, calls, own, cumulative, callers) in raw.items():
        if name == _PROFILER_ENTRY:
            continue
        key = FuncKey(file, line, name)
        nodes[key] = NodeStats(calls, primitive, own, cumulative)
        for (c_file, c_line, c_name), (_, edge_calls, _, edge_cumulative) in callers.items():
            edges[FuncKey(c_file, c_line, c_name)][key] = Edge(edge_calls, edge_cumulative)
    return CallGraph(nodes, dict(edges), sum(n.own_s for n in nodes.values()), extension)


Stacks = dict[tuple[FuncKey, ...], float]


def parse_folded(text: str, *, seconds_per_sample: float, is_marker: Callable[[FuncKey], bool]) -> Stacks:
    """py-spy's raw (folded) output -> seconds per stack, cut just below the `is_marker` frame.

    Stacks without the marker (interpreter start-up, imports before the target ran) are dropped.
    """
    stacks: Stacks = defaultdict(float)
    for line in text.splitlines():
        frames_text, _, count = line.rpartition(" ")
        if not frames_text or not count.isdigit():
            continue
        frames = [_parse_frame(f) for f in frames_text.split(";")]
        cut = next((i for i, f in enumerate(frames) if is_marker(f)), None)
        if cut is None or cut == len(frames) - 1:
            continue
        stacks[tuple(frames[cut + 1 :])] += int(count) * seconds_per_sample
    return dict(stacks)


def _parse_frame(frame: str) -> FuncKey:
    """`name (file:line)` or `name (file)` (native frames) -> FuncKey."""
    if not frame.endswith(")") or " (" not in frame:
        return FuncKey("~", 0, frame)
    name, _, where = frame[:-1].rpartition(" (")
    file, _, line = where.rpartition(":")
    if file and line.isdigit():
        return FuncKey(file, int(line), name)
    return FuncKey(where, 0, name)


def format_folded(stacks: Stacks, *, seconds_per_sample: float) -> str:
    """Stacks back to the folded text format (one `a;b;c count` line each) for other viewers."""
    lines = []
    for stack, seconds in sorted(stacks.items()):
        frames = ";".join(
            f"{k.name} ({k.file}:{k.line})" if k.line else f"{k.name} ({k.file})" for k in stack
        )
        lines.append(f"{frames} {round(seconds / seconds_per_sample)}")
    return "\n".join(lines) + "\n"


def graph_from_stacks(stacks: Stacks, extension: str | None = None) -> CallGraph:
    """Sampled stacks -> CallGraph: own time at the leaf, cumulative time once per stack per function."""
    own: dict[FuncKey, float] = defaultdict(float)
    cumulative: dict[FuncKey, float] = defaultdict(float)
    edge_time: dict[FuncKey, dict[FuncKey, float]] = defaultdict(lambda: defaultdict(float))
    for stack, seconds in stacks.items():
        own[stack[-1]] += seconds
        for key in set(stack):
            cumulative[key] += seconds
        for caller, callee in set(itertools.pairwise(stack)):
            edge_time[caller][callee] += seconds
    nodes = {k: NodeStats(None, None, own.get(k, 0.0), cumulative[k]) for k in cumulative}
    edges = {a: {b: Edge(None, t) for b, t in out.items()} for a, out in edge_time.items()}
    return CallGraph(nodes, edges, sum(own.values()), extension)


def _prefixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    paths = sysconfig.get_paths()
    site = tuple({str(Path(paths[k]).resolve()) for k in ("purelib", "platlib")})
    std = tuple({str(Path(paths[k]).resolve()) for k in ("stdlib", "platstdlib")})
    return site, std


_SITE, _STDLIB = _prefixes()


@functools.lru_cache(maxsize=65536)
def origin_of(key: FuncKey, extension: str | None) -> Origin:
    """Where a function lives: the user's code, the engine, the standard library, site-packages, C.

    The engine is the bridge package and `extension`, the engine's extension module (None: the bridge only).
    """
    file, name = key.file, key.name
    words = (BRIDGE_PACKAGE, extension) if extension else (BRIDGE_PACKAGE,)
    is_engine = any(w in file or w in name for w in words)
    if file == "~":
        return "engine" if is_engine else "builtin"
    if file.endswith(_NATIVE_SUFFIXES) or ".so." in file or (key.line == 0 and not file.endswith(".py")):
        return "engine" if is_engine or "/rust/src/" in file else "native"
    if is_engine:
        return "engine"
    if file.startswith("<"):  # <frozen importlib._bootstrap>, <string> (generated code such as dataclasses)
        return "stdlib"
    if "site-packages" in file or "dist-packages" in file or file.startswith(_SITE):
        return "site-packages"
    if file.startswith(_STDLIB):
        return "stdlib"
    return "user"


_BUILTIN = re.compile(r"^<built-in (?:method|function) (?P<name>.+)>$")
_METHOD = re.compile(r"^<method '(?P<method>[^']+)' of '(?P<owner>[^']+)' objects>$")


def display_name(key: FuncKey) -> str:
    """`time.sleep`, `list.append`, `numpy.ufunc.reduce` for builtins; the function name otherwise."""
    if key.file != "~":
        return key.name
    if match := _BUILTIN.match(key.name):
        return match["name"].removeprefix("builtins.")
    if match := _METHOD.match(key.name):
        return f"{match['owner']}.{match['method']}"
    return key.name


def display_location(key: FuncKey, cwd: Path) -> str:
    """`examples/strategy.py:42` for the user's files, `numpy/_core/numeric.py:790` for packages."""
    if key.file == "~" or key.line == 0:
        return key.file if key.file != "~" else "built-in"
    return f"{relative_file(key.file, cwd)}:{key.line}"


def relative_file(file: str, cwd: Path) -> str:
    """A path as a person would type it from `cwd`: relative inside it, from the package root outside."""
    path = Path(file)
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        pass
    for marker in ("site-packages", "dist-packages"):
        if marker in path.parts:
            return str(Path(*path.parts[path.parts.index(marker) + 1 :]))
    for prefix in _STDLIB:
        if file.startswith(prefix):
            return str(Path(file).relative_to(prefix))
    return file
