"""Where each local gets its `let`: at its first assignment when that assignment comes before every other
use in the innermost block holding them all, otherwise hoisted to the top of the function (uninitialised,
so rustc still checks that it is assigned before it is read, as Python would raise UnboundLocalError)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .liveness import DeadStores

Path = tuple[tuple[int, int], ...]
LOOPS = (ast.For, ast.While)


@dataclass
class Plan:
    """`inline[(id(stmt), name)]`: declare `name` with `let` at this assignment; `hoisted`: at the top;
    `if_init[id(stmt)]`: the local this `if` chain gives a value to (`let x = if ...`)."""

    inline: set[tuple[int, str]] = field(default_factory=set)
    hoisted: list[str] = field(default_factory=list)
    if_init: dict[int, str] = field(default_factory=dict)
    mutable: set[str] = field(default_factory=set)


@dataclass
class _Uses:
    paths: list[Path] = field(default_factory=list)
    #: assignment statements: the statement, whether it can run again (in a loop, not followed by a
    #: `break` or `return` that leaves it), its path, whether its block leaves right after it
    sites: list[tuple[ast.stmt, bool, Path, bool]] = field(default_factory=list)
    mutated: bool = False


def plan_declarations(body: list[ast.stmt], names: set[str], dead: DeadStores | None = None) -> Plan:
    """Where each of `names` is declared and whether it is `mut`; a dead store (`liveness`) is no
    assignment of its local, and a dead store left out is no use of anything."""
    uses: dict[str, _Uses] = {n: _Uses() for n in names}
    _walk(body, (), 0, uses, dead or DeadStores())
    statements = _index(body)
    plan = Plan()
    for name in sorted(names, key=lambda n: _first(uses[n])):
        u = uses[name]
        if not u.paths:
            continue
        site = _inline_site(u, statements, name)
        if site is not None:
            plan.inline.add((id(site), name))
            others = [s for s, _, _, _ in u.sites if s is not site]
            if others or u.mutated:
                plan.mutable.add(name)
        else:
            plan.hoisted.append(name)
            if _assigned_twice(u) or u.mutated:
                plan.mutable.add(name)
    _tuple_consistency(body, plan, dead or DeadStores())
    for name in list(plan.hoisted):
        first = statements[_first(uses[name])[0]]
        if isinstance(first, ast.If) and _branches_assign(first, name, dead or DeadStores()):
            plan.hoisted.remove(name)
            plan.if_init[id(first)] = name
    return plan


def _branches_assign(stmt: ast.If, name: str, dead: DeadStores) -> bool:
    """Whether every branch of an if/elif/else chain ends by assigning `name`, which nothing else in the
    chain mentions: `let name = if c { ...; a } else { ...; b };` then (clippy's `needless_late_init`)."""
    if _mentions(stmt.test, name) or not _ends_assigning(stmt.body, name, dead):
        return False
    if len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], ast.If):
        return _branches_assign(stmt.orelse[0], name, dead)
    return _ends_assigning(stmt.orelse, name, dead)


def _ends_assigning(block: list[ast.stmt], name: str, dead: DeadStores) -> bool:
    if not block or any(_mentions(s, name) for s in block[:-1]):
        return False
    last = block[-1]
    if not isinstance(last, ast.Assign | ast.AnnAssign) or last.value is None:
        return False
    targets = last.targets if isinstance(last, ast.Assign) else [last.target]
    return (
        len(targets) == 1
        and isinstance(targets[0], ast.Name)
        and targets[0].id == name
        and id(last) not in dead.dead
        and not _mentions(last.value, name)
    )


def _mentions(node: ast.AST | None, name: str) -> bool:
    return node is not None and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _first(u: _Uses) -> tuple[tuple[int, int], ...]:
    return min(u.paths) if u.paths else ()


def _walk(stmts: list[ast.stmt], path: Path, loops: int, uses: dict[str, _Uses], dead: DeadStores) -> None:
    for i, stmt in enumerate(stmts):
        if id(stmt) in dead.dropped:
            continue
        here = (*path, (id(stmts), i))
        unset = dead.unset(stmt)  # the locals a kept dead store (or a `_` in a pattern) does not assign
        for node in _header_nodes(stmt):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and sub.id in uses and not _unset_target(sub, unset, stmt):
                    uses[sub.id].paths.append(here)
        for target in _targets(stmt):
            if isinstance(target, ast.Name) and target.id in uses and target.id not in unset:
                later = stmts[i + 1 :]
                leaves = any(isinstance(s, ast.Return) for s in later) or (
                    loops <= 1 and any(isinstance(s, ast.Break) for s in later)
                )
                uses[target.id].sites.append((stmt, loops > 0 and not leaves, here, leaves))
            elif (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id in uses
            ):
                uses[target.value.id].mutated = True
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in uses
        ):
            uses[call.func.value.id].mutated = True
        inner = loops + isinstance(stmt, LOOPS)
        for block in _blocks(stmt):
            _walk(block, here, inner, uses, dead)


def _unset_target(name: ast.Name, unset: frozenset[str], stmt: ast.stmt) -> bool:
    """The target of a kept dead store, which its Rust (`let _ = value;`) does not name: `x op= v` reads x."""
    return name.id in unset and isinstance(name.ctx, ast.Store) and not isinstance(stmt, ast.AugAssign)


def _assigned_twice(u: _Uses) -> bool:
    """Whether a run can assign the variable twice: a site in a loop, or two sites not in exclusive
    branches of one `if` (rustc refuses `mut` where every path assigns once, and needs it otherwise)."""
    if any(again for _, again, _, _ in u.sites):
        return True
    leaving = {p for _, _, p, leaves in u.sites if leaves}
    paths = list({p for _, _, p, _ in u.sites})
    for k, a in enumerate(paths):
        for b in paths[k + 1 :]:
            common = 0
            while common < min(len(a), len(b)) and a[common] == b[common]:
                common += 1
            if common == min(len(a), len(b)):
                return True  # one inside the other
            if a[common][0] == b[common][0]:  # one after the other in one block
                first = a if a[common][1] < b[common][1] else b
                if first not in leaving:  # a site whose block leaves right after it is followed by nothing
                    return True
    return False


def _header_nodes(stmt: ast.stmt) -> list[ast.AST]:
    if isinstance(stmt, ast.If | ast.While):
        return [stmt.test]
    if isinstance(stmt, ast.For):
        return [stmt.target, stmt.iter]
    return [stmt]


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(stmt, ast.If | ast.While | ast.For):
        return [stmt.body, stmt.orelse]
    return []


def _targets(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        out: list[ast.expr] = []
        for t in stmt.targets:
            out.extend(t.elts if isinstance(t, ast.Tuple) else [t])
        return out
    if isinstance(stmt, ast.AugAssign | ast.AnnAssign):
        return [stmt.target]
    return []


def _index(body: list[ast.stmt]) -> dict[tuple[int, int], ast.stmt]:
    found: dict[tuple[int, int], ast.stmt] = {}

    def visit(stmts: list[ast.stmt]) -> None:
        for i, s in enumerate(stmts):
            found[(id(stmts), i)] = s
            for block in _blocks(s):
                visit(block)

    visit(body)
    return found


def _inline_site(u: _Uses, statements: dict[tuple[int, int], ast.stmt], name: str) -> ast.stmt | None:
    common = 0
    while all(len(p) > common for p in u.paths) and len({p[common] for p in u.paths}) == 1:
        common += 1
    if all(len(p) == common for p in u.paths):  # every use in one statement
        key = u.paths[0][common - 1]
    elif any(len(p) == common for p in u.paths) or len({p[common][0] for p in u.paths}) != 1:
        return None  # in a compound statement's header and body, or in different blocks (if and else)
    else:
        key = min(p[common] for p in u.paths)
    stmt = statements[key]
    if not isinstance(stmt, ast.Assign | ast.AnnAssign) or stmt.value is None:
        return None
    if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(stmt.value)):
        return None
    return stmt if any(isinstance(t, ast.Name) and t.id == name for t in _targets(stmt)) else None


def _tuple_consistency(body: list[ast.stmt], plan: Plan, dead: DeadStores) -> None:
    """A tuple assignment declares all its (read) names with one `let`, or none: the others get hoisted."""
    for stmt in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Tuple) for t in stmt.targets):
            names = [t.id for t in _targets(stmt) if isinstance(t, ast.Name)]
            unread = dead.unset(stmt)
            everything = len(names) == len(_targets(stmt))
            names = [n for n in names if n not in unread]
            inline = [n for n in names if (id(stmt), n) in plan.inline]
            if inline and (len(inline) != len(names) or len(stmt.targets) > 1 or not everything):
                for n in inline:
                    plan.inline.discard((id(stmt), n))
                    plan.hoisted.append(n)
                    plan.mutable.add(n)
