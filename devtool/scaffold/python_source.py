"""`new-module --from`: find an existing Python function, import it, and read its signature.

`FILE:FUNCTION` or `package.module:function`. A file is imported by its module path (the folders above
it that hold an `__init__.py` make the package), since that is how the generated fallback imports it,
and it must import in the engine's environment from anywhere, not only from the current folder. A plain
script (a folder without `__init__.py`) that the environment does not import is imported by its
absolute path, and the path is what the fallback keeps. The
signature comes from the type hints (`devtool.scaffold.python_hints`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import inspect
import os
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SourceError, UsageError
from .python_hints import signature_of
from .signature import Signature


@dataclass(frozen=True)
class PythonFunction:
    """A module-level Python function, importable as `module:name`, and the signature its hints give."""

    module: str
    name: str
    signature: Signature
    file: Path | None

    @property
    def reference(self) -> str:
        """`package.module:function`: what the generated fallback imports (kept in the module's record)."""
        return f"{self.module}:{self.name}"


def read_python_function(spec: str, base: Path, given: Signature | None = None) -> PythonFunction:
    """Import the function `spec` names (`FILE:FUNCTION`, FILE relative to `base`, or `module:function`).

    `given` (`--signature`) types the parameters and result that have no hint.

    Raises:
        SourceError: the spec is malformed, the file or function is missing, its module does not import
            from the engine's environment, or a hint cannot be mapped (the message says what to write).
    """
    location, _, name = spec.rpartition(":")
    if not location or not name.isidentifier():
        raise SourceError(f"--from {spec!r}: expected FILE:FUNCTION or package.module:function")
    file = _as_file(location, base)
    module = module_of_file(file) if file is not None else _checked_module_path(location)
    if file is not None and _is_loose_script(file, module):
        function = _import_function_by_path(file, name, spec)
        return PythonFunction(str(file), name, signature_of(function, spec, given), file)
    function = _import_function(module, name, file, spec)
    return PythonFunction(module, name, signature_of(function, spec, given), file)


def _is_loose_script(file: Path, module: str) -> bool:
    """A file in a folder without `__init__.py` that the environment does not import as `module`.

    It is imported by its path instead, and the path is what the record and the fallback keep
    (`rust_bridge._source` imports a module named by a `.py` path the same way).
    """
    if "." in module or file.name == "__init__.py":
        return False
    found = importlib.machinery.PathFinder.find_spec(module, _environment_paths())
    return found is None or found.origin is None or Path(found.origin).resolve() != file


def _import_function_by_path(file: Path, name: str, spec: str) -> Callable[..., Any]:
    """`name` of the script `file`, executed as a module of its own (its `__main__` block does not run)."""
    try:
        imported = load_script(file)
    except Exception as err:  # the user's script raised while importing: say so, with what it raised
        raise SourceError(f"--from {spec}: importing {file} raised {type(err).__name__}: {err}") from err
    return _module_function(imported, name, spec, where=str(file), qualified=f"{file}:{name}")


def load_script(file: Path) -> types.ModuleType:
    """The script `file` imported by its path, as `rust_bridge._source.python_function` imports it."""
    module_name = f"_devtool_script_{file.stem}_{hashlib.sha256(str(file).encode()).hexdigest()[:8]}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look their module up there
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def check_bridge_supports_sources(bridge_dir: Path) -> None:
    """Refuse an engine whose bridge predates `--from`: its generated code would not import.

    Raises:
        UsageError: `rust_bridge/_source.py` or `_native.pick_kernel` is missing.
    """
    native = bridge_dir / "_native.py"
    has_pick_kernel = native.is_file() and "def pick_kernel(" in native.read_text(encoding="utf-8")
    if has_pick_kernel and (bridge_dir / "_source.py").is_file():
        return
    raise UsageError(
        f"{bridge_dir} lacks _source.py or _native.pick_kernel, which modules made with --from use: "
        "copy them from devtool's engine (engine/src/rust_bridge/)"
    )


def _as_file(location: str, base: Path) -> Path | None:
    """The file `location` names, or None when it is a dotted module path."""
    if not (location.endswith(".py") or "/" in location or os.sep in location):
        return None
    path = (base / location).resolve()
    if not path.is_file():
        raise SourceError(f"--from: no such file: {location}")
    if path.suffix != ".py":
        raise SourceError(f"--from: {location} is not a Python file (.py)")
    return path


def module_of_file(file: Path) -> str:
    """The dotted path `file` imports as: its name, under every folder above it with an `__init__.py`.

    Raises:
        SourceError: a part of that path is not a Python identifier.
    """
    parts = [] if file.name == "__init__.py" else [file.stem]
    folder = file.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    bad = [p for p in parts if not p.isidentifier()]
    if bad:
        raise SourceError(
            f"--from: {file} cannot be imported: {bad[0]!r} is not a Python identifier "
            "(rename it with letters, digits and '_')"
        )
    return ".".join(parts)


def _checked_module_path(location: str) -> str:
    if not all(part.isidentifier() for part in location.split(".")):
        raise SourceError(f"--from: {location!r} is neither a .py file nor a dotted module path")
    return location


def _import_function(module: str, name: str, file: Path | None, spec: str) -> Callable[..., Any]:
    """`module.name`, imported as the engine's environment will import it.

    The current folder does not count: `python -m` and `-c` put it on sys.path, but the engine's tests
    and your own programs run from elsewhere, and the fallback must import there too.
    """
    top = module.split(".")[0]
    found = importlib.machinery.PathFinder.find_spec(top, _environment_paths())
    root = _package_root(file, module) if file is not None else None
    if found is None or (found.origin is None and not found.submodule_search_locations):
        raise SourceError(_not_importable(module, root))
    if root is not None and _spec_root(found) != root:
        raise SourceError(
            f"--from {spec}: {top!r} imports from {_spec_root(found)}, not from {root}: another "
            f"package named {top!r} comes first on sys.path; rename yours"
        )
    try:
        imported = importlib.import_module(module)
    except Exception as err:  # the user's module raised while importing: say so, with what it raised
        raise SourceError(f"--from {spec}: importing {module} raised {type(err).__name__}: {err}") from err
    function = _module_function(imported, name, spec, where=module, qualified=f"{module}.{name}")
    if file is not None and Path(inspect.getfile(function)).resolve() != file:
        raise SourceError(f"--from {spec}: {module}.{name} is defined in {inspect.getfile(function)}")
    return function


def _module_function(
    imported: types.ModuleType, name: str, spec: str, *, where: str, qualified: str
) -> Callable[..., Any]:
    """`name` of the imported module or script, refused unless it is a module-level `def`."""
    function = getattr(imported, name, None)
    if function is None:
        raise SourceError(f"--from {spec}: {where} has no function {name!r}")
    if not inspect.isfunction(function) or function.__qualname__ != name:
        raise SourceError(f"--from {spec}: {qualified} is not a module-level function defined with def")
    return typing.cast(Callable[..., Any], function)


def _environment_paths() -> list[str]:
    """sys.path without the entry for the folder devtool was started from (`python -m`, `-c`).

    The same folder named again later (by a .pth file, PYTHONPATH) stays: that entry is the environment's.
    """
    paths = list(sys.path)
    if paths and (not paths[0] or Path(paths[0]).resolve() == Path.cwd().resolve()):
        paths.pop(0)
    return [p for p in paths if p]


def _package_root(file: Path, module: str) -> Path:
    """The folder on sys.path that `module` (defined in `file`) is imported from."""
    levels = module.count(".") + (2 if file.name == "__init__.py" else 1)
    return file.parents[levels - 1]


def _spec_root(found: importlib.machinery.ModuleSpec) -> Path:
    if found.submodule_search_locations:  # a package: its folder's parent is on sys.path
        return Path(next(iter(found.submodule_search_locations))).resolve().parent
    return Path(str(found.origin)).resolve().parent


def _not_importable(module: str, root: Path | None) -> str:
    where = f" from {root}" if root is not None else ""
    return (
        f"--from: {module}{where} does not import in the engine's environment ({sys.executable}), "
        "where the generated fallback imports it; make it importable there: install the project "
        "that holds it (pip install -e PATH), or add its folder to a .pth file in site-packages, "
        "then rerun (the current folder does not count: the engine's tests run from elsewhere)"
    )
