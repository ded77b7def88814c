"""The hand-kept stub of the compiled submodule matches it (mypy's stubtest)."""

from __future__ import annotations

import subprocess
import sys


def test_stub_matches_the_compiled_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "crypto_trading_engine.backtesting"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
