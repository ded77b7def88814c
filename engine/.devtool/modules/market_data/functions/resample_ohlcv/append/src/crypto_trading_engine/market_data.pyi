
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
