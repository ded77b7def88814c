"""Bad input raises ValueError or TypeError naming the argument, identically from both backends;
the compiled functions called directly raise too, and never bring the interpreter down."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import rust_bridge as rb

X = np.arange(1.0, 11.0)  # 10 points
M = np.arange(1.0, 21.0).reshape(2, 10)

BAD_CALLS: list[tuple[str, Callable[..., Any], type[Exception], str]] = [
    ("period 0", lambda b: rb.sma(X, 0, backend=b), ValueError, "period must be >= 1, got 0"),
    ("negative period", lambda b: rb.ema(X, -3, backend=b), ValueError, "period must be >= 1, got -3"),
    (
        "period too long",
        lambda b: rb.rsi(X, 11, backend=b),
        ValueError,
        r"period must be <= the series length \(10\), got 11",
    ),
    (
        "empty input",
        lambda b: rb.sma([], 1, backend=b),
        ValueError,
        r"period must be <= the series length \(0\), got 1",
    ),
    ("float period", lambda b: rb.sma(X, 2.5, backend=b), TypeError, "period must be an integer, got float"),
    ("bool period", lambda b: rb.sma(X, True, backend=b), TypeError, "period must be an integer, got bool"),
    ("strings", lambda b: rb.sma(["a", "b"], 1, backend=b), TypeError, "values must be an array of numbers"),
    (
        "None inside",
        lambda b: rb.ema([1.0, None, 3.0], 2, backend=b),
        TypeError,
        "values must be an array of numbers",
    ),
    (
        "ragged",
        lambda b: rb.ema([[1.0], [2.0, 3.0]], 1, backend=b),
        TypeError,
        "values must be an array of numbers",
    ),
    ("complex", lambda b: rb.sma(X + 1j, 2, backend=b), TypeError, "values must be an array of numbers"),
    (
        "2-D to single",
        lambda b: rb.sma(M, 2, backend=b),
        ValueError,
        "values must be 1-dimensional, got 2 dimensions",
    ),
    (
        "scalar",
        lambda b: rb.sma(3.0, 1, backend=b),
        ValueError,
        "values must be 1-dimensional, got 0 dimensions",
    ),
    ("1-D to batch", lambda b: rb.sma_batch(X, 2, backend=b), ValueError, "values must be 2-dimensional"),
    (
        "batch period",
        lambda b: rb.rsi_batch(M, 11, backend=b),
        ValueError,
        r"period must be <= the series length \(10\), got 11",
    ),
    (
        "negative nbdev",
        lambda b: rb.bollinger_bands(X, 3, -1.0, backend=b),
        ValueError,
        "nbdev_up must be a finite number >= 0, got -1.0",
    ),
    (
        "nan nbdev",
        lambda b: rb.bollinger_bands(X, 3, 2.0, np.nan, backend=b),
        ValueError,
        "nbdev_down must be a finite number >= 0, got nan",
    ),
    (
        "string nbdev",
        lambda b: rb.bollinger_bands_batch(M, 3, "2", backend=b),
        TypeError,
        "nbdev_up must be a number, got str",
    ),
    (
        "fast = slow",
        lambda b: rb.macd(X, 5, 5, 2, backend=b),
        ValueError,
        "fast_period must be < slow_period, got fast_period=5 and slow_period=5",
    ),
    (
        "fast > slow",
        lambda b: rb.macd_batch(M, 6, 3, 2, backend=b),
        ValueError,
        "fast_period must be < slow_period",
    ),
    (
        "slow too long",
        lambda b: rb.macd(X, 2, 11, 2, backend=b),
        ValueError,
        r"slow_period must be <= the series length \(10\), got 11",
    ),
    (
        "signal too long",
        lambda b: rb.macd(X, 2, 3, 12, backend=b),
        ValueError,
        r"signal_period must be <= the series length \(10\), got 12",
    ),
    ("signal 0", lambda b: rb.macd(X, 2, 3, 0, backend=b), ValueError, "signal_period must be >= 1, got 0"),
    # Beyond usize PyO3 raised OverflowError where the fallback raised ValueError.
    (
        "period 2**64",
        lambda b: rb.sma(X, 2**64, backend=b),
        ValueError,
        r"period must be an integer from -2\*\*63 to 2\*\*63 - 1 \(int64\), got 18446744073709551616",
    ),
    (
        "atr lengths",
        lambda b: rb.atr(X, X[:9], X, 3, backend=b),
        ValueError,
        "high, low and close must have the same length, got 10, 9 and 10",
    ),
    (
        "atr shapes",
        lambda b: rb.atr_batch(M, M, M.reshape(4, 5), 3, backend=b),
        ValueError,
        r"same shape, got \(2, 10\), \(2, 10\) and \(4, 5\)",
    ),
    (
        "atr types",
        lambda b: rb.atr(X, X, ["x"] * 10, 3, backend=b),
        TypeError,
        "close must be an array of numbers",
    ),
    ("atr dims", lambda b: rb.atr(X, M, X, 3, backend=b), ValueError, "low must be 1-dimensional"),
]


@pytest.mark.parametrize(("case", "call", "error", "message"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_is_rejected_with_a_message_naming_the_argument(
    backend: str, case: str, call: Callable[[str], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call(backend)


@pytest.mark.parametrize(("case", "call", "error", "message"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_both_backends_raise_the_same_error(
    needs_rust: None, case: str, call: Callable[[str], Any], error: type[Exception], message: str
) -> None:
    raised = []
    for backend in ("rust", "python"):
        with pytest.raises(error) as info:
            call(backend)
        raised.append((type(info.value), str(info.value)))
    assert raised[0] == raised[1]


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="backend must be one of 'auto', 'rust', 'python', got 'gpu'"):
        rb.sma(X, 3, backend="gpu")  # type: ignore[arg-type]


DIRECT_CALLS = textwrap.dedent(
    """
    import numpy as np
    from crypto_trading_engine import technical as t

    x = np.arange(1.0, 11.0)
    m = x.reshape(2, 5)
    calls = [
        (ValueError, lambda: t.sma(x, 0)),
        (ValueError, lambda: t.ema(x, 11)),
        (ValueError, lambda: t.rsi(np.empty(0), 1)),
        (ValueError, lambda: t.bollinger_bands(x, 3, -1.0, 2.0)),
        (ValueError, lambda: t.bollinger_bands(x, 3, 2.0, float("nan"))),
        (ValueError, lambda: t.macd(x, 3, 3, 2)),
        (ValueError, lambda: t.macd(x, 2, 30, 2)),
        (ValueError, lambda: t.atr(x, x[:9], x, 3)),
        (ValueError, lambda: t.atr_batch(m, m, x.reshape(5, 2), 1)),
        (ValueError, lambda: t.sma_batch(m, 6)),
        (ValueError, lambda: t.macd_batch(m, 1, 2, 6)),
        (OverflowError, lambda: t.sma(x, -1)),
        (TypeError, lambda: t.sma(x.astype(np.float32), 2)),
        (TypeError, lambda: t.sma(m, 2)),
        (TypeError, lambda: t.sma_batch(x, 2)),
        (TypeError, lambda: t.sma(x[::2], 2)),
        (TypeError, lambda: t.sma([1.0, 2.0], 1)),
        (TypeError, lambda: t.ema(x, "3")),
    ]
    for expected, call in calls:
        try:
            call()
        except expected as err:
            print(type(err).__name__, err)
        else:
            raise SystemExit(f"no {expected.__name__} from {call}")
    print("alive")
    """
)


def test_direct_calls_to_the_compiled_module_raise_and_never_crash(needs_rust: None) -> None:
    # In a child process, so that a crash would fail this test instead of killing the test run.
    done = subprocess.run([sys.executable, "-c", DIRECT_CALLS], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "alive"
    assert "ValueError period must be >= 1, got 0" in lines
    assert "ValueError fast_period must be < slow_period, got fast_period=3 and slow_period=3" in lines
