"""Crate dependencies through `cargo add` / `cargo remove`, run on a copy so the change goes through the Tree.

cargo resolves the version (crates.io's newest compatible one unless a version is given), keeps
Cargo.toml's formatting and updates Cargo.lock. It writes in place, so it runs in a temporary folder
holding the staged Cargo.toml and Cargo.lock (and links to the rest of the crate folder, for cargo to
find its targets); the files it leaves there are staged in the command's Tree like every other change,
so a dry run shows them, and a refusal, a failed build or a kill restores them byte for byte.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import CrateError, DevtoolError, UsageError
from ..workspace import Workspace
from .tree import Tree

#: crates.io's rule for a name (ASCII letters, digits, `-`, `_`; a letter first; at most 64), and the
#: version requirement after `@` that `cargo add` takes (`1`, `1.0.19`, `^0.4`, `=2.0.1`).
_CRATE = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9_-]{0,63})(@(?P<version>[0-9A-Za-z.^~=<>*+-]+))?")
CARGO_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class CrateSpec:
    """`NAME[@VERSION]` as given on the command line."""

    name: str
    version: str | None = None

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name}@{self.version}"


def parse_crate(text: str) -> CrateSpec:
    """`itoa`, `itoa@1`, `smallvec@1.13.2` -> CrateSpec.

    Raises:
        UsageError: not a crate name with an optional version requirement.
    """
    match = _CRATE.fullmatch(text.strip())
    if match is None:
        raise UsageError(
            f"{text!r} is not a crate: give NAME or NAME@VERSION (a crates.io name: letters, digits, "
            "- and _, a letter first; e.g. itoa or smallvec@1.13)"
        )
    return CrateSpec(match["name"], match["version"])


def lock_path(ws: Workspace) -> PurePosixPath:
    """Cargo.lock next to the crate's Cargo.toml, relative to the workspace root."""
    return PurePosixPath(ws.manifest).parent / "Cargo.lock"


def dependencies(manifest: str) -> dict[str, str]:
    """A Cargo.toml's `[dependencies]`: name -> its requirement (`1.0.19`; `path` or `git` for those)."""
    try:
        table = tomllib.loads(manifest).get("dependencies", {})
    except tomllib.TOMLDecodeError as err:
        raise DevtoolError(f"the crate's Cargo.toml is not valid TOML: {err}") from err
    found: dict[str, str] = {}
    for name, value in table.items():
        if isinstance(value, str):
            found[name] = value
        elif isinstance(value, dict):
            found[name] = str(value.get("version") or next((k for k in ("path", "git") if k in value), "*"))
    return found


def stage_cargo_add(tree: Tree, ws: Workspace, crates: list[CrateSpec]) -> None:
    """Stage `cargo add CRATES...` on the crate's Cargo.toml and Cargo.lock.

    Raises:
        CrateError: cargo refused (a crate that does not exist, a version it does not have, no network).
    """
    if crates:
        _stage_cargo(tree, ws, ["add", *(str(c) for c in crates)])


def stage_cargo_remove(tree: Tree, ws: Workspace, names: list[str]) -> None:
    """Stage `cargo remove NAMES...` on the crate's Cargo.toml and Cargo.lock.

    Raises:
        CrateError: cargo refused.
    """
    if names:
        _stage_cargo(tree, ws, ["remove", *names])


def _stage_cargo(tree: Tree, ws: Workspace, args: list[str]) -> None:
    manifest, lock = PurePosixPath(ws.manifest), lock_path(ws)
    crate_dir = ws.cargo_toml.parent
    with tempfile.TemporaryDirectory(prefix="devtool-cargo-") as scratch:
        copy = Path(scratch)
        for entry in crate_dir.iterdir():  # the sources, build.rs, ...: read, never written, by cargo add
            if entry.name not in {"Cargo.toml", "Cargo.lock", "target"}:
                (copy / entry.name).symlink_to(entry)
        (copy / "Cargo.toml").write_text(tree.read(manifest) or "", encoding="utf-8")
        staged_lock = tree.read(lock)
        if staged_lock is not None:
            (copy / "Cargo.lock").write_text(staged_lock, encoding="utf-8")
        argv = ["cargo", *args, "--manifest-path", str(copy / "Cargo.toml")]
        try:
            proc = subprocess.run(
                argv,
                cwd=copy,
                env={**os.environ, "CARGO_TERM_COLOR": "never"},
                capture_output=True,
                text=True,
                timeout=CARGO_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise CrateError(f"cannot run `cargo {' '.join(args)}`: {err}; nothing was changed") from err
        if proc.returncode != 0:
            raise CrateError(
                f"`cargo {' '.join(args)}` failed: {_cargo_error(proc.stderr)}; nothing was changed"
            )
        tree.write(manifest, (copy / "Cargo.toml").read_text(encoding="utf-8"))
        if (copy / "Cargo.lock").is_file():
            tree.write(lock, (copy / "Cargo.lock").read_text(encoding="utf-8"))


def _cargo_error(stderr: str) -> str:
    """cargo's `error:` line and what follows it (the reason), else its last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for start, line in enumerate(lines):
        if line.startswith("error"):
            return " ".join(lines[start : start + 4]).removeprefix("error: ")
    return lines[-1] if lines else "no output"
