"""The speedup gate's settings: `[tool.devtool.bench]` of the pyproject.toml load_config finds.

[tool.devtool.bench]
min-speedup = 2.0          # the bar, for every function
sizes = [100_000, 1_000_000]  # the sizes functions are meant for (default: the largest two measured)
tolerance = 0.10           # --compare: the speedup may drop this much before it is a regression

[tool.devtool.bench.functions."technical.sma"]
min-speedup = 3.0
sizes = [1_000_000]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..workspace import settings_table

DEFAULT_MIN_SPEEDUP = 2.0
DEFAULT_TOLERANCE = 0.10
#: When no sizes are configured, the gate applies at this many of the largest sizes measured.
GATE_LARGEST = 2

_TOP_KEYS = {"min-speedup", "sizes", "tolerance", "functions"}
_FUNCTION_KEYS = {"min-speedup", "sizes"}


@dataclass(frozen=True)
class FunctionGate:
    """A function's own bar and sizes, where `[tool.devtool.bench.functions."m.f"]` sets them."""

    min_speedup: float | None = None
    sizes: tuple[int, ...] | None = None


@dataclass(frozen=True)
class BenchConfig:
    """The parsed `[tool.devtool.bench]` table (every field optional)."""

    min_speedup: float | None = None
    sizes: tuple[int, ...] | None = None
    tolerance: float | None = None
    functions: dict[str, FunctionGate] = field(default_factory=dict)

    def configured_sizes(self, name: str) -> tuple[int, ...] | None:
        """The sizes function `name` is meant for, if the configuration says."""
        own = self.functions.get(name, FunctionGate())
        return own.sizes if own.sizes is not None else self.sizes


@dataclass(frozen=True)
class Gate:
    """The bar a function must reach, and where: `note` says when the configured sizes were not measured."""

    min_speedup: float
    sizes: tuple[int, ...]
    note: str | None = None


def parse_config(devtool_table: dict[str, Any]) -> BenchConfig:
    """The `bench` sub-table of `[tool.devtool]`, checked.

    Raises:
        UsageError: an unknown key (a typo would silently keep the default) or a value of the wrong kind.
    """
    where = "[tool.devtool.bench]"
    table = settings_table(devtool_table.get("bench", {}), _TOP_KEYS, where)
    functions = table.get("functions", {})
    if not isinstance(functions, dict):
        raise UsageError(f"{where} functions must be a table of tables")
    gates = {}
    for name, entry in functions.items():
        inner = f'[tool.devtool.bench.functions."{name}"]'
        entry = settings_table(entry, _FUNCTION_KEYS, inner)
        gates[name] = FunctionGate(_speedup(entry, inner), _sizes(entry, inner))
    tolerance = table.get("tolerance")
    if tolerance is not None and not (isinstance(tolerance, int | float) and 0 <= tolerance < 1):
        raise UsageError(f"{where} tolerance must be a fraction from 0 to 1 (0.1 is 10 %), got {tolerance!r}")
    return BenchConfig(
        min_speedup=_speedup(table, where),
        sizes=_sizes(table, where),
        tolerance=None if tolerance is None else float(tolerance),
        functions=gates,
    )


def gate_for(
    config: BenchConfig, name: str, measured: Sequence[int], *, override: float | None = None
) -> Gate:
    """The bar and the gated sizes of function `name`, given the sizes it was measured at.

    The bar: `override` (--min-speedup), else the function's own, else the table's, else 2.0.
    The sizes: the configured ones that were measured; else the largest two measured.
    """
    own = config.functions.get(name, FunctionGate())
    bar = next(
        (v for v in (override, own.min_speedup, config.min_speedup) if v is not None), DEFAULT_MIN_SPEEDUP
    )
    largest = tuple(sorted(measured)[-GATE_LARGEST:])
    wanted = config.configured_sizes(name)
    if wanted is None:
        return Gate(bar, largest)
    kept = tuple(sorted(set(wanted) & set(measured)))
    if kept:
        return Gate(bar, kept)
    note = f"meant for sizes {', '.join(f'{n:,}' for n in wanted)}, not measured in this run"
    return Gate(bar, largest, note=note)


def _speedup(table: dict[str, Any], where: str) -> float | None:
    value = table.get("min-speedup")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{where} min-speedup must be a number above 0, got {value!r}")
    return check_min_speedup(float(value), f"{where} min-speedup")


def check_min_speedup(value: float, where: str) -> float:
    """`value` if it is a usable bar: finite and above 0 (every comparison with NaN is false, so a NaN
    bar would silently pass every function).

    Raises:
        UsageError: NaN, an infinity, 0 or below.
    """
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"{where} must be a finite number above 0 (a speedup such as 2.0), got {value!r}")
    return value


def _sizes(table: dict[str, Any], where: str) -> tuple[int, ...] | None:
    value = table.get("sizes")
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise UsageError(f"{where} sizes must be a non-empty list of input sizes, got {value!r}")
    sizes = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | float) or item < 1 or item != int(item):
            raise UsageError(f"{where} sizes: {item!r} is not a whole number >= 1")
        sizes.append(int(item))
    return tuple(sorted(set(sizes)))
