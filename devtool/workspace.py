"""Find the engine workspace (the maturin project devtool edits) and name the paths inside it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .changes.rust_syntax import is_pub, mod_declarations, parse_rust
from .errors import DevtoolError, UsageError, WorkspaceNotFound

DEFAULT_MANIFEST = "rust/Cargo.toml"
#: The edition rustfmt formats generated code for when Cargo.toml names none.
DEFAULT_EDITION = "2021"
#: The extension module's name this repository's engine has (and a template without `extension` renders).
DEFAULT_EXTENSION = "crypto_trading_engine"

#: The engine's own Rust modules, never a devtool module: the extension module (`python`), and
#: what every module's kernels share (`support`).
ENGINE_OWN_MODULES = frozenset({"python", "support"})


@dataclass(frozen=True)
class Workspace:
    """An engine workspace; `root` is the directory holding its maturin pyproject.toml."""

    root: Path
    manifest: str = DEFAULT_MANIFEST  # [tool.maturin] manifest-path, relative to root

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def cargo_toml(self) -> Path:
        return self.root / self.manifest

    @property
    def rust_src(self) -> Path:
        return self.cargo_toml.parent / "src"

    @property
    def lib_rs(self) -> Path:
        return self.rust_src / "lib.rs"

    @property
    def python_mod_rs(self) -> Path:
        return self.rust_src / "python" / "mod.rs"

    @property
    def bridge_dir(self) -> Path:
        return self.root / "src" / "rust_bridge"

    @property
    def bridge_init(self) -> Path:
        return self.bridge_dir / "__init__.py"

    @property
    def fallback_dir(self) -> Path:
        return self.bridge_dir / "_fallback"

    @property
    def stubs_dir(self) -> Path:
        """The extension's Python package: its stubs, and the extension `maturin develop` builds."""
        return self.root / "src" / self.extension_name

    @property
    def tests_dir(self) -> Path:
        return self.root / "tests"

    @property
    def benchmarks_dir(self) -> Path:
        return self.root / "benchmarks"

    @property
    def state_dir(self) -> Path:
        return self.root / ".devtool"

    @property
    def records_dir(self) -> Path:
        return self.state_dir / "modules"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def extension_name(self) -> str:
        """The compiled extension's module name: the `#[pymodule]` function python/mod.rs defines.

        maturin's `module-name` (its last dotted part), else Cargo.toml's `[lib] name`, else its
        package name with `-` as `_`, as cargo and maturin default it.
        """
        maturin = _tool_table(self.pyproject, "maturin") or {}
        cargo = read_toml(self.cargo_toml) or {}
        lib, package = cargo.get("lib", {}), cargo.get("package", {})
        for name in (maturin.get("module-name"), lib.get("name"), package.get("name")):
            if isinstance(name, str) and name:
                return name.rpartition(".")[2].replace("-", "_")
        return self.cargo_toml.parent.name.replace("-", "_")

    @property
    def distribution_name(self) -> str:
        """The distribution `maturin develop` installs: pyproject's `[project] name`, else the extension's."""
        project = (read_toml(self.pyproject) or {}).get("project", {})
        name = project.get("name") if isinstance(project, dict) else None
        return name if isinstance(name, str) and name else self.extension_name

    @property
    def rust_edition(self) -> str:
        """The crate's Rust edition (Cargo.toml's `[package] edition`): generated code is formatted for it."""
        package = (read_toml(self.cargo_toml) or {}).get("package", {})
        edition = package.get("edition")
        return edition if isinstance(edition, str) and edition else DEFAULT_EDITION

    def module_dir(self, name: str) -> Path:
        """The Rust source folder of module `name` (which may not exist yet)."""
        return self.rust_src / name

    def module_names(self) -> list[str]:
        """The modules `lib.rs` declares with `pub mod name;`, in file order, without `python` and `support`
        (the engine's own: the extension module, and what every module's kernels share).

        Read with the tree-sitter parse the registration edits use, so any layout rustfmt or a person
        leaves (attributes, comments, several items on a line) is read the same; a file with a syntax
        error still yields the declarations the parser can read.
        """
        _, root = parse_rust(self.lib_rs.read_text(encoding="utf-8"), "lib.rs", strict=False)
        declared = (d.name for d in mod_declarations(root) if is_pub(d))
        return [name for name in declared if name not in ENGINE_OWN_MODULES]

    def has_module(self, name: str) -> bool:
        """Whether `lib.rs` declares module `name`."""
        return name in self.module_names()


def find_workspace(start: Path | None = None, engine: Path | None = None) -> Workspace:
    """Find the engine workspace: `engine` if given, else walk up from `start` (default: cwd).

    At each directory, accept the directory itself if it is an engine workspace, or the path
    that `[tool.devtool] engine = "..."` in its pyproject.toml names.

    Raises:
        WorkspaceNotFound: `engine` or a configured path is not a workspace, or none was found.
    """
    if engine is not None:
        return _checked(engine.resolve(), f"--engine {engine}")
    origin = _start_dir(start)
    near_miss = ""
    for folder in (origin, *origin.parents):
        problem = _workspace_problem(folder)
        if problem is None:
            return _checked(folder, str(folder))
        if not near_miss and _maturin_manifest(folder) is not None:
            near_miss = f" (nearest maturin project {folder}: {problem})"
        configured = _configured_engine(folder / "pyproject.toml")
        if configured is not None:
            return _checked((folder / configured).resolve(), f'[tool.devtool] engine = "{configured}"')
    raise WorkspaceNotFound(
        f"no engine workspace in {origin} or any parent{near_miss}: looked for a pyproject.toml with "
        "[tool.maturin] whose Cargo.toml's src has lib.rs and python/mod.rs, or with [tool.devtool] "
        'engine = "<path>"; pass --engine PATH or add that setting to your pyproject.toml'
    )


def load_config(start: Path | None = None) -> dict[str, Any]:
    """The `[tool.devtool]` table of the nearest pyproject.toml (walking up) that has one, else {}.

    Raises:
        WorkspaceNotFound: that pyproject.toml is not valid TOML.
    """
    origin = _start_dir(start)
    for folder in (origin, *origin.parents):
        table = _tool_table(folder / "pyproject.toml", "devtool")
        if table is not None:
            return table
    return {}


def settings_table(table: Any, allowed: set[str], where: str) -> dict[str, Any]:
    """`table` (a table of `[tool.devtool]`, named `where`), checked to hold only `allowed` keys: a typo
    would silently keep a default.

    Raises:
        UsageError: not a table, or a key it does not know.
    """
    if not isinstance(table, dict):
        raise UsageError(f"{where} must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise UsageError(f"{where}: unknown key {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")
    return table


def _checked(root: Path, source: str) -> Workspace:
    """The workspace at `root`, or WorkspaceNotFound saying which setting pointed there and why not."""
    problem = _workspace_problem(root)
    if problem is not None:
        raise WorkspaceNotFound(
            f"{source}: {root} is not an engine workspace ({problem}); "
            'fix --engine PATH or [tool.devtool] engine = "<path>"'
        )
    manifest = _maturin_manifest(root)
    return Workspace(root=root, manifest=manifest or DEFAULT_MANIFEST)


def _workspace_problem(root: Path) -> str | None:
    """Why `root` is not an engine workspace, or None if it is one."""
    if not (root / "pyproject.toml").is_file():
        return "no pyproject.toml"
    manifest = _maturin_manifest(root)
    if manifest is None:
        return "its pyproject.toml has no [tool.maturin] table"
    ws = Workspace(root=root, manifest=manifest)
    for path in (ws.cargo_toml, ws.lib_rs, ws.python_mod_rs):
        if not path.is_file():
            return f"{path.relative_to(root)} is missing"
    return None


def _maturin_manifest(root: Path) -> str | None:
    """The manifest path `[tool.maturin]` names (maturin's default: Cargo.toml), or None without one."""
    maturin = _tool_table(root / "pyproject.toml", "maturin")
    manifest = maturin.get("manifest-path", "Cargo.toml") if maturin is not None else None
    return manifest if isinstance(manifest, str) else None


def _configured_engine(pyproject: Path) -> str | None:
    table = _tool_table(pyproject, "devtool")
    engine = table.get("engine") if table is not None else None
    return engine if isinstance(engine, str) else None


def _tool_table(pyproject: Path, name: str) -> dict[str, Any] | None:
    """The `[tool.<name>]` table of `pyproject`, or None if the file or the table is missing."""
    data = read_toml(pyproject)
    tool = data.get("tool") if data is not None else None
    table = tool.get(name) if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def read_toml(path: Path, error: type[DevtoolError] = WorkspaceNotFound) -> dict[str, Any] | None:
    """The parsed file, or None if it does not exist.

    Raises:
        error: the file is not valid TOML (named, with the parser's reason); a caller that is not looking
            for a workspace (init reads the project's pyproject.toml) passes the kind it reports.
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return None
    except tomllib.TOMLDecodeError as err:
        raise error(f"{path} is not valid TOML: {err}") from err


def _start_dir(start: Path | None) -> Path:
    origin = (start if start is not None else Path.cwd()).resolve()
    return origin.parent if origin.is_file() else origin
