"""The translator construct by construct: the Rust it emits, the refusals it gives (no toolchain needed;
test_translate_agreement.py compiles and runs the same constructs against Python)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from devtool.scaffold.signature import parse_signature
from devtool.translate import Translation, translate

REPO = Path(__file__).resolve().parent.parent
HEADER = "import math\nimport numpy as np\nimport pandas as pd\n\n"


def tr(body: str, sig: str, name: str = "f", **kwargs: object) -> Translation:
    source = HEADER + textwrap.dedent(body)
    return translate(source, name, parse_signature(sig), path="t.py", **kwargs)  # type: ignore[arg-type]


def rust(body: str, sig: str, name: str = "f") -> str:
    result = tr(body, sig, name)
    assert result.rust is not None, result.refusals
    return result.rust


# -- the examples ----------------------------------------------------------------------------------------
def test_kama_translates_with_its_constants_named_after_their_source() -> None:
    source = (REPO / "examples/strategy.py").read_text()
    result = translate(
        source, "kama", parse_signature("values: f64[], period: i64 -> f64[]"), path="strategy.py"
    )
    assert result.rust is not None and not result.refusals
    assert "pub fn kama(values: &[f64], period: i64) -> Result<Vec<f64>, KernelError> {" in result.rust
    assert (
        "/// From strategy.py line 48: `KAMA_FAST = 2.0 / (2 + 1)`\n"
        "const KAMA_FAST: f64 = 0.6666666666666666;" in result.rust
    )
    assert "// line 74: previous += smoothing * (values[i] - previous)" in result.rust
    assert "unsafe" not in result.rust


def test_rsi_keeps_pythons_zero_division_rule_for_python_floats() -> None:
    source = (REPO / "examples/strategy.py").read_text()
    result = translate(
        source, "rsi", parse_signature("values: f64[], period: i64 -> f64[]"), path="strategy.py"
    )
    assert result.rust is not None
    assert "div_f(gain, loss)?" in result.rust
    assert any("mixes Python and numpy scalars" in n for n in result.notes)


# -- arithmetic ------------------------------------------------------------------------------------------
def test_int_arithmetic_is_checked_and_floors() -> None:
    text = rust("def f(x, a, b):\n    return a * b + a // b - a % b\n", "x: f64[], a: i64, b: i64 -> i64")
    assert "sub_i(add_i(mul_i(a, b)?, floordiv_i(a, b)?)?, mod_i(a, b)?)" in text
    assert "floordiv_i(a, b)?" in text and "mod_i(a, b)?" in text
    assert "fn floordiv_i(a: i64, b: i64)" in text


def test_int_plus_float_is_float_and_true_division_is_float() -> None:
    text = rust("def f(x, a, y):\n    return a + y + a / 2\n", "x: f64[], a: i64, y: f64 -> f64")
    assert "a as f64 + y" in text
    assert "div_f(a as f64, 2.0)?" in text


def test_numpy_scalars_divide_as_ieee_python_floats_raise() -> None:
    text = rust("def f(x, y):\n    return x[0] / y + y / 3.0\n", "x: f64[], y: f64 -> f64")
    assert "get(x, 0)? / y" in text  # a numpy element: inf on zero, as numpy gives
    assert "div_f(y, 3.0)?" in text


def test_power_with_int_and_float_exponents() -> None:
    text = rust(
        "def f(x, a, y):\n    return float(a ** 3) + y ** 0.5 + a ** -1\n", "x: f64[], a: i64, y: f64 -> f64"
    )
    assert "pow_i(a, 3)?" in text and "pow_f(y, 0.5)?" in text and "pow_f(a as f64, -1.0)?" in text


def test_variable_int_exponent_is_refused() -> None:
    result = tr("def f(x, a, b):\n    return a ** b\n", "x: f64[], a: i64, b: i64 -> i64")
    assert result.rust is None
    assert "depends on the exponent's sign" in result.refusals[0].why


def test_floor_division_of_floats_follows_cpython() -> None:
    text = rust("def f(x, y):\n    return y // 2.5 + y % -2.0\n", "x: f64[], y: f64 -> f64")
    assert "divmod_f(y, 2.5)?.0 + divmod_f(y, -2.0)?.1" in text


def test_an_int_local_that_becomes_a_float_is_widened() -> None:
    text = rust(
        "def f(x):\n    total = 0\n    for i in range(len(x)):\n        total += x[i]\n    return total\n",
        "x: f64[] -> f64",
    )
    assert "let mut total: f64 = 0.0;" in text


# -- control flow ----------------------------------------------------------------------------------------
def test_ranges_with_steps_including_negative() -> None:
    text = rust(
        "def f(x, n):\n    t = 0\n    for i in range(n, -1, -2):\n        t += i\n"
        "    for j in range(1, n, 3):\n        t -= j\n"
        "    for k in range(n):\n        t += k\n    return t\n",
        "x: f64[], n: i64 -> i64",
    )
    assert "for i in (-1..n).rev().map(|k| k + 1).step_by(2) {" in text
    assert "for j in (1..n).step_by(3) {" in text
    assert "for k in 0..n {" in text


def test_while_true_is_a_loop_and_elif_is_else_if() -> None:
    text = rust(
        "def f(x, a):\n    while True:\n        if a > 10:\n            break\n        elif a < 0:\n"
        "            a += 2\n        else:\n            a += 1\n    return a\n",
        "x: f64[], a: i64 -> i64",
    )
    assert "loop {" in text and "} else if a < 0 {" in text and "break;" in text
    assert "pub fn f(_x: &[f64], mut a: i64)" in text


def test_chained_comparison_and_short_circuit() -> None:
    text = rust(
        "def f(x, a, lo):\n    return lo <= a < 10.0 and not (a > 3.0 or a != a)\n",
        "x: f64[], a: f64, lo: f64 -> bool",
    )
    assert "(lo..10.0).contains(&a) && !(a > 3.0 || a != a)" in text


def test_conditional_expression_and_tuple_assignment_and_swap() -> None:
    text = rust(
        "def f(x, c):\n    a, b = (c, 0.0) if c > 0.0 else (0.0, -c)\n"
        "    a, b = b, a + b\n    return a - b\n",
        "x: f64[], c: f64 -> f64",
    )
    assert "let (mut a, mut b) = if c > 0.0 { (c, 0.0) } else { (0.0, -c) };" in text
    assert "(a, b) = (b, a + b);" in text


def test_chained_assignment() -> None:
    text = rust("def f(x):\n    lo = hi = 0.0\n    return lo + hi\n", "x: f64[] -> f64")
    assert "let lo: f64 = 0.0;" in text and "let hi = lo;" in text


def test_a_local_used_in_two_branches_is_declared_before_them() -> None:
    text = rust(
        "def f(x, c):\n    for v in x:\n        if c:\n            y = v\n        else:\n"
        "            y = 2.0\n        c = y > 0.0\n    return 0.0\n",
        "x: f64[], c: bool -> f64",
    )
    assert "let mut y: f64;" in text


def test_a_local_every_branch_assigns_last_is_an_if_expression() -> None:
    # clippy's needless_late_init refuses `let y; if c { y = 1.0 } else { y = 2.0 }`
    text = rust(
        "def f(x, c):\n    if c:\n        y = 1.0\n    elif x[0] > 0.0:\n        z = x[0]\n        y = z\n"
        "    else:\n        y = 2.0\n    return y\n",
        "x: f64[], c: bool -> f64",
    )
    assert "let y: f64 = if c {\n        // line 7: y = 1.0\n        1.0\n    } else if" in text
    assert "let z = get(x, 0)?;\n        // line 10: y = z\n        z\n    } else {" in text
    assert "2.0\n    };" in text


# -- arrays ----------------------------------------------------------------------------------------------
def test_indexes_are_python_indexes_and_writes_are_checked() -> None:
    text = rust(
        "def f(x):\n    out = np.zeros(len(x))\n    out[-1] = x[-1]\n    out[0] += 1.0\n    return out\n",
        "x: f64[] -> f64[]",
    )
    assert "let mut out: Vec<f64> = vec![0.0; new_len(x.len() as i64)?];" in text
    # Python evaluates the value (an IndexError of its own) before the target's index
    assert "let value = get(x, -1)?;\n    let at = ix(-1, out.len())?;\n    out[at] = value;" in text
    assert "out[at] += 1.0;" in text


def test_new_arrays_of_every_kind() -> None:
    text = rust(
        "def f(x, n):\n    a = np.full(n, np.nan)\n    b = np.zeros(n, dtype=np.int64)\n    c = np.ones(n)\n"
        "    d = np.full_like(x, 2.0)\n    e = np.zeros_like(x)\n    g = [1.5] * n\n    h = np.empty(n)\n"
        "    return a[0] + b[0] + c[0] + d[0] + e[0] + g[0] + h[0]\n",
        "x: f64[], n: i64 -> f64",
    )
    for expected in ("vec![f64::NAN; new_len(n)?]", "vec![0; new_len(n)?]", "vec![1.0; new_len(n)?]",
                     "vec![2.0; x.len()]", "vec![0.0; x.len()]", "vec![1.5; list_len(n)]"):  # fmt: skip
        assert expected in text


def test_two_dimensional_reads() -> None:
    text = rust("def f(m):\n    return m[0, -1] + len(m)\n", "m: f64[,] -> f64")
    assert "pub fn f(m: &[f64], m_cols: usize)" in text
    assert "m[ix2(0, -1, m.len(), m_cols)?]" in text and "rows(m.len(), m_cols)" in text


def test_local_list_as_a_growable_vector() -> None:
    text = rust(
        "def f(x):\n    xs = []\n    for i in range(len(x)):\n        xs.append(x[i])\n"
        "    return sum(xs) + len(xs) + xs[-1]\n",
        "x: f64[] -> f64",
    )
    assert (
        "let mut xs: Vec<f64> = Vec::new();" in text
        and "xs.push(get(x, i)?);" in text
        and "get(&xs, -1)?" in text
    )
    assert "xs.iter().fold(0.0, |acc, &x| acc + x)" in text


def test_writing_into_a_parameter_is_refused() -> None:
    result = tr("def f(x):\n    x[0] = 1.0\n    return 0.0\n", "x: f64[] -> f64")
    assert result.refusals and "parameter array" in result.refusals[0].why


# -- built-ins and math ----------------------------------------------------------------------------------
def test_min_max_keep_pythons_nan_rule() -> None:
    text = rust("def f(x, a, b):\n    return min(a, b, 0.0) + max(a, b)\n", "x: f64[], a: f64, b: f64 -> f64")
    assert "py_min(py_min(a, b), 0.0) + py_max(a, b)" in text
    assert "fn py_min(a: f64, b: f64) -> f64 {\n    if b < a {" in text


def test_math_functions_keep_cpythons_exceptions() -> None:
    text = rust(
        "def f(x, a):\n    return math.sqrt(a) + math.log(a) + math.exp(a)\n", "x: f64[], a: f64 -> f64"
    )
    assert "math_sqrt(a)? + math_log(a)? + math_exp(a)?" in text
    assert "math1(x, x.exp(), true)" in text and "math1(x, x.ln(), false)" in text


def test_numpy_scalar_functions_are_ieee() -> None:
    text = rust(
        "def f(x, a):\n    return np.sqrt(a) + np.abs(a) + (1.0 if np.isnan(a) else 0.0)\n",
        "x: f64[], a: f64 -> f64",
    )
    assert "a.sqrt() + a.abs()" in text and "a.is_nan()" in text


def test_int_float_round_floor_and_constants() -> None:
    text = rust(
        "def f(x, a):\n    return int(a) + math.floor(a) + round(a) + int(float('inf') > math.pi)\n",
        "x: f64[], a: f64 -> i64",
    )
    assert "to_int(a)?" in text and "to_int(a.floor())?" in text and "to_int(a.round_ties_even())?" in text
    assert "f64::INFINITY > std::f64::consts::PI" in text


def test_same_file_function_becomes_a_private_fn() -> None:
    text = rust(
        "def g(v, b):\n    return v if v < b else b\n\ndef f(x):\n    return g(x[0], 1.0)\n",
        "x: f64[] -> f64",
    )
    assert "fn g(v: f64, b: f64) -> Result<f64, KernelError> {" in text
    assert "g(get(x, 0)?, 1.0)" in text


def test_an_error_type_can_come_from_elsewhere() -> None:
    result = tr("def f(x):\n    return x[0]\n", "x: f64[] -> f64", error_path="crate::error::KernelError")
    assert result.rust is not None
    assert "use crate::error::KernelError;" in result.rust and "pub enum KernelError" not in result.rust


# -- refusals --------------------------------------------------------------------------------------------
def test_refusals_name_every_construct_with_its_line() -> None:
    source = (REPO / "tests/samples/translate/refused.py").read_text()
    sig = parse_signature("values: f64[], window: i64 -> f64[]")
    result = translate(source, "with_pandas", sig, path="refused.py")
    assert result.rust is None
    shown = [str(r) for r in result.refusals]
    assert "line 14: `pd.DataFrame(...)` calls pandas: not translatable; write this part by hand" in shown
    assert "line 15: `df.rolling(...)` calls pandas: not translatable; write this part by hand" in shown
    assert "line 16: `means.to_numpy(...)` calls pandas: not translatable; write this part by hand" in shown
    assert any("line 14: `{'close': values}` is a dict" in s for s in shown)


@pytest.mark.parametrize(
    ("name", "sig", "fragment"),
    [
        ("with_dict_and_try", "values: f64[] -> f64", "catches exceptions"),
        ("recursive", "values: f64[], n: i64 -> f64", "recursively"),
        ("changes_global", "values: f64[] -> f64", "global"),
    ],
)
def test_refuses_dicts_try_recursion_and_changing_globals(name: str, sig: str, fragment: str) -> None:
    source = (REPO / "tests/samples/translate/refused.py").read_text()
    result = translate(source, name, parse_signature(sig), path="refused.py")
    assert result.rust is None
    assert any(fragment in r.why for r in result.refusals), result.refusals


def test_refuses_strings_and_mixed_bool_numbers() -> None:
    assert (
        tr("def f(x):\n    s = 'a'\n    return 0.0\n", "x: f64[] -> f64")
        .refusals[0]
        .why.startswith("is a string")
    )
    mixed = tr("def f(x):\n    a = True\n    a = 1.0\n    return a\n", "x: f64[] -> f64")
    assert "bool on one path" in mixed.refusals[0].why


def test_refuses_a_function_that_can_fall_off_its_end() -> None:
    result = tr("def f(x):\n    if x[0] > 0.0:\n        return 1.0\n", "x: f64[] -> f64")
    assert result.refusals and "return None" in result.refusals[0].why


def test_unknown_function_is_one_refusal() -> None:
    result = tr("def f(x):\n    return 0.0\n", "x: f64[] -> f64", name="g")
    assert result.rust is None and "is not a function" in result.refusals[0].why


def test_refuses_a_local_a_path_may_not_have_assigned() -> None:
    loop_only = tr(
        "def f(x):\n    for i in range(len(x)):\n        last = x[i]\n    return last\n", "x: f64[] -> f64"
    )
    assert loop_only.rust is None and loop_only.refusals[0].line == 8
    assert "has not assigned it yet" in loop_only.refusals[0].why
    both = rust(
        "def f(x):\n    while True:\n        if x[0] > 0.0:\n            y = 1.0\n            break\n"
        "        y = 2.0\n        break\n    return y\n",
        "x: f64[] -> f64",
    )
    assert "loop {" in both


def test_for_over_an_array_and_enumerate() -> None:
    text = rust(
        "def f(x):\n    t = 0.0\n    for i, v in enumerate(x):\n        t += v * i\n"
        "    for v in x:\n        t -= v\n    return t\n",
        "x: f64[] -> f64",
    )
    assert "for (i, &v) in (0_i64..).zip(x) {" in text and "for &v in x {" in text


def test_refuses_changing_a_list_while_iterating_over_it() -> None:
    result = tr(
        "def f(x):\n    xs = [1.0] * 2\n    for v in xs:\n        xs.append(v)\n    return 0.0\n",
        "x: f64[] -> f64",
    )
    assert result.rust is None and "while iterating" in result.refusals[0].why


# -- dead stores (rustc's unused_assignments) -------------------------------------------------------------
def test_a_dead_store_that_cannot_raise_is_left_out() -> None:
    text = rust(
        "def f(x):\n    y = 0.0\n    total = 0.0\n    for i in range(len(x)):\n        y = x[i]\n"
        "        total += y\n    z = 1.0\n    w = z + 1.0\n    w = 3.0\n    return total + w\n",
        "x: f64[] -> f64",
    )
    assert "// (the value of `y` set here is never read: left out)" in text
    assert "let y = get(x, i)?;" in text  # declared where it is first really assigned
    # leaving out `w = z + 1.0` leaves `z = 1.0` unread in turn
    assert "let z" not in text and "let w: f64 = 3.0;" in text


def test_a_dead_store_that_can_raise_is_only_evaluated() -> None:
    text = rust(
        "def f(x, n):\n    q = x[0]\n    q = 2.0\n    k = n\n    k //= 3\n    acc = n\n    acc += 1\n"
        "    return q\n",
        "x: f64[], n: i64 -> f64",
    )
    assert "let _ = get(x, 0)?;\n    // line 7: q = 2.0\n    let q: f64 = 2.0;" in text
    assert "let k = n;" in text and "let _ = floordiv_i(k, 3)?;" in text
    assert "let _ = add_i(acc, 1)?;" in text and "let mut" not in text


def test_for_over_zip_of_arrays() -> None:
    text = rust(
        "def f(x, y):\n    t = 0.0\n    for a, b in zip(x, y):\n        t += a * b\n"
        "    ws = [1.0] * 3\n    for a, b, c in zip(ws, x, y):\n        t += a + b + c\n    return t\n",
        "x: f64[], y: f64[] -> f64",
    )
    assert "for (&a, &b) in x.iter().zip(y) {" in text
    assert "for ((&a, &b), &c) in ws.iter().zip(x).zip(y) {" in text
    refused = tr(
        "def f(x, y):\n    for a in zip(x, y):\n        pass\n    return 0.0\n", "x: f64[], y: f64[] -> f64"
    )
    assert refused.rust is None and "one name per array" in refused.refusals[0].why


def test_round_with_ndigits_is_refused_with_the_reason() -> None:
    result = tr("def f(x, a):\n    return round(a, 2)\n", "x: f64[], a: f64 -> f64")
    assert result.rust is None and "rounds to decimal places" in result.refusals[0].why


def test_writes_into_a_new_two_dimensional_array_and_a_two_dimensional_result() -> None:
    text = rust(
        "def f(m, s):\n    out = np.zeros_like(m)\n    for i in range(len(m)):\n"
        "        out[i, -1] += m[i, 0] * s\n    return out\n",
        "m: f64[,], s: f64 -> f64[,]",
    )
    assert "pub fn f(m: &[f64], m_cols: usize, s: f64) -> Result<Vec<f64>, KernelError> {" in text
    assert "let mut out: Vec<f64> = vec![0.0; m.len()];\n    let out_cols = m_cols;" in text
    assert "let at = ix2(i, -1, out.len(), out_cols)?;\n        out[at] += " in text
    copied = rust("def f(m):\n    out = np.full_like(m, 1.0)\n    return out\n", "m: f64[,] -> f64[,]")
    assert "out_cols" not in copied  # nothing reads it: rustc would warn
    wrong = tr("def f(m, x):\n    return m\n", "m: f64[], x: f64[,] -> f64[,]")
    assert wrong.rust is None and "returns something other" in wrong.refusals[0].why
    other = tr("def f(a, b):\n    out = np.zeros_like(b)\n    return out\n", "a: f64[,], b: f64[,] -> f64[,]")
    assert other.rust is None and "first f64[,] argument" in other.refusals[0].why
    twice = tr(
        "def f(m, c):\n    out = np.zeros_like(m)\n    if c:\n        out = np.full_like(m, 1.0)\n"
        "    return out\n",
        "m: f64[,], c: bool -> f64[,]",
    )
    assert twice.rust is None and "2-D array `out` twice" in twice.refusals[0].why


def test_an_unread_tuple_item_and_an_overwritten_parameter() -> None:
    text = rust(
        "def f(x, n):\n    n = 3\n    a, b = 0.0, x[0]\n    a = 1.0\n    c, d = a, b\n    for v in x:\n"
        "        c, d = d, v\n    return a + d + n\n",
        "x: f64[], n: i64 -> f64",
    )
    assert "pub fn f(x: &[f64], _n: i64)" in text and "let n: i64 = 3;" in text
    assert "let (_, b) = (0.0, get(x, 0)?);" in text and "let a: f64 = 1.0;" in text
    assert "let (_, mut d) = (a, b);" in text and "(_, d) = (d, v);" in text


def test_a_left_out_store_leaves_no_unused_helper_or_const() -> None:
    source = "SCALE = 2.0\n\n\ndef f(x, a):\n    y = min(a, 1.0) + SCALE\n    y = a\n    return y\n"
    result = translate(source, "f", parse_signature("x: f64[], a: f64 -> f64"), path="t.py")
    assert result.rust is not None
    assert "fn py_min" not in result.rust and "const SCALE" not in result.rust  # clippy's dead_code


def test_dead_stores_in_a_chained_assignment() -> None:
    text = rust(
        "def f(x):\n    lo = hi = x[0]\n    hi = 1.0\n    a = b = x[1]\n    a = b = 2.0\n"
        "    return lo + hi + a\n",
        "x: f64[] -> f64",
    )
    assert "let lo = get(x, 0)?;\n    // line 7: hi = 1.0\n    let hi: f64 = 1.0;" in text  # no `hi = lo`
    assert "let _ = get(x, 1)?;" in text and "let b = a;" not in text


def test_a_parameter_only_a_left_out_store_read_is_unread_in_rust() -> None:
    text = rust(
        "def g(a, k):\n    b = a\n    return k\n\ndef f(x, m, n):\n    y = n\n    out = np.zeros_like(m)\n"
        "    return g(x[0], 1.0) + out[0, 0]\n",
        "x: f64[], m: f64[,], n: i64 -> f64",
    )
    assert "fn g(_a: f64, k: f64)" in text
    assert "pub fn f(x: &[f64], m: &[f64], m_cols: usize, _n: i64)" in text
    copied = rust("def f(m):\n    out = np.full_like(m, 1.0)\n    return out\n", "m: f64[,] -> f64[,]")
    assert "pub fn f(m: &[f64], _m_cols: usize)" in copied  # only m.len() is read


# -- idioms of published indicator loops (ta, finta, pandas-ta-classic; docs/translate.md) ---------------
def test_size_and_shape_are_lengths() -> None:
    text = rust(
        "def f(x, m):\n    n = x.size + x.shape[0] + m.shape[0] + m.shape[1] + m.size\n    return float(n)\n",
        "x: f64[], m: f64[,] -> f64",
    )
    assert "add_i(x.len() as i64, x.len() as i64)?" in text  # size, shape[0]
    assert "rows(m.len(), m_cols)" in text and "m_cols as i64" in text and "m.len() as i64" in text
    whole = tr("def f(x):\n    s = x.shape\n    return 0.0\n", "x: f64[] -> f64")
    assert "whole shape" in whole.refusals[0].why
    axis = tr("def f(x):\n    return float(x.shape[1])\n", "x: f64[] -> f64")
    assert "shape of a 1-D array" in axis.refusals[0].why
    other = tr("def f(x):\n    return float(x.ndim)\n", "x: f64[] -> f64")
    assert "array attribute `ndim`" in other.refusals[0].why


def test_a_copy_of_an_array_or_a_list_is_a_new_array_the_function_may_write() -> None:
    text = rust(
        "def f(x, y):\n    a = x.copy()\n    b = np.copy(y)\n    a[0] = b[0]\n    b[1] = 2.0\n"
        "    xs = [x[0], 1.0]\n    xs.append(3.0)\n    return a, b, np.array(xs)\n",
        "x: f64[], y: f64[] -> (f64[], f64[], f64[])",
    )
    assert "let mut a: Vec<f64> = x.to_vec();" in text and "let mut b: Vec<f64> = y.to_vec();" in text
    assert "let mut xs: Vec<f64> = vec![get(x, 0)?, 1.0];" in text
    assert "Ok((a, b, xs.to_vec()))" in text
    ints = rust("def f(x):\n    xs = [1, 2]\n    return xs[0] // 2\n", "x: f64[] -> i64")
    assert "let xs: Vec<i64> = vec![1, 2];" in ints and "floordiv_i(get(&xs, 0)?, 2)" in ints
    args = tr("def f(x):\n    a = x.copy(True)\n    return a\n", "x: f64[] -> f64[]")
    assert "only the plain `x.copy()`" in args.refusals[0].why


def test_a_chained_assignment_into_elements_evaluates_the_value_once_then_stores_left_to_right() -> None:
    text = rust(
        "def f(c):\n    l0 = np.empty(len(c))\n    l1 = np.zeros(len(c), dtype=np.int64)\n"
        "    l0[0] = l0[-1] = c[0]\n    l0[1] = l1[-1] = 2\n    return l0, l1\n",
        "c: f64[] -> (f64[], i64[])",
    )
    assert (
        "let value = get(c, 0)?;\n    let at = ix(0, l0.len())?;\n    l0[at] = value;\n"
        "    let at = ix(-1, l0.len())?;\n    l0[at] = value;" in text
    )
    assert "l0[at] = value as f64;" in text and "l1[at] = value;" in text  # 2 into a float and an int array
    mixed = tr("def f(c):\n    out = np.zeros(3)\n    x = out[1] = 1.0\n    return x\n", "c: f64[] -> f64")
    assert "chains an assignment into an element and a name" in mixed.refusals[0].why


def test_a_write_into_a_parameter_says_which_copy_to_write_into() -> None:
    result = tr(
        "def f(c, lb):\n    for i in range(1, len(c)):\n        lb[i] = lb[i - 1]\n    return c\n",
        "c: f64[], lb: f64[] -> f64[]",
    )
    assert "write into a copy: `lb_out = lb.copy()` before the loop, then `lb_out[...] = ...`" in (
        result.refusals[0].why
    )


def test_whole_array_numpy_code_is_refused_all_at_once_with_what_to_write() -> None:
    result = tr(
        "def f(close, volume):\n    change = close / np.roll(close, 1) - 1.0\n"
        "    down = volume < np.roll(volume, 1)\n    first = np.mean(close)\n    return change\n",
        "close: f64[], volume: f64[] -> f64[]",
    )
    shown = [str(r) for r in result.refusals]
    assert [s.split(":")[0] for s in shown] == ["line 6", "line 7", "line 8"]
    assert all("array-wide numpy calls are not translated" in s for s in shown)
    assert result.refusals[0].construct == "np.roll(close, 1)"  # the whole call, as the lowering shows it
    filled = tr("def f(c):\n    nvi = np.ones(len(c)) * 1000\n    return nvi\n", "c: f64[] -> f64[]")
    assert "whole array where a number is expected" in filled.refusals[0].why
    assert "`np.full(n, value)`" in filled.refusals[0].why
    method = tr("def f(tr):\n    return tr[0:3].mean()\n", "tr: f64[] -> f64")
    assert any("methods are not translated (of an array, only `x.copy()`)" in r.why for r in method.refusals)
