"""Dead stores, as rustc's liveness sees them: a value assigned to a local and overwritten (or never read)
before any path reads it.

Python does not mind; rustc warns (`unused_assignments`, `unused_variables`) and `-D warnings` makes that
an error. The emitter therefore leaves a dead store out when its value cannot raise (`y = 0.0` before a
loop that always assigns `y` first) and keeps only the evaluation (`let _ = ...;`) when it can, so that
Python's exception still comes where Python raises it. Leaving a store out removes its reads, which can
make an earlier store dead in turn: the analysis runs until nothing changes.

The analysis is a backward liveness over the statements, with rustc's view of control flow: the body of
`for` and `while` may run any number of times, `while True` is left only by `break`, `return` ends the
path.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

Live = frozenset[str]


@dataclass
class DeadStores:
    """`dead[id(stmt)]`: the local whose value `stmt` stores is never read; `dropped`: the dead stores
    whose value cannot raise, left out of the Rust (the others keep their evaluation)."""

    dead: dict[int, str] = field(default_factory=dict)
    dropped: set[int] = field(default_factory=set)
    #: `a, b = ...`: the names of a tuple assignment whose values are never read (`_` in the pattern)
    items: dict[int, frozenset[str]] = field(default_factory=dict)

    def unset(self, stmt: ast.stmt) -> frozenset[str]:
        """The locals `stmt` stores a value into that nothing reads (so its Rust does not assign them)."""
        one = self.dead.get(id(stmt))
        return self.items.get(id(stmt), frozenset()) | ({one} if one else set())


def store_target(stmt: ast.stmt, names: set[str]) -> str | None:
    """The local a simple store `name = value`, `name: T = value` or `name op= value` assigns, else None."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target: ast.expr = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign | ast.AugAssign) and getattr(stmt, "value", None) is not None:
        target = stmt.target
    else:
        return None
    return target.id if isinstance(target, ast.Name) and target.id in names else None


def stored_value(stmt: ast.stmt) -> ast.expr | None:
    """The value a simple store computes: `value`, or `name op value` for `name op= value`."""
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        name = ast.copy_location(ast.Name(stmt.target.id, ast.Load()), stmt.target)
        return ast.copy_location(ast.BinOp(name, stmt.op, stmt.value), stmt)
    return stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None


def overwritten_params(fn: ast.FunctionDef, scalars: set[str]) -> set[str]:
    """The scalar parameters the body assigns before any path reads them: the value passed is never read
    (rustc warns), so the kernel takes it as `_name` and the name is a local of the body."""
    assigned = {
        n.id
        for n in ast.walk(fn)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id in scalars
    }
    if not assigned:
        return set()
    live = _Liveness(assigned, set()).block(fn.body, frozenset(), _Exits(frozenset(), frozenset()))
    return assigned - live


def dead_stores(body: list[ast.stmt], names: set[str], pure: Callable[[ast.stmt], bool]) -> DeadStores:
    """The dead simple stores to `names` in `body`; `pure(stmt)` says whether a store's value cannot raise."""
    found = DeadStores()
    while True:
        analysis = _Liveness(names, found.dropped)
        analysis.block(body, frozenset(), _Exits(frozenset(), frozenset()))
        found.dead.update(analysis.dead)
        found.items = {key: unread for key, unread in analysis.items.items() if unread}
        new = {key for key in analysis.dead if pure(analysis.stmts[key])}
        if not new:
            return found
        found.dropped |= new


@dataclass(frozen=True)
class _Exits:
    breaks: Live
    continues: Live


class _Liveness:
    def __init__(self, names: set[str], skipped: set[int]) -> None:
        self.names = names
        self.skipped = skipped
        self.dead: dict[int, str] = {}
        self.items: dict[int, frozenset[str]] = {}
        self.stmts: dict[int, ast.stmt] = {}

    def reads(self, *nodes: ast.AST | None) -> Live:
        return frozenset(
            n.id
            for node in nodes
            if node is not None
            for n in ast.walk(node)
            if isinstance(n, ast.Name) and n.id in self.names and isinstance(n.ctx, ast.Load)
        )

    def block(self, stmts: list[ast.stmt], after: Live, exits: _Exits) -> Live:
        live = after
        for stmt in reversed(stmts):
            live = self.statement(stmt, live, exits)
        return live

    def statement(self, stmt: ast.stmt, after: Live, exits: _Exits) -> Live:
        if id(stmt) in self.skipped:
            return after
        target = store_target(stmt, self.names)
        if target is not None:
            # The last visit of a statement is made with the loops' final live sets: it decides.
            self.stmts[id(stmt)] = stmt
            if target in after:
                self.dead.pop(id(stmt), None)
            else:
                self.dead[id(stmt)] = target
        if isinstance(stmt, ast.AugAssign):
            own = (
                {stmt.target.id}
                if isinstance(stmt.target, ast.Name) and stmt.target.id in self.names
                else set()
            )
            return after | self.reads(stmt.value, stmt.target) | own
        if isinstance(stmt, ast.Assign) and len(stmt.targets) > 1:
            self.chain(stmt, after)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple):
            self.items[id(stmt)] = frozenset(
                t.id
                for t in stmt.targets[0].elts
                if isinstance(t, ast.Name) and t.id in self.names and t.id not in after
            )
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            killed = {
                n.id
                for t in targets
                for n in ast.walk(t)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            return (after - killed) | self.reads(stmt.value, *targets)
        if isinstance(stmt, ast.Return):
            return self.reads(stmt.value)
        if isinstance(stmt, ast.Break):
            return exits.breaks
        if isinstance(stmt, ast.Continue):
            return exits.continues
        if isinstance(stmt, ast.If):
            return (
                self.reads(stmt.test)
                | self.block(stmt.body, after, exits)
                | self.block(stmt.orelse, after, exits)
            )
        if isinstance(stmt, ast.For | ast.While):
            return self.loop(stmt, after)
        return after | self.reads(stmt)

    def chain(self, stmt: ast.Assign, after: Live) -> None:
        """`a = b = v` is `let a = v; let b = a;`: an unread `b` is a copy left out; an unread `a` is
        read by the copies, unless every name is unread: then the statement is one dead store."""
        names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        if len(names) != len(stmt.targets) or not all(n in self.names for n in names):
            return
        unread = frozenset(n for n in names[1:] if n not in after)
        self.dead.pop(id(stmt), None)
        if names[0] not in after and len(unread) == len(names) - 1:
            unread |= {names[0]}
            self.dead[id(stmt)] = names[0]
            self.stmts[id(stmt)] = stmt
        self.items[id(stmt)] = unread

    def loop(self, stmt: ast.For | ast.While, after: Live) -> Live:
        forever = (
            isinstance(stmt, ast.While) and isinstance(stmt.test, ast.Constant) and stmt.test.value is True
        )
        test = self.reads(stmt.test) if isinstance(stmt, ast.While) and not forever else frozenset()
        exit_live = frozenset() if forever else after
        head: Live = test | exit_live
        while True:  # the live set at the loop's head: a fixpoint (it only grows)
            body = self.block(stmt.body, head, _Exits(after, head))
            new = test | exit_live | body
            if new == head:
                break
            head = new
        return head | self.reads(stmt.iter) if isinstance(stmt, ast.For) else head
