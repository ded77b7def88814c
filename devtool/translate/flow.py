"""Definite assignment, as rustc checks it: a local read where some path has not assigned it yet.

Python raises UnboundLocalError there (or relies on a loop running at least once); rustc refuses to
compile it. Refusing it here says which line and why, instead of emitting Rust that does not build.
The rules are rustc's: after an `if`, what both branches assign (a branch that returns, breaks or
continues assigns everything); after `for` and `while`, what was assigned before (the body may not
run); after `while True`, what every `break` had assigned.
"""

from __future__ import annotations

import ast

from .scope import refuse

Assigned = frozenset[str] | None  # None: this path does not go on (return, break, continue)


def check_assigned(body: list[ast.stmt], locals_: set[str]) -> None:
    """Raise `Refused` at the first read of a local that a path may not have assigned."""
    _block(body, frozenset(), locals_, [])


def _block(stmts: list[ast.stmt], assigned: Assigned, names: set[str], breaks: list[Assigned]) -> Assigned:
    for stmt in stmts:
        if assigned is None:
            return None
        assigned = _statement(stmt, assigned, names, breaks)
    return assigned


def _statement(stmt: ast.stmt, a: frozenset[str], names: set[str], breaks: list[Assigned]) -> Assigned:
    if isinstance(stmt, ast.Assign | ast.AnnAssign):
        if stmt.value is not None:
            _reads(stmt.value, a, names)
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for t in targets:
            if isinstance(t, ast.Subscript):
                _reads(t, a, names)
        return a | {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and n.id in names
                    and isinstance(n.ctx, ast.Store)}  # fmt: skip
    if isinstance(stmt, ast.AugAssign):
        _reads(stmt.value, a, names)
        _reads(stmt.target, a, names, store_too=True)
        return a
    if isinstance(stmt, ast.Expr):
        _reads(stmt.value, a, names)
        return a
    if isinstance(stmt, ast.Return):
        if stmt.value is not None:
            _reads(stmt.value, a, names)
        return None
    if isinstance(stmt, ast.Break):
        breaks.append(a)
        return None
    if isinstance(stmt, ast.Continue):
        return None
    if isinstance(stmt, ast.If):
        _reads(stmt.test, a, names)
        body = _block(stmt.body, a, names, breaks)
        orelse = _block(stmt.orelse, a, names, breaks)
        if body is None or orelse is None:
            return orelse if body is None else body
        return body & orelse
    if isinstance(stmt, ast.For):
        _reads(stmt.iter, a, names)
        target = {n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)}
        _block(stmt.body, a | target, names, [])
        return a
    if isinstance(stmt, ast.While):
        forever = isinstance(stmt.test, ast.Constant) and stmt.test.value is True
        if not forever:
            _reads(stmt.test, a, names)
        inner: list[Assigned] = []
        _block(stmt.body, a, names, inner)
        if not forever:
            return a
        exits = [b for b in inner if b is not None]
        if not exits:
            return None
        result = exits[0]
        for b in exits[1:]:
            result = result & b
        return result
    return a


def _reads(node: ast.AST, a: frozenset[str], names: set[str], store_too: bool = False) -> None:
    for n in ast.walk(node):
        if (
            isinstance(n, ast.Name)
            and n.id in names
            and n.id not in a
            and (store_too or isinstance(n.ctx, ast.Load))
        ):
            raise refuse(
                n,
                f"reads `{n.id}` where a path has not assigned it yet (Python would raise UnboundLocalError, "
                "or the code relies on a loop running at least once): assign it before",
                construct=n.id,
            )
