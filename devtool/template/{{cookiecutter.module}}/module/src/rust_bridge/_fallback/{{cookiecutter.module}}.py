"""The `{{ cookiecutter.module }}` engine module in numpy.

The fallback when the compiled engine is missing, and the oracle of the parity tests. Inputs
arrive normalised by the bridge (C-contiguous float64/int64 arrays, checked scalars).
"""

from __future__ import annotations

import numpy as np

from .. import _convert


def _check_length(name: str, values: np.ndarray, first: str, expected: int) -> None:
    """The kernels' length check, with the same message."""
    if len(values) != expected:
        raise ValueError(
            f"{name} must have the same length as {first}: {len(values)} != {expected}",
        )
{% include "function/fallback.py.j2" %}
