"""The placeholder computation a generated kernel and its numpy fallback share, and the values the
generated tests expect from it: worked out here, once, so the Rust tests and the Python tests agree.

`input(i)`: start from the first array's element i (a 2-D array contributes the sum of row i), then,
in argument order, add every other array's element i, the sum of every `[*]` array and every number
(f64, i64, usize), and negate when a bool is true. Result k (its position in the result tuple) is:

    f64[]  input² + 2·input + (k + 1)          f64        the sum of that over i
    f64[,] that, repeated over the columns      i64/usize  how many input(i) > k
    i64[]  1 where input(i) > k, else 0         bool       whether any input(i) > k
    f64[*] input² + 2·input + (k + 1) for the i where input(i) > k, in order
    i64[*] the i where input(i) > k

The tests call it with every array built from a list of floats x (2-D: rows [x, 0.0]; i64: x
truncated; `[*]` arrays are [-2, 0, 3] whatever x, so they add 1) and the scalars fixed (f64 0.5,
i64 1, usize 2, bool true). A NaN element adds nothing to a count, makes no `any` and is in no `[*]`
result: the NaN cases reuse "ones" for the other element.

`placeholder` returns the code and the literals the templates place (`Placeholder`): the kernel's
`input(i)` and one statement per result (Rust, numpy), and the expected values of every known case
as Rust and Python literals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .model import plain
from .signature import Arg, Signature

#: The known inputs x of the tests, by case name.
CASES: dict[str, tuple[float, ...]] = {
    "three": (-2.0, 0.0, 3.0),
    "one": (3.0,),
    "empty": (),
    "ones": (1.0,),
}
#: What each fixed argument adds to `input(i)` in the known cases (a `[*]` array [-2, 0, 3]: its sum).
FIXED_NUMBER = {"f64": 0.5, "i64": 1.0, "usize": 2.0, "f64[*]": 1.0, "i64[*]": 1.0}
#: rayon's threshold (`support::par::THRESHOLD`): the large case is just above it.
THRESHOLD = 1 << 15
BIG = THRESHOLD + 3
#: The 2-D arrays of the known cases have two columns ([x, 0.0]).
KNOWN_COLUMNS = 2

ARRAY_RESULTS = ("f64[]", "i64[]", "f64[,]", "f64[*]", "i64[*]")

Value = float | int | bool | list[Any]


def combined(signature: Signature, xs: tuple[float, ...]) -> list[float]:
    """`input(i)` for every element of the known case `xs`."""
    first = signature.first_array.name
    values = []
    for x in xs:
        acc = x
        for arg in signature.args:
            if arg.name == first:
                continue
            if arg.is_array and not arg.is_free:
                acc = acc + x
            elif arg.type == "bool":
                acc = -acc
            else:
                acc = acc + FIXED_NUMBER[arg.type]
        values.append(acc)
    return values


def expected(signature: Signature, xs: tuple[float, ...]) -> list[Value]:
    """Every result of the placeholder for the known case `xs`, in result order."""
    inputs = combined(signature, xs)
    width = KNOWN_COLUMNS if signature.first_matrix else 1
    results: list[Value] = []
    for k, type_ in enumerate(signature.returns):
        polys = [c * c + 2.0 * c + (k + 1.0) for c in inputs]
        above = [c > k for c in inputs]
        if type_ == "f64[]":
            results.append(polys)
        elif type_ == "f64[,]":
            results.append([[p] * width for p in polys])
        elif type_ == "f64[*]":
            results.append([p for p, a in zip(polys, above, strict=True) if a])
        elif type_ == "i64[*]":
            results.append([i for i, a in enumerate(above) if a])
        elif type_ == "i64[]":
            results.append([1 if a else 0 for a in above])
        elif type_ == "f64":
            results.append(float(0.0 + sum(polys)))
        elif type_ in ("i64", "usize"):
            results.append(sum(above))
        else:
            results.append(any(above))
    return results


def rust_literal(value: Value, type_: str) -> str:
    """`value` of a result of type `type_` as a Rust literal (an array result: a Rust array)."""
    if type_ == "f64[,]":
        assert isinstance(value, list)
        return "[" + ", ".join(", ".join(str(v) for v in row) for row in value) + "]"
    if type_ in ARRAY_RESULTS:
        assert isinstance(value, list)
        return "[" + ", ".join(str(v) for v in value) + "]"
    if type_ == "bool":
        return "true" if value else "false"
    return str(value)


def python_literal(value: Value, type_: str, width: int) -> str:
    """`value` of a result of type `type_` as a Python expression (`width`: an empty 2-D result's columns)."""
    if type_ == "f64[,]":
        assert isinstance(value, list)
        return f"np.array([{', '.join(str(row) for row in value)}])" if value else f"np.empty((0, {width}))"
    if type_ in ("f64[]", "f64[*]"):
        assert isinstance(value, list)
        return f"np.array([{', '.join(str(v) for v in value)}]{'' if value else ', dtype=np.float64'})"
    if type_ in ("i64[]", "i64[*]"):
        assert isinstance(value, list)
        return f"np.array([{', '.join(str(v) for v in value)}], dtype=np.int64)"
    return str(value)


@dataclass(frozen=True)
class Placeholder:
    """What the placeholder path of the templates places, computed from the signature."""

    #: The `[*]` arguments (lengths of their own) by name.
    free_args: tuple[str, ...]
    #: The Rust kernel: `let a = total(a);` for each `[*]` argument, the helpers those need, and
    #: one statement per result (`par::fill(out0, ...)`, `let out1 = par::sum(...)`), then its `Ok`.
    rust_totals: tuple[str, ...]
    rust_total_helpers: tuple[str, ...]
    rust_results: tuple[str, ...]
    rust_ok: str
    #: The numpy fallback: the length checks, the lines that compute `combined`, then the results.
    py_length_checks: tuple[str, ...]
    py_combined: tuple[str, ...]
    py_results: tuple[str, ...]
    #: The Rust tests: `run`'s lines that build the arguments and the outputs from `input`, `rest`
    #: and `X`, the length mismatch's message (empty with one shared array), and the assertions of
    #: each known case, of the NaN case (empty when no float array takes a NaN) and of the large
    #: case, one line each.
    rust_run_lets: tuple[str, ...]
    rust_mismatch_message: str
    rust_checks: dict[str, tuple[str, ...]]
    rust_nan_checks: tuple[str, ...]
    rust_large_checks: tuple[str, ...]
    #: The Python tests: each known case's x and expected results as literals, the NaN assertions.
    py_known: tuple[tuple[str, str, tuple[str, ...]], ...]
    py_nan_arg: str
    py_nan_checks: tuple[str, ...]

    def as_context(self) -> dict[str, Any]:
        """Plain data for Jinja (lists, not tuples)."""
        return {k: plain(v) for k, v in asdict(self).items()}


def _float(x: float) -> str:
    return str(float(x))


def placeholder(signature: Signature) -> Placeholder:
    """The placeholder's code and expected values for `signature` (see `Placeholder`)."""
    free = [a for a in signature.args if a.is_free]
    shared = signature.shared_array_args
    cases = {case: expected(signature, xs) for case, xs in CASES.items()}
    float_array = next((a for a in signature.args if a.type in ("f64[]", "f64[,]")), None)
    width = KNOWN_COLUMNS if signature.first_matrix else 1
    known = tuple(
        (
            case,
            "[" + ", ".join(str(x) for x in CASES[case]) + "]",
            tuple(python_literal(v, t, width) for v, t in zip(cases[case], signature.returns, strict=True)),
        )
        for case in ("three", "one", "empty")
    )
    return Placeholder(
        free_args=tuple(a.name for a in free),
        rust_totals=tuple(
            f"let {a.name} = total{'_i64' if a.type == 'i64[*]' else ''}({a.name});" for a in free
        ),
        rust_total_helpers=tuple(t for t in ("f64[*]", "i64[*]") if any(a.type == t for a in free)),
        rust_results=tuple(_rust_result(signature, k) for k in range(len(signature.returns))),
        rust_ok=_rust_ok(signature),
        py_length_checks=tuple(
            f'_check_length("{a.name}", {a.name}, "{signature.first_array.name}", '
            f"len({signature.first_array.name}))"
            for a in signature.shared_array_args[1:]
        ),
        py_combined=_py_combined(signature),
        py_results=_py_results(signature),
        rust_run_lets=_rust_run_lets(signature),
        rust_mismatch_message=(
            f"{shared[1].name} must have the same length as {shared[0].name}: 2 != 3"
            if len(shared) > 1
            else ""
        ),
        rust_checks={case: _rust_checks(signature, cases[case]) for case in ("three", "one", "empty")},
        rust_nan_checks=_rust_nan_checks(signature, cases["ones"]) if float_array else (),
        rust_large_checks=tuple(
            line
            for k, (t, v) in enumerate(zip(signature.returns, cases["ones"], strict=True))
            for line in _rust_large_check(k, t, v)
        ),
        py_known=known,
        py_nan_arg=float_array.name if float_array else "",
        py_nan_checks=_py_nan_checks(signature) if float_array else (),
    )


def _rust_result(signature: Signature, k: int) -> str:
    """The kernel's statement that computes result `k` (indented as in the kernel's body)."""
    type_ = signature.returns[k]
    kf, threshold = _float(k + 1), _float(k)
    poly = f"x * x + 2.0 * x + {kf}"
    if type_ == "f64[]":
        return f"    par::fill(out{k}, |i| {{\n        let x = input(i);\n        {poly}\n    }});"
    if type_ == "f64[,]":
        row = f"i / {signature.first_matrix.name}.cols()" if signature.first_matrix else "i"
        return f"    par::fill(out{k}, |i| {{\n        let x = input({row});\n        {poly}\n    }});"
    if type_ == "i64[]":
        return f"    par::fill(out{k}, |i| i64::from(input(i) > {threshold}));"
    if type_ == "f64[*]":
        return (
            f"    let out{k} = par::keep(len, |i| {{\n        let x = input(i);\n"
            f"        (x > {threshold}).then_some({poly})\n    }});"
        )
    if type_ == "i64[*]":
        return f"    let out{k} = par::keep(len, |i| (input(i) > {threshold}).then_some(i as i64));"
    if type_ == "f64":
        return f"    let out{k} = par::sum(len, |i| {{\n        let x = input(i);\n        {poly}\n    }});"
    if type_ == "i64":
        return f"    let out{k} = par::count(len, |i| input(i) > {threshold}) as i64;"
    if type_ == "usize":
        return f"    let out{k} = par::count(len, |i| input(i) > {threshold});"
    return f"    let out{k} = par::any(len, |i| input(i) > {threshold});"


def _rust_ok(signature: Signature) -> str:
    returned = [f"out{k}" for k in signature.returned_results]
    if not returned:
        return "Ok(())"
    return f"Ok({returned[0]})" if len(returned) == 1 else f"Ok(({', '.join(returned)}))"


def _py_term(arg: Arg) -> str:
    """What `arg` adds to the fallback's `combined`."""
    if arg.is_free:
        return f"float(np.sum({arg.name}))"
    return {
        "f64[]": arg.name,
        "i64[]": f"{arg.name}.astype(np.float64)",
        "f64[,]": f"{arg.name}.sum(axis=1)",
        "f64": arg.name,
    }.get(arg.type, f"float({arg.name})")


def _py_combined(signature: Signature) -> tuple[str, ...]:
    first = signature.first_array
    lines = [f"combined = {_py_term(first)}"]
    for arg in signature.args:
        if arg.name == first.name:
            continue
        if arg.type == "bool":
            lines.append(f"if {arg.name}:\n        combined = -combined")
        else:
            lines.append(f"combined = combined + {_py_term(arg)}")
    return tuple(lines)


def _py_results(signature: Signature) -> tuple[str, ...]:
    """The fallback's lines after `combined`: each result, and the `return`."""
    width = f"{signature.first_matrix.name}.shape[1]" if signature.first_matrix else "1"
    lines: list[str] = []
    for k, type_ in enumerate(signature.returns):
        kf, threshold = _float(k + 1), _float(k)
        lhs = f"out{k} = " if signature.returns_tuple else "return "
        if type_ == "f64[]":
            lines.append(f"{lhs}combined * combined + 2.0 * combined + {kf}")
        elif type_ == "f64[,]":
            lines.append(f"out{k} = combined * combined + 2.0 * combined + {kf}")
            lines.append(f"{lhs}np.repeat(out{k}[:, np.newaxis], {width}, axis=1)")
        elif type_ == "i64[]":
            lines.append(f"{lhs}(combined > {threshold}).astype(np.int64)")
        elif type_ == "f64[*]":
            lines.append(f"out{k} = combined[combined > {threshold}]")
            lines.append(f"{lhs}out{k} * out{k} + 2.0 * out{k} + {kf}")
        elif type_ == "i64[*]":
            lines.append(f"{lhs}np.flatnonzero(combined > {threshold}).astype(np.int64)")
        elif type_ == "f64":
            lines.append(f"{lhs}float(np.sum(combined * combined + 2.0 * combined + {kf}))")
        elif type_ in ("i64", "usize"):
            lines.append(f"{lhs}int(np.count_nonzero(combined > {threshold}))")
        else:
            lines.append(f"{lhs}bool(np.any(combined > {threshold}))")
    if signature.returns_tuple:
        lines.append("return " + ", ".join(f"out{k}" for k in range(len(signature.returns))))
    return tuple(lines)


def _rust_run_lets(signature: Signature) -> tuple[str, ...]:
    """The tests' `run`: i64 arrays truncate their source, 2-D arrays have rows `[x, 0.0]`, the
    outputs are zeros; the first array comes from `input`, the other shared ones from `rest`, the
    `[*]` ones from `X`."""
    shared = signature.shared_array_args
    lines = []
    for a in [*shared, *(a for a in signature.args if a.is_free)]:
        source = "X" if a.is_free else ("input" if a.name == shared[0].name or len(shared) < 2 else "rest")
        if a.type in ("i64[]", "i64[*]"):
            lines.append(f"let {a.name} = {source}.iter().map(|&x| x as i64).collect::<Vec<_>>();")
        elif a.type == "f64[,]":
            lines.append(f"let {a.name} = {source}.iter().flat_map(|&x| [x, 0.0]).collect::<Vec<_>>();")
            lines.append(f"let {a.name} = Matrix::new(&{a.name}, {source}.len(), 2)?;")
    for k in signature.array_results:
        zero = "0" if signature.returns[k] == "i64[]" else "0.0"
        wide = signature.returns[k] == "f64[,]" and signature.first_matrix is not None
        lines.append(f"let mut out{k} = vec![{zero}; {'input.len() * 2' if wide else 'input.len()'}];")
    return tuple(lines)


def _rust_checks(signature: Signature, values: list[Value]) -> tuple[str, ...]:
    return tuple(_rust_check(k, t, v) for k, (t, v) in enumerate(zip(signature.returns, values, strict=True)))


def _rust_check(k: int, type_: str, value: Value) -> str:
    """The Rust test's assertion that result `k` is `value`."""
    if type_ in ARRAY_RESULTS and not value:
        return f"assert!(out{k}.is_empty());"
    if type_ == "bool":
        return f"assert!({'' if value else '!'}out{k});"
    return f"assert_eq!(out{k}, {rust_literal(value, type_)});"


def _rust_nan_checks(signature: Signature, ones: list[Value]) -> tuple[str, ...]:
    """The NaN case: [NaN, 1.0] everywhere; element 0 is NaN in float results and counts nowhere."""
    lines: list[str] = []
    for k, (type_, v) in enumerate(zip(signature.returns, ones, strict=True)):
        assert isinstance(v, list) or type_ not in ARRAY_RESULTS
        if type_ == "f64[]":
            assert isinstance(v, list)
            lines += [f"assert!(out{k}[0].is_nan());", f"assert_eq!(out{k}[1], {v[0]});"]
        elif type_ == "f64[,]":
            assert isinstance(v, list)
            lines += [f"assert!(out{k}[0].is_nan());", f"assert_eq!(out{k}[{KNOWN_COLUMNS}], {v[0][0]});"]
        elif type_ == "f64":
            lines.append(f"assert!(out{k}.is_nan());")
        elif type_ == "i64[]":
            assert isinstance(v, list)
            lines.append(f"assert_eq!(out{k}, {rust_literal([0, *v], type_)});")
        elif type_ == "i64[*]" and v:
            # The NaN is element 0, so the indices of the "ones" case move up by one.
            assert isinstance(v, list)
            lines.append(f"assert_eq!(out{k}, {rust_literal([i + 1 for i in v], type_)});")
        else:
            lines.append(_rust_check(k, type_, v))
    return tuple(lines)


def _rust_large_check(k: int, type_: str, v: Value) -> tuple[str, ...]:
    """The large case: `ones` just above the threshold, every element as in the "ones" case."""
    if type_ in ("f64[]", "i64[]"):
        assert isinstance(v, list)
        return (f"assert!(out{k}.iter().all(|&y| y == {v[0]}));",)
    if type_ == "f64[,]":
        assert isinstance(v, list)
        return (f"assert!(out{k}.iter().all(|&y| y == {v[0][0]}));",)
    if type_ in ("f64[*]", "i64[*]"):
        assert isinstance(v, list)
        if not v:
            return (f"assert!(out{k}.is_empty());",)
        every = (f"assert!(out{k}.iter().all(|&y| y == {v[0]}));",) if type_ == "f64[*]" else ()
        return (f"assert_eq!(out{k}.len(), par::THRESHOLD + 3);", *every)
    if type_ in ("f64", "i64", "usize"):
        assert isinstance(v, int | float)
        return (f"assert_eq!(out{k}, {v * BIG});",)
    return (f"assert!({'' if v else '!'}out{k});",)


def _py_nan_checks(signature: Signature) -> tuple[str, ...]:
    lines = []
    for k, type_ in enumerate(signature.returns):
        item = f"result[{k}]" if signature.returns_tuple else "result"
        if type_ == "f64[]":
            lines.append(f"assert np.isnan({item}[1])")
        elif type_ == "f64[,]":
            lines.append(f"assert np.isnan({item}[1]).all()")
        elif type_ == "f64":
            lines.append(f"assert np.isnan({item})")
    return tuple(lines)
