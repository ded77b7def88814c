
def log_returns(prices: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...

__all__ += ["log_returns"]
