"""Build the engine with maturin and run a module's tests: the only place devtool starts the toolchain."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import VerifyError
from .installation import Installation, installation, repointed_by_build
from .processes import start_group, stopped_on_exit
from .workspace import Workspace

#: Called with (step name, latest output line) while a long step runs.
Progress = Callable[[str, str], None]

DEFAULT_TARGET_DIR = Path.home() / ".cache" / "devtool" / "target"


@dataclass(frozen=True)
class StepResult:
    """One finished step: what ran, how long it took, and the last lines it printed."""

    name: str
    command: tuple[str, ...]
    seconds: float
    summary: str


@dataclass(frozen=True)
class VerifyResult:
    """Every step of a successful verification, and where the full log is."""

    steps: tuple[StepResult, ...]
    log_path: Path
    # The build took over an environment that imported another workspace's engine (see installation.py).
    repointed: str | None = None

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)


def target_dir() -> Path:
    """The one cargo target directory every build shares (CARGO_TARGET_DIR, else the devtool cache)."""
    return Path(os.environ.get("CARGO_TARGET_DIR") or DEFAULT_TARGET_DIR)


def rust_env(python: str = sys.executable) -> dict[str, str]:
    """Environment for cargo and maturin: the shared target dir, and the variables maturin sets for pyo3.

    With the same PYO3_* values for `cargo test` as maturin uses, pyo3's build script is not rerun when
    switching between the two, so the dependencies are not rebuilt every time.
    """
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(target_dir())
    env["PYO3_PYTHON"] = python
    env["PYO3_BUILD_EXTENSION_MODULE"] = "1"
    env["PYO3_ENVIRONMENT_SIGNATURE"] = f"cpython-{sys.version_info.major}.{sys.version_info.minor}-64bit"
    return env


def is_virtualenv() -> bool:
    return sys.prefix != sys.base_prefix


def build_command(release: bool) -> list[str]:
    """`maturin develop` into the running interpreter's virtualenv, where `rust_bridge` is imported from."""
    profile = ["--release"] if release else []
    return ["maturin", "develop", *profile]


def cargo_test_command(ws: Workspace, modules: Sequence[str], release: bool) -> list[str]:
    profile = ["--release"] if release else []
    filters = ["--", *(f"{module}::" for module in modules)] if modules else []
    return ["cargo", "test", "--manifest-path", str(ws.cargo_toml), "--lib", *profile, *filters]


def pytest_command(ws: Workspace, paths: Sequence[Path], benchmark_storage: Path) -> list[str]:
    """pytest on `paths`, benchmarks run once untimed. pytest-benchmark creates its storage folder even
    then (`.benchmarks/` in the working folder, the engine): `benchmark_storage` puts it elsewhere."""
    quiet = ["-q", "-p", "no:cacheprovider", "--benchmark-disable"]
    storage = [f"--benchmark-storage=file://{benchmark_storage}"]
    return [sys.executable, "-m", "pytest", *quiet, *storage] + [str(p) for p in paths]


def verify_module(
    ws: Workspace,
    module: str,
    *,
    release: bool,
    log_path: Path,
    progress: Progress | None = None,
) -> VerifyResult:
    """Build the engine, then run the module's Rust and Python tests and a one-shot run of its benchmarks.

    Raises:
        VerifyError: a step failed; carries the relevant excerpt and the log path.
    """
    return verify_modules(ws, [module], release=release, log_path=log_path, progress=progress)


def verify_modules(
    ws: Workspace,
    modules: Sequence[str],
    *,
    release: bool,
    log_path: Path,
    progress: Progress | None = None,
) -> VerifyResult:
    """Build the engine once, then run every given module's Rust tests, Python tests and benchmarks once.

    Raises:
        VerifyError: a step failed; carries the relevant excerpt and the log path.
    """
    tests = [ws.tests_dir / f"{m}_tests" for m in modules if (ws.tests_dir / f"{m}_tests").exists()]
    for module in modules:
        tests += sorted(ws.benchmarks_dir.glob(f"test_bench_{module}_*.py"))
    with tempfile.TemporaryDirectory(prefix="devtool-benchmarks-") as storage:
        steps = [
            ("build", build_command(release)),
            ("cargo test", cargo_test_command(ws, modules, release)),
            ("pytest", pytest_command(ws, tests, Path(storage))),
        ]
        return run_steps(ws, steps, log_path=log_path, progress=progress)


def build_only(
    ws: Workspace, *, release: bool, log_path: Path, progress: Progress | None = None
) -> VerifyResult:
    """Build the engine into the running interpreter's environment.

    Raises:
        VerifyError: the build failed.
    """
    return run_steps(ws, [("build", build_command(release))], log_path=log_path, progress=progress)


def run_steps(
    ws: Workspace,
    steps: Sequence[tuple[str, list[str]]],
    *,
    log_path: Path,
    progress: Progress | None,
) -> VerifyResult:
    if not is_virtualenv():
        raise VerifyError(
            f"{sys.executable} is not a virtualenv; maturin installs the engine only into one. "
            "Create one (python -m venv .venv && . .venv/bin/activate), or pass --no-verify."
        )
    env = rust_env()
    env["VIRTUAL_ENV"] = sys.prefix
    log_path.parent.mkdir(parents=True, exist_ok=True)
    results: list[StepResult] = []
    before = installation(ws) if any(name == "build" for name, _ in steps) else None
    try:
        with log_path.open("w", encoding="utf-8") as log:
            for name, argv in steps:
                results.append(_run_step(name, argv, cwd=ws.root, env=env, log=log, progress=progress))
    except VerifyError as err:
        warning = _repointed(ws, before) if err.step != "build" else None
        if warning is not None:  # maturin installed it before the tests failed: a rollback cannot undo that
            err.add_note(f"warning: {warning}")
        raise
    return VerifyResult(steps=tuple(results), log_path=log_path, repointed=_repointed(ws, before))


def _repointed(ws: Workspace, before: Installation | None) -> str | None:
    """The re-pointed-environment warning, if the build took over an environment another workspace had."""
    if before is None:
        return None
    return repointed_by_build(before, installation(ws), ws)


def _run_step(
    name: str,
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    log: IO[str],
    progress: Progress | None,
) -> StepResult:
    log.write(f"$ {' '.join(argv)}\n")
    log.flush()
    started = time.monotonic()
    lines: list[str] = []
    with _process(argv, cwd, env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            lines.append(line.rstrip("\n"))
            if progress is not None and line.strip():
                progress(name, line.strip())
        code = proc.wait()
    seconds = time.monotonic() - started
    log.write(f"# exit code {code} after {seconds:.1f} s\n")
    log.flush()
    if code != 0:
        raise VerifyError(
            f"{name} failed (exit code {code}): {' '.join(argv)}\n\n{excerpt(lines)}\n\nfull log: {log.name}",
            step=name,
            log_path=Path(log.name),
        )
    return StepResult(name=name, command=tuple(argv), seconds=seconds, summary=_summary(lines))


@contextmanager
def _process(argv: list[str], cwd: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """A child process group with its output merged into one stream; stopped if we are interrupted."""
    try:
        proc = start_group(argv, cwd=cwd, env=env)
    except OSError as err:
        raise VerifyError(f"cannot run {argv[0]!r}: {err}") from err
    with stopped_on_exit(proc):
        yield proc


_RUST_ERROR = re.compile(r"^(error(\[E\d+\])?|warning: unused)[: ]")
_PYTEST_SECTION = re.compile(r"^(=+ (FAILURES|ERRORS|short test summary info) =+|_{3,} .* _{3,})$")


def excerpt(lines: Sequence[str], limit: int = 40) -> str:
    """The part of a tool's output a person needs: compiler errors, pytest failures, else the tail."""
    for start, line in enumerate(lines):
        if _RUST_ERROR.match(line):
            return "\n".join(lines[start : start + limit])
    for start, line in enumerate(lines):
        if _PYTEST_SECTION.match(line):
            return "\n".join(lines[start : start + limit])
    return "\n".join(lines[-limit:])


def _summary(lines: Sequence[str]) -> str:
    """The closing line of cargo or pytest ("5 passed in 0.3s", "test result: ok. 3 passed; ...")."""
    for line in reversed(lines):
        if "passed" in line or "test result" in line or line.startswith(("Installed", "🛠")):
            return line.strip(" =")
    return lines[-1].strip() if lines else ""
