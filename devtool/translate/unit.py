"""One translation: the module's constants and functions, the helpers and notes the emitted functions
share, and the same-file functions the kernel calls (translated once each, as private Rust functions)."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..scaffold.signature import Signature
from .body import Body
from .liveness import overwritten_params
from .lower import Expr, float_literal
from .matrix import matrix_param
from .model import Array, Refused, Scalar, Tuple, Type
from .scope import Const, Scope, const_name, refuse, rust_mentions, rust_name

PARAM_TYPES: dict[str, Type] = {
    "f64[]": Array("float", "param"), "f64[*]": Array("float", "param"),
    "i64[]": Array("int", "param"), "i64[*]": Array("int", "param"),
    "f64[,]": Array("float", "param", 2),
    "f64": Scalar("float"), "i64": Scalar("int"), "usize": Scalar("int"), "bool": Scalar("bool"),
}  # fmt: skip
RUST_PARAM = {"f64[]": "&[f64]", "f64[*]": "&[f64]", "i64[]": "&[i64]", "i64[*]": "&[i64]",
              "f64[,]": "&[f64]", "f64": "f64", "i64": "i64", "usize": "usize", "bool": "bool"}  # fmt: skip
RESULT_RUST = {"f64[]": "Vec<f64>", "f64[*]": "Vec<f64>", "f64[,]": "Vec<f64>", "i64[]": "Vec<i64>",
               "i64[*]": "Vec<i64>", "f64": "f64", "i64": "i64", "usize": "usize",
               "bool": "bool"}  # fmt: skip


@dataclass
class Emitted:
    """A Rust function's text, and the types it was translated for."""

    name: str
    text: str
    params: tuple[Type, ...]
    returns: Type | None


@dataclass
class Unit:
    source: str
    module: ast.Module
    path: str
    helpers: set[str] = field(default_factory=set)
    dynamic: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    notes: list[tuple[int, str]] = field(default_factory=list)
    constants: dict[str, Const] = field(default_factory=dict)
    used_constants: set[str] = field(default_factory=set)
    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)
    emitted: dict[str, Emitted] = field(default_factory=dict)
    in_progress: list[str] = field(default_factory=list)
    kernel_signature: Signature | None = None

    def __post_init__(self) -> None:
        self.lines = self.source.splitlines()
        for node in self.module.body:
            if isinstance(node, ast.FunctionDef):
                self.functions[node.name] = node
        self.constants = collect_constants(self.module, self.lines)

    # -- what bodies ask for -----------------------------------------------------------------------------
    def constant(self, name: str) -> Const | None:
        const = self.constants.get(name)
        if const is not None:
            self.used_constants.add(name)
        return const

    def is_function(self, name: str) -> bool:
        return name in self.functions

    def function_node(self, name: str) -> ast.FunctionDef:
        return self.functions[name]

    def note(self, line: int, text: str) -> None:
        if (line, text) not in self.notes:
            self.notes.append((line, text))

    def dynamic_helper(self, name: str, text: str, deps: tuple[str, ...]) -> None:
        self.dynamic[name] = (text, deps)
        self.helpers.add(name)

    # -- functions ---------------------------------------------------------------------------------------
    def callee(self, name: str, types: tuple[Type, ...], node: ast.AST) -> Type:
        """Translate same-file function `name` for argument `types` (once); its return type."""
        params = tuple(as_param(t) for t in types)
        if name in self.in_progress:
            raise refuse(node, f"calls `{name}` recursively: recursion is not translated")
        done = self.emitted.get(name)
        if done is not None:
            if done.params != params:
                raise refuse(node, f"calls `{name}` with other argument types than before: not translated")
            assert done.returns is not None
            return done.returns
        fn = self.functions[name]
        if name == self.kernel_name:
            raise refuse(node, f"calls `{name}` recursively: recursion is not translated")
        self.in_progress.append(name)
        try:
            typed = dict(zip((a.arg for a in fn.args.args), params, strict=True))
            overwritten = overwritten_params(fn, {n for n, t in typed.items() if isinstance(t, Scalar)})
            scope = Scope(self, fn, {n: t for n, t in typed.items() if n not in overwritten})
            body = Body(scope, self.lines)
            body.infer()
            lines = body.emit()
            returns = body.returns[0] if body.returns else None
            if returns is None:
                raise refuse(fn, f"`{name}` returns no value: not translated")
            for r in body.returns[1:]:
                if r != returns:
                    returns = join_return(returns, r, fn)
        finally:
            self.in_progress.pop()
        text = "\n".join(lines)
        args = ", ".join(
            param_decl(a.arg, t, a.arg in scope.assigned_params, text, a.arg not in overwritten)
            for a, t in zip(fn.args.args, params, strict=True)
        )
        header = f"fn {name}({args}) -> Result<{returns.rust}, KernelError> {{"
        doc = f"/// `{name}` of {self.path} line {fn.lineno}, translated.\n"
        text = doc + header_attrs(scope) + header + "\n" + "\n".join(lines) + "\n}\n"
        self.emitted[name] = Emitted(name, text, params, returns)
        return returns

    kernel_name: str = ""

    def kernel(self, name: str, signature: Signature) -> str:
        self.kernel_name = name
        self.kernel_signature = signature
        fn = self.functions[name]
        names = [a.arg for a in fn.args.args]
        if names != [a.name for a in signature.args]:
            raise refuse(
                fn,
                f"has parameters ({', '.join(names)}) other than the signature's "
                f"({', '.join(a.name for a in signature.args)})",
                construct=f"def {name}",
            )
        params = {a.name: PARAM_TYPES[a.type] for a in signature.args}
        overwritten = overwritten_params(fn, {n for n, t in params.items() if isinstance(t, Scalar)})
        scope = Scope(self, fn, {n: t for n, t in params.items() if n not in overwritten})
        body = Body(scope, self.lines)
        body.infer()
        lines = body.emit()
        decls, prelude = [], []
        text = "\n".join(lines)
        for a in signature.args:
            mut = a.name in scope.assigned_params
            if a.name in overwritten or not rust_mentions(text, a.name):  # rustc wants an unread one said
                cols = f", _{a.name}_cols: usize" if a.type == "f64[,]" else ""
                decls.append(f"_{a.name}: {RUST_PARAM[a.type]}{cols}")
                continue
            if a.type == "f64[,]":
                decls.append(matrix_param(a.name, text))
            elif a.type == "usize":
                decls.append(f"{rust_name(a.name)}: usize")
                m = "mut " if mut else ""
                prelude.append(
                    f"let {m}{rust_name(a.name)} = i64::try_from({rust_name(a.name)})"
                    ".map_err(|_| KernelError::Overflow)?;"
                )
            else:
                decls.append(param_decl(a.name, params[a.name], mut))
        result = [RESULT_RUST.get(t) for t in signature.returns]
        if None in result:
            raise refuse(fn, "returns a 2-D array: not translated yet", construct=f"def {name}")
        rtype = f"({', '.join(r or '' for r in result)})" if signature.returns_tuple else result[0]
        doc = (
            f"/// `{name}` of {self.path} line {fn.lineno}, translated by devtool: the same results as the\n"
            "/// Python function, and the same exceptions as `KernelError` variants.\n"
        )
        header = f"pub fn {name}({', '.join(decls)}) -> Result<{rtype}, KernelError> {{"
        return doc + header_attrs(scope) + header + "\n" + "\n".join(prelude + lines) + "\n}\n"

    def returned(self, scope: Scope, value: Expr, node: ast.AST) -> str:
        """The Rust of a returned value: converted to the signature's result in the kernel."""
        if scope.node.name != self.kernel_name or self.kernel_signature is None:
            if isinstance(value.type, Array):
                raise refuse(node, "returns an array from a helper function: not translated")
            return value.code
        sig = self.kernel_signature
        if sig.returns_tuple:
            if not isinstance(value.type, Tuple) or len(value.type.items) != len(sig.returns):
                raise refuse(node, f"returns something other than a tuple of {len(sig.returns)}")
            if not isinstance(node, ast.Return) or not isinstance(node.value, ast.Tuple):
                raise refuse(node, "returns a tuple that is not written out (return (a, b))")
            parts = [
                self.result(scope, scope_expr(scope, e), t, node)
                for e, t in zip(node.value.elts, sig.returns, strict=True)
            ]
            return "(" + ", ".join(parts) + ")"
        return self.result(scope, value, sig.returns[0], node)

    def result(self, scope: Scope, value: Expr, want: str, node: ast.AST) -> str:
        t = value.type
        if want in ("f64", "i64", "bool", "usize"):
            if not isinstance(t, Scalar):
                raise refuse(node, f"returns an array where the signature says {want}")
            if want == "f64" and t.kind in ("float", "int"):
                return value.code if t.kind == "float" else f"{value.code} as f64"
            if want in ("i64", "usize") and t.kind == "int":
                if want == "usize":
                    return f"usize::try_from({value.code}).map_err(|_| KernelError::Overflow)?"
                return value.code
            if want == "bool" and t.kind == "bool":
                return value.code
            raise refuse(node, f"returns a {t.kind} where the signature says {want}")
        ndim = 2 if want == "f64[,]" else 1
        if not isinstance(t, Array) or t.ndim != ndim or (t.elem == "int") != want.startswith("i64"):
            raise refuse(node, f"returns something other than the signature's {want}")
        first = self.kernel_signature.first_matrix if self.kernel_signature else None
        if ndim == 2 and (
            first is None or scope.matrix_roots.get(value.code, value.code) != rust_name(first.name)
        ):
            raise refuse(
                node,
                "returns a 2-D array whose columns are not those of the signature's first f64[,] "
                "argument (which a 2-D result's shape follows): not translated",
            )
        return f"{value.code}.to_vec()" if t.origin == "param" else value.code


def scope_expr(scope: Scope, node: ast.expr) -> Expr:
    from .lower import Lowerer

    return Lowerer(scope).expr(node)


def header_attrs(scope: Scope) -> str:
    if scope.needs_neg_cmp_allow:
        return (
            "// `!(a < b)` is Python's `not a < b`: true for NaN, which `a >= b` is not.\n"
            "#[allow(clippy::neg_cmp_op_on_partial_ord)]\n"
        )
    return ""


def as_param(t: Type) -> Type:
    if isinstance(t, Array):
        return Array(t.elem, "param", t.ndim, t.flavor)
    if isinstance(t, Tuple):
        raise Refused(0, "tuple", "passes a tuple to a function: not translated")
    return t


def param_decl(name: str, t: Type, mutable: bool, body: str = "", read: bool = True) -> str:
    """A parameter's Rust: `_NAME` when the function's Rust (`body`) never reads it, or when `read` is
    false (the Python function assigns it before reading it)."""
    if not read or (body and not rust_mentions(body, name)):
        cols = f", _{name}_cols: usize" if isinstance(t, Array) and t.ndim == 2 else ""
        return f"_{name}: {'&[f64]' if cols else t.rust}{cols}"
    if isinstance(t, Array) and t.ndim == 2:
        return matrix_param(name, body)
    return f"{'mut ' if mutable and not isinstance(t, Array) else ''}{rust_name(name)}: {t.rust}"


def join_return(a: Type, b: Type, node: ast.AST) -> Type:
    if isinstance(a, Scalar) and isinstance(b, Scalar) and a.kind == b.kind:
        return Scalar(a.kind, a.flavor if a.flavor == b.flavor else "mixed")
    raise refuse(node, "returns values of different types on different paths: not translated")


def collect_constants(module: ast.Module, lines: list[str]) -> dict[str, Const]:
    """Module-level `NAME = <numeric expression>` assigned once and never declared `global` in a function."""
    assigned: dict[str, int] = {}
    for node in module.body:
        for target in getattr(node, "targets", []) or (
            [node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) else []
        ):
            for n in ast.walk(target):
                if isinstance(n, ast.Name):
                    assigned[n.id] = assigned.get(n.id, 0) + 1
    changed = {name for n in ast.walk(module) if isinstance(n, ast.Global) for name in n.names}
    found: dict[str, Const] = {}
    for node in module.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name = node.target.id
        else:
            continue
        if assigned.get(name) != 1 or name in changed:
            continue
        value = fold(node.value, found)  # type: ignore[arg-type]
        if value is None:
            continue
        kind = "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "float"
        if kind == "int" and not -(2**63) <= value < 2**63:
            continue
        found[name] = Const(name, Scalar(kind), value, node.lineno, lines[node.lineno - 1].strip())  # type: ignore[arg-type]
    return found


def fold(node: ast.expr, known: dict[str, Const]) -> float | int | bool | None:
    """The value of a constant numeric expression (literals, + - * / // % **, math.pi...), else None."""
    ops: dict[type, Callable[[Any, Any], Any]] = {
        ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
    }  # fmt: skip
    try:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, complex)
        ):
            return node.value
        if isinstance(node, ast.Name) and node.id in known:
            return known[node.id].value
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("math", "np")
        ):
            return {"pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan, "tau": math.tau}.get(
                node.attr
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = fold(node.operand, known)
            return None if v is None or isinstance(v, bool) else (-v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            a, b = fold(node.left, known), fold(node.right, known)
            if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
                return None
            result = ops[type(node.op)](a, b)
            return result if isinstance(result, int | float) and not isinstance(result, complex) else None
    except (ArithmeticError, ValueError):
        return None
    return None


def const_text(const: Const, path: str) -> str:
    if const.type.kind == "float":
        value = float_literal(float(const.value))
    elif const.type.kind == "bool":
        value = "true" if const.value else "false"
    else:
        value = str(const.value)
    doc = f"/// From {path} line {const.line}: `{const.source}`\n"
    return f"{doc}const {const_name(const.name)}: {const.type.rust} = {value};\n"
