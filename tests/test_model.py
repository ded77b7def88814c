"""The values the Rust function template places, as `devtool.scaffold.model` computes them."""

from __future__ import annotations

from devtool.scaffold.model import RustFunction, kernel_signature, rust_function, type_complexity
from devtool.scaffold.signature import parse_signature


def model_of(spec: str, function: str = "f", *, from_source: bool = False) -> RustFunction:
    return rust_function(parse_signature(spec), function, from_source=from_source)


def test_an_elementwise_function_writes_into_outputs() -> None:
    model = model_of("values: f64[], window: usize -> f64[]", "zscore")
    assert model.kernel == "zscore_into"
    assert model.kernel_params == ("values: &[f64]", "window: usize", "out0: &mut [f64]")
    assert (model.returned_types, model.kernel_ok, model.returned_alias) == ((), "()", False)
    assert model.numpy_uses == ("PyArray1", "PyArrayMethods", "PyReadonlyArray1")
    assert model.support_uses == ("par", "KernelError")


def test_a_reduction_returns_its_value() -> None:
    model = model_of("data: f64[] -> f64", "fast_calculation")
    assert (model.kernel, model.kernel_ok, model.run_ok) == ("fast_calculation", "f64", "f64")
    assert model.numpy_uses == ("PyReadonlyArray1",)


def test_a_matrix_uses_the_support_matrix_and_its_binding() -> None:
    model = model_of("matrix: f64[,], flag: bool -> f64[]", "row_stat")
    assert model.kernel_params[0] == "matrix: Matrix<'_>"
    assert model.support_uses == ("bind", "par", "KernelError", "Matrix")
    assert "PyReadonlyArray2" in model.numpy_uses


def test_an_unwritten_kernel_needs_no_par() -> None:
    model = model_of("values: f64[], period: i64 -> f64[]", "kama", from_source=True)
    assert model.support_uses == ("KernelError",)


def test_clippy_scores_vectors_heavier() -> None:
    assert type_complexity(("f64", "f64")) == 110
    assert type_complexity(("Vec<f64>", "f64")) == 150


def test_a_complex_result_tuple_gets_aliases() -> None:
    spec = "close: f64[,], windows: i64[*] -> (i64[*], f64[*], f64[], f64, f64, f64, i64, f64)"
    model = model_of(spec)
    assert model.returned_types == ("Vec<i64>", "Vec<f64>", "f64", "f64", "f64", "i64", "f64")
    assert (model.returned_alias, model.kernel_ok) == (True, "Returned")
    assert (model.results_alias, model.run_ok) == (True, "Results")


def test_a_short_tuple_keeps_its_type() -> None:
    model = model_of("a: f64[] -> (f64, i64)", "pair")
    assert (model.returned_alias, model.kernel_ok) == (False, "(f64, i64)")
    assert model.as_context()["returned_types"] == ["f64", "i64"]


def test_the_binding_borrows_numpy_and_returns_numpy() -> None:
    model = model_of("values: f64[], window: usize -> f64[]", "zscore")
    assert model.binding_params == ("py: Python<'py>", "values: PyReadonlyArray1<'py, f64>", "window: usize")
    assert model.binding_aliases == ("type F64Array<'py> = Bound<'py, PyArray1<f64>>;",)
    assert model.binding_ret == "PyResult<F64Array<'py>>"
    assert model.call_args == ("values", "window", "out0")
    assert model.result_values == ("out0",)


def test_results_are_outputs_or_what_the_kernel_returned() -> None:
    model = model_of("a: f64[] -> (f64[], i64[*], f64)")
    assert model.binding_ret == "PyResult<Outputs<'py>>"
    assert model.binding_returned == ("F64Array<'py>", "I64Array<'py>", "f64")
    assert model.result_values == ("out0", "returned.0.into_pyarray(py)", "returned.1")
    assert model.test_values == ("out0", "returned.0", "returned.1")


def test_a_scalar_result_needs_no_lifetime() -> None:
    model = model_of("a: f64[], b: f64[] -> (f64, bool)")
    assert (model.outputs_lifetime, model.binding_ret) == ("", "PyResult<Outputs>")
    assert model.binding_aliases == ()


def test_the_kernel_checks_every_length_against_the_first_array() -> None:
    model = model_of("m: f64[,], b: f64[], w: f64[*] -> (f64[,], f64[])")
    assert model.len_of == "m.rows()"
    assert model.length_checks == (('"b"', "b.len()", '"m"', "len"),)
    assert model.output_checks == (
        ('"out0"', "out0.len()", "len * m.cols()"),
        ('"out1"', "out1.len()", "len"),
    )


def test_the_placeholder_input_combines_every_argument() -> None:
    model = model_of("a: i64[], b: f64[,], n: usize, x: f64, w: f64[*], flag: bool -> f64")
    assert model.input_first == "a[i] as f64"
    assert model.input_rest == (
        ("add", "b.row_sum(i)"),
        ("add", "n as f64"),
        ("add", "x"),
        ("add", "w"),
        ("negate", "flag"),
    )


def test_the_rust_tests_build_every_argument_from_the_known_input() -> None:
    model = model_of("a: f64[], b: i64[], w: f64[*], n: usize -> (f64[], f64)")
    assert model.run_params == ("input: &[f64]", "rest: &[f64]")
    assert model.run_args == ("input", "&b", "&X", "2", "&mut out0")
    assert (model.outs_pattern, model.run_inputs) == ("(out0, out1)", ("&X", "&X"))
    assert model.unwritten_args == ("&X", "&N", "&X", "2", "&mut out0")


def test_the_binding_body_borrows_allocates_calls_and_returns() -> None:
    model = model_of("values: f64[], m: f64[,] -> (f64[,], f64)", "spread")
    assert model.binding_body == (
        "let values = values.as_slice()?;",
        "let m = bind::matrix(&m)?;",
        "let len = values.len();",
        "let out0 = PyArray2::<f64>::zeros(py, [len, m.cols()], false);",
        "let returned = {",
        "    let mut out0 = out0.readwrite();",
        "    let out0 = out0.as_slice_mut()?;",
        "    py.detach(|| spread_into(values, m, out0))?",
        "};",
        "Ok((out0, returned))",
    )
    reduction = model_of("data: f64[] -> f64", "total")
    assert reduction.binding_body == ("let data = data.as_slice()?;", "Ok(py.detach(|| total(data))?)")
    free = model_of("x: f64[] -> i64[*]", "above")
    assert free.binding_body[-2:] == (
        "let returned = py.detach(|| above(x))?;",
        "Ok(returned.into_pyarray(py))",
    )


def test_a_translated_kernels_binding_body_returns_what_the_kernel_returns() -> None:
    # devtool's translation returns every result (arrays as vectors): no outputs to allocate.
    signature = parse_signature("prices: f64[], period: usize -> (f64[], f64)")
    model = rust_function(signature, "kama", from_source=True, translated="kama")
    assert model.binding_form == "returned"
    assert model.binding_body == (
        "let prices = prices.as_slice()?;",
        "let returned = py.detach(|| kama(prices, period))?;",
        "Ok((returned.0.into_pyarray(py), returned.1))",
    )
    scalar = rust_function(parse_signature("x: f64[] -> f64"), "total", from_source=True, translated="total")
    assert scalar.binding_body == ("let x = x.as_slice()?;", "Ok(py.detach(|| total(x))?)")


def test_the_input_closure_adds_and_negates_in_argument_order() -> None:
    assert model_of("x: f64[] -> f64").input_closure == "    let input = |i: usize| x[i];"
    closure = model_of("x: f64[], flag: bool, k: usize -> f64").input_closure
    assert closure.splitlines() == [
        "    let input = |i: usize| {",
        "        let mut sum = x[i];",
        "        if flag {",
        "            sum = -sum;",
        "        }",
        "        sum += k as f64;",
        "        sum",
        "    };",
    ]


def test_a_frame_is_expanded_into_its_columns_for_the_kernel() -> None:
    signature = parse_signature("bars: frame[High, Low, Close], window: usize -> f64[]")
    kernel = kernel_signature(signature)
    assert str(kernel) == "high: f64[], low: f64[], close: f64[], window: usize -> f64[]"
    model = rust_function(kernel, "true_range", from_source=True)
    assert model.kernel_params == (
        "high: &[f64]",
        "low: &[f64]",
        "close: &[f64]",
        "window: usize",
        "out0: &mut [f64]",
    )
    assert model.call_args == ("high", "low", "close", "window", "out0")
    assert kernel_signature(parse_signature("x: f64[] -> f64")) == parse_signature("x: f64[] -> f64")


def test_the_kernel_form_chooses_the_files_parts() -> None:
    signature = parse_signature("values: f64[], period: i64 -> f64[]")
    assert model_of("values: f64[], period: i64 -> f64[]").kernel_form == "placeholder"
    assert rust_function(signature, "kama", from_source=True).kernel_form == "unwritten"
    served = rust_function(signature, "kama", from_source=True, translated="kama")
    assert (served.kernel_form, served.translation_kept) == ("translated", False)


def test_an_unwritten_kernel_keeps_the_translation_it_does_not_serve_in_a_comment() -> None:
    signature = parse_signature("values: f64[], period: i64 -> f64[]")
    kept = "pub fn rsi(values: &[f64]) -> Vec<f64> {\n\n    todo!()\n}"
    model = rust_function(signature, "rsi", from_source=True, kept=kept, not_served="it disagreed:\nx=1")
    assert (model.kernel_form, model.translation_kept) == ("unwritten", True)
    assert model.not_served_lines == ("it disagreed:", "x=1")
    assert model.kept_translation == (
        "// pub fn rsi(values: &[f64]) -> Vec<f64> {",
        "//",
        "//     todo!()",
        "// }",
    )
    bare = rust_function(signature, "rsi", from_source=True)
    assert (bare.translation_kept, bare.not_served_lines, bare.kept_translation) == (False, (), ())


def test_more_than_seven_parameters_are_allowed_explicitly() -> None:
    seven = model_of("a: f64[], b: f64[], c: f64[], d: f64[], e: f64[], g: f64 -> f64[]")
    assert (len(seven.kernel_params), seven.kernel_many_params) == (7, False)
    assert (len(seven.binding_params), seven.binding_many_params) == (7, False)
    eight = model_of("a: f64[], b: f64[], c: f64[], d: f64[], e: f64[], g: f64, h: bool -> f64[]")
    assert (eight.kernel_many_params, eight.binding_many_params) == (True, True)
    outputs = model_of("a: f64[], b: f64[], c: f64[], d: f64[], e: f64 -> (f64[], f64[], f64[])")
    assert (outputs.kernel_many_params, outputs.binding_many_params) == (True, False)


def test_every_placeholder_test_runs_each_shared_array_from_the_same_input() -> None:
    single = model_of("x: f64[] -> f64")
    assert (single.run_single, single.run_empty, single.run_large) == (("&[3.0]",), ("&[]",), ("&ones",))
    pair = model_of("x: f64[], y: f64[], w: f64[*] -> f64")
    assert pair.run_nan == ("&[f64::NAN, 1.0]", "&[f64::NAN, 1.0]")
    assert pair.run_empty == ("&[]", "&[]")


def test_the_unwritten_kernels_test_builds_its_arrays_from_constants() -> None:
    model = model_of("m: f64[,], ids: i64[*] -> (f64[,], i64[], f64)", from_source=True)
    assert (model.has_matrix, model.unwritten_uses_x, model.unwritten_uses_n) == (True, False, True)
    assert model.unwritten_lets == (
        "let m = Matrix::new(&M, 3, 2)?;",
        "let mut out0 = vec![0.0; 6];",
        "let mut out1 = vec![0; 3];",
    )
    plain = model_of("x: f64[], w: f64[*] -> f64[,]", from_source=True)
    assert (plain.has_matrix, plain.unwritten_uses_x, plain.unwritten_uses_n) == (False, True, False)
    assert plain.unwritten_lets == ("let mut out0 = vec![0.0; 3];",)
