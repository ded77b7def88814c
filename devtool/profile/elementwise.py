"""Library calls made element by element from the user's loop: the loop's own Python work, not native.

pandas' `Series.__getitem__` behind `close[i]` or `.iloc[i]`, `iterrows`, `apply` calling a lambda, numpy's
`np.mean` on a small window per bar: each call does one element's work in the library's Python, and a
Rust loop removes it. Recognised by the entry point's name (both samplers), by the library calling the
user's code back per element (both), or, under cProfile, by many cheap calls. One call over a whole array
(`rolling().mean()`, a ufunc, `series[mask]` once) is not.
"""

from __future__ import annotations

from pathlib import Path

from .graph import CallGraph, FuncKey
from .source import read_facts

#: Library entry points that work element by element (or row by row) when called from a Python loop.
PER_ELEMENT_NAMES = frozenset(
    {
        "__getitem__", "__setitem__", "_get_value", "_set_value", "iloc", "loc", "at", "iat",
        "iterrows", "itertuples", "items", "__iter__", "__next__", "apply", "map", "applymap",
    }
)  # fmt: skip
#: Library entry points that call a function they are given (`apply(lambda ...)`, `np.vectorize(f)(x)`). Only
#: these are looked through for the user's callback: the profile's call graph merges every caller of a
#: library's internals, so `rolling().mean()` reaches the lambda of a `rolling().apply(lambda ...)` elsewhere.
TAKES_A_FUNCTION = frozenset(
    {"apply", "map", "applymap", "agg", "aggregate", "transform", "__call__", "pipe"}
)
#: A library Python call made at least this often, this cheaply each, is per-element work (cProfile);
#: one named for per-element access is, unless it is made a few times only, each over many elements
#: (`series[mask]` once on a million points is vectorised).
PER_ELEMENT_CALLS = 1000
PER_ELEMENT_CALL_S = 200e-6
PER_ELEMENT_NAMED_CALLS = 100


def is_per_element(graph: CallGraph, key: FuncKey) -> bool:
    """A library call that does one element's (or one row's) work, made from a loop."""
    node = graph.nodes[key]
    per_call = node.cumulative_s / node.calls if node.calls else None
    name = key.name.rsplit(".", 1)[-1]
    if (
        name in TAKES_A_FUNCTION and callback(graph, key) is not None
    ):  # apply(lambda ...): user code per element
        return True
    if node.calls is None or per_call is None:  # a sampler: the name says it
        return key.name.rsplit(".", 1)[-1] in PER_ELEMENT_NAMES
    if key.name.rsplit(".", 1)[-1] in PER_ELEMENT_NAMES:
        return node.calls >= PER_ELEMENT_NAMED_CALLS or per_call < PER_ELEMENT_CALL_S
    return node.calls >= PER_ELEMENT_CALLS and per_call < PER_ELEMENT_CALL_S


def callback(graph: CallGraph, key: FuncKey) -> FuncKey | None:
    """The user's function that library code calls back once per element (under a sampler: at all)."""
    found = _nearest_callback(graph, key, CALLBACK_DEPTH)
    return found[1] if found is not None else None


#: How many library calls deep below an entry point the user's callback is looked for.
CALLBACK_DEPTH = 8


def _nearest_callback(graph: CallGraph, key: FuncKey, depth: int) -> tuple[int, FuncKey] | None:
    """(distance, callback) of the nearest user function called per element under `key`; memoised."""
    memo = ("callback", key, depth)
    if memo not in graph.memo:
        graph.memo[memo] = None  # a cycle back to `key` finds nothing new
        graph.memo[memo] = _search(graph, key, depth)
    return graph.memo[memo]  # type: ignore[return-value]


def _search(graph: CallGraph, key: FuncKey, depth: int) -> tuple[int, FuncKey] | None:
    callees = [c for c in graph.callees(key) if c != key]
    for callee in callees:
        calls = graph.nodes[callee].calls
        if graph.origin(callee) == "user" and (calls is None or calls >= PER_ELEMENT_NAMED_CALLS):
            return 1, callee
    if depth <= 1:
        return None
    below = [_nearest_callback(graph, c, depth - 1) for c in callees if graph.origin(c) != "user"]
    nearest = min((b for b in below if b is not None), key=lambda b: b[0], default=None)
    return (nearest[0] + 1, nearest[1]) if nearest is not None else None


def library_qualname(key: FuncKey) -> str:
    """`Series.__getitem__` for pandas/core/series.py's `__getitem__` (the library's source says)."""
    facts = read_facts(key.file, key.line, key.name)
    return facts.qualname if facts else key.name


def element_action(key: FuncKey, label: str) -> str:
    """What a per-element library call does, in the words of the code that makes it."""
    library, qualname = label.split(" ", 1)
    name, owner = key.name.rsplit(".", 1)[-1], qualname.split(".")[0]
    objects = {"series.py": "a pandas Series", "frame.py": "a pandas DataFrame"}
    obj = objects.get(Path(key.file).name, f"{library} objects")
    if name in ("iterrows", "itertuples", "items", "__iter__", "__next__"):
        return f"iterating {obj} row by row ({name})"
    if name in ("apply", "map", "applymap"):
        return f"calling a Python function per element through {name}"
    via = ""
    if Path(key.file).name == "indexing.py":
        via = " through .at/.iat" if "At" in owner or "Scalar" in owner else " through .iloc/.loc"
    if name in ("__getitem__", "_get_value", "iloc", "loc", "at", "iat"):
        return f"indexing {obj} element by element{via}"
    if name in ("__setitem__", "_set_value"):
        return f"writing {obj} element by element{via}"
    return f"calling {library}'s Python element by element"
