
def rolling_volatility(
    returns: npt.NDArray[np.float64], window: int, periods_per_year: float
) -> npt.NDArray[np.float64]: ...

__all__ += ["rolling_volatility"]
