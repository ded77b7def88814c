"""What each signature type becomes in the generated Python, and the per-function values the Python
templates place (the stub's and the fallback's signatures, the tests' data).

The tables are keyed by the types `devtool.signature` accepts: a new type is a new key in each (and a
case in `placeholder` and `model`). The templates see them as `cookiecutter._model.types`.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict, dataclass
from typing import Any

from .model import kernel_signature, plain
from .signature import FRAME_TYPE, Arg, Signature

#: The bridge's hint of each argument.
PY_PARAM = {
    FRAME_TYPE: "Any",
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
    FRAME_TYPE: "pandas DataFrame; the kernel takes its numeric columns",
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
    """The per-function values of the Python templates.

    The bridge takes the signature's parameters, a `frame[...]` one as a pandas DataFrame; the stub
    (the compiled module's) and the fallback take the kernel's arguments, each frame expanded into its
    columns (`model.kernel_signature`).
    """

    #: The bridge's parameters (its hints, the Python function's defaults, then `backend`).
    bridge_params: tuple[str, ...]
    #: The stub's `def` line's parameters (the kernel's, with the defaults) and return hint.
    stub_params: tuple[str, ...]
    stub_ret: str
    #: The fallback's parameters (the kernel's, normalised hints) and return hint.
    fallback_params: tuple[str, ...]
    fallback_ret: str
    #: The bridge's docstring line of each parameter: (name, words, what follows them): ", by default
    #: <default>", a frame's ":" and its columns on the lines below, or "".
    describe_args: tuple[tuple[str, str, str], ...]
    #: The bridge's statements that normalise its parameters into the kernel's arguments, in order
    #: (a frame's `_convert.frame_columns` gives one array per column).
    bridge_converts: tuple[str, ...]
    #: The parameter every array and frame must be as long as, or "" when fewer than two share a length.
    same_length_as: str
    #: The tests' and benchmark's `ARG_TYPES`: (name, Python expression of its type) of each parameter
    #: (`_testing.draw` draws by them; a frame's is `_testing.frame_type(<columns>)`).
    arg_types: tuple[tuple[str, str], ...]
    #: The fallback's `frames=` argument of `_source.python_function` (each frame parameter's columns),
    #: or "" when the function takes no DataFrame.
    fallback_frames: str
    #: The frame parameters (the tests check a DataFrame in gives a Series indexed like it).
    frames: tuple[str, ...]
    #: How the `--from` tests call the fallback with the kernel's arguments taken from `kwargs` (each
    #: frame's columns as arrays), or () when the function takes no DataFrame (it is `**kwargs`).
    fallback_call_args: tuple[str, ...]
    #: Where a `--from` parity case puts a NaN (in the first float array, else the first frame's
    #: first column), or "" when nowhere.
    nan_target: str
    #: The tests' data built from known values: (name, expression) of each argument; () for a function
    #: that takes a DataFrame (made only `--from` Python, its tests draw their data).
    from_values_args: tuple[tuple[str, str], ...]
    #: The arguments without a default, and whether some have one (the `--from` test of the defaults).
    required: tuple[str, ...]
    has_defaults: bool
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


#: Where the bridge's docstring lists a frame's columns: under its `Args:` line, indented once more.
_COLUMNS_INDENT = " " * 12
#: How long a docstring line of columns may be.
_COLUMNS_WIDTH = 90


def _columns_tuple(columns: tuple[str, ...]) -> str:
    """A Python tuple of a frame's column labels: `("High", "Low")`, `("Close",)`."""
    return f"({', '.join(json.dumps(c) for c in columns)}{',' if len(columns) == 1 else ''})"


def _describe(a: Arg) -> tuple[str, str, str]:
    """The bridge's docstring line of a parameter (see `PythonFunction.describe_args`)."""
    if a.is_frame:
        lines = textwrap.wrap(", ".join(a.columns), _COLUMNS_WIDTH, break_long_words=False)
        return (a.name, PY_DESCRIBE[a.type], ":\n" + "\n".join(_COLUMNS_INDENT + line for line in lines))
    return (a.name, PY_DESCRIBE[a.type], "" if a.py_default is None else f", by default {a.py_default}")


def _convert_statement(a: Arg) -> str:
    """The bridge's statement that normalises a parameter (a frame: into its columns' arrays)."""
    if a.is_frame:
        targets = ", ".join(a.column_args) + ("," if len(a.columns) == 1 else "")
        return f'{targets} = _convert.frame_columns({a.name}, "{a.name}", {_columns_tuple(a.columns)})'
    extra = [PY_CONVERT_EXTRA[a.type]] if a.type in PY_CONVERT_EXTRA else []
    return f"{a.name} = _convert.{PY_CONVERT[a.type]}({', '.join([a.name, json.dumps(a.name), *extra])})"


def _frames_dict(frames: tuple[Arg, ...]) -> str:
    """The fallback's `frames=` dict of each frame parameter's columns, or "" when there are none."""
    if not frames:
        return ""
    return "{" + ", ".join(f'"{a.name}": {_columns_tuple(a.columns)}' for a in frames) + "}"


def _frame_bad_inputs(a: Arg) -> list[tuple[str, str, str, str]]:
    """A frame's wrong inputs: a column missing, a column of text, an array instead of a DataFrame."""
    frame = f"_testing.price_frame(np.random.default_rng(0), 3, {json.dumps(list(a.columns))})"
    last = a.columns[-1]
    return [
        (a.name, f"{frame}.drop(columns={json.dumps(last)})", "ValueError", f"{a.name}-missing-column"),
        (a.name, f'{frame}.assign({last}=["a", "b", "c"])', "TypeError", f"{a.name}-text-column"),
        (a.name, f"np.zeros((3, {len(a.columns)}))", "TypeError", f"{a.name}-not-a-frame"),
    ]


def python_function(signature: Signature, *, from_source: bool) -> PythonFunction:
    """The per-function values of the Python templates (see `PythonFunction`).

    `signature` is the bridge's, as parsed: a frame parameter is expanded here where the kernel's
    arguments are meant (the stub, the fallback).
    """
    args = signature.args
    kernel_args = kernel_signature(signature).args
    frames = tuple(a for a in args if a.is_frame)
    #: The parameters that share one length (the arrays but the `[*]` ones, and the frames).
    sharing = [a for a in args if a.is_frame or (a.is_array and not a.is_free)]
    first = sharing[0].name

    def data(arrays: dict[str, str], scalars: dict[str, str]) -> tuple[tuple[str, str], ...]:
        return tuple((a.name, arrays[a.type] if a.is_array else scalars[a.type]) for a in args)

    bad: list[tuple[str, str, str, str]] = []
    for a in args:
        if a.is_frame:
            bad += _frame_bad_inputs(a)
            continue
        bad += [(a.name, value, error, f"{a.name}-{case}") for case, value, error in PY_BAD[a.type]]
        if a.is_array and not a.is_free and a.name != first and not from_source:
            bad.append((a.name, PY_SHORT[a.type], "ValueError", f"{a.name}-length"))
    required = tuple(a.name for a in args if a.py_default is None)
    first_float_array = next((a.name for a in args if a.type in ("f64[]", "f64[,]", "f64[*]")), "")
    if first_float_array:
        nan_target = f'kwargs["{first_float_array}"][n // 2]'
    else:
        nan_target = f'kwargs["{frames[0].name}"].iloc[n // 2, 0]' if frames else ""
    fallback_call_args = tuple(
        f'kwargs["{a.name}"]["{c}"].to_numpy()' if a.is_frame else f'kwargs["{a.name}"]'
        for a in args
        for c in (a.columns or ("",))
    )
    return PythonFunction(
        bridge_params=(
            *(f"{a.name}: {PY_PARAM[a.type]}{_default(a)}" for a in args),
            "*",
            'backend: _native.Backend = "auto"',
        ),
        stub_params=tuple(f"{a.name}: {PY_STUB[a.type]}{_default(a)}" for a in kernel_args),
        stub_ret=_result_hint(signature, PY_STUB),
        fallback_params=tuple(f"{a.name}: {PY_NORMALISED[a.type]}" for a in kernel_args),
        fallback_ret=_result_hint(signature, PY_RESULT),
        describe_args=tuple(_describe(a) for a in args),
        bridge_converts=tuple(_convert_statement(a) for a in args),
        same_length_as=sharing[0].name if len(sharing) > 1 else "",
        arg_types=tuple(
            (a.name, f"_testing.frame_type({', '.join(json.dumps(c) for c in a.columns)})")
            if a.is_frame
            else (a.name, json.dumps(a.type))
            for a in args
        ),
        fallback_frames=_frames_dict(frames),
        frames=tuple(a.name for a in frames),
        fallback_call_args=fallback_call_args if frames else (),
        nan_target=nan_target,
        from_values_args=() if frames else data(PY_FROM_VALUES, PY_FIXED),
        required=required,
        has_defaults=len(required) < len(args),
        bad_inputs=tuple(bad),
    )
