"""The files every engine starts with, read from this repository's own engine (shipped in devtool's wheel).

One source: `devtool init` writes no file of its own making. It copies the engine's shared pieces
(the `support` crate module, the bridge's fallback machinery, the extension's Python package, the
bridge tests, Cargo.toml, Cargo.lock, pyproject.toml), renamed from the engine's extension name to the
new one, and the three registration files (lib.rs, python/mod.rs, rust_bridge/__init__.py) with every
module's registration removed by the same edits `remove-module` makes. So the repository's engine is
what `init` makes, plus its modules (tests/test_init.py checks it file by file).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..changes.registration import unregister_module
from ..changes.tree import Tree
from ..errors import UsageError
from ..names import ENGINE_RESERVED, check_identifier
from ..workspace import Workspace, find_workspace


def _find_engine_dir() -> Path:
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_engine"  # force-included by the wheel build ([tool.hatch...force-include])
    return packaged if packaged.is_dir() else package.parent / "engine"


#: The engine whose shared files `init` copies: `devtool/_engine` in a wheel, else the repository's `engine/`.
ENGINE_DIR = _find_engine_dir()

#: The shared files, relative to the engine; `{extension}` is the extension module's name. A pattern with
#: `*` stands for the matching files of one folder.
SHARED_FILES: tuple[str, ...] = (
    "pyproject.toml",
    "rust/Cargo.toml",
    "rust/Cargo.lock",
    "rust/src/support/*.rs",
    "src/rust_bridge/_[!_]*.py",  # the bridge's machinery (conversions, fallback choice, test helpers)
    "src/rust_bridge/py.typed",
    "src/rust_bridge/_fallback/__init__.py",
    "src/{extension}/__init__.py",
    "src/{extension}/{extension}.pyi",
    "src/{extension}/py.typed",
    "tests/bridge_tests/*.py",
    "benchmarks/README.md",
)

#: The files devtool's registration edits: copied with every module's registration removed.
REGISTRATION_FILES: tuple[str, ...] = (
    "rust/src/lib.rs",
    "rust/src/python/mod.rs",
    "src/rust_bridge/__init__.py",
)


def source_workspace(engine_dir: Path = ENGINE_DIR) -> Workspace:
    """The engine the shared files come from."""
    return find_workspace(engine=engine_dir)


def shared_paths(ws: Workspace) -> list[str]:
    """Every shared file of `ws` (patterns expanded), relative to its root, in a stable order."""
    found: list[str] = []
    for pattern in SHARED_FILES:
        rel = pattern.format(extension=ws.extension_name)
        if "*" in rel:
            found += sorted(p.relative_to(ws.root).as_posix() for p in ws.root.glob(rel) if p.is_file())
        else:
            found.append(rel)
    return found


def engine_files(name: str, engine_dir: Path = ENGINE_DIR) -> dict[str, str]:
    """The files of a new engine whose extension module is `name`, by path relative to the engine.

    Raises:
        UsageError: `name` cannot name an extension module.
    """
    check_engine_name(name)
    ws = source_workspace(engine_dir)
    files = {path: (ws.root / path).read_text(encoding="utf-8") for path in shared_paths(ws)}
    files |= empty_registration(ws)
    rename = _Rename(ws.extension_name, name)
    return {rename(path): rename(text) for path, text in sorted(files.items())}


def empty_registration(ws: Workspace) -> dict[str, str]:
    """lib.rs, python/mod.rs and rust_bridge/__init__.py of `ws` with every module's registration removed."""
    tree = Tree(ws.root)
    for module in ws.module_names():
        unregister_module(tree, ws, module)
    return {path: _read(tree, path) for path in REGISTRATION_FILES}


def check_engine_name(name: str) -> str:
    """`name` if it can name the crate, the extension module and its Python package.

    Raises:
        UsageError: it is no snake_case identifier of both languages, or a name the engine uses itself.
    """
    check_identifier(name, "engine name")
    taken = ENGINE_RESERVED - {"crypto_trading_engine"}
    if name in taken:
        raise UsageError(
            f"engine name {name!r} is a name the engine uses itself ({', '.join(sorted(taken))}); "
            "choose another with --name"
        )
    return name


def _read(tree: Tree, path: str) -> str:
    text = tree.read(path)
    if text is None:
        raise UsageError(f"the engine devtool copies from lacks {path} (a broken devtool install)")
    return text


class _Rename:
    """Replaces the extension's name, as an identifier (`a_b`) and as a distribution name (`a-b`)."""

    def __init__(self, old: str, new: str) -> None:
        self._pairs = ((old, new), (old.replace("_", "-"), new.replace("_", "-")))
        self._pattern = re.compile("|".join(rf"\b{re.escape(a)}\b" for a, _ in self._pairs))

    def __call__(self, text: str) -> str:
        lookup = dict(self._pairs)
        return self._pattern.sub(lambda m: lookup[m.group(0)], text)
