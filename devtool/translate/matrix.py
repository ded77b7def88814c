"""2-D arrays made in the function (`np.zeros_like(m)`, `np.full_like(m, v)` of a 2-D array): row-major
`Vec<f64>`s with a `NAME_cols` companion, as 2-D parameters have; written with `out[i, j] = v` and
returned as a 2-D result, whose columns the signature ties to its first `f64[,]` argument."""

from __future__ import annotations

import ast
import re

from .scope import rust_name

LIKE = ("zeros_like", "full_like")


def shape_source(value: ast.expr) -> str | None:
    """The array whose shape `np.zeros_like(NAME)` / `np.full_like(NAME, v)` copies, else None."""
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in LIKE
        and value.args
        and isinstance(value.args[0], ast.Name)
    ):
        return value.args[0].id
    return None


def cols_line(name: str, value: ast.expr, fn: ast.FunctionDef) -> str | None:
    """`let NAME_cols = SOURCE_cols;` after a new 2-D array's `let`, or None when nothing reads it
    (rustc would warn of an unused variable): only indexing, len() and calls need the column count."""
    source = shape_source(value)
    assert source is not None
    returned = {
        id(n)
        for r in ast.walk(fn)
        if isinstance(r, ast.Return) and r.value is not None
        for n in (r.value.elts if isinstance(r.value, ast.Tuple) else [r.value])
    }
    needed = any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and id(n) not in returned
        for n in ast.walk(fn)
    )
    return f"let {rust_name(name)}_cols = {rust_name(source)}_cols;" if needed else None


def matrix_param(name: str, body: str) -> str:
    """A 2-D parameter: `NAME: &[f64], NAME_cols: usize`, the count `_NAME_cols` when `body` (the
    function's Rust) does not read it (`np.zeros_like(m)` alone reads only `m.len()`)."""
    cols = f"{rust_name(name)}_cols"
    read = re.search(rf"\b{cols}\b", re.sub(r"//[^\n]*", "", body))
    return f"{rust_name(name)}: &[f64], {'' if read else '_'}{cols}: usize"
