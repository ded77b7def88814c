"""Baselines of `devtool bench`: the speedups of a run kept under `.devtool/bench/NAME.json`.

A baseline keeps speedups, not times: a speedup is a ratio of two timings taken in the same rounds,
so a faster or slower runner cancels out of it, and a baseline saved on a laptop still means
something on a CI runner.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DevtoolError, UsageError
from ..workspace import Workspace
from .results import BenchReport, Comparison, ComparisonRow

FORMAT_VERSION = 1
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Baseline:
    """A saved run: speedup and interval per function and size, and where it was measured."""

    name: str
    path: Path
    created: str
    machine: dict[str, Any]
    speedups: dict[str, dict[int, tuple[float, float, float]]]  # name -> size -> (speedup, low, high)


def baseline_path(ws: Workspace, name: str) -> Path:
    """Where baseline `name` lives.

    Raises:
        UsageError: `name` is not a plain file name (letters, digits, `.`, `_`, `-`).
    """
    if not _NAME.fullmatch(name):
        raise UsageError(f"baseline name {name!r}: use letters, digits, '.', '_' and '-' only")
    return ws.state_dir / "bench" / f"{name}.json"


def save_baseline(ws: Workspace, name: str, report: BenchReport) -> Path:
    """Write the report's speedups as baseline `name` (replacing one of that name); returns its path."""
    path = baseline_path(ws, name)
    functions = {
        f.name: {
            str(s.size): {"speedup": s.speedup, "ci_low": s.ci_low, "ci_high": s.ci_high} for s in f.sizes
        }
        for f in report.functions
        if f.sizes
    }
    env = report.environment
    data = {
        "version": FORMAT_VERSION,
        "name": name,
        "created": env.created,
        "machine": {
            "machine": env.machine,
            "cpus": env.cpus,
            "python": env.python,
            "numpy": env.numpy,
            "build_profile": env.build_profile,
        },
        "functions": functions,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_baseline(ws: Workspace, name: str) -> Baseline:
    """Read baseline `name`.

    Raises:
        UsageError: there is no such baseline (the message lists the saved ones).
        DevtoolError: the file is not a baseline devtool wrote.
    """
    path = baseline_path(ws, name)
    if not path.is_file():
        saved = sorted(p.stem for p in path.parent.glob("*.json")) if path.parent.is_dir() else []
        listed = ", ".join(saved) if saved else "none yet (save one with --save NAME)"
        raise UsageError(f"no baseline {name!r} ({path}); saved baselines: {listed}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        speedups = {
            fn: {int(size): (v["speedup"], v["ci_low"], v["ci_high"]) for size, v in sizes.items()}
            for fn, sizes in data["functions"].items()
        }
        return Baseline(name, path, str(data["created"]), dict(data.get("machine", {})), speedups)
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise DevtoolError(f"{path}: not a devtool bench baseline ({type(err).__name__}: {err})") from err


def compare_with(baseline: Baseline, report: BenchReport, tolerance: float) -> Comparison:
    """This run's speedups against the baseline's, at every function and size both measured.

    A regression: even the upper end of this run's interval is below the lower end of the baseline's
    less `tolerance`. As with the gate, noise alone should not fail a run: each interval covers the
    noise within its run, the tolerance the difference between two runs.
    """
    rows = []
    measured = set()
    for function in report.functions:
        before = baseline.speedups.get(function.name, {})
        for s in function.sizes:
            measured.add((function.name, s.size))
            if s.size in before:
                base, base_low, _ = before[s.size]
                regressed = s.ci_high < base_low * (1.0 - tolerance)
                rows.append(
                    ComparisonRow(function.name, s.size, base, base_low, s.speedup, s.ci_high, regressed)
                )
    # Functions this run left out on purpose (a filter) are not news; those it tried are.
    considered = {f.name for f in report.functions} | {name for name, _ in report.skipped}
    only_then = tuple(
        f"{fn} n={size:,}"
        for fn, sizes in sorted(baseline.speedups.items())
        for size in sorted(sizes)
        if fn in considered and (fn, size) not in measured
    )
    return Comparison(
        name=baseline.name,
        path=baseline.path,
        tolerance=tolerance,
        rows=tuple(rows),
        only_in_baseline=only_then,
        baseline_created=baseline.created,
        baseline_machine=baseline.machine,
    )
