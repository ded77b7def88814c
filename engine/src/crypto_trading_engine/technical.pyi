import numpy as np
import numpy.typing as npt

def sma(values: npt.NDArray[np.float64], period: int) -> npt.NDArray[np.float64]: ...
