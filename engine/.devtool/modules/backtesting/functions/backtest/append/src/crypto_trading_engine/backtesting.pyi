
def backtest(
    close: npt.NDArray[np.float64],
    position: npt.NDArray[np.float64],
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
) -> tuple[npt.NDArray[np.float64], float, float, float, float, int, float]: ...

__all__ += ["backtest"]
