"""Python expressions -> Rust expressions, with their types and Python's semantics kept."""

from __future__ import annotations

import ast
import math
import os
from dataclasses import dataclass
from typing import Literal

from .model import BOOL, FLOAT, INT, Array, Refused, Scalar, Tuple, Type, join_flavor, promote
from .scope import Scope, const_name, refuse, rust_name

ATOM, UNARY, AS, MUL, ADD, BITAND, BITXOR, BITOR, CMP, AND, OR, LOWEST = (
    20,
    14,
    13,
    12,
    11,
    10,
    9,
    8,
    7,
    6,
    5,
    1,
)

#: math.NAME -> (Rust method, can overflow) for the one-argument functions that follow CPython's rule.
MATH1 = {
    "sqrt": ("sqrt", False), "exp": ("exp", True), "log": ("ln", False), "log1p": ("ln_1p", False),
    "expm1": ("exp_m1", True), "log10": ("log10", False), "sin": ("sin", False), "cos": ("cos", False),
    "tan": ("tan", False), "atan": ("atan", False), "tanh": ("tanh", False),
}  # fmt: skip
#: np.NAME on scalars -> Rust method: IEEE results, no exceptions (numpy warns instead).
NP1 = {
    "sqrt": "sqrt", "exp": "exp", "log": "ln", "log1p": "ln_1p", "expm1": "exp_m1", "log10": "log10",
    "sin": "sin", "cos": "cos", "tan": "tan", "arctan": "atan", "tanh": "tanh", "abs": "abs",
    "fabs": "abs", "absolute": "abs", "floor": "floor", "ceil": "ceil",
}  # fmt: skip
CONSTANTS = {
    ("math", "pi"): "std::f64::consts::PI", ("math", "e"): "std::f64::consts::E",
    ("math", "tau"): "std::f64::consts::TAU", ("math", "inf"): "f64::INFINITY", ("math", "nan"): "f64::NAN",
    ("np", "pi"): "std::f64::consts::PI", ("np", "e"): "std::f64::consts::E", ("np", "inf"): "f64::INFINITY",
    ("np", "nan"): "f64::NAN", ("np", "NaN"): "f64::NAN", ("np", "Inf"): "f64::INFINITY",
}  # fmt: skip
KNOWN_FLOATS = {
    math.pi: "std::f64::consts::PI",
    math.e: "std::f64::consts::E",
    math.tau: "std::f64::consts::TAU",
}
NUMPY = ("np", "numpy")
CMP_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
INT_OPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul"}
SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
#: TEST-ONLY. Set to "1", the emitter writes every float `a - b` as `a + b`: a translation that builds
#: but disagrees with its Python function, so that an end-to-end test can check that new-module does
#: not serve it (tests/test_new_module_from.py). Read here and nowhere else; never set it otherwise.
PERTURB_ENV = "DEVTOOL_TRANSLATE_PERTURB"
#: Why a slice is refused, and what to write (finta copies a column as `close[0 : len(close)]`).
SLICE_REFUSAL = (
    "takes a slice (a new array or a view): not translated; write the loop (a whole copy: `x.copy()`)"
)


@dataclass(frozen=True)
class Expr:
    """A Rust expression, its type and its precedence (to parenthesise only where Rust needs it)."""

    code: str
    type: Type
    prec: int = ATOM

    def at(self, prec: int) -> str:
        return self.code if self.prec >= prec else f"({self.code})"

    @property
    def recv(self) -> str:
        """The expression as the receiver of a method call: a bare literal gets its type (`1.0_f64`)."""
        bare = self.code.lstrip("-")
        if bare.replace(".", "", 1).replace("e", "", 1).replace("+", "", 1).replace("-", "", 1).isdigit():
            suffix = "_i64" if isinstance(self.type, Scalar) and self.type.kind == "int" else "_f64"
            typed = f"{self.code}{suffix}"
            return f"({typed})" if self.code.startswith("-") else typed
        return self.at(ATOM)


def float_literal(value: float) -> str:
    if math.isnan(value):
        return "f64::NAN"
    if math.isinf(value):
        return "f64::INFINITY" if value > 0 else "f64::NEG_INFINITY"
    if value in KNOWN_FLOATS:
        return KNOWN_FLOATS[value]
    text = repr(value)
    return text if any(c in text for c in ".e") else text + ".0"


class Lowerer:
    """Lowers the expressions of one function (`scope`), recording helpers and notes on its unit."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.unit = scope.unit

    # -- entry points ------------------------------------------------------------------------------------
    def expr(self, node: ast.expr) -> Expr:
        method = getattr(self, f"_{type(node).__name__.lower()}", None)
        if method is None:
            raise refuse(node, f"is a {type(node).__name__} expression: not in the translatable subset")
        result: Expr = method(node)
        return result

    def scalar(self, node: ast.expr) -> Expr:
        e = self.expr(node)
        if isinstance(e.type, Array):
            raise refuse(
                node,
                "is a whole array where a number is expected (numpy's element-wise arithmetic or "
                "comparison): not translated; write the loop over its elements (a new array filled "
                "with one value: `np.full(n, value)`)",
            )
        if not isinstance(e.type, Scalar):
            raise refuse(node, "is not a number or a bool here: not translated")
        return e

    def number(self, node: ast.expr) -> Expr:
        e = self.scalar(node)
        assert isinstance(e.type, Scalar)
        if e.type.kind == "bool":
            raise refuse(node, "uses a bool as a number: write `1 if flag else 0`")
        return e

    def to_float(self, e: Expr) -> Expr:
        """`e` as an f64 expression (an int converts as Python's float() does: to the nearest)."""
        assert isinstance(e.type, Scalar)
        if e.type.kind == "float":
            return e
        t = Scalar("float", e.type.flavor)
        if e.code.lstrip("-").isdigit():
            return Expr(float_literal(float(int(e.code))), t, e.prec)
        return Expr(f"{e.at(AS)} as f64", t, AS)

    def as_float(self, e: Expr) -> str:
        return self.to_float(e).code

    def convert(self, e: Expr, want: Type, node: ast.AST) -> str:
        """`e` as a value of type `want` (an int widened to float where the local holds floats)."""
        if isinstance(want, Scalar) and isinstance(e.type, Scalar):
            if want.kind == e.type.kind:
                return e.code
            if want.kind == "float" and e.type.kind == "int":
                return self.as_float(e)
            raise refuse(node, f"gives a {e.type.kind} where a {want.kind} is expected: not translated")
        if isinstance(want, Tuple) and isinstance(e.type, Tuple) and e.code.startswith("("):
            return e.code
        return e.code

    def helper(self, name: str) -> None:
        self.unit.helpers.add(name)

    def note(self, node: ast.AST, text: str) -> None:
        if not self.scope.infer:
            self.unit.note(getattr(node, "lineno", 0), text)

    # -- leaves ------------------------------------------------------------------------------------------
    def _constant(self, node: ast.Constant) -> Expr:
        v = node.value
        if isinstance(v, bool):
            return Expr("true" if v else "false", BOOL)
        if isinstance(v, int):
            if not -(2**63) <= v < 2**63:
                raise refuse(node, "is an int outside i64: not translated")
            return Expr(str(v), INT, ATOM if v >= 0 else UNARY)
        if isinstance(v, float):
            text = float_literal(v)
            return Expr(text, FLOAT, UNARY if text.startswith("-") else ATOM)
        raise refuse(node, f"is a {type(v).__name__} constant: only numbers and bools are translated")

    def _name(self, node: ast.Name) -> Expr:
        t = self.scope.type_of(node.id, node)
        if (
            node.id not in self.scope.locals
            and node.id not in self.scope.params
            and not self.scope.is_loop_var(node.id)
        ):
            return Expr(const_name(node.id), t)
        return Expr(rust_name(node.id), t)

    def _attribute(self, node: ast.Attribute) -> Expr:
        if isinstance(node.value, ast.Name):
            module = "np" if node.value.id in NUMPY else node.value.id
            code = CONSTANTS.get((module, node.attr))
            if code is not None:
                return Expr(code, Scalar("float", "np" if module == "np" else "py"))
            if self.is_array(node.value.id):
                return self.array_attribute(node)
        raise refuse(node, "is an attribute outside math's and numpy's constants: not translatable")

    def is_array(self, name: str) -> bool:
        """Whether `name` is an array here (a module's name never is; a local not inferred yet is Unknown)."""
        if name in NUMPY or name == "math":
            return False
        try:
            return isinstance(self.scope.type_of(name, ast.Name(name)), Array)
        except Refused:
            return False

    def array_attribute(self, node: ast.Attribute) -> Expr:
        """`x.size` (its element count: `len(x)` of a 1-D array); the others are refused with the fix."""
        array = self.expr(node.value)
        assert isinstance(array.type, Array)
        if node.attr == "size":
            return Expr(f"{array.code}.len() as i64", INT, AS)
        if node.attr == "shape":
            raise refuse(node, "takes an array's whole shape (a tuple): write `len(x)` or `x.shape[0]`")
        raise refuse(
            node, f"reads the array attribute `{node.attr}`: not translated (`x.size`, `x.shape[0]` are)"
        )

    def shape(self, node: ast.Subscript) -> Expr:
        """`x.shape[0]` (the length, or a 2-D array's rows) and `x.shape[1]` (a 2-D array's columns)."""
        assert isinstance(node.value, ast.Attribute)
        array = self.expr(node.value.value)
        assert isinstance(array.type, Array)
        axis = node.slice.value if isinstance(node.slice, ast.Constant) else None
        ndim = array.type.ndim
        if axis not in range(ndim) or isinstance(axis, bool):
            raise refuse(node, f"indexes the shape of a {ndim}-D array with other than 0..{ndim - 1}")
        if array.type.ndim == 1:
            return Expr(f"{array.code}.len() as i64", INT, AS)
        if axis == 1:
            return Expr(f"{array.code}_cols as i64", INT, AS)
        self.helper("rows")
        return Expr(f"rows({array.code}.len(), {array.code}_cols)", INT)

    def _list(self, node: ast.List) -> Expr:
        """`[a, b]`: a list made in the function, growable (`append`) like `xs = []` (empty: see body)."""
        if not node.elts:
            raise refuse(node, "is an empty list outside `xs = []`: not translated")
        items = [self.number(e) for e in node.elts]
        scalars = [i.type for i in items if isinstance(i.type, Scalar)]
        kind: Literal["float", "int"] = "float" if any(t.kind == "float" for t in scalars) else "int"
        flavor = scalars[0].flavor
        for t in scalars[1:]:
            flavor = join_flavor(flavor, t.flavor)
        codes = [self.as_float(i) if kind == "float" else i.code for i in items]
        return Expr(f"vec![{', '.join(codes)}]", Array(kind, "list", 1, flavor))

    def _tuple(self, node: ast.Tuple) -> Expr:
        items = [self.expr(e) for e in node.elts]
        return Expr("(" + ", ".join(i.code for i in items) + ")", Tuple(tuple(i.type for i in items)))

    # -- operators ---------------------------------------------------------------------------------------
    def _unaryop(self, node: ast.UnaryOp) -> Expr:
        if isinstance(node.op, ast.Not):
            e = self.scalar(node.operand)
            assert isinstance(e.type, Scalar)
            if e.type.kind != "bool":
                raise refuse(node, "applies `not` to a number: write the comparison (`x == 0`)")
            if e.prec == CMP and isinstance(node.operand, ast.Compare):
                self.scope.needs_neg_cmp_allow = True
            return Expr(f"!{e.at(UNARY)}", BOOL, UNARY)
        e = self.number(node.operand)
        assert isinstance(e.type, Scalar)
        if isinstance(node.op, ast.UAdd):
            return e
        if not isinstance(node.op, ast.USub):
            raise refuse(node, "uses `~`: not translated")
        if e.type.kind == "float":
            return Expr(f"-{e.at(UNARY)}", e.type, UNARY)
        if isinstance(node.operand, ast.Constant):
            return Expr(f"-{e.code}", e.type, UNARY)
        if e.type.flavor == "np":
            return Expr(f"{e.recv}.wrapping_neg()", e.type)
        self.helper("checked")
        return Expr(f"checked({e.recv}.checked_neg())?", e.type)

    def _binop(self, node: ast.BinOp) -> Expr:
        if isinstance(node.op, ast.Mult) and isinstance(node.left, ast.List):
            return self.repeated_list(node)
        left, right = self.number(node.left), self.number(node.right)
        return self.arith(node, node.op, left, right)

    def arith(self, node: ast.AST, op: ast.operator, left: Expr, right: Expr) -> Expr:
        """`left op right` with Python's promotion and exceptions (or numpy's, for numpy scalars)."""
        lt, rt = left.type, right.type
        assert isinstance(lt, Scalar) and isinstance(rt, Scalar)
        result = promote(lt, rt)
        if isinstance(op, ast.Div):
            result = Scalar("float", result.flavor)
            fa, fb = self.to_float(left), self.to_float(right)
            a, b = fa.code, fb.code
            if lt.kind == "int" and rt.kind == "int":
                self.note(
                    node,
                    "`/` of two ints: Python rounds the exact quotient once, the kernel converts "
                    "each int to f64 first (the same below 2**53)",
                )
            if result.flavor == "np":
                return Expr(f"{fa.at(MUL)} / {fb.at(MUL + 1)}", result, MUL)
            self._mixed(node, result, "ZeroDivisionError on a zero divisor (numpy would give inf)")
            self.helper("div_f")
            return Expr(f"div_f({a}, {b})?", result)
        if isinstance(op, ast.FloorDiv | ast.Mod):
            return self.floor_op(node, op, left, right, result)
        if isinstance(op, ast.Pow):
            return self.power(node, left, right, result)
        if isinstance(op, ast.BitAnd | ast.BitOr | ast.BitXor):
            if result.kind != "int":
                raise refuse(node, "applies a bitwise operator to floats: Python raises TypeError")
            sym, prec = {ast.BitAnd: ("&", BITAND), ast.BitOr: ("|", BITOR), ast.BitXor: ("^", BITXOR)}[
                type(op)
            ]
            return Expr(f"{left.at(prec)} {sym} {right.at(prec + 1)}", result, prec)
        if type(op) not in SYMBOLS:
            raise refuse(node, f"uses the operator {type(op).__name__}: not translated")
        sym = SYMBOLS[type(op)]
        prec = MUL if sym == "*" else ADD
        if result.kind == "float":
            a = self.to_float(left).at(prec)
            b = self.to_float(right).at(prec + 1)
            if sym == "-" and os.environ.get(PERTURB_ENV) == "1":
                sym = "+"  # the test-only perturbation: see PERTURB_ENV
            return Expr(f"{a} {sym} {b}", result, prec)
        verb = INT_OPS[type(op)]
        if result.flavor == "np":
            return Expr(f"{left.recv}.wrapping_{verb}({right.code})", result)
        self._mixed(node, result, "OverflowError outside i64 (numpy ints would wrap)")
        self.helper(f"{verb}_i")
        return Expr(f"{verb}_i({left.code}, {right.code})?", result)

    def _mixed(self, node: ast.AST, t: Scalar, rule: str) -> None:
        if t.flavor == "mixed":
            self.note(
                node,
                f"`{ast.unparse(node)}` mixes Python and numpy scalars; the kernel keeps Python's {rule}; "
                "for numpy's, start the Python one as a numpy value (`np.float64(0.0)`)",
            )

    def floor_op(self, node: ast.AST, op: ast.operator, left: Expr, right: Expr, result: Scalar) -> Expr:
        is_div = isinstance(op, ast.FloorDiv)
        if result.kind == "int":
            self.helper("floordiv_i" if is_div else "mod_i")
            if result.flavor == "np":
                self.note(
                    node,
                    "numpy int `//`/`%` by zero gives 0 with a warning; the kernel raises ZeroDivisionError",
                )
            return Expr(f"{'floordiv_i' if is_div else 'mod_i'}({left.code}, {right.code})?", result)
        a, b = self.as_float(left), self.as_float(right)
        if result.flavor == "np":
            name = "np_floordiv_f" if is_div else "np_mod_f"
            self.helper(name)
            return Expr(f"{name}({a}, {b})", result)
        self._mixed(node, result, "ZeroDivisionError on a zero divisor")
        self.helper("divmod_f")
        return Expr(f"divmod_f({a}, {b})?.{0 if is_div else 1}", result)

    def power(self, node: ast.AST, left: Expr, right: Expr, result: Scalar) -> Expr:
        lt, rt = left.type, right.type
        assert isinstance(lt, Scalar) and isinstance(rt, Scalar)
        exponent = right.code if rt.kind == "int" and right.code.lstrip("-").isdigit() else None
        if lt.kind == "int" and rt.kind == "int":
            if exponent is None:
                raise refuse(
                    node,
                    "raises an int to a variable int power: its type (int or float) depends on "
                    "the exponent's sign; write `float(a) ** b` or a constant exponent",
                )
            if int(exponent) < 0:
                return self.power(node, self.to_float(left), right, Scalar("float", result.flavor))
            if result.flavor == "np":
                return Expr(f"{left.recv}.wrapping_pow({exponent})", result)
            self.helper("pow_i")
            return Expr(f"pow_i({left.code}, {exponent})?", result)
        result = Scalar("float", result.flavor)
        if result.flavor == "np":
            if exponent is not None and abs(int(exponent)) <= 2:
                return Expr(f"{left.recv}.powi({exponent})", result)
            return Expr(f"{left.recv}.powf({self.as_float(right)})", result)
        self._mixed(
            node,
            result,
            "OverflowError, ZeroDivisionError and ValueError (numpy gives inf, or NaN for a "
            "negative base: Python a complex number, which the kernel does not give)",
        )
        self.helper("pow_f")
        return Expr(f"pow_f({self.as_float(left)}, {self.as_float(right)})?", result)

    def repeated_list(self, node: ast.BinOp) -> Expr:
        assert isinstance(node.left, ast.List)
        if len(node.left.elts) != 1:
            raise refuse(node, "repeats a list of several values: only `[v] * n` is translated")
        value, count = self.number(node.left.elts[0]), self.number(node.right)
        assert isinstance(value.type, Scalar) and isinstance(count.type, Scalar)
        if count.type.kind != "int":
            raise refuse(node, "repeats a list a float number of times: Python raises TypeError")
        self.helper("list_len")
        elem = value.type.kind
        assert elem in ("float", "int")
        return Expr(f"vec![{value.code}; list_len({count.code})]", Array(elem, "list", 1, value.type.flavor))

    def _boolop(self, node: ast.BoolOp) -> Expr:
        items = [self.scalar(v) for v in node.values]
        if any(isinstance(i.type, Scalar) and i.type.kind != "bool" for i in items):
            raise refuse(
                node, "uses `and`/`or` on numbers (Python returns an operand, not a bool): compare explicitly"
            )
        sym, prec = ("&&", AND) if isinstance(node.op, ast.And) else ("||", OR)
        return Expr(f" {sym} ".join(i.at(prec + 1) for i in items), BOOL, prec)

    def _compare(self, node: ast.Compare) -> Expr:
        operands = [self.scalar(node.left)] + [self.scalar(c) for c in node.comparators]
        for op in node.ops:
            if type(op) not in CMP_OPS:
                raise refuse(node, f"uses `{type(op).__name__}`: only <, <=, >, >=, ==, != are translated")
        kinds = {o.type.kind for o in operands if isinstance(o.type, Scalar)}
        if "bool" in kinds and len(kinds) > 1:
            raise refuse(node, "compares a bool with a number: not translated")
        converted = [self.to_float(o) if "float" in kinds else o for o in operands]
        # `x as f64 < y` would parse as a generic type: casts are parenthesised in comparisons
        wrapped = [o.code if o.prec > CMP and o.prec != AS else f"({o.code})" for o in converted]
        if len(node.ops) == 1:
            return Expr(f"{wrapped[0]} {CMP_OPS[type(node.ops[0])]} {wrapped[1]}", BOOL, CMP)
        return self.chained(node, wrapped)

    def chained(self, node: ast.Compare, codes: list[str]) -> Expr:
        ops = [type(op) for op in node.ops]
        middle_simple = all(isinstance(c, ast.Name | ast.Constant) for c in node.comparators[:-1])
        if len(ops) == 2 and ops[0] is ast.LtE and ops[1] in (ast.Lt, ast.LtE) and middle_simple:
            # `lo <= x < hi` is what clippy wants as a range
            dots = "..=" if ops[1] is ast.LtE else ".."
            return Expr(f"({codes[0]}{dots}{codes[2]}).contains(&{codes[1]})", BOOL)
        if not middle_simple:
            raise refuse(node, "chains comparisons around an expression: bind it to a name first")
        parts = [f"{codes[k]} {CMP_OPS[op]} {codes[k + 1]}" for k, op in enumerate(ops)]
        return Expr(" && ".join(parts), BOOL, AND)

    def _ifexp(self, node: ast.IfExp) -> Expr:
        test = self.scalar(node.test)
        if test.type != BOOL:
            raise refuse(node, "tests a number for truth: compare explicitly (`x != 0.0`)")
        a, b = self.expr(node.body), self.expr(node.orelse)
        t = self.join_branches(node, a.type, b.type)
        ac, bc = self.branch_code(a, t, node.body), self.branch_code(b, t, node.orelse)
        return Expr(f"if {test.code} {{ {ac} }} else {{ {bc} }}", t, LOWEST)

    def join_branches(self, node: ast.AST, a: Type, b: Type) -> Type:
        if isinstance(a, Tuple) and isinstance(b, Tuple) and len(a.items) == len(b.items):
            return Tuple(tuple(self.join_branches(node, x, y) for x, y in zip(a.items, b.items, strict=True)))
        if isinstance(a, Scalar) and isinstance(b, Scalar):
            if (a.kind == "bool") != (b.kind == "bool"):
                raise refuse(node, "gives a bool on one branch and a number on the other: not translated")
            kind = "float" if "float" in (a.kind, b.kind) else a.kind
            flavor = a.flavor if a.flavor == b.flavor else "mixed"
            return Scalar(kind, flavor)
        raise refuse(node, "gives values of different kinds on its two branches: not translated")

    def branch_code(self, e: Expr, want: Type, node: ast.expr) -> str:
        if isinstance(want, Tuple) and isinstance(node, ast.Tuple):
            return (
                "("
                + ", ".join(
                    self.branch_code(self.expr(x), t, x) for x, t in zip(node.elts, want.items, strict=True)
                )
                + ")"
            )
        if (
            isinstance(want, Scalar)
            and isinstance(e.type, Scalar)
            and want.kind == "float"
            and e.type.kind == "int"
        ):
            return self.as_float(e)
        return e.code

    # -- indexing ----------------------------------------------------------------------------------------
    def _subscript(self, node: ast.Subscript) -> Expr:
        value = node.value
        if (
            isinstance(value, ast.Attribute)
            and value.attr == "shape"
            and isinstance(value.value, ast.Name)
            and self.is_array(value.value.id)
        ):
            return self.shape(node)
        array, raw = self.raw_element(node)
        assert isinstance(array.type, Array)
        if array.type.ndim == 1:
            self.helper("get")
            borrowed = array.code if array.type.origin == "param" else f"&{array.code}"
            return Expr(f"get({borrowed}, {raw})?", array.type.element)
        return Expr(f"{array.code}[{self.checked_index(array, raw)}]", array.type.element)

    def element(self, node: ast.Subscript) -> tuple[Expr, str]:
        """The array of `x[i]` and the Rust index expression (Python's negative indexes, IndexError)."""
        array, raw = self.raw_element(node)
        return array, self.checked_index(array, raw)

    def checked_index(self, array: Expr, raw: str) -> str:
        assert isinstance(array.type, Array)
        if array.type.ndim == 2:
            self.helper("ix2")
            return f"ix2({raw}, {array.code}.len(), {array.code}_cols)?"
        self.helper("ix")
        return f"ix({raw}, {array.code}.len())?"

    def raw_element(self, node: ast.Subscript) -> tuple[Expr, str]:
        """The array of `x[i]` and its index as Python wrote it (`i`, or `i, j` for 2-D)."""
        if not isinstance(node.value, ast.Name):
            raise refuse(node, "indexes something other than a named array: not translated")
        array = self.expr(node.value)
        t = array.type
        if not isinstance(t, Array):
            raise refuse(node, f"indexes `{node.value.id}`, which is not an array")
        if isinstance(node.slice, ast.Slice):
            raise refuse(node, SLICE_REFUSAL)
        if t.ndim == 2:
            if not (isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == 2):
                raise refuse(node, "indexes a 2-D array with one index (a row view): write x[i, j]")
            i, j = (self.index(e) for e in node.slice.elts)
            return array, f"{i}, {j}"
        return array, self.index(node.slice)

    def index(self, node: ast.expr) -> str:
        e = self.number(node)
        assert isinstance(e.type, Scalar)
        if e.type.kind != "int":
            raise refuse(node, "indexes with a float: Python raises IndexError")
        return e.code

    # -- calls -------------------------------------------------------------------------------------------
    def _call(self, node: ast.Call) -> Expr:
        from .calls import lower_call  # calls.py needs Lowerer: imported here to keep the modules acyclic

        return lower_call(self, node)
