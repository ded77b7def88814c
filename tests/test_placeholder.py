"""The placeholder computation and the values its generated tests expect (`devtool.scaffold.placeholder`),
and the per-function values of the Python templates (`devtool.scaffold.python_model`)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from devtool.scaffold import placeholder as ph
from devtool.scaffold.python_model import TYPE_TABLES, python_function
from devtool.scaffold.signature import (
    ARRAY_TYPES,
    FRAME_TYPE,
    SCALAR_TYPES,
    SUPPORTED_TYPES,
    Signature,
    parse_signature,
)


def sig(spec: str) -> Signature:
    return parse_signature(spec)


def test_input_combines_the_arguments_in_order() -> None:
    # x + x (second array) + 0.5 (f64), then negated (bool), then + 2 (usize) and + 1 (a `[*]` array's sum).
    s = sig("a: f64[], b: f64[], c: f64, flag: bool, n: usize, g: f64[*] -> f64")
    assert ph.combined(s, (1.0, -2.0)) == [-(1.0 + 1.0 + 0.5) + 3.0, -(-2.0 - 2.0 + 0.5) + 3.0]


def test_expected_values_of_each_result_type() -> None:
    s = sig("x: f64[] -> (f64[], i64[], f64[*], i64[*], f64, i64, usize, bool)")
    # input = x; result k: x² + 2x + (k + 1), or the test x > k.
    assert ph.expected(s, (-2.0, 0.0, 3.0)) == [
        [1.0, 1.0, 16.0],  # k = 0
        [0, 0, 1],  # x > 1
        [18.0],  # 9 + 6 + 3 where x > 2
        [],  # no x > 3
        5.0 + 5.0 + 20.0,  # the sum of x² + 2x + 5
        0,
        0,
        False,
    ]
    assert ph.expected(s, (10.0,))[3:] == [[0], 10.0**2 + 20.0 + 5.0, 1, 1, True]
    assert ph.expected(s, ()) == [[], [], [], [], 0.0, 0, 0, False]


def test_a_matrix_result_repeats_over_the_known_columns() -> None:
    assert ph.expected(sig("m: f64[,] -> f64[,]"), (1.0,)) == [[[4.0, 4.0]]]
    assert ph.expected(sig("x: f64[] -> f64[,]"), (1.0,)) == [[[4.0]]]


def test_literals_in_rust_and_python() -> None:
    assert ph.rust_literal([[1.0, 1.0], [2.0, 2.0]], "f64[,]") == "[1.0, 1.0, 2.0, 2.0]"
    assert ph.rust_literal([1, 0], "i64[]") == "[1, 0]"
    assert ph.rust_literal(True, "bool") == "true"
    assert ph.python_literal([], "f64[,]", 2) == "np.empty((0, 2))"
    assert ph.python_literal([[1.0, 1.0]], "f64[,]", 2) == "np.array([[1.0, 1.0]])"
    assert ph.python_literal([], "f64[]", 1) == "np.array([], dtype=np.float64)"
    assert ph.python_literal([2], "i64[*]", 1) == "np.array([2], dtype=np.int64)"
    assert ph.python_literal(3.5, "f64", 1) == "3.5"


def test_the_python_literals_evaluate_to_the_expected_values() -> None:
    s = sig("m: f64[,], g: i64[*] -> (f64[,], f64[*], i64[], f64, bool)")
    for xs in ph.CASES.values():
        for value, type_ in zip(ph.expected(s, xs), s.returns, strict=True):
            evaluated = eval(ph.python_literal(value, type_, ph.KNOWN_COLUMNS), {"np": np})
            if type_ in ph.ARRAY_RESULTS:
                want = np.asarray(value, dtype=evaluated.dtype)
                np.testing.assert_array_equal(evaluated.ravel(), want.ravel())
            else:
                assert evaluated == value


def test_the_numpy_fallback_lines_compute_the_expected_values() -> None:
    """The fallback's code, run here, gives what the known cases expect (as the generated tests check)."""
    s = sig("a: f64[], b: i64[], flag: bool, k: usize -> (f64[], i64[], f64[*], i64[*], f64, usize, bool)")
    p = ph.placeholder(s)
    body = "\n".join([*p.py_combined, *p.py_results]).replace("\n        ", "\n    ")
    source = "def f(a, b, flag, k):\n" + "\n".join("    " + line for line in body.splitlines())
    scope: dict[str, object] = {"np": np}
    exec(source, scope)
    for xs in ph.CASES.values():
        x = np.array(xs, dtype=np.float64)
        got = scope["f"](x, x.astype(np.int64), True, 2)  # type: ignore[operator]
        for value, want, type_ in zip(got, ph.expected(s, xs), s.returns, strict=True):
            if type_ in ph.ARRAY_RESULTS:
                np.testing.assert_array_equal(value, np.asarray(want))
            else:
                assert value == want


def test_the_kernel_statements_and_its_ok() -> None:
    p = ph.placeholder(sig("x: f64[], g: i64[*] -> (f64[], i64, f64[*])"))
    assert p.free_args == ("g",)
    assert p.rust_totals == ("let g = total_i64(g);",)
    assert p.rust_total_helpers == ("i64[*]",)
    assert p.rust_results[1] == "    let out1 = par::count(len, |i| input(i) > 1.0) as i64;"
    assert p.rust_results[0].splitlines()[-1] == "    });"
    assert p.rust_ok == "Ok((out1, out2))"
    assert ph.placeholder(sig("x: f64[] -> f64[]")).rust_ok == "Ok(())"


def test_the_rust_tests_assert_the_expected_values() -> None:
    p = ph.placeholder(sig("x: f64[], y: f64[] -> (f64[], i64[*], usize, bool)"))
    # input = 2x: [-4, 0, 6] -> 16 - 8 + 1 = 9, 0 + 0 + 1 = 1, 36 + 12 + 1 = 49.
    assert p.rust_checks["three"] == (
        "assert_eq!(out0, [9.0, 1.0, 49.0]);",
        "assert_eq!(out1, [2]);",
        "assert_eq!(out2, 1);",
        "assert!(out3);",
    )
    assert p.rust_checks["empty"][:2] == ("assert!(out0.is_empty());", "assert!(out1.is_empty());")
    assert p.rust_nan_checks[:2] == ("assert!(out0[0].is_nan());", "assert_eq!(out0[1], 9.0);")
    assert p.rust_nan_checks[2] == "assert_eq!(out1, [1]);"  # index 0 of "ones", moved up by the NaN
    # input(i) = 2 everywhere: not above 2 or 3.
    assert p.rust_large_checks[-2:] == ("assert_eq!(out2, 0);", "assert!(!out3);")
    assert ph.placeholder(sig("x: f64[] -> i64")).rust_large_checks == (f"assert_eq!(out0, {ph.BIG});",)
    assert p.rust_mismatch_message == "y must have the same length as x: 2 != 3"
    assert p.rust_run_lets == ("let mut out0 = vec![0.0; input.len()];",)


def test_no_nan_case_without_a_float_array() -> None:
    p = ph.placeholder(sig("n: i64[] -> i64"))
    assert (p.rust_nan_checks, p.py_nan_arg, p.py_nan_checks) == ((), "", ())


def test_the_python_known_cases() -> None:
    p = ph.placeholder(sig("x: f64[] -> f64"))
    assert p.py_known[0] == ("three", "[-2.0, 0.0, 3.0]", ("18.0",))
    assert [case for case, _, _ in p.py_known] == ["three", "one", "empty"]
    assert math.isclose(float(p.py_known[1][2][0]), 16.0)


@pytest.mark.parametrize("table", sorted(k for k, v in TYPE_TABLES.items() if isinstance(v, dict)))
def test_every_type_table_covers_what_it_must(table: str) -> None:
    want = {
        "py_convert_extra": {"usize"},
        "py_short": {"f64[]", "i64[]", "f64[,]"},
        "py_fixed": set(SCALAR_TYPES),
        "py_from_values": set(ARRAY_TYPES),
        # The bridge alone takes a DataFrame: its hint and its words.
        "py_param": {*SUPPORTED_TYPES, FRAME_TYPE},
        "py_describe": {*SUPPORTED_TYPES, FRAME_TYPE},
    }.get(table, set(SUPPORTED_TYPES))
    assert set(TYPE_TABLES[table]) == want


def test_the_python_function_values() -> None:
    py = python_function(parse_signature("a: f64[], b: i64[], n: usize -> (f64[], bool)"), from_source=False)
    assert py.stub_params == ("a: npt.NDArray[np.float64]", "b: npt.NDArray[np.int64]", "n: int")
    assert py.stub_ret == "tuple[npt.NDArray[np.float64], bool]"
    assert py.fallback_ret == "tuple[_convert.F64Array, bool]"
    assert py.arg_types == (("a", '"f64[]"'), ("b", '"i64[]"'), ("n", '"usize"'))
    assert py.bridge_params[-2:] == ("*", 'backend: _native.Backend = "auto"')
    assert ("b", "np.zeros(2, dtype=np.int64)", "ValueError", "b-length") in py.bad_inputs
    assert not any(id_ == "a-length" for *_, id_ in py.bad_inputs)
    assert (py.required, py.has_defaults) == (("a", "b", "n"), False)
    assert py.nan_target == 'kwargs["a"][n // 2]'
    assert py.bridge_converts == (
        'a = _convert.as_f64_1d(a, "a")',
        'b = _convert.as_i64_1d(b, "b")',
        'n = _convert.as_int(n, "n", minimum=0)',
    )
    assert py.same_length_as == "a"
    assert (py.frames, py.fallback_frames, py.fallback_call_args) == ((), "", ())


def test_one_array_shares_its_length_with_nothing() -> None:
    py = python_function(parse_signature("a: f64[], free: f64[*], k: i64 -> f64"), from_source=False)
    assert py.same_length_as == ""


def test_a_frame_is_the_bridges_parameter_and_its_columns_the_kernels_arguments() -> None:
    signature = parse_signature("x: i64[], bars: frame[High, Low, Close], window: usize = 14 -> f64[]")
    py = python_function(signature, from_source=True)
    # The bridge takes the DataFrame; the stub and the fallback take its columns, in place.
    assert py.bridge_params[:3] == ("x: Any", "bars: Any", "window: int = 14")
    assert py.stub_params[1:4] == tuple(f"{c}: npt.NDArray[np.float64]" for c in ("high", "low", "close"))
    assert py.fallback_params == (
        "x: _convert.I64Array",
        "high: _convert.F64Array",
        "low: _convert.F64Array",
        "close: _convert.F64Array",
        "window: int",
    )
    assert py.describe_args[1] == (
        "bars",
        "pandas DataFrame; the kernel takes its numeric columns",
        ":\n            High, Low, Close",
    )
    assert py.bridge_converts[1] == (
        'high, low, close = _convert.frame_columns(bars, "bars", ("High", "Low", "Close"))'
    )
    assert py.arg_types[1] == ("bars", '_testing.frame_type("High", "Low", "Close")')
    assert py.fallback_frames == '{"bars": ("High", "Low", "Close")}'
    assert py.frames == ("bars",)
    assert py.fallback_call_args == (
        'kwargs["x"]',
        'kwargs["bars"]["High"].to_numpy()',
        'kwargs["bars"]["Low"].to_numpy()',
        'kwargs["bars"]["Close"].to_numpy()',
        'kwargs["window"]',
    )
    assert (py.required, py.has_defaults, py.same_length_as) == (("x", "bars"), True, "x")
    # No float array: the NaN goes into the frame's first column.
    assert py.nan_target == 'kwargs["bars"].iloc[n // 2, 0]'
    ids = [id_ for *_, id_ in py.bad_inputs]
    assert ids[2:5] == ["bars-missing-column", "bars-text-column", "bars-not-a-frame"]
    assert py.bad_inputs[2][1].endswith('.drop(columns="Close")')
    assert py.bad_inputs[4][1] == "np.zeros((3, 3))"
    assert py.from_values_args == ()


def test_a_one_column_frame_unpacks_a_tuple_of_one() -> None:
    py = python_function(parse_signature("bars: frame[Close] -> f64[]"), from_source=True)
    assert py.bridge_converts == ('close, = _convert.frame_columns(bars, "bars", ("Close",))',)
    assert py.fallback_frames == '{"bars": ("Close",)}'
    assert py.same_length_as == ""


def test_a_frames_long_column_list_wraps_in_the_docstring() -> None:
    columns = [f"Column{i:02d}" for i in range(12)]
    py = python_function(parse_signature(f"bars: frame[{', '.join(columns)}] -> f64[]"), from_source=True)
    _, _, after = py.describe_args[0]
    lines = after.split("\n")
    assert lines[0] == ":" and len(lines) == 3
    assert all(line.startswith(" " * 12) and len(line) <= 12 + 90 for line in lines[1:])
    assert " ".join(line.strip() for line in lines[1:]) == ", ".join(columns)


def test_a_python_functions_defaults_reach_the_bridge_stub_and_tests() -> None:
    signature = parse_signature("v: i64[], x: f64[,], alpha: f64 = 0.5, on: bool = true -> f64[]")
    source = python_function(signature, from_source=True)
    assert source.bridge_params[:4] == ("v: Any", "x: Any", "alpha: float = 0.5", "on: bool = True")
    assert source.stub_params[2:] == ("alpha: float = 0.5", "on: bool = True")
    assert source.describe_args[2] == ("alpha", "a number", ", by default 0.5")
    assert source.describe_args[0] == ("v", "1-D int64 array", "")
    assert (source.required, source.has_defaults) == (("v", "x"), True)
    assert source.nan_target == 'kwargs["x"][n // 2]'  # the first float array, not the int one
    # A function made --from Python checks its own lengths: no length cases of the placeholder's.
    assert not any(id_.endswith("-length") for *_, id_ in source.bad_inputs)
    placeholder_inputs = python_function(signature, from_source=False).bad_inputs
    assert ("x", "np.zeros((2, 3))", "ValueError", "x-length") in placeholder_inputs
