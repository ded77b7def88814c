"""The Python functions that modules made by `devtool new-module --from` serve as their fallback.

Imported when first called, not with rust_bridge: the function's own module may import rust_bridge
(a strategy calling the engine), and one that does not import here must not break the others.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any


def python_function(
    module: str, name: str, frames: Mapping[str, Sequence[str]] | None = None
) -> Callable[..., Any]:
    """`module.name`, imported on first use; a `module` ending in `.py` is a script's path.

    `frames` names the DataFrame parameters that the caller passes as their columns, one numpy array
    each, in order ({parameter: columns}, as the signature's `frame[...]` names them): the function
    is called with a DataFrame of them.

    Raises:
        ImportError: `module` does not import in this environment (the message says what to do).
        RuntimeError: `module.name` is rust_bridge's function itself, so the fallback would call itself.
    """
    return _python_function(module, name, tuple((p, tuple(c)) for p, c in (frames or {}).items()))


@functools.cache
def _python_function(
    module: str, name: str, frames: tuple[tuple[str, tuple[str, ...]], ...]
) -> Callable[..., Any]:
    try:
        imported = _load_script(module) if module.endswith(".py") else importlib.import_module(module)
        function = getattr(imported, name)
    except (ImportError, AttributeError, OSError) as err:
        if module.endswith(".py"):
            raise ImportError(
                f"rust_bridge.{name} falls back to the Python function {name} of the script {module}, "
                f"which does not import here ({err}): if the script moved, run devtool new-module --from "
                "again where it now is"
            ) from err
        raise ImportError(
            f"rust_bridge.{name} falls back to the Python function {module}:{name}, which does not "
            f"import here ({err}): install the project that holds {module} into this environment "
            "(pip install -e PATH) or put its folder on PYTHONPATH"
        ) from err
    if str(getattr(function, "__module__", "")).split(".")[0] == "rust_bridge":
        raise RuntimeError(
            f"{module}.{name} is rust_bridge's own {name}: keep the Python function in {module} "
            "(it is the fallback and the reference of the Rust kernel) and call rust_bridge from elsewhere"
        )
    return _with_pandas(function, dict(frames))


def _with_pandas(function: Callable[..., Any], frames: dict[str, tuple[str, ...]]) -> Callable[..., Any]:
    """A function hinted with pandas Series or taking DataFrames, called with the numpy arrays the
    bridge passes."""
    signature = inspect.signature(function)
    hints = [p.annotation for p in signature.parameters.values()] + [signature.return_annotation]
    if not frames and not any("Series" in str(hint) for hint in hints):  # numpy: pandas is not imported
        return function
    from . import _pandas

    return _pandas.adapt(function, frames) if frames or _pandas.is_pandas_function(function) else function


def _load_script(path: str) -> ModuleType:
    """A plain script (a folder without `__init__.py`) imported by its path, its `__main__` block not run.

    Named as devtool's `load_script` names it, so both import it once under the same name.
    """
    name = f"_devtool_script_{Path(path).stem}_{hashlib.sha256(path.encode()).hexdigest()[:8]}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not Path(path).is_file():
        raise ImportError(f"no such file: {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up there
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
