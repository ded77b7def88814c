"""Which names devtool accepts for modules, functions and arguments, and why it refuses the others."""

from __future__ import annotations

import builtins
import keyword
import re
import sys

from .errors import UsageError

MAX_LENGTH = 40

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")

# Strict, reserved (for future use) and weak keywords of every Rust edition up to 2024.
_RUST_KEYWORD_TEXT = """
as break const continue crate else enum extern false fn for if impl in let loop match mod move mut
pub ref return self static struct super trait true type unsafe use where while async await dyn
abstract become box do final gen macro override priv try typeof unsized virtual yield
macro_rules raw safe union
"""
RUST_KEYWORDS = frozenset(_RUST_KEYWORD_TEXT.split())

# Soft keywords of every Python devtool supports: `type` became one in 3.12.
PYTHON_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"type"}

PYTHON_BUILTINS = frozenset(dir(builtins))

PYTHON_STDLIB = frozenset(sys.stdlib_module_names)

RUST_STD_CRATES = frozenset({"std", "core", "alloc", "proc_macro", "test"})

# Names the engine's own layout uses: a module with one of them would collide with a file or crate.
ENGINE_RESERVED = frozenset(
    {
        "python",
        "support",
        "crypto_trading_engine",
        "rust_bridge",
        "numpy",
        "pyo3",
        "rayon",
        "tests",
        "benchmarks",
    }
)


def check_identifier(name: str, what: str) -> str:
    """Return `name` if it can name a Rust item and a Python object alike.

    Raises:
        UsageError: with a one-line reason naming `what` (e.g. "module name").
    """
    reason = _refusal(name)
    if reason is not None:
        raise UsageError(f"{what} {name!r} {reason}")
    return name


def check_module_name(name: str, extension: str | None = None) -> str:
    """Return `name` if it can name a new engine module.

    `extension`: the engine's extension module (`Workspace.extension_name`), whose name a module
    cannot take either (its stubs and the extension's package would collide).

    Raises:
        UsageError: the name is not an identifier devtool accepts, or the engine reserves it.
    """
    check_identifier(name, "module name")
    if name in ENGINE_RESERVED or name == extension:
        raise UsageError(f"module name {name!r} is reserved by the engine's layout")
    return name


def _refusal(name: str) -> str | None:
    """Why `name` is refused, or None when it is accepted."""
    if not name:
        return "is empty"
    if len(name) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    if not _SNAKE_CASE.fullmatch(name):
        return "is not snake_case (a lowercase letter, then lowercase letters, digits or '_')"
    if "__" in name or name.endswith("_"):
        return "is not snake_case (no '__' and no trailing '_')"
    for names, reason in _REFUSED_SETS:
        if name in names:
            return reason
    return None


_REFUSED_SETS: tuple[tuple[frozenset[str], str], ...] = (
    (RUST_KEYWORDS, "is a Rust keyword"),
    (PYTHON_KEYWORDS, "is a Python keyword"),
    (PYTHON_BUILTINS, "shadows a Python builtin"),
    (PYTHON_STDLIB, "shadows a Python standard-library module"),
    (RUST_STD_CRATES, "shadows a Rust standard crate"),
)
