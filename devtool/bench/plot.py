"""`devtool bench --plot FILE.png`: speedup against input size, one line per function, the gate drawn.

matplotlib is drawn with its Agg canvas directly (no pyplot, no display, no global backend switch),
and imported only when a plot is asked for.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..errors import UsageError
from .results import BenchReport


def ensure_plotting() -> None:
    """Check that a plot can be drawn before minutes of measuring, not after.

    Raises:
        UsageError: matplotlib is not installed.
    """
    if importlib.util.find_spec("matplotlib") is None:
        raise UsageError("--plot needs matplotlib: pip install matplotlib")


def write_plot(report: BenchReport, path: Path) -> Path:
    """Draw the report's speedups into `path` (PNG); returns the path.

    Raises:
        UsageError: the file cannot be written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(8, 5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    bars: set[float] = set()
    for function in report.functions:
        if not function.sizes:
            continue
        sizes = [s.size for s in function.sizes]
        (line,) = ax.plot(sizes, [s.speedup for s in function.sizes], marker="o", label=function.name)
        low, high = [s.ci_low for s in function.sizes], [s.ci_high for s in function.sizes]
        ax.fill_between(sizes, low, high, color=line.get_color(), alpha=0.15, linewidth=0)
        if function.gate is not None:
            bars.add(function.gate.min_speedup)
    for bar in sorted(bars):
        ax.axhline(bar, color="red", linestyle="--", linewidth=1.2, label=f"gate {bar:g}x")
    ax.axhline(1.0, color="grey", linestyle=":", linewidth=1.0, label="as fast as the fallback")
    ax.set_xscale("log")
    ax.set_yscale("log" if _wide(report, bars) else "linear")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}x"))
    ax.set_xlabel("input size (elements)")
    ax.set_ylabel("speedup of Rust over the fallback (x)")
    ax.set_title(f"Rust vs fallback ({report.environment.build_profile} build, 95 % CI shaded)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    try:
        fig.savefig(path, format="png")
    except OSError as err:
        raise UsageError(f"--plot {path}: cannot write it ({err})") from err
    return path


def _wide(report: BenchReport, bars: set[float]) -> bool:
    """Whether the speedups, the gate and 1x span enough to need a log axis (a 100x next to a 2x bar)."""
    values = [s.speedup for f in report.functions for s in f.sizes if s.speedup > 0] + [1.0, *bars]
    return max(values) / min(values) > 20
