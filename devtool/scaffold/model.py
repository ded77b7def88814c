"""The values the Rust function template places, computed once here and tested, not in Jinja.

`rust_function` turns a `Signature` into the kernel's name, parameters and return type, the
`use` lists of the file, and whether a result tuple needs a type alias (clippy's
`type_complexity` and the header's line length decide). `render.build_context` passes it to
the template as `_model`; a template that does not declare `_model` (an old version kept for
update-module) never sees it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from .signature import Arg, Signature

#: The kernel's parameter for each argument type.
RUST_KERNEL = {
    "f64[]": "&[f64]",
    "i64[]": "&[i64]",
    "f64[,]": "Matrix<'_>",
    "f64[*]": "&[f64]",
    "i64[*]": "&[i64]",
    "f64": "f64",
    "i64": "i64",
    "usize": "usize",
    "bool": "bool",
}
#: The kernel's output slice for each array result the binding allocates.
RUST_OUTPUT = {"f64[]": "&mut [f64]", "i64[]": "&mut [i64]", "f64[,]": "&mut [f64]"}
#: What a `[*]` result is in Rust: a vector the kernel returns.
RUST_VEC = {"f64[*]": "Vec<f64>", "i64[*]": "Vec<i64>"}
#: The element of an array result, for the vectors the Rust tests collect.
RUST_ELEMENT = {"f64[]": "f64", "i64[]": "i64", "f64[,]": "f64", "f64[*]": "f64", "i64[*]": "i64"}

#: The binding's parameter for each argument type: numpy arrays borrowed without a copy.
RUST_BINDING = {
    "f64[]": "PyReadonlyArray1<'py, f64>",
    "i64[]": "PyReadonlyArray1<'py, i64>",
    "f64[,]": "PyReadonlyArray2<'py, f64>",
    "f64[*]": "PyReadonlyArray1<'py, f64>",
    "i64[*]": "PyReadonlyArray1<'py, i64>",
    "f64": "f64",
    "i64": "i64",
    "usize": "usize",
    "bool": "bool",
}
#: What the binding returns for each result type, and the aliases those names need.
RUST_RETURNED = {
    "f64[]": "F64Array<'py>",
    "i64[]": "I64Array<'py>",
    "f64[,]": "F64Matrix<'py>",
    "f64[*]": "F64Array<'py>",
    "i64[*]": "I64Array<'py>",
    "f64": "f64",
    "i64": "i64",
    "usize": "usize",
    "bool": "bool",
}
RUST_ALIAS = {
    "F64Array<'py>": "type F64Array<'py> = Bound<'py, PyArray1<f64>>;",
    "I64Array<'py>": "type I64Array<'py> = Bound<'py, PyArray1<i64>>;",
    "F64Matrix<'py>": "type F64Matrix<'py> = Bound<'py, PyArray2<f64>>;",
}

#: The binding's numpy allocation of each array result it fills.
RUST_ALLOC = {"f64[]": "PyArray1::<f64>", "i64[]": "PyArray1::<i64>", "f64[,]": "PyArray2::<f64>"}

#: Rust literals of the fixed scalar values the tests use (Python: `python_model.PY_FIXED`).
RUST_FIXED = {"f64": "0.5", "i64": "1", "usize": "2", "bool": "true"}

#: How many generated inputs (hypothesis examples) the parity test of a translated kernel tries.
PARITY_EXAMPLES = 200

#: clippy's `type_complexity` threshold (its default).
COMPLEXITY_LIMIT = 250
#: rustfmt's `max_width` (its default).
MAX_WIDTH = 100
#: clippy's `too_many_arguments` threshold (its default): more parameters than this need an `allow`.
MAX_PARAMS = 7


@dataclass(frozen=True)
class RustFunction:
    """What the function's `.rs` file needs that a signature alone does not say."""

    #: Which kernel the file holds, and so which parts the template includes (`function/*.rs.j2`):
    #: "placeholder" (no `--from`), "translated" (devtool's translation, served) or "unwritten".
    kernel_form: str
    kernel: str
    kernel_params: tuple[str, ...]
    #: What the kernel returns besides its outputs (scalars and `[*]` vectors), in result order.
    returned_types: tuple[str, ...]
    #: The `Ok` type of the kernel's `Result`: `Returned` when the tuple has an alias.
    kernel_ok: str
    returned_alias: bool
    #: Whether the kernel and the binding take more parameters than clippy allows without an `allow`.
    kernel_many_params: bool
    binding_many_params: bool
    numpy_uses: tuple[str, ...]
    support_uses: tuple[str, ...]
    #: The Rust tests' `run` helper: every result, array results as vectors.
    run_types: tuple[str, ...]
    run_ok: str
    results_alias: bool
    #: The kernel's checks: the shared length, each other array's, each output's (`check_*` arguments).
    len_of: str
    #: The kernel's doc: what every array's length is measured against.
    length_doc: str
    length_checks: tuple[tuple[str, ...], ...]
    output_checks: tuple[tuple[str, ...], ...]
    #: The placeholder's `input(i)`: the first array's element, then ("add", term) or ("negate", flag).
    input_first: str
    input_rest: tuple[tuple[str, str], ...]
    #: The placeholder's `let input = |i: usize| ...;` statement built from those (indented as in the kernel).
    input_closure: str
    #: The Rust tests: `run`'s parameters and its call of the kernel, the pattern binding its
    #: results, the inputs each `run` call takes, and the unwritten kernel's one test call.
    run_params: tuple[str, ...]
    run_args: tuple[str, ...]
    outs_pattern: str
    run_inputs: tuple[str, ...]
    unwritten_args: tuple[str, ...]
    #: The placeholder's other tests: `run`'s inputs for one element, none, a NaN, a parallel-sized array.
    run_single: tuple[str, ...]
    run_empty: tuple[str, ...]
    run_nan: tuple[str, ...]
    run_large: tuple[str, ...]
    #: The unwritten kernel's test: whether it takes a 2-D array (then it returns a `Result`), which
    #: of the constants `X` (f64) and `N` (i64) its arrays are built from, and its `let`s.
    has_matrix: bool
    unwritten_uses_x: bool
    unwritten_uses_n: bool
    unwritten_lets: tuple[str, ...]
    #: Whether the unwritten kernel has a translation that is not served: why (one line each, for
    #: the header), and the translation as the comment kept at the end of the file.
    translation_kept: bool
    not_served_lines: tuple[str, ...]
    kept_translation: tuple[str, ...]
    #: The binding: its parameters, the type aliases and return type, the kernel's arguments, and
    #: each result as the binding returns it (numpy) and as the Rust tests see it.
    binding_params: tuple[str, ...]
    binding_aliases: tuple[str, ...]
    binding_returned: tuple[str, ...]
    binding_ret: str
    outputs_lifetime: str
    #: How the binding gets the results: "outputs" (arrays it allocates and the kernel fills),
    #: "returned" (the kernel returns vectors, handed to numpy without a copy), "direct" (scalars).
    binding_form: str
    #: The binding's allocation of each array result (`let outK = PyArray1::<f64>::zeros(...)`).
    output_allocs: tuple[str, ...]
    #: The binding's body: each array argument borrowed, the outputs allocated, the kernel called
    #: without the GIL, the results returned (one line each, indented as in the function).
    binding_body: tuple[str, ...]
    call_args: tuple[str, ...]
    result_values: tuple[str, ...]
    test_values: tuple[str, ...]

    def as_context(self) -> dict[str, Any]:
        """Plain data for Jinja (lists, not tuples)."""
        return {k: plain(v) for k, v in asdict(self).items()}


def plain(value: Any) -> Any:
    """`value` as plain data for Jinja: tuples become lists, at any depth (a model's `as_context`)."""
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def kernel_signature(signature: Signature) -> Signature:
    """The signature the kernel, its binding and the fallback take: each `frame[...]` argument
    expanded into its columns, one `f64[]` argument each, in place (the bridge alone takes the frame)."""
    args = tuple(
        column
        for a in signature.args
        for column in ([Arg(c, "f64[]") for c in a.column_args] if a.is_frame else [a])
    )
    return replace(signature, args=args)


def type_complexity(types: tuple[str, ...]) -> int:
    """clippy's score of `Result<(types...), KernelError>`: 50, plus 30 per element and 70 per `Vec<T>`."""
    return 50 + sum(70 if t.startswith("Vec<") else 30 for t in types)


def needs_alias(types: tuple[str, ...], header: str, continuation: str) -> bool:
    """Whether a result tuple needs a name: clippy finds it too complex, or rustfmt cannot fit the
    function's return type on a line (`header` on one line, `continuation` when the parameters wrap).
    """
    if len(types) < 2:
        return False
    too_long = len(header) > MAX_WIDTH and len(continuation) > MAX_WIDTH
    return type_complexity(types) > COMPLEXITY_LIMIT or too_long


def rust_function(
    signature: Signature,
    function: str,
    *,
    from_source: bool,
    translated: str | None = None,
    kept: str | None = None,
    not_served: str = "",
) -> RustFunction:
    """The derived values of `function`'s `.rs` file (see `RustFunction`).

    `translated`: the name of the kernel devtool translated from the Python function, which the
    binding then calls (it returns every result, array results as vectors). `kept`: a translation
    that is not served (`not_served` says why), kept in a comment under the unwritten kernel.
    """
    returns = signature.returns
    kernel = function + ("_into" if signature.array_results else "")
    params = tuple(f"{a.name}: {RUST_KERNEL[a.type]}" for a in signature.args) + tuple(
        f"out{k}: {RUST_OUTPUT[returns[k]]}" for k in signature.array_results
    )
    free = signature.free_results
    returned = tuple(RUST_VEC[returns[k]] if k in free else returns[k] for k in signature.returned_results)
    ok = _tuple_type(returned)
    header = f"pub fn {kernel}({', '.join(params)}) -> Result<{ok}, KernelError> {{"
    alias = needs_alias(returned, header, f") -> Result<{ok}, KernelError> {{")
    run_types = tuple(f"Vec<{RUST_ELEMENT[t]}>" if t in RUST_ELEMENT else t for t in returns)
    run_ok = f"({', '.join(run_types)})" if signature.returns_tuple else run_types[0]
    run_params = "input: &[f64]" + (", rest: &[f64]" if len(signature.shared_array_args) > 1 else "")
    run_header = f"    fn run({run_params}) -> Result<{run_ok}, KernelError> {{"
    results_alias = signature.returns_tuple and needs_alias(
        run_types, run_header, f"    ) -> Result<{run_ok}, KernelError> {{"
    )
    binding_returned = tuple(RUST_RETURNED[t] for t in returns)
    lifetime = "<'py>" if signature.array_results or signature.free_results else ""
    outputs = f"Outputs{lifetime}" if signature.returns_tuple else binding_returned[0]
    values = _result_values(signature)
    has_mismatch = len(signature.shared_array_args) > 1
    outs = [f"out{k}" for k in range(len(returns))]
    result_values = tuple(f"{v}.into_pyarray(py)" if k in signature.free_results else v for k, v in values)
    if signature.array_results:
        binding_form = "outputs"
    else:
        binding_form = "returned" if signature.free_results else "direct"
    input_first = _input_term(signature.first_array)
    input_rest = tuple(
        ("negate", a.name) if a.type == "bool" else ("add", _input_term(a))
        for a in signature.args
        if a.name != signature.first_array.name
    )
    run_count = 1 + has_mismatch
    has_matrix = any(a.type == "f64[,]" for a in signature.args)
    arg_types = {a.type for a in signature.args}
    function_model = RustFunction(
        kernel_form="unwritten" if from_source else "placeholder",
        kernel=kernel,
        kernel_params=params,
        returned_types=returned,
        kernel_ok="Returned" if alias else ok,
        returned_alias=alias,
        kernel_many_params=len(params) > MAX_PARAMS,
        binding_many_params=len(signature.args) + 1 > MAX_PARAMS,
        numpy_uses=_numpy_uses(signature),
        support_uses=_support_uses(signature, from_source=from_source),
        run_types=run_types,
        run_ok="Results" if results_alias else run_ok,
        results_alias=results_alias,
        run_params=("input: &[f64]", "rest: &[f64]")[: 1 + has_mismatch],
        run_args=_run_args(signature),
        outs_pattern=f"({', '.join(outs)})" if signature.returns_tuple else outs[0],
        run_inputs=("&X",) * (1 + has_mismatch),
        unwritten_args=_unwritten_args(signature),
        run_single=("&[3.0]",) * run_count,
        run_empty=("&[]",) * run_count,
        run_nan=("&[f64::NAN, 1.0]",) * run_count,
        run_large=("&ones",) * run_count,
        has_matrix=has_matrix,
        unwritten_uses_x=bool(arg_types & {"f64[]", "f64[*]"}),
        unwritten_uses_n=bool(arg_types & {"i64[]", "i64[*]"}),
        unwritten_lets=_unwritten_lets(signature),
        translation_kept=kept is not None,
        not_served_lines=tuple(not_served.splitlines()) if kept is not None else (),
        kept_translation=tuple(f"// {line}" if line else "//" for line in (kept or "").splitlines()),
        len_of=_len_of(signature.first_array),
        length_doc=_length_doc(signature.first_array),
        length_checks=tuple(
            (f'"{a.name}"', _len_of(a), f'"{signature.first_array.name}"', "len")
            for a in signature.shared_array_args[1:]
        ),
        output_checks=tuple(
            (f'"out{k}"', f"out{k}.len()", _expected_len(signature, k)) for k in signature.array_results
        ),
        input_first=input_first,
        input_rest=input_rest,
        input_closure=_input_closure(input_first, input_rest),
        binding_params=("py: Python<'py>", *(f"{a.name}: {RUST_BINDING[a.type]}" for a in signature.args)),
        binding_aliases=tuple(RUST_ALIAS[t] for t in RUST_ALIAS if t in binding_returned),
        binding_returned=binding_returned,
        binding_ret=f"PyResult<{outputs}>",
        outputs_lifetime=lifetime,
        binding_form=binding_form,
        output_allocs=tuple(_output_alloc(signature, k) for k in signature.array_results),
        binding_body=_binding_body(signature, kernel, binding_form, _call_args(signature), result_values),
        call_args=_call_args(signature),
        result_values=result_values,
        test_values=tuple(v for _, v in values),
    )
    return function_model if translated is None else _translated(function_model, signature, translated)


def _translated(base: RustFunction, signature: Signature, kernel: str) -> RustFunction:
    """The values of a file whose kernel devtool translated: the binding calls `kernel`, which takes
    the arrays as slices and returns every result (array results as vectors numpy takes over)."""
    arrays = [k for k, t in enumerate(signature.returns) if t in RUST_ELEMENT]
    single = len(signature.returns) == 1
    values = tuple(
        ("returned" if single else f"returned.{k}") + (".into_pyarray(py)" if k in arrays else "")
        for k in range(len(signature.returns))
    )
    arg_types = {a.type for a in signature.args}
    wanted = [
        ("IntoPyArray", bool(arrays)),
        ("PyArray1", bool(arrays)),
        ("PyReadonlyArray1", bool(arg_types & {"f64[]", "i64[]", "f64[*]", "i64[*]"})),
    ]
    form = "returned" if arrays else "direct"
    call_args = tuple(a.name for a in signature.args)
    return replace(
        base,
        kernel_form="translated",
        kernel=kernel,
        numpy_uses=tuple(name for name, used in wanted if used),
        support_uses=(),
        outputs_lifetime="<'py>" if arrays else "",
        binding_form=form,
        binding_body=_binding_body(signature, kernel, form, call_args, values),
        call_args=call_args,
        result_values=values,
    )


def _input_closure(first: str, rest: tuple[tuple[str, str], ...]) -> str:
    """`let input = ...;`: the first array's term, then each other argument added or negating."""
    if not rest:
        return f"    let input = |i: usize| {first};"
    lines = ["    let input = |i: usize| {", f"        let mut sum = {first};"]
    for how, term in rest:
        if how == "negate":
            lines += [f"        if {term} {{", "            sum = -sum;", "        }"]
        else:
            lines.append(f"        sum += {term};")
    return "\n".join([*lines, "        sum", "    };"])


def _binding_body(
    signature: Signature, kernel: str, form: str, call_args: tuple[str, ...], results: tuple[str, ...]
) -> tuple[str, ...]:
    """The binding's lines: borrow, allocate, call the kernel with the GIL released, return.

    `form` is the model's `binding_form`: "outputs" (the binding allocates the array results and
    the kernel fills them), "returned" (the kernel returns them) or "direct" (scalars only).
    """
    call = f"py.detach(|| {kernel}({', '.join(call_args)}))"
    borrow = {"f64[,]": "let {0} = bind::matrix(&{0})?;"}
    arrays = (a for a in signature.args if a.is_array)
    lines = [borrow.get(a.type, "let {0} = {0}.as_slice()?;").format(a.name) for a in arrays]
    if form == "outputs":
        outputs = signature.array_results
        returned = bool(signature.returned_results)
        lines.append(f"let len = {_len_of(signature.first_array)};")
        lines += [_output_alloc(signature, k) for k in outputs]
        lines.append("let returned = {" if returned else "{")
        lines += [f"    let mut out{k} = out{k}.readwrite();" for k in outputs]
        lines += [f"    let out{k} = out{k}.as_slice_mut()?;" for k in outputs]
        lines += [f"    {call}?", "};"] if returned else [f"    {call}?;", "}"]
    elif form == "returned":
        lines.append(f"let returned = {call}?;")
    if form == "direct":
        lines.append(f"Ok({call}?)")
    else:
        lines.append(f"Ok(({', '.join(results)}))" if signature.returns_tuple else f"Ok({results[0]})")
    return tuple(lines)


def _call_args(signature: Signature) -> tuple[str, ...]:
    return tuple(a.name for a in signature.args) + tuple(f"out{k}" for k in signature.array_results)


def _run_args(signature: Signature) -> tuple[str, ...]:
    """The kernel's arguments in the tests' `run`: the first array from `input`, the others from
    `rest` (or `input` when there is no other), `[*]` arrays from `X`, the scalars fixed."""
    rest = "rest" if len(signature.shared_array_args) > 1 else "input"
    args = []
    for a in signature.args:
        if a.type in ("f64[]", "f64[*]"):
            args.append("&X" if a.is_free else ("input" if a.name == signature.first_array.name else rest))
        elif a.is_array:
            args.append(f"&{a.name}" if a.type in ("i64[]", "i64[*]") else a.name)
        else:
            args.append(RUST_FIXED[a.type])
    return (*args, *(f"&mut out{k}" for k in signature.array_results))


def _unwritten_args(signature: Signature) -> tuple[str, ...]:
    """The unwritten kernel's test call: the constants X, N and the matrices, the scalars fixed."""
    by_type = {"f64[]": "&X", "f64[*]": "&X", "i64[]": "&N", "i64[*]": "&N"}
    args = [
        by_type.get(a.type, a.name if a.type == "f64[,]" else RUST_FIXED.get(a.type, ""))
        for a in signature.args
    ]
    return (*args, *(f"&mut out{k}" for k in signature.array_results))


def _unwritten_lets(signature: Signature) -> tuple[str, ...]:
    """The unwritten kernel's test: each matrix from the constant `M` (three rows of two columns),
    then each output, as long as the inputs (a 2-D result: times the first matrix's columns)."""
    lets = [f"let {a.name} = Matrix::new(&M, 3, 2)?;" for a in signature.args if a.type == "f64[,]"]
    for k in signature.array_results:
        zero = "0" if signature.returns[k] == "i64[]" else "0.0"
        length = "6" if signature.returns[k] == "f64[,]" and signature.first_matrix else "3"
        lets.append(f"let mut out{k} = vec![{zero}; {length}];")
    return tuple(lets)


def _length_doc(arg: Arg) -> str:
    """The kernel's doc of the shared length: a 2-D first array's rows."""
    return f"the number of rows of `{arg.name}`" if arg.type == "f64[,]" else f"the length of `{arg.name}`"


def _output_alloc(signature: Signature, k: int) -> str:
    """The binding's allocation of array result `k`: a 2-D result has the first matrix's columns (or 1)."""
    alloc = RUST_ALLOC[signature.returns[k]]
    if signature.returns[k] != "f64[,]":
        return f"let out{k} = {alloc}::zeros(py, len, false);"
    matrix = signature.first_matrix
    cols = f"{matrix.name}.cols()" if matrix else "1"
    return f"let out{k} = {alloc}::zeros(py, [len, {cols}], false);"


def _len_of(arg: Arg) -> str:
    """The length an array shares: its rows for a 2-D array."""
    return f"{arg.name}.rows()" if arg.type == "f64[,]" else f"{arg.name}.len()"


def _expected_len(signature: Signature, k: int) -> str:
    """The length of output `k`: a 2-D result has the first matrix's columns."""
    matrix = signature.first_matrix
    return f"len * {matrix.name}.cols()" if signature.returns[k] == "f64[,]" and matrix else "len"


def _input_term(arg: Arg) -> str:
    """What `arg` adds to the placeholder's `input(i)` (a `[*]` array: its total, bound to its name)."""
    if arg.is_free:
        return arg.name
    return {
        "f64[]": f"{arg.name}[i]",
        "i64[]": f"{arg.name}[i] as f64",
        "f64[,]": f"{arg.name}.row_sum(i)",
        "f64": arg.name,
    }.get(arg.type, f"{arg.name} as f64")


def _result_values(signature: Signature) -> list[tuple[int, str]]:
    """Each result in the binding: an output it allocated (`outK`), or what the kernel returned."""
    returned = signature.returned_results
    values = []
    for k in range(len(signature.returns)):
        if k in signature.array_results:
            values.append((k, f"out{k}"))
        else:
            values.append((k, "returned" if len(returned) == 1 else f"returned.{returned.index(k)}"))
    return values


def _tuple_type(types: tuple[str, ...]) -> str:
    if not types:
        return "()"
    return types[0] if len(types) == 1 else f"({', '.join(types)})"


def _numpy_uses(signature: Signature) -> tuple[str, ...]:
    """The `numpy` items the binding uses, in rustfmt's order."""
    outputs = {signature.returns[k] for k in signature.array_results}
    has_free = bool(signature.free_results)
    arg_types = {a.type for a in signature.args}
    wanted = [
        ("IntoPyArray", has_free),
        ("PyArray1", bool(outputs & {"f64[]", "i64[]"}) or has_free),
        ("PyArray2", "f64[,]" in outputs),
        ("PyArrayMethods", bool(outputs)),
        ("PyReadonlyArray1", bool(arg_types & {"f64[]", "i64[]", "f64[*]", "i64[*]"})),
        ("PyReadonlyArray2", "f64[,]" in arg_types),
    ]
    return tuple(name for name, used in wanted if used)


def _support_uses(signature: Signature, *, from_source: bool) -> tuple[str, ...]:
    """The `crate::support` items the file uses, in rustfmt's order (modules, then types)."""
    has_matrix = signature.first_matrix is not None
    wanted = [("bind", has_matrix), ("par", not from_source), ("KernelError", True), ("Matrix", has_matrix)]
    return tuple(name for name, used in wanted if used)
