"""Hand-computed values, on both backends: warm-up positions, seeds and smoothing."""

from __future__ import annotations

import numpy as np
import pytest

import rust_bridge as rb

nan = np.nan


def test_sma(agree, backend: str) -> None:
    out = rb.sma([1, 2, 3, 4, 5], 3, backend=backend)
    agree(out, np.array([nan, nan, 2.0, 3.0, 4.0]), scale=1.0)
    agree(rb.sma([4.0], 1, backend=backend), np.array([4.0]), scale=1.0)


def test_ema_is_seeded_with_the_sma(agree, backend: str) -> None:
    # k = 2 / (3 + 1) = 0.5; seed (1 + 2 + 3) / 3 = 2; then 2 + 0.5 (4 - 2) = 3; 3 + 0.5 (8 - 3) = 5.5.
    out = rb.ema([1, 2, 3, 4, 8], 3, backend=backend)
    agree(out, np.array([nan, nan, 2.0, 3.0, 5.5]), scale=1.0)


def test_rsi_uses_wilder_smoothing(agree, backend: str) -> None:
    # Changes +1 +1 -1 +2 -3, period 2: seed gain 1, loss 0 -> 100; then gain and loss
    # (prev * 1 + today) / 2: 0.5 / 0.5 -> 50; 1.25 / 0.25 -> 83.3; 0.625 / 1.625 -> 27.8.
    out = rb.rsi([1, 2, 3, 2, 4, 1], 2, backend=backend)
    agree(out, np.array([nan, nan, 100.0, 50.0, 250 / 3, 62.5 / 2.25]), scale=100.0)


def test_rsi_of_a_flat_series_is_zero(agree, backend: str) -> None:
    agree(rb.rsi([5.0] * 6, 3, backend=backend), np.array([nan, nan, nan, 0.0, 0.0, 0.0]), scale=100.0)


def test_bollinger_bands_use_the_population_std(agree, backend: str) -> None:
    upper, middle, lower = rb.bollinger_bands([1, 2, 3, 3], 3, 2.0, 1.0, backend=backend)
    s1, s2 = np.sqrt(2 / 3), np.sqrt(2 / 9)  # windows [1, 2, 3] and [2, 3, 3]
    agree(middle, np.array([nan, nan, 2.0, 8 / 3]), scale=1.0)
    agree(upper, np.array([nan, nan, 2 + 2 * s1, 8 / 3 + 2 * s2]), scale=1.0)
    agree(lower, np.array([nan, nan, 2 - s1, 8 / 3 - s2]), scale=1.0)


def test_bollinger_middle_band_is_the_sma(agree, backend: str, walk) -> None:
    x = walk(5_000, seed=3)
    _, middle, _ = rb.bollinger_bands(x, 20, backend=backend)
    agree(middle, rb.sma(x, 20, backend=backend), scale=float(x.max()))


def test_macd_seeds_the_fast_ema_where_the_slow_one_starts(agree, backend: str) -> None:
    x = np.array([1.0, 3.0, 2.0, 6.0, 4.0, 8.0, 7.0])
    line, signal, hist = rb.macd(x, 2, 3, 2, backend=backend)
    # Both EMAs start at index 2: slow = mean(1, 3, 2) = 2, fast = mean(3, 2) = 2.5 (not an EMA
    # run from index 1). k_fast = 2/3, k_slow = 1/2, k_signal = 2/3.
    fast, slow = [2.5], [2.0]
    for v in x[3:]:
        fast.append(fast[-1] + (v - fast[-1]) * 2 / 3)
        slow.append(slow[-1] + (v - slow[-1]) * 0.5)
    macd_line = np.array(fast) - np.array(slow)
    expected_signal = [macd_line[:2].mean()]
    for v in macd_line[2:]:
        expected_signal.append(expected_signal[-1] + (v - expected_signal[-1]) * 2 / 3)
    agree(line, np.concatenate([[nan] * 3, macd_line[1:]]), scale=10.0)
    agree(signal, np.concatenate([[nan] * 3, expected_signal]), scale=10.0)
    agree(hist, line - signal, scale=10.0)


def test_macd_of_a_series_shorter_than_its_warm_up_is_all_nan(backend: str) -> None:
    outputs = rb.macd([1, 2, 3, 4], 2, 3, 3, backend=backend)
    assert all(np.isnan(out).all() for out in outputs)


def test_atr(agree, backend: str) -> None:
    high = [10, 11, 12, 11, 15]
    low = [9, 10, 9, 10, 12]
    close = [9.5, 10.5, 11, 10.5, 14]
    # True ranges of rows 1..4: 1.5, 3, 1, 4.5. Period 2: (1.5 + 3) / 2 = 2.25, then
    # (2.25 + 1) / 2 = 1.625, (1.625 + 4.5) / 2 = 3.0625. Period 1 is the true range itself.
    agree(rb.atr(high, low, close, 2, backend=backend), np.array([nan, nan, 2.25, 1.625, 3.0625]), scale=10.0)
    agree(rb.atr(high, low, close, 1, backend=backend), np.array([nan, 1.5, 3, 1, 4.5]), scale=10.0)


@pytest.mark.parametrize(
    ("name", "args", "warm_up"),
    [
        ("sma", (7,), 6),
        ("ema", (7,), 6),
        ("rsi", (7,), 7),
        ("kama", (7,), 7),
        ("bollinger_bands", (7,), 6),
        ("macd", (5, 9, 4), 11),
    ],
)
def test_warm_up_length(backend: str, walk, name: str, args: tuple[int, ...], warm_up: int) -> None:
    outputs = getattr(rb.technical_py, name)(walk(50), *args, backend=backend)
    for out in outputs if isinstance(outputs, tuple) else (outputs,):
        assert np.isnan(out[:warm_up]).all()
        assert np.isfinite(out[warm_up:]).all()


def test_defaults_follow_talib(backend: str, walk, ohlc) -> None:
    x = walk(200)
    assert np.isnan(rb.sma(x, backend=backend)[:29]).all()  # period 30
    assert np.isnan(rb.ema(x, backend=backend)[:29]).all()  # period 30
    assert np.isnan(rb.rsi(x, backend=backend)[:14]).all()  # period 14
    assert np.isnan(rb.technical_py.kama(x, backend=backend)[:30]).all()  # period 30
    assert np.isnan(rb.bollinger_bands(x, backend=backend)[0][:19]).all()  # period 20
    assert np.isnan(rb.macd(x, backend=backend)[0][:33]).all()  # 26 + 9 - 2
    assert np.isnan(rb.atr(*ohlc(200), backend=backend)[:14]).all()  # period 14
