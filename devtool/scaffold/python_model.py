"""What each signature type becomes in the generated Python, and the per-function values the Python
templates place (the stub's and the fallback's signatures, the tests' data).

The tables are keyed by the types `devtool.signature` accepts: a new type is a new key in each (and a
case in `placeholder` and `model`). The templates see them as `cookiecutter._model.types`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .model import plain
from .signature import Arg, Signature

#: The bridge's hint of each argument.
PY_PARAM = {
    "f64[]": "Any", "i64[]": "Any", "f64[,]": "Any", "f64[*]": "Any", "i64[*]": "Any",
    "f64": "float", "i64": "int", "usize": "int", "bool": "bool",
}  # fmt: skip
#: The fallback's hint of each (normalised) argument, and of each result (bridge and fallback).
PY_NORMALISED = {
    "f64[]": "_convert.F64Array", "i64[]": "_convert.I64Array", "f64[,]": "_convert.F64Array",
    "f64[*]": "_convert.F64Array", "i64[*]": "_convert.I64Array",
    "f64": "float", "i64": "int", "usize": "int", "bool": "bool",
}  # fmt: skip
PY_RESULT = PY_NORMALISED
#: The stub's hint of each argument and result.
PY_STUB = {
    "f64[]": "npt.NDArray[np.float64]", "i64[]": "npt.NDArray[np.int64]", "f64[,]": "npt.NDArray[np.float64]",
    "f64[*]": "npt.NDArray[np.float64]", "i64[*]": "npt.NDArray[np.int64]",
    "f64": "float", "i64": "int", "usize": "int", "bool": "bool",
}  # fmt: skip
#: The `_convert` call that normalises an argument, and its extra arguments.
PY_CONVERT = {
    "f64[]": "as_f64_1d", "i64[]": "as_i64_1d", "f64[,]": "as_f64_2d", "f64[*]": "as_f64_1d",
    "i64[*]": "as_i64_1d", "f64": "as_float", "i64": "as_int", "usize": "as_int", "bool": "as_bool",
}  # fmt: skip
PY_CONVERT_EXTRA = {"usize": "minimum=0"}
#: The docstrings' words for each argument and result.
PY_DESCRIBE = {
    "f64[]": "1-D float64 array",
    "i64[]": "1-D int64 array",
    "f64[,]": "2-D float64 array, one series per row",
    "f64[*]": "1-D float64 array of any length",
    "i64[*]": "1-D int64 array of any length",
    "f64": "a number", "i64": "an integer", "usize": "an integer >= 0", "bool": "True or False",
}  # fmt: skip
PY_DESCRIBE_RESULT = {
    "f64[]": "1-D float64 array, one element per input element",
    "i64[]": "1-D int64 array, one element per input element",
    "f64[,]": "2-D float64 array, one row per input element",
    "f64[*]": "1-D float64 array, as long as the kernel decides",
    "i64[*]": "1-D int64 array, as long as the kernel decides",
    "f64": "float", "i64": "int", "usize": "int", "bool": "bool",
}  # fmt: skip
#: The tests' fixed scalars (Rust: `model.RUST_FIXED`).
PY_FIXED = {"f64": "0.5", "i64": "1", "usize": "2", "bool": "True"}
#: Test data built from the floats `values` of a known case; a `[*]` array is always [-2, 0, 3].
PY_FROM_VALUES = {
    "f64[]": "values",
    "i64[]": "values.astype(np.int64)",
    "f64[,]": "_rows(values)",
    "f64[*]": "np.array([-2.0, 0.0, 3.0])",
    "i64[*]": "np.array([-2, 0, 3])",
}
#: An array one element short (the length checks).
PY_SHORT = {"f64[]": "np.zeros(2)", "i64[]": "np.zeros(2, dtype=np.int64)", "f64[,]": "np.zeros((2, 3))"}
#: Wrong inputs of each type: (case, value, the error both backends raise).
PY_BAD = {
    "f64[]": [["not-numbers", '["a", "b", "c"]', "TypeError"], ["2d", "np.zeros((3, 2))", "ValueError"]],
    "i64[]": [
        ["floats", "np.array([0.5, 1.5, 2.5])", "TypeError"],
        ["2d", "np.zeros((3, 2), dtype=np.int64)", "ValueError"],
    ],
    "f64[,]": [["not-numbers", '[["a"], ["b"], ["c"]]', "TypeError"], ["1d", "np.zeros(3)", "ValueError"]],
    "f64[*]": [["not-numbers", '["a", "b", "c"]', "TypeError"], ["2d", "np.zeros((3, 2))", "ValueError"]],
    "i64[*]": [
        ["floats", "np.array([0.5, 1.5, 2.5])", "TypeError"],
        ["2d", "np.zeros((3, 2), dtype=np.int64)", "ValueError"],
    ],
    "f64": [["not-a-number", '"0.5"', "TypeError"]],
    "i64": [["float", "1.5", "TypeError"], ["bool", "True", "TypeError"]],
    "usize": [["negative", "-1", "ValueError"], ["float", "1.5", "TypeError"]],
    "bool": [["int", "1", "TypeError"]],
}
#: The tables as the templates see them (`cookiecutter._model.types.<name>`).
TYPE_TABLES: dict[str, Any] = {
    "py_param": PY_PARAM,
    "py_normalised": PY_NORMALISED,
    "py_result": PY_RESULT,
    "py_stub": PY_STUB,
    "py_convert": PY_CONVERT,
    "py_convert_extra": PY_CONVERT_EXTRA,
    "py_describe": PY_DESCRIBE,
    "py_describe_result": PY_DESCRIBE_RESULT,
    "py_fixed": PY_FIXED,
    "py_from_values": PY_FROM_VALUES,
    "py_short": PY_SHORT,
    "py_bad": PY_BAD,
}


@dataclass(frozen=True)
class PythonFunction:
    """The per-function values of the Python templates."""

    #: The bridge's parameters (its hints, the Python function's defaults, then `backend`).
    bridge_params: tuple[str, ...]
    #: The stub's `def` line's parameters (with the defaults) and return hint.
    stub_params: tuple[str, ...]
    stub_ret: str
    #: The fallback's parameters (normalised hints) and return hint.
    fallback_params: tuple[str, ...]
    fallback_ret: str
    #: The bridge's docstring line of each argument: (name, words, ", by default <default>" or "").
    describe_args: tuple[tuple[str, str, str], ...]
    #: The tests' and benchmark's `ARG_TYPES`: (name, type) of each argument (`_testing.draw` draws by them).
    arg_types: tuple[tuple[str, str], ...]
    #: The tests' data built from known values: (name, expression) of each argument.
    from_values_args: tuple[tuple[str, str], ...]
    #: The arguments without a default, and whether some have one (the `--from` test of the defaults).
    required: tuple[str, ...]
    has_defaults: bool
    #: The first float array argument (a `--from` parity case puts a NaN in it), or "" when none.
    first_float_array: str
    #: The tests' wrong inputs: (argument, value, error, id), with the placeholder's length checks
    #: (not for a function made `--from` Python: what lengths it accepts is its own).
    bad_inputs: tuple[tuple[str, str, str, str], ...]

    def as_context(self) -> dict[str, Any]:
        """Plain data for Jinja (lists, not tuples)."""
        return {k: plain(v) for k, v in asdict(self).items()}


def _result_hint(signature: Signature, table: dict[str, str]) -> str:
    hints = [table[t] for t in signature.returns]
    return f"tuple[{', '.join(hints)}]" if signature.returns_tuple else hints[0]


def _default(a: Arg) -> str:
    """An argument's default as it follows its hint (` = 0.02`), or nothing when it is required."""
    default = a.py_default
    return "" if default is None else f" = {default}"


def python_function(signature: Signature, *, from_source: bool) -> PythonFunction:
    """The per-function values of the Python templates (see `PythonFunction`)."""
    args = signature.args
    first = signature.first_array.name

    def data(arrays: dict[str, str], scalars: dict[str, str]) -> tuple[tuple[str, str], ...]:
        return tuple((a.name, arrays[a.type] if a.is_array else scalars[a.type]) for a in args)

    bad: list[tuple[str, str, str, str]] = []
    for a in args:
        bad += [(a.name, value, error, f"{a.name}-{case}") for case, value, error in PY_BAD[a.type]]
        if a.is_array and not a.is_free and a.name != first and not from_source:
            bad.append((a.name, PY_SHORT[a.type], "ValueError", f"{a.name}-length"))
    required = tuple(a.name for a in args if a.py_default is None)
    return PythonFunction(
        bridge_params=(
            *(f"{a.name}: {PY_PARAM[a.type]}{_default(a)}" for a in args),
            "*",
            'backend: _native.Backend = "auto"',
        ),
        stub_params=tuple(f"{a.name}: {PY_STUB[a.type]}{_default(a)}" for a in args),
        stub_ret=_result_hint(signature, PY_STUB),
        fallback_params=tuple(f"{a.name}: {PY_NORMALISED[a.type]}" for a in args),
        fallback_ret=_result_hint(signature, PY_RESULT),
        describe_args=tuple(
            (a.name, PY_DESCRIBE[a.type], "" if a.py_default is None else f", by default {a.py_default}")
            for a in args
        ),
        arg_types=tuple((a.name, a.type) for a in args),
        from_values_args=data(PY_FROM_VALUES, PY_FIXED),
        required=required,
        has_defaults=len(required) < len(args),
        first_float_array=next((a.name for a in args if a.type in ("f64[]", "f64[,]", "f64[*]")), ""),
        bad_inputs=tuple(bad),
    )
