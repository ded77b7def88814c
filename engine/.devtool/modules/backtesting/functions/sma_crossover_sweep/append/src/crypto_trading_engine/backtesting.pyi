
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
