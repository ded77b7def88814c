import numpy as np
import numpy.typing as npt

__all__: list[str] = []

def resample_ohlcv(
    timestamps: npt.NDArray[np.int64],
    prices: npt.NDArray[np.float64],
    sizes: npt.NDArray[np.float64],
    interval: int,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
]: ...

__all__ += ["resample_ohlcv"]

def log_returns(prices: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...

__all__ += ["log_returns"]

def rolling_volatility(
    returns: npt.NDArray[np.float64], window: int, periods_per_year: float
) -> npt.NDArray[np.float64]: ...

__all__ += ["rolling_volatility"]

def vwap(prices: npt.NDArray[np.float64], sizes: npt.NDArray[np.float64]) -> float: ...

__all__ += ["vwap"]
