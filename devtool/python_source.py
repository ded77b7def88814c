"""`new-module --from`: find an existing Python function and read its signature from its type hints.

`FILE:FUNCTION` or `package.module:function`. A file is imported by its module path (the folders above
it that hold an `__init__.py` make the package), since that is how the generated fallback imports it.
The hints map to signature types (`devtool.signature`) this way, and nothing else maps:

    float, np.float64                               f64
    int, np.int64                                   i64   (always: an unsigned one is Annotated[int, "usize"])
    bool, np.bool_                                  bool
    npt.NDArray[np.float64]                         f64[]
    npt.NDArray[np.int64]                           i64[]
    Annotated[npt.NDArray[np.float64], "f64[,]"]    f64[,] (2-D, one series per row); so is
    np.ndarray[tuple[int, int], np.dtype[np.float64]]
    Annotated[T, "<type>"]                          <type>, when it fits T (e.g. Annotated[int, "usize"])
    tuple[A, B, ...] (a return of 2 to 4 of them)   (A, B, ...)

An array hint without a shape is 1-D. Parameters are passed by position: keyword-only ones, *args and
**kwargs are refused. Whatever is refused names the parameter and the hint to write instead.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import inspect
import os
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SignatureError, SourceError, UsageError
from .signature import MAX_RESULTS, SUPPORTED_TYPES, Signature, parse_signature

#: What to write, shown with every refusal of a hint.
SUPPORTED_HINTS = (
    "float, int, bool, npt.NDArray[np.float64], npt.NDArray[np.int64], "
    'Annotated[npt.NDArray[np.float64], "f64[,]"] (2-D), Annotated[int, "usize"]; '
    "a result may be a tuple[...] of them"
)

_SCALARS: tuple[tuple[Any, str], ...] = (
    (float, "f64"),
    (np.float64, "f64"),
    (int, "i64"),
    (np.int64, "i64"),
    (bool, "bool"),
    (np.bool_, "bool"),
)
_DTYPES: tuple[tuple[Any, str], ...] = ((np.float64, "f64"), (np.int64, "i64"))
#: Which base type an `Annotated[...]` override may relabel.
_OVERRIDES = {"f64[,]": {"f64[]"}, "f64[*]": {"f64[]"}, "i64[*]": {"i64[]"}, "usize": {"i64"}}


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


def read_python_function(spec: str, base: Path) -> PythonFunction:
    """Import the function `spec` names (`FILE:FUNCTION`, FILE relative to `base`, or `module:function`).

    Raises:
        SourceError: the spec is malformed, the file or function is missing, its module does not import
            from the engine's environment, or a hint cannot be mapped (the message says what to write).
    """
    location, _, name = spec.rpartition(":")
    if not location or not name.isidentifier():
        raise SourceError(f"--from {spec!r}: expected FILE:FUNCTION or package.module:function")
    file = _as_file(location, base)
    module = module_of_file(file) if file is not None else _checked_module_path(location)
    function = _import_function(module, name, file, spec)
    return PythonFunction(module, name, signature_of(function, spec), file)


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
    function = getattr(imported, name, None)
    if function is None:
        raise SourceError(f"--from {spec}: {module} has no function {name!r}")
    if not inspect.isfunction(function) or function.__qualname__ != name:
        raise SourceError(f"--from {spec}: {module}.{name} is not a module-level function defined with def")
    if file is not None and Path(inspect.getfile(function)).resolve() != file:
        raise SourceError(f"--from {spec}: {module}.{name} is defined in {inspect.getfile(function)}")
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


def signature_of(function: Callable[..., Any], where: str) -> Signature:
    """The signature that `function`'s type hints give (the mapping in this module's docstring).

    Raises:
        SourceError: a parameter or the result has no hint or one that cannot be mapped.
    """
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception as err:  # a hint naming something that does not exist
        raise SourceError(f"{where}: its type hints do not resolve ({type(err).__name__}: {err})") from err
    args = []
    for param in inspect.signature(function).parameters.values():
        _check_kind(param, where)
        if param.name not in hints:
            raise SourceError(
                f"{where}: parameter {param.name!r} has no type hint: add one ({SUPPORTED_HINTS})"
            )
        args.append(f"{param.name}: {_mapped(hints[param.name], f'parameter {param.name!r}', where)}")
    if "return" not in hints:
        raise SourceError(f"{where}: the function has no return hint: add one ({SUPPORTED_HINTS})")
    result = _result(hints["return"], where)
    return _parsed(f"{', '.join(args)} -> {result}", where)


def _check_kind(param: inspect.Parameter, where: str) -> None:
    if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
        prefix = "*" if param.kind == param.VAR_POSITIONAL else "**"
        raise SourceError(
            f"{where}: parameter {prefix}{param.name} cannot cross into Rust: a kernel takes named "
            "arguments; give each one a name and a hint"
        )
    if param.kind == param.KEYWORD_ONLY:
        raise SourceError(
            f"{where}: parameter {param.name!r} is keyword-only, but the generated fallback passes "
            "arguments by position: remove the '*' before it"
        )


def _result(hint: Any, where: str) -> str:
    if hint is None or hint is type(None):
        raise SourceError(
            f"{where}: the function returns None; a kernel returns its result ({SUPPORTED_HINTS})"
        )
    if typing.get_origin(hint) is not tuple:
        return _mapped(hint, "the result", where)
    items = typing.get_args(hint)
    if Ellipsis in items or not 2 <= len(items) <= MAX_RESULTS:
        raise SourceError(
            f"{where}: the return hint {_shown(hint)} cannot be mapped: a tuple result has 2 to "
            f"{MAX_RESULTS} items, each written out (tuple[npt.NDArray[np.float64], float])"
        )
    return "(" + ", ".join(_mapped(item, "the result", where) for item in items) + ")"


def _mapped(hint: Any, what: str, where: str) -> str:
    """The signature type of `hint`, or a SourceError naming `what` and the hint to write instead."""
    try:
        return _type_of(hint)
    except _Unmapped as err:
        shown = _shown(hint)
        raise SourceError(f"{where}: {what} has the hint {shown}, which devtool cannot map: {err}") from None


class _Unmapped(Exception):
    """Why a hint does not map, with the hint to write instead."""


def _type_of(hint: Any) -> str:
    if typing.get_origin(hint) is typing.Annotated:
        return _annotated(hint)
    scalar = _lookup(_SCALARS, hint)
    if scalar is not None:
        return scalar
    if hint is np.ndarray or typing.get_origin(hint) is np.ndarray:
        return _array(hint)
    raise _Unmapped(_suggestion(hint))


def _annotated(hint: Any) -> str:
    base = _type_of(hint.__origin__)
    labels = [m for m in hint.__metadata__ if isinstance(m, str) and m in SUPPORTED_TYPES]
    if not labels:
        return base
    label = labels[0]
    if label != base and base not in _OVERRIDES.get(label, ()):
        raise _Unmapped(f"{label!r} does not fit {_shown(hint.__origin__)} (it would be {base})")
    return label


def _array(hint: Any) -> str:
    shape, dtype = typing.get_args(hint) or (Any, Any)
    scalar = typing.get_args(dtype)[0] if typing.get_args(dtype) else Any
    element = _lookup(_DTYPES, scalar)
    if element is None:
        wanted = "npt.NDArray[np.float64] or npt.NDArray[np.int64]"
        if scalar is Any:
            raise _Unmapped(f"say its dtype: {wanted}")
        raise _Unmapped(f"the engine's arrays are float64 or int64: {wanted}")
    if _is_two_dimensional(shape):
        if element != "f64":
            raise _Unmapped("2-D arrays are float64 only (np.ndarray[tuple[int, int], np.dtype[np.float64]])")
        return "f64[,]"
    return f"{element}[]"


def _lookup(table: tuple[tuple[Any, str], ...], hint: Any) -> str | None:
    """By identity: hints need not be hashable, and `bool` must not match `int`."""
    return next((name for known, name in table if hint is known), None)


def _is_two_dimensional(shape: Any) -> bool:
    items = typing.get_args(shape)
    return typing.get_origin(shape) is tuple and len(items) == 2 and Ellipsis not in items


def _suggestion(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return "an argument that may be None cannot cross into Rust: drop None from the hint"
    if origin in (list, tuple) or (isinstance(origin, type) and origin.__module__ == "collections.abc"):
        return "the bridge passes numpy arrays: npt.NDArray[np.float64] (or np.int64)"
    if hint in (np.float32, np.float16, np.int32, np.int16, np.int8, np.uint64, np.uint32):
        return "the engine works in float64 and int64: float or int"
    return f"use one of {SUPPORTED_HINTS}"


def _shown(hint: Any) -> str:
    """A hint as its author wrote it: `npt.NDArray[np.float64]` rather than numpy's expanded repr."""
    if isinstance(hint, type) and typing.get_origin(hint) is None:
        return hint.__name__ if hint.__module__ == "builtins" else f"{hint.__module__}.{hint.__qualname__}"
    return repr(hint).replace("numpy.", "np.").replace("typing.", "")


def _parsed(text: str, where: str) -> Signature:
    try:
        return parse_signature(text)
    except SignatureError as err:
        if "at least one array" in err.reason:
            raise SourceError(
                f"{where}: it takes no array: a kernel takes at least one numpy array "
                "(npt.NDArray[np.float64] or npt.NDArray[np.int64])"
            ) from err
        raise SourceError(f"{where}: {err.reason} (rename the Python parameter)") from err
