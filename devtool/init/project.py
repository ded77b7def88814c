"""`devtool init`: plan an engine workspace inside a project (or a new folder), write it, build it, test it.

The project is the folder given (created if missing). The engine goes into its `engine/` folder; the
project's pyproject.toml gains `[tool.devtool] engine = "engine"` (a folder without one gets a minimal
one), its .gitignore the lines for build outputs. All or nothing, like `new-module`: a refusal writes
nothing, a failed build or test rolls every file back, folders included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from ..changes.journal import Guard
from ..changes.plan import Plan
from ..changes.runs import EXTENSION_PATTERNS, apply_and_verify, log_path_named, recovery_note, state_dir_of
from ..changes.transaction import Transaction, WorkspaceLock, journal_root, recover, render_diff
from ..changes.tree import Tree
from ..errors import ConflictError, DevtoolError, UsageError
from ..toolchain import check_toolchain
from ..verify import Progress, VerifyResult, verify_engine
from ..workspace import find_workspace, read_toml
from .shared import ENGINE_DIR, check_engine_name, engine_files

#: Where the engine goes inside the project, and what `[tool.devtool] engine` names.
ENGINE_FOLDER = "engine"

#: The lines the project's .gitignore needs for what building and testing an engine leaves behind.
GITIGNORE_LINES: tuple[str, ...] = (
    "target/",
    "*.so",
    "*.pyd",
    "__pycache__/",
    ".venv/",
    "dist/",
    ".benchmarks/",
    ".hypothesis/",
    ".pytest_cache/",
    ".devtool/profiles/",
)
_GITIGNORE_HEADER = "# devtool init: build outputs of the Rust engine and its tests"


@dataclass(frozen=True)
class InitRequest:
    """Everything `init` was asked to do; the CLI fills it from its options."""

    folder: Path
    name: str | None = None  # default: from the project's name (see `default_name`)
    release: bool = False
    verify: bool = True
    dry_run: bool = False


@dataclass(frozen=True)
class InitResult:
    """What `init` did (or, with --dry-run, would do)."""

    project: Path
    engine: Path
    name: str
    created: list[str]
    edited: list[str]
    dry_run: bool
    diff: str | None = None
    verified: VerifyResult | None = None
    toolchain: dict[str, str] = field(default_factory=dict)
    recovered: tuple[str, ...] = ()  # what a killed init of this project had left, put back first


def init_project(request: InitRequest, progress: Progress | None = None) -> InitResult:
    """Plan the engine and the project's edits, write them, build and test the engine; all or nothing.

    Raises:
        UsageError: the folder is a file, a pyproject.toml that is not TOML, or a name that cannot
            name the engine (nothing written).
        ConflictError: the engine folder exists, or the project already configures `[tool.devtool]`, or
            another init of this folder is running.
        RollbackError: what a killed init of this folder left could not be put back.
        ToolchainError: cargo, rustc or maturin is missing.
        VerifyError: the build or the tests failed (everything rolled back).
    """
    project = request.folder.resolve()
    if project.exists() and not project.is_dir():
        raise UsageError(f"{project} is a file, not a folder")
    state = state_dir_of(project)
    with WorkspaceLock(state):
        recovered = _recover(state / "journal", project)
        try:
            return _init_locked(request, project, state, recovered, progress)
        except DevtoolError as err:
            if recovered:
                err.add_note(recovery_note(recovered))
            raise


def _recover(journal: Path, project: Path) -> tuple[str, ...]:
    """Put back what a killed `init` of `project` left (before anything is read or planned).

    Its journal's root is the folder that existed then: the project, or its nearest existing parent
    when that run made the project folder (which exists now, made by the killed run).
    """
    root = journal_root(journal)
    start = root if root is not None and project.is_relative_to(root) else project
    return tuple(recover(journal, start) or ())


def _init_locked(
    request: InitRequest, project: Path, state: Path, recovered: tuple[str, ...], progress: Progress | None
) -> InitResult:
    """`init_project` under the lock of `project`, after the recovery."""
    pyproject = read_toml(project / "pyproject.toml", UsageError)
    name = check_engine_name(request.name) if request.name else default_name(project, pyproject)
    engine = project / ENGINE_FOLDER
    if engine.exists() or engine.is_symlink():
        raise ConflictError(
            f"{engine} exists already; devtool init overwrites nothing (remove it, or run init elsewhere)"
        )
    base = _existing_ancestor(project)
    prefix = PurePosixPath(project.relative_to(base).as_posix())
    plan = plan_init(base, prefix, name, pyproject)
    result = InitResult(
        project=project,
        engine=engine,
        name=name,
        created=[str(c.path.relative_to(prefix)) for c in plan.changes if c.before is None],
        edited=[str(c.path.relative_to(prefix)) for c in plan.changes if c.before is not None],
        dry_run=request.dry_run,
        recovered=recovered,
    )
    if request.dry_run:
        return replace(result, diff=render_diff(plan, base))
    toolchain = check_toolchain() if request.verify else {}
    verified = _apply_and_verify(base, state, plan, engine, name, request, progress)
    return replace(result, verified=verified, toolchain=toolchain)


def plan_init(base: Path, prefix: PurePosixPath, name: str, pyproject: dict[str, object] | None) -> Plan:
    """The files to create and edit, relative to `base`; the project is `base / prefix`.

    Raises:
        ConflictError: the project's pyproject.toml has a `[tool.devtool]` table already.
    """
    tree = Tree(base)
    for path, text in engine_files(name, ENGINE_DIR).items():
        tree.create(prefix / ENGINE_FOLDER / path, text)
    pyproject_path = prefix / "pyproject.toml"
    tree.write(pyproject_path, _with_devtool_table(tree.read(pyproject_path), pyproject, base / prefix))
    gitignore_path = prefix / ".gitignore"
    tree.write(gitignore_path, _with_gitignore_lines(tree.read(gitignore_path)))
    return tree.plan()


def default_name(project: Path, pyproject: dict[str, object] | None) -> str:
    """The engine's name from the project's (pyproject's `[project] name`, else the folder's name):
    lowercase, `_` for `-`, `.` and spaces, with `_engine` appended unless it ends in `engine`, so that
    the extension's package does not take the project's own package name.

    Raises:
        UsageError: no valid name comes out of it (it says to pass --name).
    """
    table = pyproject.get("project") if pyproject else None
    project_name = table.get("name") if isinstance(table, dict) else None
    base = project_name if isinstance(project_name, str) and project_name else project.name
    stem = re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", base.lower())).strip("_")
    name = stem if stem.endswith("engine") else f"{stem}_engine"
    try:
        return check_engine_name(name)
    except UsageError as err:
        raise UsageError(f"{err} (made from the project name {base!r}): give one with --name") from err


def _apply_and_verify(
    base: Path,
    state: Path,
    plan: Plan,
    engine: Path,
    name: str,
    request: InitRequest,
    progress: Progress | None,
) -> VerifyResult | None:
    """Write the plan (journaled in `state`), build and test the engine, or roll everything back."""

    def verify(log: Path) -> VerifyResult | None:
        if not request.verify:
            return None
        ws = find_workspace(engine=engine)
        return verify_engine(ws, release=request.release, log_path=log, progress=progress)

    stubs = (engine / "src" / name).relative_to(base).as_posix()
    tx = Transaction(base, state / "journal", Guard(stubs, EXTENSION_PATTERNS))
    return apply_and_verify(tx, plan, verify, log_path=log_path_named("init"))


def _with_devtool_table(text: str | None, data: dict[str, object] | None, project: Path) -> str:
    """The project's pyproject.toml with `[tool.devtool] engine = "engine"` appended (or a minimal one).

    Raises:
        ConflictError: it has a `[tool.devtool]` table already.
    """
    table = f'[tool.devtool]\nengine = "{ENGINE_FOLDER}"\n'
    if text is None:
        return f'[project]\nname = "{project.name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n\n{table}'
    tool = data.get("tool") if data else None
    if isinstance(tool, dict) and "devtool" in tool:
        raise ConflictError(
            f"{project / 'pyproject.toml'} has a [tool.devtool] table already: this project is set up "
            "for devtool (its engine is where `engine` there points)"
        )
    if not text:
        return table
    ending = "" if text.endswith("\n") else "\n"
    return f"{text}{ending}\n{table}"


def _with_gitignore_lines(text: str | None) -> str:
    """The .gitignore with each of GITIGNORE_LINES it lacks appended under one comment."""
    present = {line.strip() for line in (text or "").splitlines()}
    missing = [line for line in GITIGNORE_LINES if line not in present]
    if not missing:
        return text or ""
    before = "" if not text else (text if text.endswith("\n") else f"{text}\n") + "\n"
    return before + "\n".join([_GITIGNORE_HEADER, *missing]) + "\n"


def _existing_ancestor(folder: Path) -> Path:
    """`folder` if it exists, else its nearest existing parent (the new folders are created by the plan)."""
    return next(p for p in (folder, *folder.parents) if p.exists())
