"""The Rust after `for`: ranges with either step sign, arrays and lists, `enumerate`, `zip`."""

from __future__ import annotations

import ast

from .lower import Expr
from .model import Array, Scalar
from .scope import Scope, refuse, rust_name


class LoopHeaders:
    """`for` headers, for `Body` (which supplies the scope and the expression lowering)."""

    scope: Scope

    def expr(self, node: ast.expr) -> Expr | None:
        raise NotImplementedError

    def loop_header(self, stmt: ast.For) -> tuple[str, list[tuple[str, Scalar]]]:
        """The Rust after `for`, and the loop's variables with their types."""
        it, target = stmt.iter, stmt.target
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate":
            if len(it.args) != 1 or it.keywords or not isinstance(it.args[0], ast.Name):
                raise refuse(it, "calls enumerate with other than one named array: not translated")
            names = (
                [t.id for t in target.elts if isinstance(t, ast.Name)]
                if isinstance(target, ast.Tuple)
                else []
            )
            if len(names) != 2 or len(names) != len(getattr(target, "elts", ())):
                raise refuse(stmt, "unpacks enumerate into other than two names")
            source, element = self.iterated(stmt, it.args[0])
            header = f"({rust_name(names[0])}, &{rust_name(names[1])}) in (0_i64..).zip({source})"
            return header, [(names[0], Scalar("int")), (names[1], element)]
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "zip":
            return self.zip_header(stmt, it)
        if not isinstance(target, ast.Name):
            raise refuse(stmt, "unpacks in a `for` target: iterate over range(len(x)) or enumerate(x)")
        if isinstance(it, ast.Name):
            source, element = self.iterated(stmt, it)
            return f"&{rust_name(target.id)} in {source}", [(target.id, element)]
        return self.range_header(stmt, rust_name(target.id)), [(target.id, Scalar("int"))]

    def zip_header(self, stmt: ast.For, it: ast.Call) -> tuple[str, list[tuple[str, Scalar]]]:
        """`for a, b in zip(x, y)`: `for (&a, &b) in x.iter().zip(y)`, which stops at the shortest as
        Python's zip does; three or more arrays nest (`((&a, &b), &c)`)."""
        target = stmt.target
        names = (
            [t.id for t in target.elts if isinstance(t, ast.Name)] if isinstance(target, ast.Tuple) else []
        )
        lenient = all(
            kw.arg == "strict" and isinstance(kw.value, ast.Constant) and kw.value.value is False
            for kw in it.keywords
        )
        if not lenient or len(it.args) < 2 or not all(isinstance(a, ast.Name) for a in it.args):
            raise refuse(
                it,
                "calls zip with other than two or more named arrays, or with strict=True (a ValueError "
                "after the shortest ends): not translated",
            )
        if len(names) != len(it.args) or len(names) != len(getattr(target, "elts", ())):
            raise refuse(stmt, "unpacks zip into other than one name per array: not translated")
        sources = [self.iterated(stmt, a) for a in it.args if isinstance(a, ast.Name)]
        chain, pattern = f"{sources[0][0].lstrip('&')}.iter()", f"&{rust_name(names[0])}"
        for (source, _), name in zip(sources[1:], names[1:], strict=True):
            chain, pattern = f"{chain}.zip({source})", f"({pattern}, &{rust_name(name)})"
        return f"{pattern} in {chain}", [(n, element) for n, (_, element) in zip(names, sources, strict=True)]

    def iterated(self, stmt: ast.For, node: ast.Name) -> tuple[str, Scalar]:
        """`for v in x`: the Rust to iterate over, and the element type; `x` must not change inside."""
        array = self.expr(node)
        if array is None:
            return "", Scalar("float")
        if not isinstance(array.type, Array) or array.type.ndim != 1:
            raise refuse(stmt, f"iterates over `{node.id}`, which is not a 1-D array or list")
        for s in stmt.body:
            for n in ast.walk(s):
                changed = (
                    (isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store))
                    or (isinstance(n, ast.Attribute) and n.attr == "append")
                    or (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
                )
                if changed and any(isinstance(m, ast.Name) and m.id == node.id for m in ast.walk(n)):
                    raise refuse(stmt, f"changes `{node.id}` while iterating over it: not translated")
        source = array.code if array.type.origin == "param" else f"&{array.code}"
        return source, array.type.element

    def range_header(self, stmt: ast.For, var: str) -> str:
        it = stmt.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"):
            raise refuse(it, "iterates over something other than range(...), an array or enumerate(array)")
        if it.keywords or not 1 <= len(it.args) <= 3:
            raise refuse(it, "calls range with other than 1 to 3 positional arguments")
        bounds = []
        for a in it.args:
            e = self.expr(a)
            if e is None:
                return ""
            if not isinstance(e.type, Scalar) or e.type.kind != "int":
                raise refuse(a, "is a range bound that is not an int: Python raises TypeError")
            bounds.append(e)
        if len(bounds) == 1:
            return f"{var} in 0..{bounds[0].at(12)}"
        start, stop = bounds[0].at(12), bounds[1].at(12)
        if len(bounds) == 2:
            return f"{var} in {start}..{stop}"
        step = bounds[2].code
        if not step.lstrip("-").isdigit() or int(step) == 0:
            raise refuse(
                it,
                "has a step that is not a nonzero int constant: its direction is unknown; write a while loop",
            )
        if int(step) > 0:
            return f"{var} in ({start}..{stop}).step_by({step})"
        # range(a, b, -s) yields a, a - s, ... while > b: the values of b+1..=a from the top, without b + 1
        return f"{var} in ({stop}..{start}).rev().map(|k| k + 1).step_by({-int(step)})"
