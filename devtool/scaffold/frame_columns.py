"""The columns a Python function reads from a DataFrame parameter, found in its source with `ast`.

A function hinted `bars: pd.DataFrame` crosses into Rust as the columns it reads (`frame[...]` in the
signature), and those are the ones its body names: `bars["close"]`, `bars[["high", "low"]]`,
`bars.close`, `bars.loc[:, "close"]`, in the order they are first read. A column the function
assigns (`bars["range"] = ...`) is its own, not the caller's, and is left out; so are the
DataFrame's own attributes (`bars.index`, `bars.rolling`, `bars.shape`). A column named any other
way (a variable, `itertuples`' fields) is not found: the profile's observed types or `--signature`
name it then.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from collections.abc import Callable
from types import CodeType
from typing import Any

#: Attributes of a DataFrame that are not columns, when pandas does not import to say.
_FRAME_API = frozenset(
    {
        "at",
        "iat",
        "iloc",
        "loc",
        "index",
        "columns",
        "values",
        "shape",
        "dtypes",
        "empty",
        "size",
        "ndim",
        "T",
    }
)


@functools.lru_cache(maxsize=256)  # the profile asks on every call it observes
def columns_read(function: Callable[..., Any] | CodeType, parameter: str) -> tuple[str, ...]:
    """The columns of the DataFrame `parameter` that `function`'s body reads by name, in reading order.

    Empty when the source cannot be read (a lambda typed at a prompt) or names no column.
    """
    try:
        source = textwrap.dedent(inspect.getsource(function))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return ()
    body = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if body is None:
        return ()
    read: dict[str, tuple[int, int]] = {}
    written: set[str] = set()
    for node in ast.walk(body):
        if not isinstance(node, (ast.Subscript, ast.Attribute)):
            continue
        for name, stored in _columns_of(node, parameter):
            if stored:
                written.add(name)
            else:
                read.setdefault(name, (node.lineno, node.col_offset))
                read[name] = min(read[name], (node.lineno, node.col_offset))
    return tuple(name for name, _ in sorted(read.items(), key=lambda item: item[1]) if name not in written)


def _columns_of(node: ast.Subscript | ast.Attribute, parameter: str) -> list[tuple[str, bool]]:
    """(column, whether it is assigned) for a subscript or attribute of `parameter` at `node`."""
    if isinstance(node, ast.Subscript) and _is_name(node.value, parameter):
        stored = isinstance(node.ctx, ast.Store)
        return [(name, stored) for name in _strings(node.slice)]
    if (
        isinstance(node, ast.Subscript)
        and _is_loc_of(node.value, parameter)
        and isinstance(node.slice, ast.Tuple)
    ):
        stored = isinstance(node.ctx, ast.Store)
        return [(name, stored) for name in _strings(node.slice.elts[-1])] if len(node.slice.elts) == 2 else []
    if isinstance(node, ast.Attribute) and _is_name(node.value, parameter) and not _is_frame_api(node.attr):
        return [(node.attr, isinstance(node.ctx, ast.Store))]
    return []


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_loc_of(node: ast.AST, parameter: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "loc" and _is_name(node.value, parameter)


def _strings(node: ast.AST) -> list[str]:
    """`"close"` -> [close]; `["high", "low"]` -> [high, low]; anything else -> []."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _is_frame_api(attribute: str) -> bool:
    """Whether `attribute` is the DataFrame's own (a method or property), not a column."""
    if attribute.startswith("_") or attribute in _FRAME_API:
        return True
    try:
        import pandas as pd  # type: ignore[import-untyped]
    except ImportError:
        return False
    return hasattr(pd.DataFrame, attribute)
