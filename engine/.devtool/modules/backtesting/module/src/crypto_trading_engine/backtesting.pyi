import numpy as np
import numpy.typing as npt

__all__: list[str] = []

def backtest(
    close: npt.NDArray[np.float64],
    position: npt.NDArray[np.float64],
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
) -> tuple[npt.NDArray[np.float64], float, float, float, float, int, float]: ...

__all__ += ["backtest"]

def sma_crossover_sweep(
    close: npt.NDArray[np.float64],
    fast_windows: npt.NDArray[np.int64],
    slow_windows: npt.NDArray[np.int64],
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
    allow_short: bool,
    threads: int,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
]: ...

__all__ += ["sma_crossover_sweep"]
