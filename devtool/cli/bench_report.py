"""A BenchReport as text for a person or as JSON for scripts and CI (fields in docs/bench.md)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from ..bench.results import BenchReport, Comparison, Environment, FunctionResult, GateResult, SizeResult
from ..bench.run import verdict
from ..bench.timing import ThreadScaling

JSON_VERSION = 1

_HEAD = (
    f"{'size':>11}  {'fallback':>9}  {'Rust':>9}  {'fallback ns/el':>14}  {'Rust ns/el':>10}"
    f"  {'speedup':>8}  {'95% CI':>16}  {'rounds':>6}"
)


# --- JSON ----------------------------------------------------------------------------------------


def render_json(report: BenchReport) -> str:
    """The report as one JSON document, every figure included (raw per-round times too)."""
    return json.dumps(report_to_dict(report), indent=2)


def report_to_dict(report: BenchReport) -> dict[str, Any]:
    failure = verdict(report)
    env, settings = report.environment, report.settings
    return {
        "version": JSON_VERSION,
        "ok": failure is None,
        "exit_code": 0 if failure is None else failure.exit_code,
        "error": None if failure is None else str(failure),
        "environment": {**asdict(env), "engine": str(env.engine), "bridge": str(env.bridge)},
        "settings": {**asdict(settings), "sizes": list(settings.sizes)},
        "functions": [_function_dict(f) for f in report.functions],
        "skipped": [{"name": name, "reason": reason} for name, reason in report.skipped],
        "warnings": list(report.warnings),
        "notes": list(report.notes),
        "comparison": _comparison_dict(report.comparison) if report.comparison else None,
        "saved": str(report.saved) if report.saved else None,
        "plot": str(report.plot) if report.plot else None,
    }


def _function_dict(f: FunctionResult) -> dict[str, Any]:
    largest = f.largest
    return {
        "name": f.name,
        "source": str(f.source),
        "status": f.status,
        "parity": {
            "ok": f.parity.ok,
            "sizes": list(f.parity.sizes),
            "mismatch_size": f.parity.mismatch_size,
            "mismatch": f.parity.mismatch.describe() if f.parity.mismatch else None,
        },
        "sizes": [_size_dict(s) for s in f.sizes],
        "crossover": None if f.crossover is None or math.isinf(f.crossover) else f.crossover,
        "rust_never_faster": f.crossover is not None and math.isinf(f.crossover),
        "speedup_at_largest": largest.speedup if largest else None,
        "gate": _gate_dict(f.gate) if f.gate else None,
        "threads": asdict(f.threads) if f.threads else None,
    }


def _size_dict(s: SizeResult) -> dict[str, Any]:
    return {
        "size": s.size,
        "rounds": s.rounds,
        "fallback_median_s": s.fallback_median_s,
        "rust_median_s": s.rust_median_s,
        "fallback_ns_per_element": s.fallback_ns_per_element,
        "rust_ns_per_element": s.rust_ns_per_element,
        "speedup": s.speedup,
        "ci_low": s.ci_low,
        "ci_high": s.ci_high,
        "fallback_calls_per_round": s.fallback_number,
        "rust_calls_per_round": s.rust_number,
        "fallback_s": list(s.fallback_s),
        "rust_s": list(s.rust_s),
    }


def _gate_dict(g: GateResult) -> dict[str, Any]:
    return {
        "min_speedup": g.min_speedup,
        "sizes": list(g.sizes),
        "passed": g.passed,
        "note": g.note,
        "misses": [{**asdict(m), "shortfall": m.shortfall} for m in g.misses],
    }


def _comparison_dict(c: Comparison) -> dict[str, Any]:
    return {
        "baseline": c.name,
        "path": str(c.path),
        "tolerance": c.tolerance,
        "baseline_created": c.baseline_created,
        "baseline_machine": c.baseline_machine,
        "rows": [{**asdict(r), "change": r.change} for r in c.rows],
        "regressions": len(c.regressions),
        "only_in_baseline": list(c.only_in_baseline),
    }


# --- text ----------------------------------------------------------------------------------------


def render_text(report: BenchReport) -> str:
    """The tables, the summary, the comparison and where files went."""
    parts = [
        _header(report),
        *(_function_text(f, report.environment) for f in report.functions),
        _summary(report),
    ]
    if report.comparison is not None:
        parts.append(_comparison_text(report.comparison))
    parts.append(_footer(report))
    return "\n\n".join(p for p in parts if p) + "\n"


def render_warnings(report: BenchReport) -> list[str]:
    """The warnings, each a line meant for stderr."""
    return [f"warning: {w}" for w in report.warnings]


def _header(report: BenchReport) -> str:
    env, s = report.environment, report.settings
    rounds = (
        f"{s.rounds} paired rounds"
        if s.min_rounds == s.rounds
        else f"{s.min_rounds}-{s.rounds} paired rounds"
    )
    lines = [
        f"devtool bench: {env.build_profile} build, {env.machine}, {env.cpus} CPUs "
        f"(load average {env.load_average:.1f}), Python {env.python}, numpy {env.numpy}",
        f"engine {env.engine}; {rounds} per size, each loop >= {s.min_round_s * 1e3:g} ms, "
        f"GC off; speedup = median of fallback/Rust per round, 95% bootstrap CI (seed {s.seed})",
    ]
    if env.build_profile == "debug":
        lines.append("!!! DEBUG BUILD: Rust is unoptimised; these speedups are not the real ones !!!")
    return "\n".join(lines)


def _function_text(f: FunctionResult, env: Environment) -> str:
    title = (
        f.name if f.gate is None else f"{f.name}   gate: >= {f.gate.min_speedup:g}x at {_sizes(f.gate.sizes)}"
    )
    if not f.parity.ok:
        assert f.parity.mismatch is not None
        detail = f.parity.mismatch.describe()
        return f"{f.name}\n  PARITY MISMATCH at n={f.parity.mismatch_size:,}: {detail}\n  (not timed)"
    lines = [title, _HEAD]
    lines += [_row(s) for s in f.sizes]
    lines.append(f"  crossover: {_crossover(f.crossover)}")
    if f.gate is not None and f.gate.note:
        lines.append(f"  gate: {f.gate.note}; checked at the largest sizes measured instead")
    if f.threads is not None:
        lines.append(f"  threads: {_threads(f.threads, env)}")
    return "\n".join(lines)


def _row(s: SizeResult) -> str:
    ci = f"[{_ratio(s.ci_low)}, {_ratio(s.ci_high)}]"
    return (
        f"{s.size:>11,}  {format_seconds(s.fallback_median_s):>9}  {format_seconds(s.rust_median_s):>9}"
        f"  {s.fallback_ns_per_element:>14.3g}  {s.rust_ns_per_element:>10.3g}"
        f"  {_ratio(s.speedup) + 'x':>8}  {ci:>16}  {s.rounds:>6}"
    )


def _ratio(value: float) -> str:
    """A speedup with three significant digits, without the exponent `g` would use: 0.523, 4.27, 213."""
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _crossover(value: float | None) -> str:
    if value is None:
        return "none, Rust is faster at every size measured"
    if math.isinf(value):
        return "Rust is slower than the fallback at every size measured"
    return f"~{value:,.0f} elements (Rust is slower than the fallback below it: call and conversion overhead)"


def _threads(t: ThreadScaling, env: Environment) -> str:
    ideal = min(t.threads, env.cpus)
    if ideal > 1 and t.ratio >= 1 + 0.3 * (ideal - 1):
        judged = "they run in parallel: the GIL is released"
    else:
        judged = (
            f"no parallel gain: the GIL is held, or no CPU was free (load average {env.load_average:.1f} "
            f"on {env.cpus} CPUs as the run started)"
        )
    return (
        f"{t.threads} threads calling Rust at once: {t.ratio:.2f}x the calls/s of one thread "
        f"(ideal {ideal}x; {format_seconds(t.single_s)} a call alone, {format_seconds(t.concurrent_s)} "
        f"wall per call together): {judged}"
    )


def _summary(report: BenchReport) -> str:
    width = max((len(f.name) for f in report.functions), default=0)
    lines = ["Summary"]
    for f in report.functions:
        lines.append(f"  {_status_word(f):<6}  {f.name:<{width}}  {_summary_detail(f)}")
    return "\n".join(lines)


def _status_word(f: FunctionResult) -> str:
    return {"pass": "PASS", "fail": "FAIL", "parity-mismatch": "PARITY"}[f.status]


def _summary_detail(f: FunctionResult) -> str:
    largest = f.largest
    if largest is None:
        return f"Rust and the fallback disagree at n={f.parity.mismatch_size:,}"
    ci = f"[{_ratio(largest.ci_low)}, {_ratio(largest.ci_high)}]"
    text = f"{_ratio(largest.speedup)}x at {largest.size:,} {ci}"
    if f.gate is None:
        return text
    if f.gate.passed:
        marginal = [s for s in f.sizes if s.size in f.gate.sizes and s.speedup < f.gate.min_speedup]
        hint = " (within noise of the bar at " + _sizes([s.size for s in marginal]) + ")" if marginal else ""
        return f"{text}, gate {f.gate.min_speedup:g}x{hint}"
    misses = "; ".join(
        f"{_ratio(m.speedup)}x at {m.size:,} is {_ratio(m.shortfall)}x ({m.shortfall / m.min_speedup:.0%}) "
        f"below the {m.min_speedup:g}x bar (CI upper end {_ratio(m.ci_high)}x)"
        for m in f.gate.misses
    )
    return f"{text}; {misses}"


def _comparison_text(c: Comparison) -> str:
    machine = c.baseline_machine.get("machine", "?")
    lines = [
        f"Against baseline {c.name!r} (saved {c.baseline_created} on {machine}): "
        f"regressed: the CI's upper end is more than {c.tolerance:.0%} below the baseline CI's lower end",
        f"  {'function':<24} {'size':>11}  {'baseline':>8}  {'now':>8}  {'change':>7}",
    ]
    for r in c.rows:
        flag = "  REGRESSED" if r.regressed else ""
        lines.append(
            f"  {r.name:<24} {r.size:>11,}  {_ratio(r.baseline) + 'x':>8}  {_ratio(r.speedup) + 'x':>8}"
            f"  {r.change:>+7.0%}{flag}"
        )
    if c.only_in_baseline:
        lines.append(f"  in the baseline but not measured now: {', '.join(c.only_in_baseline)}")
    return "\n".join(lines)


def _footer(report: BenchReport) -> str:
    lines = [f"skipped {name}: {reason}" for name, reason in report.skipped]
    lines += list(report.notes)
    if report.saved is not None:
        lines.append(f"baseline saved: {report.saved}")
    if report.plot is not None:
        lines.append(f"plot written: {report.plot}")
    return "\n".join(lines)


def _sizes(sizes: Any) -> str:
    return ", ".join(f"{n:,}" for n in sizes)


def format_seconds(seconds: float) -> str:
    """`1.23 s`, `45.6 ms`, `7.8 µs`, `120 ns`: three significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"
