"""The `devtool` command line: parse options, call one library function, render the result, exit."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

from .. import __version__
from ..build import BuildRequest, build_wheel
from ..changes.runs import log_path_for
from ..doctor import diagnose
from ..errors import ConflictError, DevtoolError, WorkspaceNotFound
from ..init.project import InitRequest, init_project
from ..scaffold import render
from ..scaffold.crates import add_crates
from ..scaffold.listing import list_workspace
from ..scaffold.new_module import NewModuleRequest, new_module
from ..scaffold.remove_module import remove_module
from ..scaffold.signature import DEFAULT_FUNCTION, DEFAULT_SIGNATURE
from ..scaffold.update_module import ConflictMode, update_modules
from ..verify import Progress
from ..workspace import Workspace, find_workspace
from . import project_report, report
from .bench import bench_command
from .profile import profile_command


class DevtoolGroup(click.Group):
    """The one place where library errors become messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` rolls back like Ctrl-C does
        try:
            return super().invoke(ctx)
        except DevtoolError as err:
            message = "\n".join([str(err), *getattr(err, "__notes__", [])])
            if ctx.meta.get("devtool.json"):
                click.echo(report.to_json({"ok": False, "error": message, "exit_code": err.exit_code}))
            click.secho(f"error: {message}", fg="red", err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            click.secho("interrupted: whatever this run had changed was rolled back", fg="yellow", err=True)
            ctx.exit(130)
        finally:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.group(cls=DevtoolGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="devtool")
def main() -> None:
    """Move a Python trading system's hot paths into Rust: scaffold, build, verify, profile, benchmark.

    Exit codes: 0 success, 1 error (a file cannot be written: rolled back; doctor: a check failed),
    2 invalid input (a crate crates.io does not have included) or missing toolchain/workspace,
    3 conflict (exists already, the workspace is locked, update-module conflicts), 4 build or tests
    failed (rolled back unless --keep), 5 rollback incomplete,
    6 the profiled target failed, 7 Rust and the fallback disagree, 8 a speedup below its gate,
    9 a speedup regression, 130 interrupted.
    """


engine_option = click.option(
    "--engine",
    type=click.Path(file_okay=False, path_type=Path),
    help="The engine workspace (default: found from the current folder or [tool.devtool] engine).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")


def _workspace(engine: Path | None) -> Workspace:
    return find_workspace(engine=engine)


def _use_json(as_json: bool) -> None:
    click.get_current_context().meta["devtool.json"] = as_json


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    """A spinner with elapsed time and the latest output line of the running step (on stderr)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:  # logs and CI: one line per step, no redraws
        seen: set[str] = set()

        def plain(step: str, line: str) -> None:
            if step not in seen:
                seen.add(step)
                click.echo(f"==> {step} ...", err=True)

        yield plain
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[line]}"),
    )
    with Bar(*columns, console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(step: str, line: str) -> None:
            if step not in tasks:
                for task in tasks.values():
                    bar.stop_task(task)
                tasks[step] = bar.add_task(f"{step:<11}", line="")
            bar.update(tasks[step], line=line[:70])

        yield update


def _emit(as_json: bool, data: Callable[[], dict[str, Any]], text: Callable[[], str]) -> None:
    click.echo(report.to_json(data()) if as_json else text())


@main.command("new-module")
@click.argument("module")
@click.option(
    "--function",
    "function",
    help=f"Function name [default: the --from function's name, else {DEFAULT_FUNCTION}].",
)
@click.option(
    "--signature",
    help="What the function takes and returns, e.g. 'values: f64[], window: usize -> f64[]'. "
    "Types: f64[] i64[] (as long as the first array), f64[*] i64[*] (any length), f64[,], f64, i64, "
    "usize, bool; a result may be a tuple '(f64[], f64[])'; with --from, a pandas DataFrame's columns "
    "'bars: frame[high, low, close]' "
    f"[default: read from the --from function's type hints, else '{DEFAULT_SIGNATURE}'].",
)
@click.option(
    "--from",
    "source",
    metavar="FILE:FUNCTION",
    help="Start from this Python function (or package.module:function): its type hints give the "
    "signature, it stays the fallback and the parity tests' reference, and devtool translates its body "
    "into the Rust kernel, served only once the parity tests pass on generated inputs; a function it "
    "cannot translate, or whose translation disagrees, gets an unwritten kernel for you to write.",
)
@click.option(
    "--no-translate",
    is_flag=True,
    help="With --from: do not translate; leave the Rust kernel unwritten, for you to write.",
)
@click.option(
    "--crate",
    "crates",
    multiple=True,
    metavar="NAME[@VERSION]",
    help="A crate the kernel needs, added to Cargo.toml with `cargo add` (newest compatible version unless "
    "given) and recorded as the module's; repeatable.",
)
@engine_option
@click.option(
    "--release",
    is_flag=True,
    help="Build optimised (slower to compile, for benchmarking) [default: as the installed extension was "
    "built, so a release build stays one].",
)
@click.option("--no-verify", is_flag=True, help="Write the files but skip the build and the tests.")
@click.option("--dry-run", is_flag=True, help="Show the files and diffs it would write; write nothing.")
@click.option("--keep", is_flag=True, help="On a failed build or test, keep the files for inspection.")
@json_option
def new_module_command(
    module: str,
    function: str | None,
    signature: str | None,
    source: str | None,
    crates: tuple[str, ...],
    no_translate: bool,
    engine: Path | None,
    release: bool,
    no_verify: bool,
    dry_run: bool,
    keep: bool,
    as_json: bool,
) -> None:
    """Generate MODULE (or add --function to it), register it, build it with maturin and run its tests.

    All or nothing: if anything fails, every file is restored and the full log is named.
    Adding a function to an existing generated module: give its name and a new --function.

    \b
    From an existing Python function (as `devtool profile` suggests):
      devtool new-module strategy --function kama --from examples/strategy.py:kama
    """
    _use_json(as_json)
    ws = _workspace(engine)
    request = NewModuleRequest(
        module=module,
        function=function,
        signature=signature,
        source=source,
        source_base=Path.cwd(),
        release=release,
        verify=not no_verify,
        dry_run=dry_run,
        keep=keep,
        crates=crates,
        translate=not no_translate,
    )
    with _progress(enabled=not dry_run) as progress:
        result = new_module(ws, request, progress=progress)
    _emit(as_json, lambda: report.new_module_json(result), lambda: report.new_module_text(result))


@main.command("remove-module")
@click.argument("target", metavar="MODULE[.FUNCTION]")
@engine_option
@click.option(
    "--release", is_flag=True, help="Rebuild optimised [default: as the installed extension was built]."
)
@click.option("--no-verify", is_flag=True, help="Skip the build that proves the engine still compiles.")
@click.option("--dry-run", is_flag=True, help="Show what it would delete and edit; change nothing.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@json_option
def remove_module_command(
    target: str,
    engine: Path | None,
    release: bool,
    no_verify: bool,
    dry_run: bool,
    yes: bool,
    as_json: bool,
) -> None:
    """Remove a generated MODULE (its files, registrations and record), or one FUNCTION of it; then rebuild.

    All or nothing. MODULE.FUNCTION removes one function of a module that has others: its files, its
    part of the module's files and its registrations; then the build and the module's tests. (The
    last function of a module is refused: remove the module.) Files you edited are copied first to
    .devtool/removed/<MODULE[.FUNCTION]>-<time>/ in the engine; Python code that still uses the
    removed functions through rust_bridge is listed. The rebuild is optimised if --release is
    given or the installed extension was optimised.
    """
    _use_json(as_json)
    ws = _workspace(engine)
    if not (dry_run or yes or as_json):
        what = f"function {target!r}" if "." in target else f"module {target!r}"
        click.confirm(f"remove {what} and every file devtool generated for it?", abort=True)
    with _progress(enabled=not dry_run) as progress:
        result = remove_module(
            ws, target, release=release, verify=not no_verify, dry_run=dry_run, progress=progress
        )
    _emit(as_json, lambda: report.remove_module_json(result), lambda: report.remove_module_text(result))


@main.command("update-module")
@click.argument("modules", nargs=-1)
@engine_option
@click.option(
    "--conflicts",
    type=click.Choice(["refuse", "markers"]),
    default="refuse",
    show_default=True,
    help="On a conflict: write nothing and list them, or write conflict markers (unverified).",
)
@click.option(
    "--base-from-current",
    is_flag=True,
    help="For a module whose template render is not stored (made by an older devtool): take the "
    "current template's render as the base; your files stay as they are, nothing of the template's "
    "change is merged.",
)
@click.option("--release", is_flag=True, help="Build optimised.")
@click.option("--no-verify", is_flag=True, help="Skip the build and the tests after the update.")
@click.option("--dry-run", is_flag=True, help="Show the diffs it would apply; write nothing.")
@json_option
def update_module_command(
    modules: tuple[str, ...],
    engine: Path | None,
    conflicts: ConflictMode,
    base_from_current: bool,
    release: bool,
    no_verify: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Bring generated MODULES (all by default) up to the current template, keeping your edits.

    A three-way merge (as `git merge-file`) of the template's change into each file as it is now, from
    the module's template render stored in .devtool/modules/MODULE/ (which the new render replaces);
    then the build and the modules' tests; all modules or none.
    """
    _use_json(as_json)
    ws = _workspace(engine)
    with _progress(enabled=not dry_run) as progress:
        result = update_modules(
            ws,
            modules,
            template_dir=render.active_template(),
            conflicts=conflicts,
            base_from_current=base_from_current,
            release=release,
            verify=not no_verify,
            dry_run=dry_run,
            progress=progress,
        )
    _emit(as_json, lambda: report.update_json(result), lambda: report.update_text(result))
    if result.conflicted:
        what = "conflict markers are left to resolve" if not result.dry_run else "the update has conflicts"
        click.secho(f"error: {what} (see CONFLICT and NEEDS ATTENTION above)", fg="red", err=True)
        click.get_current_context().exit(ConflictError.exit_code)


@main.command("add-crate")
@click.argument("module")
@click.argument("crates", nargs=-1, required=True, metavar="NAME[@VERSION]...")
@engine_option
@click.option(
    "--release", is_flag=True, help="Build optimised [default: as the installed extension was built]."
)
@click.option(
    "--no-verify", is_flag=True, help="Change Cargo.toml and the record but skip the build and the tests."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show the changes to Cargo.toml, Cargo.lock and the record; write nothing.",
)
@json_option
def add_crate_command(
    module: str,
    crates: tuple[str, ...],
    engine: Path | None,
    release: bool,
    no_verify: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Add the crates MODULE's kernels need (cargo add), record them as its, then build and test it.

    cargo resolves the version (the newest compatible one unless given), keeps Cargo.toml's formatting
    and updates Cargo.lock; then the engine is built and the module's tests run. All or nothing: a
    crate crates.io does not have is refused (exit 2) with the workspace unchanged. `remove-module`
    takes a crate out of Cargo.toml with the last module that needs it.
    """
    _use_json(as_json)
    ws = _workspace(engine)
    with _progress(enabled=not dry_run) as progress:
        result = add_crates(
            ws,
            module,
            list(crates),
            release=release,
            verify=not no_verify,
            dry_run=dry_run,
            progress=progress,
        )
    _emit(as_json, lambda: report.add_crate_json(result), lambda: report.add_crate_text(result))


@main.command("doctor")
@engine_option
@json_option
def doctor_command(engine: Path | None, as_json: bool) -> None:
    """Check the set-up, one line per check (ok, warn, fail), each with how to fix it.

    Toolchain versions (python, cargo, rustc, maturin); which workspace the active environment's engine
    is installed from (FAIL when it is not this one); whether the built extension is older than its
    sources; debug or release; an interrupted run's journal or a stale lock; modules behind the template.

    \b
    Exit codes: 0 nothing failed (warnings may be listed), 1 a check failed.
    """
    _use_json(as_json)
    try:
        ws: Workspace | None = _workspace(engine)
        problem = None
    except WorkspaceNotFound as err:
        ws, problem = None, str(err)
    result = diagnose(ws, problem)
    _emit(as_json, lambda: report.doctor_json(result), lambda: report.doctor_text(result))
    if result.failed:
        click.get_current_context().exit(1)


@main.command("list")
@engine_option
@json_option
def list_command(engine: Path | None, as_json: bool) -> None:
    """The workspace's modules and functions: compiled or not, fallback, tests, benchmark."""
    _use_json(as_json)
    status = list_workspace(_workspace(engine))
    _emit(as_json, lambda: report.status_json(status), lambda: report.status_text(status))


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path), default=".", required=False)
@click.option(
    "--name",
    help="The engine's crate and extension module name, a snake_case identifier [default: the project's "
    "name, with _engine appended unless it ends in engine].",
)
@click.option("--release", is_flag=True, help="Build optimised (slower to compile).")
@click.option("--no-verify", is_flag=True, help="Write the files but skip the build and the tests.")
@click.option("--dry-run", is_flag=True, help="Show the files it would create and the edits; write nothing.")
@json_option
def init_command(
    folder: Path, name: str | None, release: bool, no_verify: bool, dry_run: bool, as_json: bool
) -> None:
    """Start an engine workspace in the project FOLDER (default: here; created if missing).

    Writes FOLDER/engine/: a maturin mixed project (Rust crate and extension module NAME,
    pyo3, rust-numpy and rayon at the versions devtool's own engine uses), the rust_bridge package
    with its numpy-fallback machinery, tests and benchmarks folders. FOLDER/pyproject.toml gains
    [tool.devtool] engine = "engine" (a folder without one gets a minimal one), FOLDER/.gitignore
    the lines for build outputs. Then it builds the engine into the active virtualenv and runs its
    tests; `devtool new-module` works in it at once.

    All or nothing, and it overwrites nothing: an existing engine folder or [tool.devtool] table is
    refused with the tree left as it was; a failed build or test removes everything it wrote.
    """
    _use_json(as_json)
    request = InitRequest(folder=folder, name=name, release=release, verify=not no_verify, dry_run=dry_run)
    with _progress(enabled=not (dry_run or no_verify)) as progress:
        result = init_project(request, progress=progress)
    _emit(as_json, lambda: project_report.init_json(result), lambda: project_report.init_text(result))


@main.command("build")
@engine_option
@click.option("--sdist", is_flag=True, help="Build a source distribution too.")
@json_option
def build_command(engine: Path | None, sdist: bool, as_json: bool) -> None:
    """Build the engine's release wheel into <engine>/dist and test it as it will be installed.

    `maturin build --release` (and an sdist with --sdist), then a throwaway virtualenv where the wheel
    is installed (with the engine's `test` extra if its pyproject.toml declares one, else pytest, and
    the project's `[tool.devtool.build] test-requires`), a check that the extension is imported from
    there and not from the sources, and the engine's tests run there from a folder where the sources
    cannot be imported. Prints the wheel's path, size and platform tag. Exit code 4 if the build
    fails or the wheel's tests fail.
    """
    _use_json(as_json)
    ws = _workspace(engine)
    with _progress(enabled=True) as progress:
        result = build_wheel(
            ws, BuildRequest(sdist=sdist), log_path=log_path_for(ws, "build"), progress=progress
        )
    _emit(as_json, lambda: project_report.build_json(result), lambda: project_report.build_text(result))


main.add_command(profile_command)
main.add_command(bench_command)
