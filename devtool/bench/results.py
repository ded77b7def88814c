"""What `devtool bench` found: frozen values the report renders and the exit code is decided from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .parity import Mismatch
from .timing import ThreadScaling

Status = Literal["pass", "fail", "parity-mismatch"]


@dataclass(frozen=True)
class SizeResult:
    """One input size: both implementations' seconds per call, round by round, and the speedup."""

    size: int
    rust_s: tuple[float, ...]
    fallback_s: tuple[float, ...]
    rust_number: int  # calls per timed loop
    fallback_number: int
    rust_median_s: float
    fallback_median_s: float
    speedup: float  # the median of the rounds' fallback / Rust ratios
    ci_low: float  # 95 % bootstrap interval of that median
    ci_high: float

    @property
    def rounds(self) -> int:
        return len(self.rust_s)

    @property
    def rust_ns_per_element(self) -> float:
        return self.rust_median_s * 1e9 / self.size

    @property
    def fallback_ns_per_element(self) -> float:
        return self.fallback_median_s * 1e9 / self.size


@dataclass(frozen=True)
class GateMiss:
    """A gated size where even the upper end of the interval is below the bar."""

    size: int
    speedup: float
    ci_high: float
    min_speedup: float

    @property
    def shortfall(self) -> float:
        """How far the measured speedup is below the bar (in x)."""
        return self.min_speedup - self.speedup


@dataclass(frozen=True)
class GateResult:
    """The bar, the sizes it was checked at, and where it was missed."""

    min_speedup: float
    sizes: tuple[int, ...]
    misses: tuple[GateMiss, ...]
    note: str | None = None

    @property
    def passed(self) -> bool:
        return not self.misses


@dataclass(frozen=True)
class ParityResult:
    """Rust against the fallback on the benchmark data of each size, checked before any timing."""

    sizes: tuple[int, ...]  # the sizes checked (up to and including a mismatch)
    mismatch: Mismatch | None = None
    mismatch_size: int | None = None

    @property
    def ok(self) -> bool:
        return self.mismatch is None


@dataclass(frozen=True)
class FunctionResult:
    """Everything measured for one function; no timings when the parity check failed."""

    name: str
    source: Path
    parity: ParityResult
    sizes: tuple[SizeResult, ...] = ()
    crossover: float | None = None  # math.inf: Rust is slower even at the largest size
    gate: GateResult | None = None
    threads: ThreadScaling | None = None

    @property
    def status(self) -> Status:
        if not self.parity.ok:
            return "parity-mismatch"
        return "pass" if self.gate is None or self.gate.passed else "fail"

    @property
    def largest(self) -> SizeResult | None:
        return self.sizes[-1] if self.sizes else None


@dataclass(frozen=True)
class ComparisonRow:
    """A function at one size, now against the baseline."""

    name: str
    size: int
    baseline: float
    baseline_ci_low: float
    speedup: float
    ci_high: float
    regressed: bool

    @property
    def change(self) -> float:
        """Relative change of the speedup: -0.25 is 25 % slower relative to the fallback than before."""
        return self.speedup / self.baseline - 1.0


@dataclass(frozen=True)
class Comparison:
    """This run against a saved baseline (`--compare NAME`)."""

    name: str
    path: Path
    tolerance: float
    rows: tuple[ComparisonRow, ...]
    only_in_baseline: tuple[str, ...]  # "module.function n=size" measured then, not now
    baseline_created: str
    baseline_machine: dict[str, Any]

    @property
    def regressions(self) -> tuple[ComparisonRow, ...]:
        return tuple(row for row in self.rows if row.regressed)


@dataclass(frozen=True)
class Environment:
    """Where the figures come from: they only compare with figures from the same kind of setup."""

    engine: Path
    bridge: Path  # the rust_bridge package that was timed
    build_profile: str  # "release", "debug" or "unknown"
    python: str
    numpy: str
    machine: str
    cpus: int
    load_average: float  # 1-minute, as the run started: other work on the machine
    created: str  # ISO 8601, UTC


@dataclass(frozen=True)
class Settings:
    """How the run measured."""

    sizes: tuple[int, ...]
    rounds: int
    min_rounds: int
    budget_s: float
    min_round_s: float
    seed: int
    quick: bool
    threads: int | None
    tolerance: float


@dataclass(frozen=True)
class BenchReport:
    """The result of `devtool bench`."""

    environment: Environment
    settings: Settings
    functions: tuple[FunctionResult, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (name, reason)
    warnings: tuple[str, ...] = ()
    comparison: Comparison | None = None
    saved: Path | None = None
    plot: Path | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def parity_failures(self) -> tuple[FunctionResult, ...]:
        return tuple(f for f in self.functions if f.status == "parity-mismatch")

    @property
    def gate_failures(self) -> tuple[FunctionResult, ...]:
        return tuple(f for f in self.functions if f.status == "fail")

    @property
    def ok(self) -> bool:
        regressed = self.comparison is not None and bool(self.comparison.regressions)
        return not (self.parity_failures or self.gate_failures or regressed)
