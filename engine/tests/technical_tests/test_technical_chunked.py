"""Long series of the recursive indicators run in parallel chunks (engine/rust/src/technical/chunked.rs):
the result is the serial one bit for bit, whatever the thread count, and agrees with TA-Lib."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rust_bridge as rb

talib = pytest.importorskip("talib")

#: Above the engine's threshold for cutting a series into chunks (262 144 rows).
SIZES = [300_007, 500_000, 1_000_003]

#: Computes every case with one rayon thread, where the engine never cuts, and saves the outputs.
SERIAL_SCRIPT = """
import sys, numpy as np, rust_bridge as rb
cases = np.load(sys.argv[1])
out = {}
for key in cases.files:
    if key.startswith("x"):
        i = key[1:]
        x, h, lo, p = cases[key], cases["h" + i], cases["l" + i], int(cases["p" + i])
        out["ema" + i] = rb.ema(x, p, backend="rust")
        out["rsi" + i] = rb.rsi(x, p, backend="rust")
        out["atr" + i] = rb.atr(h, lo, x, p, backend="rust")
        out["macd" + i] = np.stack(rb.macd(x, 12, 26, 9, backend="rust"))
np.savez(sys.argv[2], **out)
"""


def cases() -> list[dict[str, Any]]:
    """Price walks with leading NaNs or a NaN / inf inside, several periods."""
    rng = np.random.default_rng(2026)
    out = []
    for i, n in enumerate(SIZES * 2):
        x = rng.choice([1e-3, 100.0, 3e4]) * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
        if i % 3 == 1:
            x[: rng.integers(1, 50)] = np.nan
        if i % 3 == 2:
            x[rng.integers(0, n)] = rng.choice([np.nan, np.inf])
        spread = rng.random((2, n)) * np.abs(np.nan_to_num(x, nan=1.0, posinf=1.0)) * 0.01
        period = int(rng.choice([2, 14, 30, 200]))
        out.append({"x": x, "h": x + spread[0], "l": x - spread[1], "p": period})
    return out


def engine(case: dict[str, Any]) -> dict[str, np.ndarray]:
    x, h, lo, p = case["x"], case["h"], case["l"], case["p"]
    return {
        "ema": rb.ema(x, p, backend="rust"),
        "rsi": rb.rsi(x, p, backend="rust"),
        "atr": rb.atr(h, lo, x, p, backend="rust"),
        "macd": np.stack(rb.macd(x, 12, 26, 9, backend="rust")),
    }


def test_chunked_results_equal_the_serial_ones_bit_for_bit(needs_rust: None, tmp_path: Path) -> None:
    all_cases = cases()
    arrays = {f"{k}{i}": v for i, case in enumerate(all_cases) for k, v in case.items()}
    np.savez(tmp_path / "cases.npz", **arrays)  # type: ignore[arg-type]
    env = {**os.environ, "RAYON_NUM_THREADS": "1"}
    command = [sys.executable, "-c", SERIAL_SCRIPT, str(tmp_path / "cases.npz"), str(tmp_path / "serial.npz")]
    subprocess.run(command, env=env, check=True, timeout=300)
    serial = np.load(tmp_path / "serial.npz")
    for i, case in enumerate(all_cases):
        for name, chunked in engine(case).items():
            expected = serial[f"{name}{i}"]
            assert np.array_equal(chunked.view(np.uint64), expected.view(np.uint64)), (name, i)


def test_chunked_results_agree_with_talib(needs_rust: None, agree) -> None:
    for case in cases():
        x, h, lo, p = case["x"], case["h"], case["l"], case["p"]
        # TA-Lib does not skip a NaN inside the series as the engine does (see span.rs); compare
        # the clean cases and the leading-NaN ones from their first value on.
        if not np.isfinite(x[np.argmax(~np.isnan(x)) :]).all():
            continue
        got = engine(case)
        scale = float(np.nanmax(np.abs(x)))
        agree(got["ema"], talib.EMA(x, p), scale=scale)
        agree(got["rsi"], talib.RSI(x, p), scale=100.0)
        agree(got["atr"], talib.ATR(h, lo, x, p), scale=scale)
        agree(tuple(got["macd"]), tuple(talib.MACD(x, 12, 26, 9)), scale=scale)
