"""KAMA: TA-Lib's doubles bit for bit (FMA CPUs), the fallback within a few ULP, and how both
relate to `examples/strategy.py:kama`, the plain-Python loop it replaces."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import rust_bridge as rb
from rust_bridge._testing import assert_ulp_close
from rust_bridge.technical_py import kama

nan = np.nan

#: The fallback rounds `ratio * diff + slow` and the update `(x - kama) * sc + kama` in two steps
#: where TA-Lib (and the Rust kernel, on an FMA CPU) fuses them; the difference each bar is at
#: most an ULP and decays with the average's memory. Measured: at most 2 ULP on 2e4-point walks.
FUSED_VS_SEPARATE_ULP = 16

STRATEGY = Path(__file__).resolve().parents[3] / "examples" / "strategy.py"


def has_fma() -> bool:
    """Whether the Rust kernel runs its fused path here (x86-64 with AVX2 and FMA, or aarch64)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " fma" in flags and " avx2" in flags


@pytest.fixture(scope="module")
def strategy() -> ModuleType:
    if not STRATEGY.exists():
        pytest.skip("examples/strategy.py is not in this checkout")
    spec = importlib.util.spec_from_file_location("strategy_example", STRATEGY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_known_values(agree, backend: str) -> None:
    # Period 2 on 1, 2, 5, 5, 5: the net move equals the sum of moves (ratio 1, sc = 4/9) at 2 and
    # 3, and at 4 the window is flat, which TA-Lib also counts as ratio 1.
    out = kama([1.0, 2.0, 5.0, 5.0, 5.0], 2, backend=backend)
    agree(out, np.array([nan, nan, 10 / 3, 110 / 27, 1090 / 243]), scale=5.0)
    assert np.isnan(kama([1.0, 2.0], 2, backend=backend)).all()
    np.testing.assert_array_equal(kama([3.0, 1.0, 2.0], 1, backend=backend), [3.0, 1.0, 2.0])


@pytest.mark.parametrize("period", [1, 2, 10, 30])
@pytest.mark.parametrize("level", [1e-50, 1e-3, 100.0, 3e4])
def test_rust_gives_talibs_doubles(walk: Callable[..., np.ndarray], period: int, level: float) -> None:
    talib = pytest.importorskip("talib")
    if not rb.RUST_AVAILABLE:
        pytest.skip("the compiled engine is not built")
    x = walk(20_000, seed=period, level=level)
    x[5_000:5_100] = x[5_000]  # a flat stretch longer than the window: TA-Lib's ratio-1 rule
    expected = talib.KAMA(x, period)
    if has_fma():
        np.testing.assert_array_equal(kama(x, period, backend="rust"), expected)
    else:
        assert_ulp_close(kama(x, period, backend="rust"), expected, max_ulp=FUSED_VS_SEPARATE_ULP)


@pytest.mark.parametrize("period", [2, 10, 30])
def test_fallback_is_talib_within_the_fused_bound(walk: Callable[..., np.ndarray], period: int) -> None:
    talib = pytest.importorskip("talib")
    x = walk(20_000, seed=period)
    x[5_000:5_100] = x[5_000]
    assert_ulp_close(kama(x, period, backend="python"), talib.KAMA(x, period), max_ulp=FUSED_VS_SEPARATE_ULP)


@pytest.mark.parametrize("period", [2, 10, 30])
def test_strategy_kama_agrees_where_its_rules_match_talibs(
    strategy: ModuleType, backend: str, walk: Callable[..., np.ndarray], period: int
) -> None:
    """On a price walk (no flat window) the example differs only in rounding: it adds the entering
    move before subtracting the leaving one, and never fuses."""
    x = walk(20_000, seed=period)
    expected = strategy.kama(x, period)
    assert_ulp_close(kama(x, period, backend=backend), expected, max_ulp=FUSED_VS_SEPARATE_ULP)


def test_strategy_kama_slows_down_on_a_flat_window_where_talib_speeds_up(
    strategy: ModuleType, backend: str
) -> None:
    """The one rule that differs: a window whose moves sum to zero has ratio 0 in the example
    (slowest smoothing, (2/31)^2) and 1 in TA-Lib and the engine (fastest, (2/3)^2)."""
    x = np.array([1.0, 2.0, 5.0, 5.0, 5.0])
    ours, example = kama(x, 2, backend=backend), strategy.kama(x, 2)
    np.testing.assert_allclose(ours[:4], example[:4], rtol=1e-15, equal_nan=True)
    previous = 110 / 27
    assert example[4] == pytest.approx(previous + (2 / 31) ** 2 * (5 - previous), rel=1e-15)
    assert ours[4] == pytest.approx(previous + (2 / 3) ** 2 * (5 - previous), rel=1e-15)


def test_nan_in_the_middle_cuts_the_rest(backend: str, walk: Callable[..., np.ndarray]) -> None:
    x = walk(100)
    x[60] = nan
    out = kama(x, 10, backend=backend)
    assert np.isfinite(out[10:60]).all()
    assert np.isnan(out[60:]).all()


@pytest.mark.parametrize(("period", "message"), [(0, "period must be >= 1, got 0"), (11, r"length \(10\)")])
def test_bad_periods_are_refused(backend: str, period: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        kama(np.arange(1.0, 11.0), period, backend=backend)
