"""A ProfileReport as text for a person or as JSON for scripts and CI (fields in docs/profiling.md)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..profile.classify import format_seconds
from ..profile.run import FunctionRow, ProfileReport

JSON_VERSION = 1
_VERDICTS = {
    "too_cheap": "too cheap per call",
    "waiting": "waiting",
    "native": "native already",
    "vectorized": "numpy arithmetic",
    "engine": "served by the engine",
}


def render_json(report: ProfileReport) -> str:
    """The report as one JSON document."""
    return json.dumps(report_to_dict(report), indent=2)


def report_to_dict(report: ProfileReport) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "ok": report.ok,
        "target": {**asdict(report.target), "argv": list(report.target.argv)},
        "sampler": report.sampler,
        "requested_sampler": report.requested_sampler,
        "fallback_reason": report.fallback_reason,
        "native": report.native,
        "total_s": report.total_s,
        "wall_s": report.wall_s,
        "samples": report.samples,
        "sort": report.sort,
        "show_all": report.show_all,
        "hidden": report.hidden,
        "functions": [asdict(row) for row in report.functions],
        "candidates": [{**asdict(c), "worth_moving": c.worth_moving} for c in report.candidates],
        "profile": {"path": str(report.profile_path), "format": report.profile_format},
        "flamegraph": str(report.flamegraph_path) if report.flamegraph_path else None,
        "failure": asdict(report.failure) if report.failure else None,
        "target_output": report.target_output,
    }


def render_text(report: ProfileReport, *, cwd: Path) -> str:
    """The report as a person reads it: what ran, the table, the candidates, where the files are."""
    parts = [_header(report), _table(report), _candidates(report), _files(report, cwd)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _header(report: ProfileReport) -> str:
    how = f"py-spy ({report.samples} samples)" if report.sampler == "py-spy" else "cProfile"
    lines = [
        f"Profiled {report.target.spec} ({report.target.kind}) with {how}"
        f"{' and native frames' if report.native else ''}: {format_seconds(report.total_s)} profiled, "
        f"{format_seconds(report.wall_s)} wall"
    ]
    if report.fallback_reason:
        lines.append(f"note: {report.fallback_reason}")
    if report.failure:
        lines.append(f"note: the target failed ({report.failure.message}); this profile covers what ran")
    return "\n".join(lines)


def _table(report: ProfileReport) -> str:
    if not report.functions:
        return "No function of yours was profiled (--all shows every function)."
    what = "every function" if report.show_all else "your code"
    hidden = (
        ""
        if report.show_all
        else f"; {report.hidden} library and built-in functions hidden, --all shows them"
    )
    title = f"Top {len(report.functions)} functions by {report.sort} time ({what}{hidden}):"
    head = f"{'calls':>10} {'own':>10} {'own %':>6} {'cumulative':>11} {'cum %':>6}  function"
    return "\n".join([title, "", head, *(_table_line(r, report.show_all) for r in report.functions)])


def _table_line(row: FunctionRow, show_origin: bool) -> str:
    calls = "-" if row.calls is None else _calls(row)
    where = row.file if row.line == 0 else f"{row.file}:{row.line}"
    origin = f" [{row.origin}]" if show_origin else ""
    own, cumulative = format_seconds(row.own_s), format_seconds(row.cumulative_s)
    return (
        f"{calls:>10} {own:>10} {row.own_percent:>6.1f} {cumulative:>11} {row.cumulative_percent:>6.1f}"
        f"  {row.qualname}  {where}{origin}"
    )


def _calls(row: FunctionRow) -> str:
    if row.primitive_calls is not None and row.primitive_calls != row.calls:
        return f"{row.calls}/{row.primitive_calls}"  # recursive: total/primitive, as pstats prints it
    return str(row.calls)


def _candidates(report: ProfileReport) -> str:
    if not report.candidates:
        return "Rust candidates: none of your functions takes 1% of the run."
    worth = [c for c in report.candidates if c.worth_moving]
    others = [c for c in report.candidates if not c.worth_moving]
    lines = ["Rust candidates, best first:" if worth else "Rust candidates: none worth moving."]
    for c in worth:
        lines.append(f"  {c.rank}. {c.qualname}  {c.file}:{c.line}  ({c.percent:.1f}% of the run)")
        lines.append(f"     {c.reason}")
        if c.suggested_command:
            lines.append(f"     $ {c.suggested_command}")
        if c.command_problem:
            lines.append(f"     (refused as it stands: {c.command_problem})")
    if others:
        lines += ["", "Not worth moving:"]
        for c in others:
            lines.append(
                f"  - {c.qualname}  {c.file}:{c.line}  ({c.percent:.1f}% of the run): {_VERDICTS[c.verdict]}"
            )
            lines.append(f"     {c.reason}")
    return "\n".join(lines)


def _files(report: ProfileReport, cwd: Path) -> str:
    path = _shown(report.profile_path, cwd)
    if report.profile_format == "pstats":
        lines = [f"Raw profile: {path} (python -m pstats {path}, or snakeviz {path})"]
    else:
        lines = [f"Raw profile: {path} (folded stacks: speedscope, inferno or flamegraph.pl read it)"]
    if report.flamegraph_path:
        lines.append(f"Flame graph: {_shown(report.flamegraph_path, cwd)} (open it in a browser)")
    return "\n".join(lines)


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path)
