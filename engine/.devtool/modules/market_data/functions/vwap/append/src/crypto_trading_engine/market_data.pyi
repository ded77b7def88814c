
def vwap(prices: npt.NDArray[np.float64], sizes: npt.NDArray[np.float64]) -> float: ...

__all__ += ["vwap"]
