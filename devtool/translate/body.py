"""Python statements -> Rust statements: one function body, each block commented with its Python line."""

from __future__ import annotations

import ast

from .decls import Plan, plan_declarations
from .flow import check_assigned
from .liveness import DeadStores, dead_stores, stored_value
from .loops import LoopHeaders
from .lower import ATOM, CMP, Expr, Lowerer
from .matrix import cols_line, shape_source
from .model import Array, Refused, Scalar, Tuple, Type
from .scope import Scope, Unknown, refuse, rust_name

AUG = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.BitAnd, ast.BitOr, ast.BitXor)


class Body(LoopHeaders):
    """Infers the locals of `scope`'s function, then writes its Rust body."""

    def __init__(self, scope: Scope, source_lines: list[str]) -> None:
        self.scope = scope
        self.lw = Lowerer(scope)
        self.source = source_lines
        self.lines: list[str] = []
        self.returns: list[Type] = []
        self.plan = Plan()
        self.dead = DeadStores()
        #: id(store) -> whether its value's Rust can raise (`?`), as the last inference pass saw it
        self.raises: dict[int, bool] = {}
        self.declared: set[str] = set()

    # -- inference: run the statements until the locals' types stop changing -----------------------------
    def infer(self) -> None:
        self.scope.for_targets = {
            t.id
            for n in ast.walk(self.scope.node)
            if isinstance(n, ast.For)
            for t in ast.walk(n.target)
            if isinstance(t, ast.Name)
        }
        for _ in range(12):
            before = dict(self.scope.locals)
            self.returns = []
            self.block(self.scope.node.body)
            if self.scope.locals == before:
                break
        self.scope.infer = False
        names = set(self.scope.locals)
        check_assigned(self.scope.node.body, names)
        self.dead = dead_stores(self.scope.node.body, names, self.cannot_raise)
        self.plan = plan_declarations(self.scope.node.body, names, self.dead)

    def cannot_raise(self, stmt: ast.stmt) -> bool:
        """Whether the value a simple store computes cannot raise (its Rust, as inferred, has no `?`)."""
        return not self.raises.get(id(stmt), True)

    def emit(self) -> list[str]:
        self.lines = []
        self.returns = []
        for name in self.plan.hoisted:
            t = self.scope.locals[name]
            mut = "mut " if name in self.plan.mutable else ""
            self.lines.append(f"let {mut}{rust_name(name)}: {t.rust};")
            self.declared.add(name)
        self.block(self.scope.node.body, tail=True)
        return self.lines

    # -- statements --------------------------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt], tail: bool = False) -> None:
        body = stmts
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        for k, stmt in enumerate(body):
            self.statement(stmt, tail and k == len(body) - 1)

    def comment(self, stmt: ast.stmt) -> None:
        if self.scope.infer:
            return
        text = self.source[stmt.lineno - 1].strip() if stmt.lineno <= len(self.source) else ""
        self.lines.append(f"// line {stmt.lineno}: {text}")

    def out(self, line: str) -> None:
        if not self.scope.infer:
            self.lines.append(line)

    def expr(self, node: ast.expr) -> Expr | None:
        try:
            return self.lw.expr(node)
        except Unknown:
            if self.scope.infer:
                return None
            raise

    def statement(self, stmt: ast.stmt, tail: bool) -> None:
        kind = type(stmt).__name__
        method = getattr(self, f"_{kind.lower()}", None)
        if method is None:
            raise refuse(
                stmt,
                f"is a `{kind}` statement: not in the translatable subset",
                construct=self.source[stmt.lineno - 1].strip()[:60],
            )
        if tail and not isinstance(stmt, ast.Return | ast.If):
            raise refuse(stmt, "is the last statement and does not return: the function would return None")
        if isinstance(stmt, ast.Return | ast.If):
            method(stmt, tail)
        else:
            method(stmt)

    def _pass(self, stmt: ast.Pass) -> None:
        return

    def _break(self, stmt: ast.Break) -> None:
        self.comment(stmt)
        self.out("break;")

    def _continue(self, stmt: ast.Continue) -> None:
        self.comment(stmt)
        self.out("continue;")

    def _expr(self, stmt: ast.Expr) -> None:
        call = stmt.value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "append"
            and isinstance(call.func.value, ast.Name)
            and len(call.args) == 1
            and not call.keywords
        ):
            self.append(stmt, call.func.value, call.args[0])
            return
        if isinstance(call, ast.Constant) and isinstance(call.value, str):
            return  # a string statement is a comment
        raise refuse(
            stmt,
            "is an expression statement whose value is dropped (a call for its side effects): not translated",
        )

    def append(self, stmt: ast.stmt, target: ast.Name, value_node: ast.expr) -> None:
        self.comment(stmt)
        value = self.expr(value_node)
        if value is None:
            return
        if not isinstance(value.type, Scalar) or value.type.kind == "bool":
            raise refuse(stmt, "appends something other than a number: not translated")
        name = target.id
        current = self.scope.locals.get(name)
        if self.scope.infer:
            if not isinstance(current, Array) or current.origin != "list":
                if name in self.scope.params or (current is not None and not isinstance(current, Array)):
                    raise refuse(stmt, f"appends to `{name}`, which is not a list made in this function")
                return
            elem = (
                "float" if "float" in (current.elem, value.type.kind) or current.flavor == "unset" else "int"
            )
            flavor = value.type.flavor if current.flavor in ("unset", value.type.flavor) else "mixed"
            if current.flavor == "unset":
                elem = value.type.kind
            self.scope.locals[name] = Array(elem, "list", 1, flavor)  # type: ignore[arg-type]
            return
        assert isinstance(current, Array)
        self.out(f"{rust_name(name)}.push({self.lw.convert(value, current.element, stmt)});")

    def _annassign(self, stmt: ast.AnnAssign) -> None:
        if stmt.value is None:
            return
        self.assign_to([stmt.target], stmt.value, stmt)

    def _assign(self, stmt: ast.Assign) -> None:
        self.assign_to(stmt.targets, stmt.value, stmt)

    def assign_to(self, targets: list[ast.expr], value_node: ast.expr, stmt: ast.stmt) -> None:
        self.comment(stmt)
        if self.dead_store(stmt, value_node):
            return
        if isinstance(value_node, ast.List) and not value_node.elts:
            self.raises[id(stmt)] = False
            for t in targets:
                if not isinstance(t, ast.Name):
                    raise refuse(stmt, "assigns an empty list to something other than a name")
                if self.scope.infer and t.id not in self.scope.locals:
                    self.scope.locals[t.id] = Array("float", "list", 1, "unset")
                elif not self.scope.infer:
                    self.declare_and_set(t, Expr("Vec::new()", self.scope.locals[t.id]), stmt)
            return
        value = self.expr(value_node)
        if value is None:
            return
        self.raises[id(stmt)] = "?" in value.code
        if isinstance(value.type, Array) and (len(targets) > 1 or isinstance(value_node, ast.Name)):
            raise refuse(stmt, "gives one array two names (Python aliases it): not translated")
        if len(targets) > 1 and all(isinstance(t, ast.Subscript) for t in targets):
            self.chained_stores(targets, value, stmt)
            return
        if len(targets) > 1 and not all(isinstance(t, ast.Name) for t in targets):
            raise refuse(stmt, "chains an assignment into an element and a name: write two statements")
        if isinstance(targets[0], ast.Tuple):
            if len(targets) > 1:
                raise refuse(stmt, "chains a tuple assignment: not translated")
            self.tuple_assign(targets[0], value, stmt)
            return
        first = targets[0]
        self.set_target(first, value, stmt)
        for other in targets[1:]:
            assert isinstance(first, ast.Name) and isinstance(other, ast.Name)
            if not self.scope.infer and other.id in self.dead.unset(stmt):
                continue  # a copy nothing reads
            self.set_target(
                other, Expr(rust_name(first.id), self.scope.locals.get(first.id, value.type)), stmt
            )

    def chained_stores(self, targets: list[ast.expr], value: Expr, stmt: ast.stmt) -> None:
        """`l0[0] = l1[0] = c[0]` (pandas-ta-classic's `_lrsi_loop`): the value once, then each element left
        to right, as Python stores them (an index outside its array raises at that target)."""
        if not self.scope.infer and isinstance(value.type, Scalar):
            self.out(f"let value = {value.code};")
            value = Expr("value", value.type)
        for target in targets:
            assert isinstance(target, ast.Subscript)
            self.store(target, value, stmt)

    def dead_store(self, stmt: ast.stmt, value_node: ast.expr) -> bool:
        """A value no path reads (rustc would warn): left out, or only evaluated when it can raise."""
        if self.scope.infer or id(stmt) not in self.dead.dead:
            return False
        name = self.dead.dead[id(stmt)]
        if id(stmt) in self.dead.dropped:
            self.out(f"// (the value of `{name}` set here is never read: left out)")
            return True
        value = self.expr(value_node)
        assert value is not None
        self.out(f"// (the value of `{name}` set here is never read: only evaluated, for its exceptions)")
        self.out(f"let _ = {value.code};")
        return True

    def set_target(self, target: ast.expr, value: Expr, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            if self.scope.infer:
                self.scope.bind(target.id, value.type, stmt)
                if isinstance(value.type, Array) and value.type.ndim == 2 and value.type.origin != "param":
                    self.new_matrix(target.id, stmt)
            else:
                self.declare_and_set(target, value, stmt)
            return
        if isinstance(target, ast.Subscript):
            self.store(target, value, stmt)
            return
        raise refuse(stmt, "assigns to an attribute or another kind of target: not translated")

    def new_matrix(self, name: str, stmt: ast.stmt) -> None:
        """A 2-D array made here: it must copy a 2-D array's shape, and be assigned once."""
        value = getattr(stmt, "value", None)
        source = shape_source(value) if isinstance(value, ast.expr) else None
        if source is None or not isinstance(stmt, ast.Assign | ast.AnnAssign):
            raise refuse(
                stmt, "makes a 2-D array other than as np.zeros_like/np.full_like of one: not translated"
            )
        roots = self.scope.matrix_roots
        roots[rust_name(name)] = roots.get(rust_name(source), rust_name(source))

    def declare_and_set(self, target: ast.Name, value: Expr, stmt: ast.stmt) -> None:
        name = target.id
        want = self.scope.params.get(name) or self.scope.locals[name]
        code = self.lw.convert(value, want, stmt)
        if (id(stmt), name) in self.plan.inline and name not in self.declared:
            mut = "mut " if name in self.plan.mutable else ""
            literal = isinstance(want, Scalar) and value_code_literal(code) is not None
            annotation = f": {want.rust}" if literal or isinstance(want, Array) else ""
            self.out(f"let {mut}{rust_name(name)}{annotation} = {code};")
            self.declared.add(name)
            if isinstance(want, Array) and want.ndim == 2 and isinstance(stmt, ast.Assign | ast.AnnAssign):
                cols = cols_line(name, stmt.value, self.scope.node)  # type: ignore[arg-type]
                if cols is not None:
                    self.out(cols)
            return
        if isinstance(want, Array) and want.ndim == 2:
            raise refuse(stmt, f"assigns the 2-D array `{name}` twice or in branches: not translated")
        self.out(self.assignment(rust_name(name), code, value))

    def assignment(self, target: str, code: str, value: Expr) -> str:
        """`x = x + y` as `x += y` (and `x = y + x` for + and *), the form clippy asks for: bit for bit the
        same, since IEEE addition and multiplication commute."""
        for sym in ("+", "-", "*", "/", "|", "&", "^"):
            prefix = f"{target} {sym} "
            if code.startswith(prefix) and _is_one_operand(code[len(prefix) :], sym):
                return f"{target} {sym}= {_unwrapped(code[len(prefix) :])};"
            suffix = f" {sym} {target}"
            if sym in "+*|&^" and code.endswith(suffix) and _is_one_operand(code[: -len(suffix)], sym):
                return f"{target} {sym}= {_unwrapped(code[: -len(suffix)])};"
        return f"{target} = {code};"

    def store(self, target: ast.Subscript, value: Expr, stmt: ast.stmt) -> None:
        array, index = self.lw.element(target)
        assert isinstance(array.type, Array)
        if array.type.origin == "param":
            raise _writes_into_parameter(stmt, target)
        if self.scope.infer:
            return
        if not isinstance(value.type, Scalar) or value.type.kind == "bool":
            raise refuse(stmt, "stores something other than a number into an array")
        if array.type.elem == "int" and value.type.kind == "float":
            raise refuse(stmt, "stores a float into an int array (numpy truncates): write int(...)")
        code = self.lw.convert(value, array.type.element, stmt)
        if "?" in code:  # Python evaluates the value before the index: keep that order of exceptions
            self.out(f"let value = {code};")
            code = "value"
        self.out(f"let at = {index};")
        self.out(f"{array.code}[at] = {code};")

    def tuple_assign(self, target: ast.Tuple, value: Expr, stmt: ast.stmt) -> None:
        if not isinstance(value.type, Tuple) or len(value.type.items) != len(target.elts):
            raise refuse(stmt, "unpacks something other than a tuple of the same length: not translated")
        if self.scope.infer:
            for t, item in zip(target.elts, value.type.items, strict=True):
                if isinstance(t, ast.Name):
                    self.scope.bind(t.id, item, stmt)
                elif not isinstance(t, ast.Subscript):
                    raise refuse(stmt, "unpacks into a target that is not a name or an element")
            return
        names = [t for t in target.elts if isinstance(t, ast.Name)]
        items = value.type.items
        unread = self.dead.unset(stmt)  # `_` in the pattern: rustc would warn of a value never read
        code = self.tuple_code(value, items, names, unread, stmt) if len(names) == len(items) else ""
        if len(names) == len(target.elts) and all(
            (id(stmt), n.id) in self.plan.inline for n in names if n.id not in unread
        ):
            pattern = ", ".join(
                "_" if n.id in unread else ("mut " if n.id in self.plan.mutable else "") + rust_name(n.id)
                for n in names
            )
            self.out(f"let ({pattern}) = {code};")
            self.declared.update(n.id for n in names if n.id not in unread)
            return
        if len(names) == len(target.elts):
            pattern = ", ".join("_" if n.id in unread else rust_name(n.id) for n in names)
            self.out(f"({pattern}) = {code};")
            return
        temps = [
            "_" if isinstance(t, ast.Name) and t.id in unread else f"item{k}"
            for k, t in enumerate(target.elts)
        ]
        self.out(f"let ({', '.join(temps)}) = {value.code};")
        for t, tmp, item in zip(target.elts, temps, items, strict=True):
            if tmp != "_":
                self.set_target(t, Expr(tmp, item), stmt)

    def tuple_code(
        self,
        value: Expr,
        items: tuple[Type, ...],
        names: list[ast.Name],
        unread: frozenset[str],
        stmt: ast.stmt,
    ) -> str:
        wanted = [
            item if n.id in unread else self.scope.locals.get(n.id) or self.scope.params[n.id]
            for n, item in zip(names, items, strict=True)
        ]
        if all(
            w == i or (isinstance(w, Scalar) and isinstance(i, Scalar) and w.kind == i.kind)
            for w, i in zip(wanted, items, strict=True)
        ):
            return value.code
        raise refuse(stmt, "unpacks an int into a float local: write the value as a float")

    def _augassign(self, stmt: ast.AugAssign) -> None:
        self.comment(stmt)
        if not isinstance(stmt.op, AUG):
            raise refuse(stmt, f"uses the operator {type(stmt.op).__name__}=: not translated")
        value = stored_value(stmt)
        if value is not None and self.dead_store(stmt, value):
            return
        right = self.expr(stmt.value)
        if right is None:
            return
        target = stmt.target
        if isinstance(target, ast.Name):
            left = self.expr(target)
            if left is None:
                return
            result = self.lw.arith(stmt, stmt.op, left, self.lw.number(stmt.value))
            self.raises[id(stmt)] = "?" in result.code
            self.set_target(target, result, stmt)
            return
        if not isinstance(target, ast.Subscript):
            raise refuse(stmt, "assigns to an attribute: not translated")
        array, index = self.lw.element(target)
        assert isinstance(array.type, Array)
        if array.type.origin == "param":
            raise _writes_into_parameter(stmt, target)
        if self.scope.infer:
            return
        # Python reads x[i] (an IndexError first) before it evaluates the right-hand side.
        self.out(f"let at = {index};")
        current = Expr(f"{array.code}[at]", array.type.element)
        result = self.lw.arith(stmt, stmt.op, current, self.lw.number(stmt.value))
        if array.type.elem == "int" and isinstance(result.type, Scalar) and result.type.kind == "float":
            raise refuse(stmt, "stores a float into an int array (numpy truncates): not translated")
        self.out(
            self.assignment(f"{array.code}[at]", self.lw.convert(result, array.type.element, stmt), result)
        )

    def _if(self, stmt: ast.If, tail: bool = False) -> None:
        self.comment(stmt)
        name = None if self.scope.infer else self.plan.if_init.get(id(stmt))
        if name is None:
            self.if_chain(stmt, tail, "if")
            return
        mut = "mut " if name in self.plan.mutable else ""
        self.declared.add(name)
        self.if_chain(stmt, tail, f"let {mut}{rust_name(name)}: {self.scope.locals[name].rust} = if", name)

    def if_chain(self, stmt: ast.If, tail: bool, keyword: str, value_of: str | None = None) -> None:
        """`if`/`else if`/`else`; with `value_of`, an if expression whose branches end with its value."""
        test = self.expr(stmt.test)
        if test is not None and test.type != Scalar("bool"):
            raise refuse(stmt.test, "tests a number for truth: compare explicitly (`x != 0.0`)")
        if tail and not stmt.orelse:
            raise refuse(
                stmt, "ends the function with an `if` without `else`: the function could return None"
            )
        self.out(f"{keyword} {test.code if test else ''} {{")
        self.branch(stmt.body, tail, value_of)
        orelse = stmt.orelse
        if len(orelse) == 1 and isinstance(orelse[0], ast.If):
            self.out("}")
            self.if_chain(orelse[0], tail, "else if", value_of)
            return
        if orelse:
            self.out("} else {")
            self.branch(orelse, tail, value_of)
        self.out("};" if value_of else "}")

    def branch(self, stmts: list[ast.stmt], tail: bool, value_of: str | None) -> None:
        if value_of is None:
            self.block(stmts, tail)
            return
        self.block(stmts[:-1])
        last = stmts[-1]
        assert isinstance(last, ast.Assign | ast.AnnAssign) and last.value is not None
        self.comment(last)
        value = self.expr(last.value)
        assert value is not None
        self.out(self.lw.convert(value, self.scope.locals[value_of], last))

    def _while(self, stmt: ast.While) -> None:
        self.comment(stmt)
        if stmt.orelse:
            raise refuse(stmt, "has a `while ... else`: not translated")
        if isinstance(stmt.test, ast.Constant) and stmt.test.value is True:
            self.out("loop {")
        else:
            test = self.expr(stmt.test)
            if test is not None and test.type != Scalar("bool"):
                raise refuse(stmt.test, "tests a number for truth: compare explicitly")
            self.out(f"while {test.code if test else ''} {{")
        self.block(stmt.body)
        self.out("}")

    def _for(self, stmt: ast.For) -> None:
        self.comment(stmt)
        if stmt.orelse:
            raise refuse(stmt, "has a `for ... else`: not translated")
        header, variables = self.loop_header(stmt)
        for name, _ in variables:
            if name in self.scope.locals or name in self.scope.params:
                raise refuse(stmt, f"uses `{name}` both as a loop variable and as a local: rename one")
            if any(
                isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
                for s in stmt.body
                for n in ast.walk(s)
            ):
                raise refuse(stmt, f"assigns the loop variable `{name}` inside the loop: not translated")
        self.scope.loop_vars.extend(variables)
        self.out(f"for {header} {{")
        self.block(stmt.body)
        self.out("}")
        del self.scope.loop_vars[-len(variables) :]

    def _return(self, stmt: ast.Return, tail: bool = False) -> None:
        self.comment(stmt)
        if stmt.value is None:
            raise refuse(stmt, "returns None: a kernel returns its result")
        value = self.expr(stmt.value)
        if value is None:
            return
        code = self.scope.unit.returned(self.scope, value, stmt)
        self.returns.append(value.type)
        if _is_one_call(code):  # `Ok(f(x)?)` is `f(x)`, as clippy wants it
            self.out(code[:-1] if tail else f"return {code[:-1]};")
        else:
            self.out(f"Ok({code})" if tail else f"return Ok({code});")


def _unwrapped(code: str) -> str:
    """`(a + b)` as `a + b` when the parentheses hold all of it (`x -= (a + b)` needs none)."""
    if not code.startswith("("):
        return code
    depth = 0
    for k, ch in enumerate(code):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return code[1:-1] if k == len(code) - 1 else code
    return code


def _is_one_call(code: str) -> bool:
    """Whether `code` is one fallible call, `name(...)?` or `a.b(...)?`, and nothing around it."""
    if not code.endswith(")?") or code.startswith(("-", "(", "!", "if ")):
        return False
    inner = code[:-1]
    return _is_one_operand(inner, "*") and " as " not in inner


def value_code_literal(code: str) -> str | None:
    stripped = code.lstrip("-")
    return code if stripped.replace(".", "", 1).replace("e", "", 1).isdigit() else None


def _is_one_operand(rest: str, sym: str) -> bool:
    """Whether `rest` binds at least as tightly as an operand of `sym` would (so `x = x + rest` is
    `x += rest` exactly): no binary operator of `sym`'s precedence or lower outside brackets."""
    weak = "+-<>=&|^" if sym in "+-" else "+-*/%<>=&|^"
    depth, previous = 0, " "
    for k, ch in enumerate(rest):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch in weak:
            unary = ch == "-" and (previous in " ([{,*/%+-=<>&|!" or k == 0)
            exponent = ch in "+-" and previous == "e" and k >= 2 and rest[k - 2].isdigit()
            if not (
                unary
                or exponent
                or (ch == "." and (rest[k - 1 : k].isalnum() or rest[k + 1 : k + 2].isdigit()))
            ):
                return False
        if ch != " ":
            previous = ch
    return not (rest.startswith("if ") or (" as " in rest and sym in "*/"))


__all__ = ["ATOM", "CMP", "Body"]


def _writes_into_parameter(stmt: ast.stmt, target: ast.Subscript) -> Refused:
    name = ast.unparse(target.value)
    return refuse(
        stmt,
        "writes into a parameter array (changing the caller's data): not translated; write into a copy: "
        f"`{name}_out = {name}.copy()` before the loop, then `{name}_out[...] = ...`",
    )
