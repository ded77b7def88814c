"""The NaN convention: leading NaN rows are skipped, as the talib wrapper does; from the first later
NaN or +-inf in any input, every output is NaN. The same from Rust and from the fallback."""

from __future__ import annotations

import numpy as np
import pytest

import rust_bridge as rb

nan, inf = np.nan, np.inf

SINGLE = [
    ("sma", (4,)),
    ("ema", (4,)),
    ("rsi", (4,)),
    ("kama", (4,)),
    ("bollinger_bands", (4, 2.0, 2.0)),
    ("macd", (2, 4, 3)),
]


def outputs(result: object) -> tuple[np.ndarray, ...]:
    return result if isinstance(result, tuple) else (result,)  # type: ignore[return-value]


@pytest.mark.parametrize(("name", "args"), SINGLE)
def test_leading_nans_are_skipped(agree, backend: str, walk, name: str, args: tuple) -> None:
    x = walk(60, seed=1)
    padded = np.concatenate([[nan] * 5, x])
    function = getattr(rb.technical_py, name)
    for shifted, plain in zip(
        outputs(function(padded, *args, backend=backend)),
        outputs(function(x, *args, backend=backend)),
        strict=True,
    ):
        assert np.isnan(shifted[:5]).all()
        agree(shifted[5:], plain, scale=100.0)


@pytest.mark.parametrize(("name", "args"), SINGLE)
@pytest.mark.parametrize("bad", [nan, inf, -inf])
def test_everything_from_the_first_later_non_finite_value_is_nan(
    agree, backend: str, walk, name: str, args: tuple, bad: float
) -> None:
    x = walk(60, seed=2)
    spoiled = x.copy()
    spoiled[40] = bad
    function = getattr(rb.technical_py, name)
    for out, clean in zip(
        outputs(function(spoiled, *args, backend=backend)),
        outputs(function(x, *args, backend=backend)),
        strict=True,
    ):
        assert np.isnan(out[40:]).all()
        agree(out[:40], clean[:40], scale=100.0)


@pytest.mark.parametrize("column", [0, 1, 2])
def test_atr_looks_at_every_input(agree, backend: str, ohlc, column: int) -> None:
    series = list(ohlc(50, seed=3))
    clean = rb.atr(*series, 5, backend=backend)
    series[column] = series[column].copy()
    series[column][30] = nan
    out = rb.atr(*series, 5, backend=backend)
    assert np.isnan(out[30:]).all()
    agree(out[:30], clean[:30], scale=100.0)
    series[column][:3] = nan  # a leading NaN in any input skips the row
    assert np.isnan(rb.atr(*series, 5, backend=backend)[: 3 + 5]).all()


def test_all_nan_input_gives_all_nan(backend: str) -> None:
    assert np.isnan(rb.ema([nan] * 8, 3, backend=backend)).all()


def test_a_span_shorter_than_the_warm_up_is_all_nan(backend: str) -> None:
    out = rb.sma([nan, nan, 1.0, 2.0, nan, 5.0, 6.0], 3, backend=backend)
    assert np.isnan(out).all()


@pytest.mark.float_parity
def test_backends_agree_on_scattered_bad_values(needs_rust: None, agree, walk) -> None:
    rng = np.random.default_rng(4)
    for trial in range(30):
        x = walk(200, seed=trial)
        x[: rng.integers(0, 20)] = nan
        x[rng.integers(0, 200, size=rng.integers(0, 4))] = rng.choice([nan, inf, -inf])
        for name, args in SINGLE:
            function = getattr(rb.technical_py, name)
            agree(function(x, *args, backend="rust"), function(x, *args, backend="python"), scale=1e3)


@pytest.mark.float_parity
def test_leading_nans_are_skipped_as_in_talib(agree, walk) -> None:
    talib = pytest.importorskip("talib")
    x = np.concatenate([[nan] * 7, walk(100, seed=5)])
    agree(rb.sma(x, 10), talib.SMA(x, 10), scale=1e3)
    agree(rb.ema(x, 10), talib.EMA(x, 10), scale=1e3)
    agree(rb.rsi(x, 10), talib.RSI(x, 10), scale=100.0)
    agree(rb.macd(x, 3, 8, 4), tuple(talib.MACD(x, 3, 8, 4)), scale=1e3)
