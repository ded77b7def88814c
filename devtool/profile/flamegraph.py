"""A flame graph of a profile: one self-contained HTML file, drawn by plotly's icicle chart.

Sampled stacks (py-spy) are drawn as recorded. cProfile records no stacks, only caller -> callee
totals, so its stacks are rebuilt by walking down from the roots and sharing each function's time
among its callees in proportion to their edge times (what snakeviz and tuna show too): exact for
call trees, an approximation where a function is called from several places.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import FlamegraphError
from .graph import CallGraph, FuncKey, Stacks, display_location, display_name, origin_of

#: Parts of the picture under this share of the run are drawn as one "(smaller calls)" box.
MIN_SHARE = 0.001
MAX_DEPTH = 64
#: Levels drawn at once; deeper ones (import machinery, pytest's plugins) show when a box is clicked.
VISIBLE_LEVELS = 20
_SMALLER = FuncKey("~", 0, "(smaller calls)")
_ROOT = FuncKey("~", 0, "all")
_COLORS = {
    "user": "#e4572e",
    "engine": "#2e9e5b",
    "stdlib": "#8c9fb7",
    "site-packages": "#4f81bd",
    "builtin": "#a274c8",
    "native": "#a274c8",
}


def stacks_from_graph(graph: CallGraph) -> Stacks:
    """Rebuild seconds-per-stack from a cProfile call graph (see the module docstring)."""
    stacks: dict[tuple[FuncKey, ...], float] = defaultdict(float)
    threshold = graph.total_s * MIN_SHARE
    roots = graph.roots() or sorted(graph.nodes, key=lambda k: -graph.nodes[k].cumulative_s)[:1]

    def descend(path: tuple[FuncKey, ...], seconds: float) -> None:
        node = graph.nodes[path[-1]]
        scale = seconds / node.cumulative_s if node.cumulative_s > 0 else 0.0
        own = min(seconds, node.own_s * scale)
        stacks[path] += own
        callees = {c: e.cumulative_s * scale for c, e in graph.callees(path[-1]).items() if c not in path}
        room = max(0.0, seconds - own)
        shrink = min(1.0, room / sum(callees.values())) if callees and sum(callees.values()) > 0 else 1.0
        for callee, child in callees.items():
            child *= shrink
            if child < threshold or len(path) >= MAX_DEPTH:
                stacks[(*path, _SMALLER)] += child
            else:
                descend((*path, callee), child)

    for root in roots:
        descend((root,), graph.nodes[root].cumulative_s)
    return {stack: seconds for stack, seconds in stacks.items() if seconds > 0}


@dataclass
class _Box:
    key: FuncKey
    parent: str
    total_us: int = 0
    own_us: int = 0
    children: list[str] = field(default_factory=list)


def write_flamegraph(stacks: Stacks, path: Path, *, title: str, cwd: Path, extension: str | None) -> Path:
    """Draw `stacks` into `path` as a self-contained HTML flame graph (root at the bottom); `extension`
    is the engine's extension module (coloured as the engine), as `CallGraph` has it.

    Raises:
        FlamegraphError: plotly is not installed, or `path` cannot be written.
    """
    go = _plotly()
    boxes = _boxes(stacks)
    total = boxes["0"].total_us or 1
    ids = list(boxes)
    customdata = [
        [display_location(b.key, cwd), b.total_us / 1e6, b.own_us / 1e6, 100 * b.total_us / total]
        for b in boxes.values()
    ]
    icicle = go.Icicle(
        ids=ids,
        labels=[display_name(b.key) for b in boxes.values()],
        parents=[b.parent for b in boxes.values()],
        values=[b.total_us for b in boxes.values()],
        branchvalues="total",
        maxdepth=VISIBLE_LEVELS,
        tiling={"orientation": "v", "flip": "y"},
        marker={"colors": [_color(b.key, extension) for b in boxes.values()]},
        customdata=customdata,
        hovertemplate=(
            "<b>%{label}</b><br>%{customdata[0]}<br>total %{customdata[1]:.4f} s"
            " (%{customdata[3]:.1f}%)<br>own %{customdata[2]:.4f} s<extra></extra>"
        ),
    )
    figure = go.Figure(icicle)
    figure.update_layout(title=title, margin={"t": 50, "l": 10, "r": 10, "b": 10}, height=800)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.write_html(str(path), include_plotlyjs=True, full_html=True)
    except OSError as err:
        raise FlamegraphError(f"cannot write the flame graph to {path}: {err}") from err
    return path


def _boxes(stacks: Stacks) -> dict[str, _Box]:
    """One box per distinct stack prefix; whole microseconds so every parent holds its children exactly."""
    boxes: dict[str, _Box] = {"0": _Box(_ROOT, "")}
    index: dict[tuple[FuncKey, ...], str] = {(): "0"}
    for stack, seconds in stacks.items():
        for depth in range(1, len(stack) + 1):
            prefix = stack[:depth]
            if prefix not in index:
                index[prefix] = str(len(boxes))
                parent = index[prefix[:-1]]
                boxes[index[prefix]] = _Box(prefix[-1], parent)
                boxes[parent].children.append(index[prefix])
        boxes[index[stack]].own_us += round(seconds * 1e6)
    for box_id in reversed(list(boxes)):  # children were added after their parents
        box = boxes[box_id]
        box.total_us = box.own_us + sum(boxes[c].total_us for c in box.children)
    return boxes


def _color(key: FuncKey, extension: str | None) -> str:
    if key in (_ROOT, _SMALLER):
        return "#d0d0d0"
    return _COLORS[origin_of(key, extension)]


def _plotly() -> Any:
    try:
        return importlib.import_module("plotly.graph_objects")
    except ImportError as err:
        raise FlamegraphError("--flamegraph needs plotly: pip install plotly") from err
