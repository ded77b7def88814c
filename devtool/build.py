"""`devtool build`: the guide's step 7. A release wheel (and an sdist), installed into a throwaway
virtualenv, the engine's tests run against that install, then the wheel's path, size and platform tag.

The tests run from a temporary copy of the engine's tests folder, in a folder where neither the
engine's sources nor an editable build can be imported; a check before them asserts that the
extension and `rust_bridge` are the wheel's (their `__file__` inside the throwaway environment) and
that the compiled engine loaded, so a test that silently fell back to numpy cannot pass for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError, VerifyError
from .toolchain import check_toolchain
from .verify import Progress, StepResult, VerifyResult, run_logged, rust_env
from .workspace import Workspace, load_config, settings_table

DIST_FOLDER = "dist"

#: Installed next to the wheel when the engine declares no `test` extra: what the generated tests import.
DEFAULT_TEST_REQUIREMENTS: tuple[str, ...] = ("pytest",)

#: Run in the throwaway environment: where the compiled extension (`<name>.<name>`, in its package) and
#: the bridge are imported from, and whether the bridge loaded the compiled engine. Prints three lines.
_CHECK = """\
import importlib, sys
native = importlib.import_module(f"{sys.argv[1]}.{sys.argv[1]}")
import rust_bridge
print(native.__file__)
print(rust_bridge.__file__)
print(rust_bridge.RUST_AVAILABLE)
"""


@dataclass(frozen=True)
class BuildRequest:
    """What `devtool build` was asked for; the CLI fills it from its options."""

    sdist: bool = False


@dataclass(frozen=True)
class BuildResult:
    """The wheel built and tested (its path, size and platform tag), the sdist, and how it was checked."""

    wheel: Path
    size: int
    platform_tag: str
    sdist: Path | None
    imported_from: str  # the installed extension's __file__, in the throwaway environment
    verified: VerifyResult


def build_wheel(
    ws: Workspace, request: BuildRequest, *, log_path: Path, progress: Progress | None
) -> BuildResult:
    """Build the release wheel into `<engine>/dist`, install it in a fresh virtualenv, run the tests there.

    Raises:
        ToolchainError: cargo, rustc or maturin is missing.
        VerifyError: the build, the install or the tests failed; a wheel whose tests fail stays in
            dist/ and is named in the message.
    """
    check_toolchain()
    dist = ws.root / DIST_FOLDER
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="devtool-build-") as tmp,
        log_path.open("w", encoding="utf-8") as log,
    ):
        scratch = Path(tmp)
        steps: list[StepResult] = []

        def step(name: str, argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> StepResult:
            result = run_logged(name, argv, cwd=cwd, env=env or _plain_env(), log=log, progress=progress)
            steps.append(result)
            return result

        out = scratch / "out"
        step("maturin", maturin_build_command(out, request.sdist), ws.root, rust_env())
        wheel = _moved(_one(out, "*.whl", "wheel"), dist)
        sdist = _moved(_one(out, "*.tar.gz", "sdist"), dist) if request.sdist else None
        venv = scratch / "venv"
        step("virtualenv", [sys.executable, "-m", "venv", str(venv)], scratch)
        python = str(venv / "bin" / "python")
        step("install", [python, "-m", "pip", "install", *install_arguments(ws, wheel)], scratch)
        runner = scratch / "run"
        shutil.copytree(ws.tests_dir, runner / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        imported_from = _check_installed(python, runner, venv, ws.extension_name)
        try:
            step("pytest", [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], runner)
        except VerifyError as err:
            raise VerifyError(
                f"the wheel {wheel} was built, but its tests failed against the installed wheel:\n{err}",
                step="pytest",
                log_path=log_path,
            ) from err
    return BuildResult(
        wheel=wheel,
        size=wheel.stat().st_size,
        platform_tag=platform_tag(wheel.name),
        sdist=sdist,
        imported_from=imported_from,
        verified=VerifyResult(steps=tuple(steps), log_path=log_path),
    )


def maturin_build_command(out: Path, sdist: bool) -> list[str]:
    """`maturin build --release` for the running interpreter, into `out`."""
    return [
        "maturin",
        "build",
        "--release",
        "--interpreter",
        sys.executable,
        "--out",
        str(out),
        *(["--sdist"] if sdist else []),
    ]


def install_arguments(ws: Workspace, wheel: Path) -> list[str]:
    """The wheel with its `test` extra if the engine's pyproject.toml declares one, else with pytest;
    then the project's `[tool.devtool.build] test-requires`, what its own tests import besides.

    Raises:
        UsageError: `test-requires` is not a list of requirement strings, or the table has another key.
    """
    with ws.pyproject.open("rb") as handle:
        extras = tomllib.load(handle).get("project", {}).get("optional-dependencies", {})
    wheel_and_extra = [f"{wheel}[test]"] if "test" in extras else [str(wheel), *DEFAULT_TEST_REQUIREMENTS]
    return [*wheel_and_extra, *test_requires(load_config(ws.root))]


def test_requires(devtool_table: dict[str, object]) -> list[str]:
    """`[tool.devtool.build] test-requires`: requirements the engine's tests need that its `test` extra
    does not list (this repository's engine: the outside references its tests compare with, which an
    engine `devtool init` makes from the same pyproject.toml should not carry).

    Raises:
        UsageError: not a list of strings, or an unknown key in the table (a typo would be ignored).
    """
    where = "[tool.devtool.build]"
    table = settings_table(devtool_table.get("build", {}), {"test-requires"}, where)
    requires = table.get("test-requires", [])
    if not (isinstance(requires, list) and all(isinstance(r, str) and r.strip() for r in requires)):
        raise UsageError(f'{where} test-requires must be a list of requirements, e.g. ["pandas>=2.1"]')
    return list(requires)


def platform_tag(wheel_name: str) -> str:
    """The platform tag of a wheel file name (`name-version[-build]-python-abi-platform.whl`)."""
    return wheel_name.removesuffix(".whl").split("-")[-1]


def _check_installed(python: str, cwd: Path, venv: Path, extension: str) -> str:
    """The installed extension's __file__, after checking that it and the bridge come from `venv`.

    Raises:
        VerifyError: either does not import, is imported from elsewhere, or the bridge did not load
            the compiled engine.
    """
    argv = [python, "-c", _CHECK, extension]
    proc = subprocess.run(argv, cwd=cwd, env=_plain_env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise VerifyError(f"the installed wheel does not import:\n{proc.stderr.strip()}")
    native, bridge, available = [*proc.stdout.splitlines(), "", "", ""][:3]
    inside = venv.resolve()
    problems = [
        f"{what} is imported from {path}, not from the throwaway environment {inside}"
        for what, path in ((extension, native), ("rust_bridge", bridge))
        if not Path(path).resolve().is_relative_to(inside)
    ]
    if available != "True":
        problems.append("rust_bridge did not load the compiled engine (RUST_AVAILABLE is False)")
    if problems:
        raise VerifyError("the installed wheel is not what the tests would test: " + "; ".join(problems))
    return native


def _one(folder: Path, pattern: str, what: str) -> Path:
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise VerifyError(f"maturin build left {len(found)} {what} files in {folder} ({names}), not one")
    return found[0]


def _moved(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.move(path, folder / path.name))


def _plain_env() -> dict[str, str]:
    """The environment for the throwaway virtualenv's commands: without the developer's VIRTUAL_ENV."""
    env = dict(os.environ)
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    return env
