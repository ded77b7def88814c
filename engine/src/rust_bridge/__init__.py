"""The engine's Python API: Rust when the compiled engine is available, a numpy fallback otherwise.

Every function takes `backend="auto" | "rust" | "python"` (keyword-only) so tests and benchmarks
can call either implementation in one process. Set RUST_BRIDGE_FORCE_FALLBACK=1 to serve every
call from the fallback.
"""

from ._native import FORCE_FALLBACK_ENV, RUST_AVAILABLE, Backend
from .backtesting_py import (
    BacktestResult,
    SweepTable,
    backtest,
    sma_crossover_sweep,
)
from .market_data_py import (
    Bars,
    log_returns,
    resample_ohlcv,
    rolling_volatility,
    vwap,
)
from .technical_py import (
    atr,
    atr_batch,
    bollinger_bands,
    bollinger_bands_batch,
    ema,
    ema_batch,
    macd,
    macd_batch,
    rsi,
    rsi_batch,
    sma,
    sma_batch,
)

__all__ = [
    "FORCE_FALLBACK_ENV",
    "RUST_AVAILABLE",
    "Backend",
    "BacktestResult",
    "Bars",
    "SweepTable",
    "atr",
    "atr_batch",
    "backtest",
    "bollinger_bands",
    "bollinger_bands_batch",
    "ema",
    "ema_batch",
    "log_returns",
    "macd",
    "macd_batch",
    "resample_ohlcv",
    "rolling_volatility",
    "rsi",
    "rsi_batch",
    "sma",
    "sma_batch",
    "sma_crossover_sweep",
    "vwap",
]
