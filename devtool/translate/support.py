"""The Rust support code a kernel may need: the error enum and small private helpers.

Only the helpers a kernel uses are emitted (clippy -D warnings refuses dead code). Each helper keeps one
Python rule that the obvious Rust breaks (see /work/shared/TRANSLATION.md): floor division, the sign
of `%`, negative indexes, the ValueError of `math.sqrt(-1)`, checked int arithmetic.
"""

from __future__ import annotations

#: Python exception -> the variant of the emitted error enum.
VARIANTS = {
    "ValueError": "Value",
    "IndexError": "Index",
    "ZeroDivisionError": "ZeroDivision",
    "OverflowError": "Overflow",
}

ERROR_ENUM = """\
/// The Python exception a translated kernel raises, one variant each.
///
/// A stand-in for the engine's shared `KernelError`: replace this enum by a `use` of that one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelError {
    /// ValueError (`math.sqrt(-1.0)`, `math.log(0.0)`, `int(nan)`).
    Value,
    /// IndexError (an index outside the array, after Python's negative-index rule).
    Index,
    /// ZeroDivisionError (`x / 0.0`, `n // 0`, `x % 0`).
    ZeroDivision,
    /// OverflowError (an int result outside i64, `math.exp(1000.0)`, `int(inf)`).
    Overflow,
}
"""

#: name -> (Rust text, helpers it calls).
HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ix": (
        """\
/// Python's `x[i]`: a negative `i` counts from the end; outside the array is an IndexError.
fn ix(i: i64, len: usize) -> Result<usize, KernelError> {
    // A slice never holds more than isize::MAX elements, so `len` fits in i64.
    let at = if i < 0 { i + len as i64 } else { i };
    usize::try_from(at)
        .ok()
        .filter(|&at| at < len)
        .ok_or(KernelError::Index)
}
""",
        (),
    ),
    "ix2": (
        """\
/// Python's `x[i, j]` on a row-major matrix of `cols` columns, negative indexes included.
fn ix2(i: i64, j: i64, len: usize, cols: usize) -> Result<usize, KernelError> {
    let rows = len.checked_div(cols).unwrap_or(0);
    Ok(ix(i, rows)? * cols + ix(j, cols)?)
}
""",
        ("ix",),
    ),
    "rows": (
        """\
/// `len(x)` of a row-major matrix of `cols` columns: its number of rows.
fn rows(len: usize, cols: usize) -> i64 {
    len.checked_div(cols).unwrap_or(0) as i64
}
""",
        (),
    ),
    "get": (
        """\
/// Python's `x[i]` read: a negative `i` counts from the end; outside the array is an IndexError.
fn get<T: Copy>(xs: &[T], i: i64) -> Result<T, KernelError> {
    Ok(xs[ix(i, xs.len())?])
}
""",
        ("ix",),
    ),
    "add_i": (
        """\
/// Python's `a + b` on ints: exact, or an OverflowError outside i64 (never a wrap).
fn add_i(a: i64, b: i64) -> Result<i64, KernelError> {
    a.checked_add(b).ok_or(KernelError::Overflow)
}
""",
        (),
    ),
    "sub_i": (
        """\
/// Python's `a - b` on ints: exact, or an OverflowError outside i64 (never a wrap).
fn sub_i(a: i64, b: i64) -> Result<i64, KernelError> {
    a.checked_sub(b).ok_or(KernelError::Overflow)
}
""",
        (),
    ),
    "mul_i": (
        """\
/// Python's `a * b` on ints: exact, or an OverflowError outside i64 (never a wrap).
fn mul_i(a: i64, b: i64) -> Result<i64, KernelError> {
    a.checked_mul(b).ok_or(KernelError::Overflow)
}
""",
        (),
    ),
    "checked": (
        """\
/// A Python int result: an i64 that did not overflow, or an OverflowError (Python's ints never wrap).
fn checked(value: Option<i64>) -> Result<i64, KernelError> {
    value.ok_or(KernelError::Overflow)
}
""",
        (),
    ),
    "floordiv_i": (
        """\
/// Python's `a // b` on ints: rounds toward minus infinity; `b == 0` is a ZeroDivisionError.
fn floordiv_i(a: i64, b: i64) -> Result<i64, KernelError> {
    if b == 0 {
        return Err(KernelError::ZeroDivision);
    }
    let q = a.checked_div(b).ok_or(KernelError::Overflow)?;
    Ok(if (a % b != 0) && ((a < 0) != (b < 0)) { q - 1 } else { q })
}
""",
        (),
    ),
    "mod_i": (
        """\
/// Python's `a % b` on ints: the remainder takes the divisor's sign; `b == 0` is a ZeroDivisionError.
fn mod_i(a: i64, b: i64) -> Result<i64, KernelError> {
    if b == 0 {
        return Err(KernelError::ZeroDivision);
    }
    let r = a.checked_rem(b).unwrap_or(0);
    Ok(if r != 0 && ((r < 0) != (b < 0)) { r + b } else { r })
}
""",
        (),
    ),
    "div_f": (
        """\
/// Python's `a / b` on floats: dividing by zero is a ZeroDivisionError, not inf.
fn div_f(a: f64, b: f64) -> Result<f64, KernelError> {
    if b == 0.0 {
        Err(KernelError::ZeroDivision)
    } else {
        Ok(a / b)
    }
}
""",
        (),
    ),
    "divmod_f": (
        """\
/// Python's `divmod(a, b)` on floats, as CPython computes it (floor quotient, remainder with b's sign).
fn divmod_f(a: f64, b: f64) -> Result<(f64, f64), KernelError> {
    if b == 0.0 {
        return Err(KernelError::ZeroDivision);
    }
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0_f64.copysign(b);
    }
    let q = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0_f64.copysign(a / b)
    };
    Ok((q, m))
}
""",
        (),
    ),
    "np_floordiv_f": (
        """\
/// numpy's `a // b` on float64 scalars: Python's rule, but division by zero gives inf or NaN.
fn np_floordiv_f(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        a / b
    } else {
        divmod_f(a, b).map_or(f64::NAN, |(q, _)| q)
    }
}
""",
        ("divmod_f",),
    ),
    "np_mod_f": (
        """\
/// numpy's `a % b` on float64 scalars: Python's sign rule, but `x % 0.0` is NaN.
fn np_mod_f(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        f64::NAN
    } else {
        divmod_f(a, b).map_or(f64::NAN, |(_, m)| m)
    }
}
""",
        ("divmod_f",),
    ),
    "pow_f": (
        """\
/// Python's `a ** b` on floats: 0.0 to a finite negative power is a ZeroDivisionError, a finite result too
/// large an OverflowError; a negative base to a non-integer power (a complex number in Python) is
/// raised as a ValueError.
fn pow_f(a: f64, b: f64) -> Result<f64, KernelError> {
    // CPython settles an infinite exponent first: 0.0 ** -inf is inf, not an error.
    if a == 0.0 && b < 0.0 && b.is_finite() {
        return Err(KernelError::ZeroDivision);
    }
    if a < 0.0 && a.is_finite() && b.is_finite() && b.fract() != 0.0 {
        return Err(KernelError::Value);
    }
    let r = a.powf(b);
    if r.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(KernelError::Overflow);
    }
    Ok(r)
}
""",
        (),
    ),
    "pow_i": (
        """\
/// Python's `a ** b` on ints with `b >= 0`: exact, an OverflowError outside i64.
fn pow_i(a: i64, b: i64) -> Result<i64, KernelError> {
    let b = u32::try_from(b).map_err(|_| KernelError::Overflow)?;
    a.checked_pow(b).ok_or(KernelError::Overflow)
}
""",
        (),
    ),
    "math1": (
        """\
/// CPython's rule for one-argument `math` functions: a NaN from a non-NaN argument is a ValueError,
/// an infinity from a finite one an OverflowError (`can_overflow`) or a ValueError.
fn math1(x: f64, r: f64, can_overflow: bool) -> Result<f64, KernelError> {
    if r.is_nan() && !x.is_nan() {
        Err(KernelError::Value)
    } else if r.is_infinite() && x.is_finite() {
        Err(if can_overflow {
            KernelError::Overflow
        } else {
            KernelError::Value
        })
    } else {
        Ok(r)
    }
}
""",
        (),
    ),
    "to_int": (
        """\
/// Python's `int(x)` (and `math.floor`/`math.ceil`/`round` once rounded): NaN is a ValueError,
/// infinity an OverflowError; an int outside i64 is an OverflowError here (Python would not fail).
fn to_int(x: f64) -> Result<i64, KernelError> {
    if x.is_nan() {
        return Err(KernelError::Value);
    }
    let t = x.trunc();
    // 2^63 is exactly representable; every f64 in [-2^63, 2^63) converts exactly.
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&t) {
        Ok(t as i64)
    } else {
        Err(KernelError::Overflow)
    }
}
""",
        (),
    ),
    "py_min": (
        """\
/// Python's `min(a, b)`: `a` unless `b < a` (so a NaN first argument is kept, unlike `f64::min`).
fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}
""",
        (),
    ),
    "py_max": (
        """\
/// Python's `max(a, b)`: `a` unless `b > a` (so a NaN first argument is kept, unlike `f64::max`).
fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}
""",
        (),
    ),
    "np_minimum": (
        """\
/// numpy's `np.minimum(a, b)` on scalars: NaN if either is NaN.
fn np_minimum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}
""",
        (),
    ),
    "np_maximum": (
        """\
/// numpy's `np.maximum(a, b)` on scalars: NaN if either is NaN.
fn np_maximum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}
""",
        (),
    ),
    "new_len": (
        """\
/// The length of a new numpy array: a negative one is a ValueError, as in `np.zeros(-1)`.
fn new_len(n: i64) -> Result<usize, KernelError> {
    usize::try_from(n).map_err(|_| KernelError::Value)
}
""",
        (),
    ),
    "list_len": (
        """\
/// The length of `[v] * n`: a negative `n` gives an empty list, as in Python.
fn list_len(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}
""",
        (),
    ),
}


def helper_texts(used: set[str]) -> list[str]:
    """The Rust text of every helper in `used` and of the helpers they call, in a stable order."""
    wanted: set[str] = set()
    stack = list(used)
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted.add(name)
            stack.extend(HELPERS[name][1])
    return [HELPERS[name][0] for name in HELPERS if name in wanted]
