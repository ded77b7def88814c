"""`devtool bench`: the click command; main.add_command(bench_command) puts it under `devtool`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..bench.config import check_min_speedup
from ..bench.measure import BenchProgress, BenchStep
from ..bench.results import BenchReport
from ..bench.run import DEFAULT_SIZES, QUICK_SIZES, BenchRequest, run_bench, verdict
from ..errors import DevtoolError, UsageError
from ..workspace import find_workspace
from .bench_report import render_json, render_text, render_warnings

_EPILOG = """\b
Examples:
  devtool bench                                  every function, sizes 1e3..1e6
  devtool bench technical.sma technical.rsi --sizes 1e3,1e5 --plot speedup.png
  devtool bench --quick --compare main           CI smoke run against a saved baseline
  devtool bench --save main --json bench.json    keep this run's speedups as baseline "main"

\b
Exit codes: 0 every function agrees and passes its gate, 1 error, 2 invalid input,
no compiled engine or a debug build, 4 --build failed, 7 Rust and the fallback
disagree, 8 a function is below its speedup gate, 9 a speedup regressed against
the --compare baseline. The gate and the baseline are in docs/bench.md.
"""


def _parse_sizes(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, ...] | None:
    """A comma-separated list of input sizes: 1e3,1e5 or 1000,100_000."""
    if value is None:
        return None
    sizes = []
    for item in value.split(","):
        try:
            number = float(item.strip().replace("_", ""))
        except ValueError:
            raise click.BadParameter(f"{item.strip()!r} is not a number (sizes look like 1e3,1e5)") from None
        if not number.is_integer() or number < 1:
            raise click.BadParameter(f"{item.strip()!r} is not a whole number of elements >= 1")
        sizes.append(int(number))
    return tuple(sorted(set(sizes)))


def _parse_fraction(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """A fraction, written 0.1 or 10%."""
    if value is None:
        return None
    text = value.strip()
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a fraction (0.1 or 10%)") from None
    if not 0 <= number < 1:
        raise click.BadParameter(f"{text!r} must be from 0 to 1 (100%)")
    return number


def _parse_min_speedup(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is None:
        return None
    try:
        return check_min_speedup(value, "--min-speedup")
    except UsageError as err:
        raise click.BadParameter(str(err).removeprefix("--min-speedup ")) from None


def _sizes_text(sizes: tuple[int, ...]) -> str:
    return ",".join(f"1e{len(str(n)) - 1}" for n in sizes)


@click.command("bench", epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("names", nargs=-1, metavar="[MODULE[.FUNCTION]]...")
@click.option(
    "--sizes",
    metavar="SIZES",
    callback=_parse_sizes,
    help=f"Input sizes, comma-separated  [default: {_sizes_text(DEFAULT_SIZES)}; "
    f"--quick: {_sizes_text(QUICK_SIZES)}]",
)
@click.option("--quick", is_flag=True, help="CI smoke run: small sizes, few rounds.")
@click.option(
    "--rounds",
    type=click.IntRange(min=2),
    help="Paired rounds per size  [default: 20, fewer (>= 5) once a size took 5 s; --quick: 3-5]",
)
@click.option(
    "--min-speedup",
    type=float,
    callback=_parse_min_speedup,
    help="The gate's bar for every function  [default: [tool.devtool.bench] min-speedup, else 2.0]",
)
@click.option(
    "--tolerance",
    metavar="FRACTION",
    callback=_parse_fraction,
    help="--compare: allowed drop of a speedup, 0.1 or 10%  "
    "[default: [tool.devtool.bench] tolerance, else 10%]",
)
@click.option(
    "--threads",
    type=click.IntRange(min=2),
    help="Also time N threads calling Rust at once against one thread (is the GIL released?).",
)
@click.option("--build", is_flag=True, help="Build the engine optimised (maturin develop --release) first.")
@click.option("--allow-debug", is_flag=True, help="Time a debug build anyway (with a loud warning).")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write every figure as JSON to FILE ('-': stdout, instead of the tables).",
)
@click.option("--save", metavar="NAME", help="Keep this run's speedups as baseline NAME (.devtool/bench/).")
@click.option("--compare", metavar="NAME", help="Compare with baseline NAME; fail on a speedup regression.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw speedup against input size into FILE.png (needs matplotlib).",
)
@click.option(
    "--engine",
    type=click.Path(file_okay=False, path_type=Path),
    help="The engine workspace (default: found from the current folder or [tool.devtool] engine).",
)
@click.pass_context
def bench_command(
    ctx: click.Context,
    names: tuple[str, ...],
    sizes: tuple[int, ...] | None,
    quick: bool,
    rounds: int | None,
    min_speedup: float | None,
    tolerance: float | None,
    threads: int | None,
    build: bool,
    allow_debug: bool,
    json_path: Path | None,
    save: str | None,
    compare: str | None,
    plot: Path | None,
    engine: Path | None,
) -> None:
    """Time each function's Rust implementation against its fallback, by input size, and gate the speedup.

    First checks that Rust and the fallback agree on the benchmark data, then times them in
    paired rounds (so machine drift cancels out), and prints per function: the times, ns per
    element, the speedup with its 95% confidence interval, the crossover size and pass or fail.
    The functions and their inputs come from BENCH_CASES in engine/benchmarks/test_*.py.
    """
    request = BenchRequest(
        names=names,
        sizes=sizes,
        quick=quick,
        rounds=rounds,
        min_speedup=min_speedup,
        tolerance=tolerance,
        threads=threads,
        build=build,
        allow_debug=allow_debug,
        save=save,
        compare=compare,
        plot=plot,
    )
    report: BenchReport | None = None
    try:
        ws = find_workspace(engine=engine)
        with _progress() as progress:
            report = run_bench(ws, request, progress=progress)
        for line in render_warnings(report):
            click.secho(line, fg="yellow", err=True, bold=report.environment.build_profile == "debug")
        _emit(report, json_path)
        failure = verdict(report)
        if failure is not None:
            raise failure
    except DevtoolError as err:
        if json_path is not None and str(json_path) == "-" and report is None:  # scripts still get JSON
            click.echo(json.dumps({"ok": False, "error": str(err), "exit_code": err.exit_code}))
        click.secho(f"error: {err}", fg="red", err=True)
        ctx.exit(err.exit_code)


def _emit(report: BenchReport, json_path: Path | None) -> None:
    if json_path is not None and str(json_path) == "-":
        click.echo(render_json(report))
        return
    click.echo(render_text(report), nl=False)
    if json_path is not None:
        try:
            json_path.write_text(render_json(report) + "\n", encoding="utf-8")
        except OSError as err:
            raise DevtoolError(f"--json {json_path}: cannot write it ({err})") from err
        click.echo(f"JSON written: {json_path}")


@contextmanager
def _progress() -> Iterator[BenchProgress]:
    """A bar over the functions and sizes on stderr; one plain line per step when stderr is not a tty."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        building = False

        def plain(step: BenchStep) -> None:
            nonlocal building
            if step.phase == "build":
                if not building:
                    click.echo("==> build (maturin develop --release) ...", err=True)
                building = True
                return
            size = f" n={step.size:,}" if step.size is not None else ""
            click.echo(f"==> [{step.done + 1}/{step.total}] {step.function}{size} {step.phase}", err=True)

        yield plain
        return
    columns = (
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def update(step: BenchStep) -> None:
            if step.phase == "build":
                bar.update(task, description=f"build: {step.detail[:33]}")
                return
            size = f" n={step.size:,}" if step.size is not None else ""
            bar.update(
                task, description=f"{step.function}{size} {step.phase}", completed=step.done, total=step.total
            )

        yield update
