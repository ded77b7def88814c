"""Calls: the built-ins, `math` and numpy scalar functions, new arrays, and same-file functions."""

from __future__ import annotations

import ast
from typing import Literal

from .lower import ATOM, MATH1, NP1, NUMPY, Expr, Lowerer, float_literal
from .model import BOOL, FLOAT, INT, Array, Scalar
from .scope import refuse

#: Modules whose calls are refused with their name, so the reason says what the code depends on.
LIBRARIES = {"pd": "pandas", "pandas": "pandas", "scipy": "scipy", "talib": "TA-Lib", "numba": "numba",
             "random": "random", "time": "time", "os": "os", "polars": "polars", "pl": "polars"}  # fmt: skip
NEW_ARRAYS = ("full", "zeros", "empty", "ones", "full_like", "zeros_like")
#: numpy functions that copy a 1-D array (or a list) into a new array
COPIES = ("copy", "array")


def lower_call(lw: Lowerer, node: ast.Call) -> Expr:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id in BUILTINS:
            return BUILTINS[func.id](lw, node)
        if lw.unit.is_function(func.id):
            return same_file_call(lw, node, func.id)
        raise refuse(
            node,
            f"calls `{func.id}`, which is neither a translatable built-in nor a function of "
            "this file: not translatable; write this part by hand",
        )
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        module = func.value.id
        if func.attr == "copy" and lw.is_array(module):
            if node.args or node.keywords:
                raise refuse(node, "passes arguments to `copy`: only the plain `x.copy()` is translated")
            return copied(lw, node, func.value, "copy")
        if module == "math":
            return math_call(lw, node, func.attr)
        if module in NUMPY:
            return numpy_call(lw, node, func.attr)
        if module in LIBRARIES:
            raise refuse(node, f"calls {LIBRARIES[module]}: not translatable; write this part by hand")
    raise refuse(node, "calls a method or another library: not translatable; write this part by hand")


def args_of(node: ast.Call, count: tuple[int, ...], name: str) -> list[ast.expr]:
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args) or len(node.args) not in count:
        raise refuse(
            node,
            f"calls {name} with arguments the translator does not take: "
            f"{' or '.join(map(str, count))} positional",
        )
    return list(node.args)


def _abs(lw: Lowerer, node: ast.Call) -> Expr:
    (arg,) = args_of(node, (1,), "abs")
    e = lw.number(arg)
    assert isinstance(e.type, Scalar)
    if e.type.kind == "float":
        return Expr(f"{e.recv}.abs()", e.type)
    if e.type.flavor == "np":
        return Expr(f"{e.recv}.wrapping_abs()", e.type)
    lw.helper("checked")
    return Expr(f"checked({e.recv}.checked_abs())?", e.type)


def _extremum(lw: Lowerer, node: ast.Call, which: str) -> Expr:
    args = args_of(node, tuple(range(2, 9)), which)
    items = [lw.number(a) for a in args]
    kinds = {i.type.kind for i in items if isinstance(i.type, Scalar)}
    flavors = {i.type.flavor for i in items if isinstance(i.type, Scalar)}
    flavor = flavors.pop() if len(flavors) == 1 else "mixed"
    if kinds == {"int"}:
        code = items[0].at(ATOM)
        for item in items[1:]:
            code = f"{code}.{which}({item.code})"
        return Expr(code, Scalar("int", flavor))
    if "int" in kinds:
        lw.note(
            node,
            f"`{ast.unparse(node)}` mixes ints and floats: the kernel returns the chosen value as a float",
        )
    helper = f"py_{which}"
    lw.helper(helper)
    code = lw.as_float(items[0])
    for item in items[1:]:
        code = f"{helper}({code}, {lw.as_float(item)})"
    return Expr(code, Scalar("float", flavor))


def _float(lw: Lowerer, node: ast.Call) -> Expr:
    (arg,) = args_of(node, (1,), "float")
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        text = arg.value.strip().lower()
        values = {"nan": "f64::NAN", "+nan": "f64::NAN", "-nan": "f64::NAN", "inf": "f64::INFINITY",
                  "+inf": "f64::INFINITY", "infinity": "f64::INFINITY", "-inf": "f64::NEG_INFINITY",
                  "-infinity": "f64::NEG_INFINITY"}  # fmt: skip
        if text in values:
            return Expr(values[text], FLOAT, ATOM)
        try:
            return Expr(float_literal(float(text)), FLOAT)
        except ValueError:
            raise refuse(node, "converts a string that is not a number: Python raises ValueError") from None
    e = lw.scalar(arg)
    assert isinstance(e.type, Scalar)
    if e.type.kind == "bool":
        return Expr(f"f64::from(u8::from({e.code}))", FLOAT)
    return Expr(lw.to_float(e).code, FLOAT, lw.to_float(e).prec)


def _int(lw: Lowerer, node: ast.Call) -> Expr:
    (arg,) = args_of(node, (1,), "int")
    e = lw.scalar(arg)
    assert isinstance(e.type, Scalar)
    if e.type.kind == "int":
        return Expr(e.code, INT, e.prec)
    if e.type.kind == "bool":
        return Expr(f"i64::from({e.code})", INT)
    lw.helper("to_int")
    return Expr(f"to_int({e.code})?", INT)


def _round(lw: Lowerer, node: ast.Call) -> Expr:
    if len(node.args) == 2 or any(kw.arg == "ndigits" for kw in node.keywords):
        raise refuse(
            node,
            "rounds to decimal places: CPython rounds the float's exact decimal value, half to even, "
            "which f64 arithmetic (x * 10**n) does not reproduce: not translated; write this part by hand",
        )
    (arg,) = args_of(node, (1,), "round")
    e = lw.number(arg)
    assert isinstance(e.type, Scalar)
    if e.type.kind == "int":
        return e
    lw.helper("to_int")  # Python rounds half to even, as round_ties_even does
    return Expr(f"to_int({e.recv}.round_ties_even())?", INT)


def _len(lw: Lowerer, node: ast.Call) -> Expr:
    (arg,) = args_of(node, (1,), "len")
    if (
        isinstance(arg, ast.Subscript)
        and isinstance(arg.value, ast.Name)
        and not isinstance(arg.slice, ast.Tuple)
    ):
        matrix = lw.expr(arg.value)
        if isinstance(matrix.type, Array) and matrix.type.ndim == 2:  # len(m[i]): the row length
            lw.index(arg.slice)
            return Expr(f"{matrix.code}_cols as i64", INT, 13)
    e = lw.expr(arg)
    if not isinstance(e.type, Array):
        raise refuse(node, "takes len() of something that is not an array: not translated")
    if e.type.ndim == 2:
        lw.helper("rows")
        return Expr(f"rows({e.code}.len(), {e.code}_cols)", INT)
    # A slice or vector never holds more than isize::MAX elements: the length fits in i64.
    return Expr(f"{e.code}.len() as i64", INT, 13)


def _sum(lw: Lowerer, node: ast.Call) -> Expr:
    (arg,) = args_of(node, (1,), "sum")
    e = lw.expr(arg)
    if not isinstance(e.type, Array) or e.type.ndim != 1:
        raise refuse(node, "sums something other than a 1-D array or list: not translated")
    if e.type.elem == "int":
        lw.helper("checked")
        code = f"{e.code}.iter().try_fold(0_i64, |acc, &x| checked(acc.checked_add(x)))?"
        return Expr(code, Scalar("int", "py"))
    # Left to right from 0, as Python 3.11's sum() does (no pairwise or compensated summation).
    return Expr(f"{e.code}.iter().fold(0.0, |acc, &x| acc + x)", Scalar("float", e.type.flavor))


BUILTINS = {
    "abs": _abs,
    "min": lambda lw, node: _extremum(lw, node, "min"),
    "max": lambda lw, node: _extremum(lw, node, "max"),
    "float": _float,
    "int": _int,
    "round": _round,
    "len": _len,
    "sum": _sum,
}


def math_call(lw: Lowerer, node: ast.Call, name: str) -> Expr:
    if name in MATH1:
        (arg,) = args_of(node, (1,), f"math.{name}")
        method, can_overflow = MATH1[name]
        x = lw.as_float(lw.number(arg))
        helper = f"math_{name}"
        lw.unit.dynamic_helper(
            helper,
            (
                f"/// Python's `math.{name}`: CPython's ValueError/OverflowError where it raises them.\n"
                f"fn {helper}(x: f64) -> Result<f64, KernelError> {{\n"
                f"    math1(x, x.{method}(), {'true' if can_overflow else 'false'})\n}}\n"
            ),
            ("math1",),
        )
        return Expr(f"{helper}({x})?", FLOAT)
    if name in ("floor", "ceil"):
        (arg,) = args_of(node, (1,), f"math.{name}")
        e = lw.number(arg)
        assert isinstance(e.type, Scalar)
        if e.type.kind == "int":
            return Expr(e.code, INT, e.prec)
        lw.helper("to_int")
        return Expr(f"to_int({e.recv}.{name}())?", INT)
    if name == "fabs":
        (arg,) = args_of(node, (1,), "math.fabs")
        return Expr(f"{lw.to_float(lw.number(arg)).recv}.abs()", FLOAT)
    if name in ("copysign", "atan2", "hypot"):
        a, b = (lw.to_float(lw.number(x)) for x in args_of(node, (2,), f"math.{name}"))
        if name == "hypot":
            lw.note(node, "math.hypot: CPython's own algorithm and libm's hypot may differ in the last bit")
        return Expr(f"{a.recv}.{name}({b.code})", FLOAT)
    if name in ("isnan", "isinf", "isfinite"):
        (arg,) = args_of(node, (1,), f"math.{name}")
        method = {"isnan": "is_nan", "isinf": "is_infinite", "isfinite": "is_finite"}[name]
        return Expr(f"{lw.to_float(lw.number(arg)).recv}.{method}()", BOOL)
    raise refuse(node, f"calls math.{name}, which is not in the translatable subset; write this part by hand")


#: every `np.NAME(...)` numpy_call translates (the scan refuses the others before translating)
NUMPY_FUNCTIONS = frozenset(
    (*NEW_ARRAYS, *COPIES, *NP1, "isnan", "isinf", "isfinite", "minimum", "maximum", "fmin", "fmax",
     "arctan2", "hypot", "copysign", "float64", "int64")
)  # fmt: skip


def numpy_refusal(name: str) -> str:
    return (
        f"calls np.{name}, which is not in the translatable subset (array-wide numpy calls "
        "are not translated); write this part by hand"
    )


def numpy_call(lw: Lowerer, node: ast.Call, name: str) -> Expr:
    if name in NEW_ARRAYS:
        return new_array(lw, node, name)
    if name in COPIES:
        (arg,) = args_of(node, (1,), f"np.{name}")
        return copied(lw, node, arg, f"np.{name}")
    np_float = Scalar("float", "np")
    if name in NP1:
        (arg,) = args_of(node, (1,), f"np.{name}")
        x = lw.to_float(lw.number(arg))
        return Expr(f"{x.recv}.{NP1[name]}()", np_float)
    if name in ("isnan", "isinf", "isfinite"):
        (arg,) = args_of(node, (1,), f"np.{name}")
        method = {"isnan": "is_nan", "isinf": "is_infinite", "isfinite": "is_finite"}[name]
        return Expr(f"{lw.to_float(lw.number(arg)).recv}.{method}()", BOOL)
    if name in ("minimum", "maximum", "fmin", "fmax", "arctan2", "hypot", "copysign"):
        a, b = (lw.to_float(lw.number(x)) for x in args_of(node, (2,), f"np.{name}"))
        if name in ("minimum", "maximum"):
            lw.helper(f"np_{name}")
            return Expr(f"np_{name}({a.code}, {b.code})", np_float)
        method = {"fmin": "min", "fmax": "max", "arctan2": "atan2"}.get(name, name)
        return Expr(f"{a.recv}.{method}({b.code})", np_float)
    if name in ("float64", "int64"):
        (arg,) = args_of(node, (1,), f"np.{name}")
        e = lw.number(arg)
        if name == "float64":
            return Expr(lw.to_float(e).code, np_float, lw.to_float(e).prec)
        return _int(lw, node)
    raise refuse(node, numpy_refusal(name))


def new_array(lw: Lowerer, node: ast.Call, name: str) -> Expr:
    """np.full(n, v), np.zeros(n[, dtype]), np.empty(n), np.ones(n), np.full_like(x, v), np.zeros_like(x)."""
    dtype = "float"
    for kw in node.keywords:
        if kw.arg != "dtype":
            raise refuse(node, f"passes `{kw.arg}=` to np.{name}: only dtype is translated")
        dtype = dtype_of(kw.value)
    if name.endswith("_like"):
        args = args_of_like(node, name)
        like = lw.expr(args[0])
        if not isinstance(like.type, Array):
            raise refuse(node, f"np.{name} of something other than an array: not translated")
        ndim = like.type.ndim
        if not node.keywords:
            dtype = like.type.elem
        length = f"{like.code}.len()"
        fill = args[1] if name == "full_like" else None
    else:
        args = args_of_like(node, name)
        ndim = 1
        n = lw.number(args[0])
        if not isinstance(n.type, Scalar) or n.type.kind != "int":
            raise refuse(
                node, f"np.{name} with a length that is not an int (a shape tuple or float): not translated"
            )
        lw.helper("new_len")
        length = f"new_len({n.code})?"
        fill = args[1] if name == "full" else None
    value = {"zeros": "0", "zeros_like": "0", "empty": "0", "ones": "1"}.get(name)
    if fill is not None:
        v = lw.number(fill)
        assert isinstance(v.type, Scalar)
        if name == "full" and not node.keywords:
            dtype = v.type.kind
        if dtype == "int" and v.type.kind == "float":
            raise refuse(node, "fills an int array with a float: numpy would truncate it; write an int")
        value = v.code if dtype == v.type.kind else lw.as_float(v)
    elif dtype == "float":
        value = f"{value}.0"
    if name == "empty":
        lw.note(node, "np.empty: the kernel fills the new array with zeros (numpy leaves it uninitialised)")
    elem: Literal["float", "int"] = "int" if dtype == "int" else "float"
    return Expr(f"vec![{value}; {length}]", Array(elem, "array", ndim))


def copied(lw: Lowerer, node: ast.Call, source: ast.expr, name: str) -> Expr:
    """`x.copy()`, `np.copy(x)`, `np.array(x)` of a 1-D array or list: a new array with its values, which
    the function may write into (a parameter array it may not)."""
    e = lw.expr(source)
    if not isinstance(e.type, Array):
        raise refuse(node, f"{name} of something that is not an array or a list: not translated")
    if e.type.ndim != 1:
        raise refuse(node, f"{name} of a 2-D array: not translated; use np.zeros_like(m) and a loop")
    if e.type.flavor == "unset":
        raise refuse(node, f"{name} of a list nothing is appended to: not translated")
    # numpy holds (and gives back) numpy scalars, whatever the list held
    flavor = e.type.flavor if name == "copy" and e.type.origin == "list" else "np"
    origin: Literal["array", "list"] = "list" if name == "copy" and e.type.origin == "list" else "array"
    return Expr(f"{e.code}.to_vec()", Array(e.type.elem, origin, 1, flavor))


def args_of_like(node: ast.Call, name: str) -> list[ast.expr]:
    want = 2 if name in ("full", "full_like") else 1
    if len(node.args) != want or any(isinstance(a, ast.Starred) for a in node.args):
        raise refuse(
            node, f"calls np.{name} with {len(node.args)} positional arguments: {want} are translated"
        )
    return list(node.args)


def dtype_of(node: ast.expr) -> str:
    text = ast.unparse(node)
    if text in ("float", "np.float64", "numpy.float64", "'float64'", '"float64"'):
        return "float"
    if text in ("int", "np.int64", "numpy.int64", "'int64'", '"int64"'):
        return "int"
    raise refuse(node, "is a dtype other than float64 or int64: not translated")


def same_file_call(lw: Lowerer, node: ast.Call, name: str) -> Expr:
    callee = lw.unit.function_node(name)
    params = [a.arg for a in callee.args.args]
    defaults = dict(zip(params[len(params) - len(callee.args.defaults) :], callee.args.defaults, strict=True))
    if callee.args.vararg or callee.args.kwarg or callee.args.kwonlyargs or callee.args.posonlyargs:
        raise refuse(
            node, f"calls `{name}`, which takes *args, **kwargs or keyword-only parameters: not translated"
        )
    given: dict[str, ast.expr] = dict(zip(params, node.args, strict=False))
    for kw in node.keywords:
        if kw.arg is None or kw.arg not in params or kw.arg in given:
            raise refuse(node, f"passes an argument `{name}` does not take: not translated")
        given[kw.arg] = kw.value
    if len(node.args) > len(params):
        raise refuse(node, f"passes more arguments than `{name}` takes")
    values = []
    for p in params:
        if p not in given and p not in defaults:
            raise refuse(node, f"misses argument `{p}` of `{name}`")
        values.append(lw.expr(given.get(p, defaults.get(p))))  # type: ignore[arg-type]
    types = tuple(v.type for v in values)
    returns = lw.unit.callee(name, types, node)
    codes = [
        f"&{v.code}" if isinstance(v.type, Array) and v.type.origin != "param" else v.code for v in values
    ]
    codes = [
        f"{c}, {v.code}_cols" if isinstance(v.type, Array) and v.type.ndim == 2 else c
        for c, v in zip(codes, values, strict=True)
    ]
    return Expr(f"{name}({', '.join(codes)})?", returns)
