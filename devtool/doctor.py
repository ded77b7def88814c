"""`devtool doctor`: what is wrong with the set-up, one check per line, each with how to fix it.

Nothing here changes a file or takes the workspace lock. A check is `ok`, `warn` (works, but worth
knowing: a debug build, a module behind the template) or `fail` (something gives wrong answers or
stops the next command: a missing tool, an environment importing another workspace's engine, an
interrupted run's journal).
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .changes.journal import JOURNAL_FILE
from .changes.runs import EXTENSION_PATTERNS, journal_dir, state_dir
from .changes.transaction import lock_holder
from .errors import DevtoolError
from .installation import Installation, foreign_bridge, installation, repointed_warning
from .records import read_record
from .scaffold import render
from .scaffold.listing import crate_requirements, installed_build_profile
from .toolchain import REQUIRED, install_hint, tool_version
from .verify import is_virtualenv
from .workspace import Workspace

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, how it stands, what was found, and how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str | None = None


@dataclass(frozen=True)
class DoctorReport:
    workspace: Path | None
    checks: tuple[Check, ...]

    @property
    def failed(self) -> bool:
        return any(c.status == "fail" for c in self.checks)


def diagnose(ws: Workspace | None, problem: str | None = None) -> DoctorReport:
    """Every check; without a workspace (`problem` says why none was found) only the toolchain's."""
    checks = list(toolchain_checks())
    if ws is None:
        checks.append(
            Check(
                "workspace",
                "fail",
                problem or "no engine workspace",
                "run devtool in the engine, or --engine",
            )
        )
        return DoctorReport(None, tuple(checks))
    checks.append(Check("workspace", "ok", str(ws.root)))
    installed = installation(ws)
    checks.append(environment_check(ws, installed))
    if installed.is_from(ws):
        checks.append(bridge_check(ws, installed))
    checks.append(freshness_check(ws))
    if installed.is_from(ws):
        checks.append(profile_check())
    checks += run_state_checks(ws)
    checks += module_checks(ws)
    return DoctorReport(ws.root, tuple(checks))


def toolchain_checks() -> Iterator[Check]:
    """Python (and whether it is a virtualenv), then cargo, rustc and maturin with their versions."""
    python = f"Python {platform.python_version()} ({sys.executable})"
    if is_virtualenv():
        yield Check("python", "ok", python)
    else:
        yield Check(
            "python",
            "warn",
            f"{python} is not a virtualenv: builds (maturin develop) need one",
            "python -m venv .venv && . .venv/bin/activate",
        )
    for tool in REQUIRED:
        version, problem = tool_version(tool)
        if version is not None:
            yield Check(tool, "ok", version)
        else:
            yield Check(tool, "fail", problem, install_hint(tool))


def environment_check(ws: Workspace, installed: Installation) -> Check:
    """Which workspace the active environment's engine is installed from; loud when it is not this one."""
    name = "engine installed from"
    build = f"cd {ws.root} && maturin develop"
    built = installed.workspace()
    if installed.is_from(ws):
        return Check(name, "ok", f"this workspace ({ws.root}), editable")
    if built is not None:
        return Check(name, "fail", repointed_warning(built, ws.root, installed.environment), build)
    if installed.location is None:
        return Check(
            name,
            "warn",
            f"{installed.environment} has no {ws.extension_name} installed",
            f"{build} (--release)",
        )
    origin = f", installed from {installed.source}" if installed.source else ""
    return Check(
        name,
        "warn",
        f"a non-editable install (a wheel) at {Path(installed.location).parent}{origin}: edits in {ws.root} "
        "are not imported",
        build,
    )


def bridge_check(ws: Workspace, installed: Installation) -> Check:
    """Which `rust_bridge` Python imports: this workspace's, unless another engine's comes first."""
    problem = foreign_bridge(installed, ws)
    if problem is None:
        return Check("bridge imported from", "ok", "this workspace")
    fix = "pip uninstall the other engine (pip list shows it), or give each engine its own virtualenv"
    return Check("bridge imported from", "fail", problem, fix)


def freshness_check(ws: Workspace) -> Check:
    """Whether the workspace's built extension is older than a Rust source, Cargo.toml or Cargo.lock."""
    name = "extension up to date"
    built = [p for pattern in EXTENSION_PATTERNS for p in ws.stubs_dir.glob(pattern) if p.is_file()]
    if not built:
        return Check(
            name, "warn", f"no built extension in {ws.stubs_dir}", f"cd {ws.root} && maturin develop"
        )
    extension = max(built, key=lambda p: p.stat().st_mtime)
    sources = [*ws.rust_src.rglob("*.rs"), ws.cargo_toml, ws.cargo_toml.with_name("Cargo.lock")]
    newer = sorted(
        (p for p in sources if p.is_file() and p.stat().st_mtime > extension.stat().st_mtime),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    if not newer:
        return Check(name, "ok", f"{_rel(ws, extension)} is newer than its sources")
    shown = ", ".join(_rel(ws, p) for p in newer[:3]) + (
        f" and {len(newer) - 3} more" if len(newer) > 3 else ""
    )
    return Check(
        name,
        "warn",
        f"{_rel(ws, extension)} is older than {shown}: Python imports the previous build",
        f"cd {ws.root} && maturin develop (--release for a release build)",
    )


def profile_check() -> Check:
    """Debug or release: how the extension the environment imports was built."""
    profile = installed_build_profile()
    if profile == "release":
        return Check("build profile", "ok", "release (optimised)")
    if profile == "debug":
        return Check(
            "build profile",
            "warn",
            "debug (unoptimised): fine for tests; `devtool bench` refuses it",
            "maturin develop --release",
        )
    return Check("build profile", "warn", f"unknown ({profile or 'the extension does not import'})")


def run_state_checks(ws: Workspace) -> list[Check]:
    """An interrupted run's journal (fail) and the workspace lock: held now, or left by a killed run."""
    checks = []
    journal = journal_dir(ws)
    if (journal / JOURNAL_FILE).exists():
        checks.append(
            Check(
                "journal",
                "fail",
                f"an interrupted devtool run left its journal in {journal}: its files may be half-changed",
                "devtool list shows what is half-done; the next new-module, add-crate, remove-module "
                "or update-module puts it back first",
            )
        )
    else:
        checks.append(Check("journal", "ok", "no interrupted run"))
    held, pid = lock_holder(state_dir(ws))
    if held:
        checks.append(
            Check("lock", "warn", f"a devtool run (pid {pid or 'unknown'}) is changing this workspace now")
        )
    elif pid is not None:
        checks.append(
            Check(
                "lock",
                "warn",
                f"stale: the lock file names pid {pid}, a run that ended without releasing it (killed); "
                "harmless, the next run takes it",
            )
        )
    else:
        checks.append(Check("lock", "ok", "free"))
    return checks


def module_checks(ws: Workspace) -> list[Check]:
    """Modules behind the template, with conflict markers left, or needing a crate Cargo.toml lacks."""
    current = render.template_version(render.active_template())
    behind: dict[str, str] = {}  # module -> the template version it is at
    flagged, crates = [], []
    for module in ws.module_names():
        try:
            record = read_record(ws, module)
        except DevtoolError as err:
            flagged.append(f"{module} ({err})")
            continue
        if record is None:
            continue
        if record.template_version != current:
            behind[module] = record.template_version
        if record.needs_attention:
            flagged.append(module)
        missing = [n for n, req in crate_requirements(ws, record).items() if req.startswith("missing")]
        crates += [f"{module} needs {n}" for n in missing]
    checks = []
    if behind:
        at = ", ".join(f"{module} ({version})" for module, version in behind.items())
        checks.append(
            Check(
                "template",
                "warn",
                f"behind template {current}: {at}",
                f"devtool update-module {' '.join(behind)}",
            )
        )
    else:
        checks.append(Check("template", "ok", f"every generated module is at template {current}"))
    if flagged:
        checks.append(
            Check(
                "modules",
                "fail",
                f"conflict markers or a broken record: {', '.join(flagged)}",
                "resolve the markers, then devtool update-module",
            )
        )
    if crates:
        checks.append(
            Check(
                "crates",
                "fail",
                f"not in Cargo.toml: {', '.join(crates)}",
                "devtool add-crate MODULE NAME for each",
            )
        )
    return checks


def _rel(ws: Workspace, path: Path) -> str:
    return path.relative_to(ws.root).as_posix() if path.is_relative_to(ws.root) else str(path)
