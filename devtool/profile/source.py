"""What a function's source says about it: its qualified name, its loops, its arithmetic, numpy use.

Profilers name a function by file, first line and bare name; the candidates need more (is it a
module-level function `new-module --from` can import? does it loop over numbers, or is its own time
numpy array arithmetic that cProfile cannot see inside?). One parse per file, cached.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (*_FUNCTIONS, ast.ClassDef)
_NUMPY_NAMES = frozenset({"np", "numpy", "npt"})


@dataclass(frozen=True)
class SourceFacts:
    """Facts about one function read from its source."""

    qualname: str  # Class.method, outer.<locals>.inner, or the plain name
    is_module_level: bool  # importable as `module:name` (what `new-module --from` needs)
    loop_line: int | None  # first loop (for, while, comprehension) in its own body
    loop_arithmetic: int  # arithmetic operations and comparisons inside its loops
    uses_numpy: bool  # refers to np./numpy. in its body
    #: defined under `if __name__ == "__main__":`, which does not run when `--from` imports the file
    in_main_block: bool = False


def read_facts(file: str, line: int, name: str) -> SourceFacts | None:
    """Facts of the function `name` defined at `line` of `file`; None when the source is not readable."""
    index = _index(file)
    bare = name.rsplit(".", 1)[-1]  # py-spy names frames by qualname (Class.method)
    return index.get((line, bare)) if index is not None else None


@lru_cache(maxsize=256)
def _index(file: str) -> dict[tuple[int, str], SourceFacts] | None:
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8"), filename=file)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    index: dict[tuple[int, str], SourceFacts] = {
        (1, "<module>"): _facts_of(tree, "<module>", is_module_level=False)
    }
    _collect(tree, [], index)
    return index


def call_lines(file: str, line: int, name: str, callee: str) -> tuple[int, ...]:
    """The lines of the body of `name` at `line` (`<module>`: the top-level code) that call `callee`.

    `callee` is a bare name: `ADXIndicator` matches `ADXIndicator(...)` and `ta.trend.ADXIndicator(...)`;
    `__getitem__` and `__setitem__` match subscripts read and written (`close.iloc[i]`). Lambdas are left
    out: a profiler sees them as functions of their own.
    """
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8"), filename=file)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return ()
    bare = name.rsplit(".", 1)[-1]
    owners: list[ast.Module | ast.FunctionDef | ast.AsyncFunctionDef] = (
        [tree]
        if bare == "<module>"
        else [n for n in ast.walk(tree) if isinstance(n, _FUNCTIONS) and n.name == bare and n.lineno == line]
    )
    nodes = _own_nodes(owners[0]) if owners else []
    in_lambdas = {id(n) for lam in nodes if isinstance(lam, ast.Lambda) for n in ast.walk(lam.body)}
    return tuple(
        sorted(
            {
                n.lineno
                for n in nodes
                if isinstance(n, ast.expr) and id(n) not in in_lambdas and _calls(n, callee)
            }
        )
    )


def _calls(node: ast.AST, callee: str) -> bool:
    if callee in ("__getitem__", "__setitem__"):
        context = ast.Load if callee == "__getitem__" else ast.Store
        return isinstance(node, ast.Subscript) and isinstance(node.ctx, context)
    return isinstance(node, ast.Call) and _called_name(node.func) == callee


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _collect(
    node: ast.AST, scope: list[str], index: dict[tuple[int, str], SourceFacts], *, in_main: bool = False
) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _FUNCTIONS):
            qualname = ".".join([*scope, child.name])
            facts = _facts_of(child, qualname, is_module_level=not scope and not in_main)
            facts = replace(facts, in_main_block=in_main)
            # cProfile's first line is the first decorator's line when there are decorators.
            for line in {child.lineno, *(d.lineno for d in child.decorator_list)}:
                index[(line, child.name)] = facts
            _collect(child, [*scope, child.name, "<locals>"], index, in_main=in_main)
        elif isinstance(child, ast.ClassDef):
            _collect(child, [*scope, child.name], index, in_main=in_main)
        else:
            _collect(child, scope, index, in_main=in_main or (not scope and _is_main_guard(child)))


def _is_main_guard(node: ast.AST) -> bool:
    """`if __name__ == "__main__":` (either way round)."""
    if (
        not isinstance(node, ast.If)
        or not isinstance(node.test, ast.Compare)
        or len(node.test.comparators) != 1
    ):
        return False
    sides = {ast.unparse(node.test.left), ast.unparse(node.test.comparators[0])}  # unparse quotes with '
    return isinstance(node.test.ops[0], ast.Eq) and sides == {"__name__", "'__main__'"}


def _facts_of(
    func: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, *, is_module_level: bool
) -> SourceFacts:
    loops = [n for n in _own_nodes(func) if isinstance(n, _LOOPS)]
    arithmetic = sum(
        1
        for loop in loops
        for n in ast.walk(loop)
        if isinstance(n, ast.BinOp | ast.AugAssign | ast.UnaryOp | ast.Compare)
    )
    uses_numpy = any(
        isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in _NUMPY_NAMES
        for n in _own_nodes(func)
    ) or _body_mentions_numpy(func)
    loop_line = min((n.lineno for n in loops), default=None)
    return SourceFacts(qualname, is_module_level, loop_line, arithmetic, uses_numpy)


def _own_nodes(func: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of a function's body (or a module's top-level code), not descending into defs or classes."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = [n for n in func.body if not isinstance(n, _SCOPES)]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _SCOPES))
    return found


def _body_mentions_numpy(func: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body that calls methods of arrays it got from numpy-typed arguments (values.cumsum())."""
    if isinstance(func, ast.Module):
        return False
    hinted = {
        a.arg
        for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
        if a.annotation is not None and any(w in ast.unparse(a.annotation) for w in ("NDArray", "ndarray"))
    }
    return any(
        isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in hinted
        for n in _own_nodes(func)
    )
