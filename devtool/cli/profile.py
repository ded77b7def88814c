"""`devtool profile`: the click command; main.add_command(profile_command) puts it under `devtool`."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Literal

import click

from ..errors import DevtoolError
from ..profile.errors import TargetFailed
from ..profile.run import ProfileReport, ProfileRequest, profile
from ..profile.target import parse_target
from .profile_report import render_json, render_text

_EPILOG = """\b
Examples:
  devtool profile examples/strategy.py -- --bars 100000
  devtool profile -m examples.strategy --sort own --flamegraph flame.html
  devtool profile examples.strategy:kama --setup "p = generate_prices(200_000)" --call-args "p, 20"
  devtool profile examples/test_strategy.py::test_backtest_trades --json
"""


@click.command(
    "profile",
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("target")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "-m", "--module", "as_module", is_flag=True, help="TARGET is a module, run as `python -m TARGET`."
)
@click.option(
    "--pytest",
    "as_pytest",
    is_flag=True,
    help="TARGET is a test file or folder for pytest (node ids need no flag).",
)
@click.option("--setup", metavar="CODE", help="For MODULE:FUNCTION: statements run first, unprofiled.")
@click.option(
    "--call-args", metavar="ARGS", help="For MODULE:FUNCTION: the call's arguments, e.g. 'p, period=20'."
)
@click.option(
    "--repeat", type=click.IntRange(min=1), default=1, show_default=True, help="Calls of MODULE:FUNCTION."
)
@click.option(
    "--sampler",
    type=click.Choice(["cprofile", "py-spy"]),
    default="cprofile",
    show_default=True,
    help="cProfile: exact call counts. py-spy: low overhead, falls back to cProfile when refused.",
)
@click.option("--native", is_flag=True, help="With py-spy: include native frames (numpy, the Rust engine).")
@click.option(
    "--rate", type=click.IntRange(1, 10_000), default=200, show_default=True, help="py-spy samples/s."
)
@click.option(
    "--py-spy",
    "py_spy",
    default="py-spy",
    metavar="PATH",
    envvar="DEVTOOL_PY_SPY",
    help="The py-spy executable  [default: py-spy on PATH or beside Python; env DEVTOOL_PY_SPY]",
)
@click.option(
    "-n",
    "--top",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Rows in the table and candidates listed.",
)
@click.option("--sort", type=click.Choice(["cumulative", "own"]), default="cumulative", show_default=True)
@click.option(
    "--all", "show_all", is_flag=True, help="Show standard-library, site-packages and built-in functions."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Raw profile file  [default: .devtool/profiles/TARGET.prof, or .folded for py-spy]",
)
@click.option(
    "--flamegraph", type=click.Path(dir_okay=False, path_type=Path), help="Write a flame graph (HTML) here."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the report as JSON (fields in docs/profiling.md)."
)
@click.pass_context
def profile_command(
    ctx: click.Context,
    target: str,
    args: tuple[str, ...],
    as_module: bool,
    as_pytest: bool,
    setup: str | None,
    call_args: str | None,
    repeat: int,
    sampler: Literal["cprofile", "py-spy"],
    native: bool,
    rate: int,
    py_spy: str,
    top: int,
    sort: Literal["cumulative", "own"],
    show_all: bool,
    output: Path | None,
    flamegraph: Path | None,
    as_json: bool,
) -> None:
    """Profile TARGET, show its hot functions and rank the ones worth moving to Rust.

    TARGET is a script (path/to/script.py), a module with -m, a function call
    (package.module:function, arguments from --setup and --call-args) or a pytest
    node id (tests/test_x.py::test_y). Arguments for the target go after `--`.
    """
    cwd = Path.cwd()
    try:
        parsed = parse_target(
            target,
            cwd=cwd,
            argv=args,
            as_module=as_module,
            as_pytest=as_pytest,
            setup=setup,
            call_args=call_args,
            repeat=repeat,
        )
        request = ProfileRequest(
            parsed,
            cwd,
            sampler=sampler,
            native=native,
            rate=rate,
            py_spy=py_spy,
            top=top,
            sort=sort,
            show_all=show_all,
            output=output,
            flamegraph=flamegraph,
        )
        # The target's own prints must not end up inside the JSON document.
        with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext():
            report = profile(request)
        _show(report, as_json=as_json, cwd=cwd)
        if report.failure is not None:
            raise TargetFailed(f"the target failed: {report.failure.message}")
    except DevtoolError as err:
        click.secho(f"error: {err}", fg="red", err=True)
        ctx.exit(err.exit_code)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM while a sampler ran the target in a child
        click.secho(
            "interrupted: the profiled target and every process it started were stopped; no report",
            fg="yellow",
            err=True,
        )
        ctx.exit(130)


def _show(report: ProfileReport, *, as_json: bool, cwd: Path) -> None:
    if report.target_output:
        click.echo(report.target_output, err=True)
    if report.failure is not None and report.failure.traceback:
        click.echo(report.failure.traceback.rstrip("\n"), err=True)
    click.echo(render_json(report) if as_json else render_text(report, cwd=cwd), nl=not as_json)
    if as_json:
        click.echo()
