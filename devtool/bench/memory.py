"""Will the benchmark's inputs fit in memory? Checked before any size is built, so that `--sizes 1e12`
is refused with a figure instead of dying with a MemoryError (or the OOM killer) minutes in."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import UsageError
from .cases import BenchCase
from .measure import build_inputs

#: The size the inputs are built at to learn their bytes per element.
PROBE_SIZE = 1_000
#: At the largest size, besides its inputs: the two results kept for the parity check and the
#: fallback's numpy temporaries, counted as this many more copies of the inputs.
WORKING_COPIES = 4


def available_memory(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Bytes of memory available to a new allocation without swapping, or None where unknown."""
    try:
        for line in meminfo.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def bytes_per_element(case: BenchCase) -> float:
    """What the case's inputs take per element of n, measured at PROBE_SIZE.

    Raises:
        DevtoolError: the inputs do not build at PROBE_SIZE.
    """
    values = build_inputs(case, PROBE_SIZE).values()
    return sum(v.nbytes for v in values if isinstance(v, np.ndarray)) / PROBE_SIZE


def check_fits(case: BenchCase, sizes: Sequence[int], available: int | None) -> None:
    """Refuse sizes whose inputs (all sizes are built before timing) and working copies exceed `available`.

    Raises:
        UsageError: they would not fit; the message gives the estimate and the memory available.
    """
    if available is None or not sizes:
        return
    per_element = bytes_per_element(case)
    needed = per_element * (sum(sizes) + WORKING_COPIES * max(sizes))
    if needed <= available:
        return
    fitting = int(available / (per_element * (1 + WORKING_COPIES))) if per_element else 0
    raise UsageError(
        f"{case.name} at n={max(sizes):,} needs about {_gib(needed)} of memory "
        f"({per_element:g} bytes of input per element, kept for every size, plus working copies), "
        f"and {_gib(available)} is available: choose smaller --sizes (at most about {fitting:.1e} here)"
    )


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB"
