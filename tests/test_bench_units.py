"""`devtool bench`'s pure parts: the statistics, the parity rule, the gate's settings, the option parsing."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from devtool.bench.cases import BenchCase, Runnable, Skipped, resolve, select_cases, uncovered
from devtool.bench.config import DEFAULT_MIN_SPEEDUP, gate_for, parse_config
from devtool.bench.memory import available_memory, check_fits
from devtool.bench.parity import compare_results
from devtool.bench.stats import bootstrap_ci, crossover, median, paired_ratios
from devtool.bench.timing import RoundPlan, calibrate, paired_rounds
from devtool.cli.bench import bench_command
from devtool.errors import UsageError

# --- statistics ----------------------------------------------------------------------------------


def test_bootstrap_interval_is_seeded_and_holds_the_median() -> None:
    ratios = [3.0, 3.2, 2.9, 3.1, 3.05, 2.95, 3.3, 3.0]
    first = bootstrap_ci(ratios, seed=0)
    assert first == bootstrap_ci(ratios, seed=0)
    assert first[0] <= median(ratios) <= first[1]
    assert min(ratios) <= first[0] and first[1] <= max(ratios)


def test_bootstrap_interval_narrows_with_agreeing_rounds() -> None:
    noisy = bootstrap_ci([1.0, 3.0, 2.0, 5.0, 1.5, 4.0], seed=1)
    steady = bootstrap_ci([2.0, 2.01, 1.99, 2.0, 2.02, 1.98], seed=1)
    assert steady[1] - steady[0] < (noisy[1] - noisy[0]) / 10


def test_speedup_is_taken_round_by_round() -> None:
    # The machine got twice as slow in the second round: both sides slowed, the ratio did not move.
    assert paired_ratios([10.0, 20.0], [2.0, 4.0]) == [5.0, 5.0]


def test_crossover_interpolates_where_the_speedup_crosses_one() -> None:
    at = crossover([1_000, 10_000, 100_000], [0.5, 2.0, 8.0])
    assert at is not None and 1_000 < at < 10_000
    assert at == pytest.approx(10 ** (3 + 0.5), rel=1e-9)  # log-log: halfway between 0.5x and 2x


def test_crossover_absent_or_never() -> None:
    assert crossover([1_000, 10_000], [1.5, 3.0]) is None
    assert crossover([1_000, 10_000], [0.5, 0.8]) == math.inf


# --- parity --------------------------------------------------------------------------------------


def test_parity_treats_nan_as_equal_and_allows_rounding() -> None:
    a = np.array([np.nan, 1.0, 2.0, np.inf])
    assert compare_results(a, a * (1 + 1e-12)) is None


def test_parity_finds_the_first_difference() -> None:
    rust, fallback = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0 + 1e-6, 3.5])
    found = compare_results(rust, fallback)
    assert found is not None and found.index == (1,) and found.count == 2


def test_parity_compares_tuples_element_by_element() -> None:
    same = (np.zeros(3), np.ones(3))
    assert compare_results(same, (np.zeros(3), np.ones(3))) is None
    found = compare_results(same, (np.zeros(3), np.full(3, 2.0)))
    assert found is not None and found.path == "[1]"
    assert compare_results(same, (np.zeros(3),)) is not None


def test_parity_near_zero_has_an_absolute_floor() -> None:
    # A difference of 1e-12 around zero is rounding (MACD's histogram crossing zero), not a mismatch.
    assert compare_results(np.array([1e-12, 100.0]), np.array([0.0, 100.0])) is None
    assert compare_results(np.array([1e-3, 100.0]), np.array([0.0, 100.0])) is not None


def test_parity_judges_each_element_on_its_own_scale() -> None:
    # A large element elsewhere must not widen a small element's tolerance: 100 is not 1000.
    found = compare_results(np.array([1e12, 100.0]), np.array([1e12, 1000.0]))
    assert found is not None and found.index == (1,) and found.count == 1
    assert compare_results(np.array([1e12, 100.0]), np.array([1e12 * (1 + 1e-12), 100.0])) is None


def test_parity_of_scalars_and_shapes() -> None:
    assert compare_results(3.0, 3.0 + 1e-12) is None
    assert compare_results(1.0, math.inf) is not None
    assert compare_results(np.zeros(3), np.zeros(4)) is not None


# --- the harness ---------------------------------------------------------------------------------


def test_calibrated_loop_lasts_the_minimum() -> None:
    def call() -> int:
        return sum(range(100))

    number = calibrate(call, 2e-3)
    assert number > 1


def test_paired_rounds_time_both_sides_every_round() -> None:
    plan = RoundPlan(rounds=4, min_rounds=4, budget_s=10.0, min_round_s=1e-4)
    times = paired_rounds(lambda: sum(range(10)), lambda: sum(range(1000)), plan)
    assert len(times.rust) == len(times.fallback) == 4
    assert median(paired_ratios(times.fallback, times.rust)) > 3


# --- the gate's settings -------------------------------------------------------------------------


def test_gate_defaults_to_two_at_the_largest_two_sizes() -> None:
    gate = gate_for(parse_config({}), "m.f", [1_000, 10_000, 100_000])
    assert (gate.min_speedup, gate.sizes) == (DEFAULT_MIN_SPEEDUP, (10_000, 100_000))


def test_function_settings_win_over_the_table_and_the_option_over_both() -> None:
    config = parse_config(
        {"bench": {"min-speedup": 3.0, "functions": {"m.f": {"min-speedup": 5.0, "sizes": [1000]}}}}
    )
    assert gate_for(config, "m.f", [1_000, 10_000]).min_speedup == 5.0
    assert gate_for(config, "m.f", [1_000, 10_000]).sizes == (1_000,)
    assert gate_for(config, "m.g", [1_000, 10_000]).min_speedup == 3.0
    assert gate_for(config, "m.f", [1_000], override=1.5).min_speedup == 1.5


def test_configured_sizes_not_measured_fall_back_to_the_largest_with_a_note() -> None:
    config = parse_config({"bench": {"sizes": [1e6]}})
    gate = gate_for(config, "m.f", [1_000, 10_000])
    assert gate.sizes == (1_000, 10_000) and gate.note is not None


@pytest.mark.parametrize(
    "table",
    [
        {"min_speedup": 2.0},  # the typo of min-speedup
        {"min-speedup": -1},
        {"sizes": [0]},
        {"tolerance": 5},
        {"functions": {"m.f": {"bar": 1}}},
    ],
)
def test_bad_settings_are_refused(table: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        parse_config({"bench": table})


# --- the command line ----------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", ["1e3,abc", "1.5", "0"])
def test_bad_sizes_are_a_usage_error(sizes: str) -> None:
    result = CliRunner().invoke(bench_command, ["--sizes", sizes])
    assert result.exit_code == 2, result.output


def test_bad_tolerance_is_a_usage_error() -> None:
    result = CliRunner().invoke(bench_command, ["--tolerance", "150%"])
    assert result.exit_code == 2, result.output


# --- what is refused before anything is timed ------------------------------------------------------


@pytest.mark.parametrize("bar", ["nan", "inf", "0", "-1"])
def test_min_speedup_must_be_a_finite_number_above_zero(bar: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(bench_command, ["--min-speedup", bar, "--engine", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "--min-speedup" in result.output and "finite number above 0" in result.output


def test_configured_min_speedup_nan_is_refused() -> None:
    with pytest.raises(UsageError, match="finite number above 0"):
        parse_config({"bench": {"min-speedup": math.nan}})


def _case(inputs: Callable[[int], dict[str, Any]]) -> BenchCase:
    return BenchCase(name="rolling.zscore", inputs=inputs, source=Path("test_bench_rolling_zscore.py"))


def test_sizes_that_do_not_fit_in_memory_are_refused_with_the_figures() -> None:
    case = _case(lambda n: {"values": np.zeros(n), "window": 20})
    with pytest.raises(UsageError) as refused:
        check_fits(case, [1_000, 10**12], available=8 * 2**30)
    message = str(refused.value)
    assert "rolling.zscore at n=1,000,000,000,000" in message and "8.0 GiB is available" in message
    assert "8 bytes of input per element" in message and "smaller --sizes" in message
    check_fits(case, [1_000, 1_000_000], available=8 * 2**30)  # 48 MB: fits


def test_available_memory_reads_meminfo(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16000000 kB\nMemAvailable:    2000000 kB\n")
    assert available_memory(meminfo) == 2_000_000 * 1024


# --- what is skipped, and why ----------------------------------------------------------------------


@pytest.fixture
def fake_bridge() -> Iterator[tuple[ModuleType, ModuleType]]:
    """A `rust_bridge`-like package with a fallback module, and a compiled engine with one submodule."""
    names = ("fakebridge", "fakebridge._fallback", "fakebridge._fallback.strat")
    bridge, fallback_pkg, fallback = (ModuleType(n) for n in names)
    fallback.kama = lambda values: values  # type: ignore[attr-defined]
    bridge.kama = lambda values, backend="auto": values  # type: ignore[attr-defined]
    native, compiled = ModuleType("fakeengine"), ModuleType("fakeengine.strat")
    compiled.kama = lambda values: values  # type: ignore[attr-defined]
    native.strat = compiled  # type: ignore[attr-defined]
    modules = {m.__name__: m for m in (bridge, fallback_pkg, fallback)}
    sys.modules.update(modules)
    yield bridge, native
    for name in modules:
        sys.modules.pop(name, None)


def test_an_unwritten_kernel_is_skipped_not_a_parity_mismatch(
    fake_bridge: tuple[ModuleType, ModuleType],
) -> None:
    bridge, native = fake_bridge
    case = BenchCase(name="strat.kama", inputs=lambda n: {}, source=Path("test_bench_strat_kama.py"))
    assert isinstance(resolve(case, bridge, native), Runnable)
    native.strat._kama_written = False  # type: ignore[attr-defined]
    skipped = resolve(case, bridge, native)
    assert isinstance(skipped, Skipped) and skipped.reason.startswith("kernel not written")
    native.strat._kama_written = True  # type: ignore[attr-defined]
    assert isinstance(resolve(case, bridge, native), Runnable)


def test_functions_without_bench_cases_are_reported_as_skipped() -> None:
    cases = [_case(lambda n: {})]
    functions = ["rolling.zscore", "rolling.count_above", "strat.kama"]
    assert [s.name for s in uncovered(cases, functions, [])] == ["rolling.count_above", "strat.kama"]
    assert [s.name for s in uncovered(cases, functions, ["rolling"])] == ["rolling.count_above"]
    assert uncovered(cases, functions, ["rolling.zscore"]) == []
    (skipped,) = uncovered(cases, functions, ["strat.kama"])
    assert "no BENCH_CASES entry" in skipped.reason
    # A function of the workspace is a known name even without a case; a typo is not.
    assert select_cases(cases, ["strat.kama"], functions) == []
    with pytest.raises(UsageError, match=r"unknown benchmark 'strat\.kamma'"):
        select_cases(cases, ["strat.kamma"], functions)
