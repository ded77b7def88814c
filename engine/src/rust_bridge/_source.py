"""The Python functions that modules made by `devtool new-module --from` serve as their fallback.

Imported when first called, not with rust_bridge: the function's own module may import rust_bridge
(a strategy calling the engine), and one that does not import here must not break the others.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any


@functools.cache
def python_function(module: str, name: str) -> Callable[..., Any]:
    """`module.name`, imported on first use.

    Raises:
        ImportError: `module` does not import in this environment (the message says what to do).
        RuntimeError: `module.name` is rust_bridge's function itself, so the fallback would call itself.
    """
    try:
        function = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
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
    return function  # type: ignore[no-any-return]
