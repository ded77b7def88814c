"""One small function per construct of the translatable subset (translator test inputs)."""

from __future__ import annotations

import math
from typing import Annotated

import numpy as np
import numpy.typing as npt

F64Array = npt.NDArray[np.float64]
I64Array = npt.NDArray[np.int64]

SCALE = 3
OFFSET = -0.5 * SCALE


def int_arith(xs: I64Array, a: int, b: int) -> tuple[int, int, int, int, int]:
    """Floor division and modulo on ints (Python's signs), checked products and powers."""
    q = a // b
    r = a % b
    p = a * b
    s = a - b
    return q, r, p, s, (a % 7) ** 3 + SCALE


def float_arith(values: F64Array, x: float, y: float) -> tuple[float, float, float]:
    """True division, floor division and modulo of Python floats (ZeroDivisionError on 0.0)."""
    return x / y, x // y, x % y


def float_pow(values: F64Array, x: float, y: float) -> float:
    """`**` of Python floats: OverflowError, ZeroDivisionError, ValueError where Python raises."""
    if x < 0.0 and y % 1.0 != 0.0:  # Python gives a complex number there
        return 0.0
    return x**y + x**2


def math_calls(values: F64Array, x: float) -> tuple[float, float, float, float]:
    """math functions keep CPython's ValueError and OverflowError."""
    a = math.sqrt(x) + math.log(x)
    b = math.exp(x) - math.expm1(x) * 0.5
    c = math.atan2(x, 2.0) + math.hypot(x, 1.0) + math.fabs(x) + math.copysign(1.0, x)
    d = math.tanh(x) + math.atan(x) + math.log1p(abs(x)) + math.log10(abs(x) + 1.0)
    return a, b, c, d


def rounding(values: F64Array, x: float) -> tuple[int, int, int, int]:
    """int() truncates; floor, ceil and round give ints, raising on NaN and infinity."""
    return int(x), math.floor(x), math.ceil(x), round(x)


def extremes(values: F64Array) -> F64Array:
    """min and max of scalars keep Python's NaN rule (the first argument unless a later one compares)."""
    out = np.zeros_like(values)
    for i in range(len(values)):
        out[i] = min(values[i], values[-1 - i], 0.5) + max(values[i], 0.0) * 2
    return out


def windows(values: F64Array, k: int) -> F64Array:
    """Negative indexes, IndexError out of range, range with a negative step."""
    n = len(values)
    out = np.full(n, 0.0)
    for i in range(n - 1, -1, -2):
        out[i] = values[i - k]
    for j in range(0, n, 3):
        out[-j - 1] += values[j]
    return out


def loops(values: F64Array, limit: float) -> tuple[int, float]:
    """while, break, continue, chained comparisons, and/or/not, nested loops."""
    i = 0
    total = 0.0
    while i < len(values):
        v = values[i]
        i += 1
        if math.isnan(v) or not -1e6 <= v < 1e6:
            continue
        if total > limit and i > 2:
            break
        for k in range(3):
            if k == 1:
                continue
            total += v * k
    return i, total


def swaps(values: F64Array, n: int) -> tuple[float, float]:
    """Tuple assignment, swap and chained assignment."""
    a = b = float(n)
    if n > 2:
        a, b = 1.0, 1.0
    for _ in range(max(0, min(n, 60))):
        a, b = b, a + b
    if values[0] > 0.0:
        a, b = b, a
    return a, b


def growable(values: F64Array, threshold: float) -> tuple[float, int, float]:
    """A local list as a growable vector: append, len, index, sum."""
    picked = []
    for i in range(len(values)):
        if values[i] > threshold:
            picked.append(values[i])
    if len(picked) == 0:
        return 0.0, 0, 0.0
    return sum(picked), len(picked), picked[-1]


def augmented(xs: I64Array, a: int, b: int) -> int:
    """Augmented assignment with every int operator, on a local and on array elements."""
    acc = a
    acc += b
    acc -= 3
    acc *= 2
    acc //= b
    acc %= 1000
    acc **= 2
    acc |= 5
    acc &= 0xFFFF
    acc ^= 3
    counts = np.zeros(4, dtype=np.int64)
    counts[a % 4] += 1
    counts[-1] -= acc
    return acc + counts[0] + counts[3]


def bool_logic(values: F64Array, lo: float, hi: float) -> Annotated[int, "usize"]:
    """Counts the values inside [lo, hi) with short-circuit tests; numpy scalar calls."""
    count = 0
    for i in range(len(values)):
        v = values[i]
        inside = lo <= v < hi
        if inside and not np.isnan(v) and (np.abs(v) >= 0.0 or v == 0.0):
            count += 1
    return count


def helpers_called(values: F64Array, scale: float) -> F64Array:
    """Calls another function of this file: translated as a private Rust function."""
    out = np.empty(len(values))
    for i in range(len(values)):
        out[i] = clipped(values[i] * scale, 1.0)
    return out


def clipped(x: float, bound: float) -> float:
    if x > bound:
        return bound
    if x < -bound:
        return -bound
    return x + OFFSET


def first_above(values: F64Array, level: float) -> tuple[int, float]:
    """`while True` left by `break`: the first index whose value is above `level`, and that value."""
    i = 0
    while True:
        if i >= len(values):
            found = math.nan
            break
        if values[i] > level:
            found = values[i]
            break
        i += 1
    return i, found


def row_means(matrix: Annotated[F64Array, "f64[,]"], scale: float) -> F64Array:
    """2-D reads x[i, j] (one series per row) into a 1-D result; numpy scalar functions."""
    rows = len(matrix)
    out = np.zeros(rows)
    for i in range(rows):
        total = 0.0
        for j in range(len(matrix[0]) if rows > 0 else 0):
            total += np.fmax(matrix[i, j], np.minimum(scale, matrix[i, -1]))
        # a product: numpy's log1p may differ from libm's in the last bit; a sum could cancel that up
        out[i] = np.log1p(np.abs(total)) * (2.0 + np.abs(np.floor(total / 3.0)))
    return out


def dead_stores(values: F64Array, x: float, n: int, scale: float) -> tuple[float, int]:
    """Values assigned and overwritten unread (Python does not mind, rustc warns): left out of the Rust,
    or only evaluated where they can raise (an IndexError on an empty array); `_` in a tuple pattern; a
    parameter assigned before it is read."""
    scale = 0.5
    lo, hi = x, scale
    lo = -x
    low = high = x
    high = scale
    level = 0.0
    if x > 0.0:  # noqa: SIM108 (the dead store and the if/else are the construct tested)
        level = 1.0
    else:
        level = -1.0
    last = math.nan
    total = 0.0
    for i in range(len(values)):
        last = values[i]
        total += last * level
    first = values[0]
    first = x
    spare = x * 2.0  # noqa: F841 (never read: the construct tested)
    count = 0
    count += n
    k = n
    k //= 3
    buffer = np.zeros(n)
    buffer = np.full_like(values, x)
    return total + first + buffer[-1] + lo * hi + low * high, count


def repeated(values: F64Array, n: int, fill: float) -> tuple[F64Array, float, int]:
    """`[v] * n` (empty for n <= 0) read and written as a list; np.full_like of a parameter."""
    like = np.full_like(values, fill)
    ys = [fill] * n
    counts = [0] * n
    for i in range(min(len(ys), len(values))):
        ys[i] += values[i]
        counts[i] = i * 2
        like[-1 - i] -= values[i]
    return like, sum(ys), sum(counts)


def element_swaps(values: F64Array, k: Annotated[int, "usize"]) -> F64Array:
    """Tuple assignment into array elements (a swap), a usize parameter."""
    out = np.zeros_like(values)
    n = len(values)
    for i in range(n):
        out[i] = values[i]
    for i in range(n - 1):
        out[i], out[i + 1] = out[i + 1], out[i]
    if n > 0:
        out[0], out[k - n] = float(k), out[0]
    return out


def zipped(values: F64Array, weights: F64Array, shift: float) -> tuple[float, int]:
    """`for` over zip of two and of three arrays (it stops at the shortest); round(x) half to even."""
    total = 0.0
    for v, w in zip(values, weights, strict=False):
        total += v * w
    rounded = 0
    for a, b, c in zip(values, weights, values):  # noqa: B905 (zip's default)
        x = a * b + shift
        if abs(x) < 1e15 and abs(c) < 1e15:
            rounded += round(x) + round(c)
    return total, rounded


def matrix_writes(matrix: Annotated[F64Array, "f64[,]"], scale: float) -> Annotated[F64Array, "f64[,]"]:
    """Writes into a 2-D array made with np.zeros_like / np.full_like (`out[i, j] = v`, `+=`, negative
    indexes) and a 2-D result with the parameter's shape."""
    out = np.zeros_like(matrix)
    seen = np.full_like(matrix, -1.0)
    rows = len(matrix)
    for i in range(rows):
        for j in range(len(matrix[i])):
            out[i, j] = matrix[i, j] * scale
            out[i, -1 - j] += seen[i, j]
            seen[-1 - i, j] = out[i, j]
    return out


def published_idioms(
    high: F64Array, low: F64Array, bands: Annotated[F64Array, "f64[,]"], step: float
) -> tuple[F64Array, F64Array, float, int]:
    """The idioms of published indicator loops (ta, finta, pandas-ta-classic): `x.size`, `x.shape[0]`,
    a copy written into (`x.copy()`, `np.copy`), a list literal grown and turned into an array, a chained
    assignment into elements."""
    m = high.shape[0]
    psar = low.copy()
    mid = np.copy(high)
    sar = [0.0, step]
    if low.size > 0:
        sar = [low[0] - step]
    for i in range(1, min(m, low.size)):
        psar[i] = psar[i - 1] + step * (high[i - 1] - psar[i - 1])
        mid[i] = 0.5 * (mid[i] + psar[i])
        sar.append(min(sar[-1] + step, low[i]))
    if m > 0 and low.size > 0:
        psar[-1] = mid[0] = sar[-1] * 2  # a chained assignment into elements (`_lrsi_loop`)
    return psar, np.array(sar), mid[-1] if m > 0 else 0.0, bands.shape[0] * bands.shape[1] + bands.size
