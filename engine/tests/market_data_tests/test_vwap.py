"""`vwap`: known values, no volume, NaN, Rust against the fallback, refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

# isort: split
import rust_bridge

from .conftest import random_trades


def test_known_values(backend: Any) -> None:
    assert rust_bridge.vwap([10.0, 12.0], [1.0, 3.0], backend=backend) == 11.5  # (10 + 36) / 4
    assert rust_bridge.vwap([7], [2], backend=backend) == 7.0


@pytest.mark.parametrize(
    ("prices", "sizes"), [([], []), ([1.0, 2.0], [0.0, 0.0])], ids=["empty", "zero-volume"]
)
def test_no_volume_gives_nan(backend: Any, prices: list[float], sizes: list[float]) -> None:
    assert np.isnan(rust_bridge.vwap(prices, sizes, backend=backend))


def test_nan_propagates(backend: Any) -> None:
    assert np.isnan(rust_bridge.vwap([np.nan, 1.0], [1.0, 1.0], backend=backend))
    assert np.isnan(rust_bridge.vwap([1.0, 1.0], [1.0, np.nan], backend=backend))


def test_is_the_volume_weighted_mean_of_the_bars_vwaps(backend: Any) -> None:
    t, p, s = random_trades(5_000)
    bars = rust_bridge.resample_ohlcv(t, p, s, 60_000_000_000, backend=backend)
    traded = bars.volume > 0
    by_bars = rust_bridge.vwap(bars.vwap[traded], bars.volume[traded], backend=backend)
    assert by_bars == pytest.approx(rust_bridge.vwap(p, s, backend=backend), rel=1e-12)


@pytest.mark.float_parity
@pytest.mark.parametrize("n", [1, 1_000, 1_000_000])
def test_rust_matches_fallback(n: int) -> None:
    _, p, s = random_trades(n, seed=n)
    rust = rust_bridge.vwap(p, s, backend="rust")
    assert isinstance(rust, float)
    assert rust == pytest.approx(rust_bridge.vwap(p, s, backend="python"), rel=1e-12)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"sizes": [1.0]}, ValueError, "sizes must have the same length as prices: 1 != 2"),
        ({"prices": ["a", "b"]}, TypeError, "prices"),
        ({"sizes": np.zeros((2, 2))}, ValueError, "sizes"),
    ],
    ids=["length", "not-numbers", "2d"],
)
def test_bad_input_raises_the_same_error_from_both_backends(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    kwargs = {"prices": [1.0, 2.0], "sizes": [1.0, 1.0], **changes}
    with pytest.raises(error) as from_rust:
        rust_bridge.vwap(**kwargs, backend="rust")
    with pytest.raises(error) as from_python:
        rust_bridge.vwap(**kwargs, backend="python")
    assert str(from_rust.value) == str(from_python.value)
    assert message in str(from_rust.value)


def test_compiled_module_exports_the_function() -> None:
    from crypto_trading_engine.market_data import vwap as native

    assert native.__name__ == "vwap"
