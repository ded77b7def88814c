"""Check that the Rust toolchain and maturin are installed, and say which versions were found."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from .errors import ToolchainError

REQUIRED = ("cargo", "rustc", "maturin")
TIMEOUT_SECONDS = 30.0

_INSTALL_HINTS = {
    "cargo": "install Rust with rustup (https://rustup.rs): curl https://sh.rustup.rs -sSf | sh",
    "rustc": "install Rust with rustup (https://rustup.rs): curl https://sh.rustup.rs -sSf | sh",
    "maturin": "install maturin into the active environment: pip install maturin",
}


def check_toolchain(required: Sequence[str] = REQUIRED) -> dict[str, str]:
    """Each required tool's version line (`cargo 1.91.0 (...)`), found on PATH.

    Raises:
        ToolchainError: a tool is missing or fails to report its version; the message names it,
            lists the versions of the tools that were found, and says how to install the rest.
    """
    versions: dict[str, str] = {}
    problems: dict[str, str] = {}
    for tool in required:
        version, problem = tool_version(tool)
        if version is not None:
            versions[tool] = version
        else:
            problems[tool] = problem
    if problems:
        raise ToolchainError(_message(problems, versions))
    return versions


def install_hint(tool: str) -> str:
    """How to install `tool`."""
    return _INSTALL_HINTS.get(tool, f"install {tool}")


def tool_version(tool: str) -> tuple[str | None, str]:
    """(version line, "") if `tool --version` works, else (None, what went wrong)."""
    path = shutil.which(tool)
    if path is None:
        return None, "not found on PATH"
    try:
        proc = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return None, f"`{path} --version` did not answer within {TIMEOUT_SECONDS:.0f} s"
    except OSError as err:
        return None, f"`{path} --version` could not run ({err.strerror or err})"
    first_line = proc.stdout.strip().splitlines()[:1]
    if proc.returncode != 0 or not first_line:
        detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["no output"]
        return None, f"`{path} --version` failed (exit code {proc.returncode}: {detail[0]})"
    return first_line[0], ""


def _message(problems: dict[str, str], versions: dict[str, str]) -> str:
    missing = "; ".join(f"{tool}: {problem}" for tool, problem in problems.items())
    found = ", ".join(versions.values()) if versions else "none of the others"
    hints = dict.fromkeys(install_hint(tool) for tool in problems)
    return f"missing or unusable: {missing}. Found: {found}. To fix: {'; '.join(hints)}."
