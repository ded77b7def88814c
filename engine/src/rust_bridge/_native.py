"""The one place that imports the compiled engine, and picks Rust or the fallback per call."""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Literal

#: Set to 1 to ignore the compiled engine and serve every call from the numpy fallback.
FORCE_FALLBACK_ENV = "RUST_BRIDGE_FORCE_FALLBACK"

Backend = Literal["auto", "rust", "python"]
BACKENDS: tuple[Backend, ...] = ("auto", "rust", "python")


def _load_native() -> ModuleType | None:
    if os.environ.get(FORCE_FALLBACK_ENV, "").strip() not in ("", "0"):
        return None
    try:
        return importlib.import_module("crypto_trading_engine")
    except ImportError:  # not built yet, or a platform without wheels
        return None


native = _load_native()
RUST_AVAILABLE = native is not None


def native_module(name: str) -> ModuleType | None:
    """The compiled submodule `crypto_trading_engine.<name>`, or None when it is not built."""
    return getattr(native, name, None) if native is not None else None


def pick(rust: ModuleType | None, fallback: ModuleType, backend: Backend) -> ModuleType:
    """The implementation a call runs on: Rust when available (or demanded), else the fallback.

    Raises:
        ValueError: `backend` is not one of "auto", "rust", "python".
        RuntimeError: `backend="rust"` but the compiled module is missing.
    """
    if backend == "auto":
        return fallback if rust is None else rust
    if backend == "python":
        return fallback
    if backend == "rust":
        if rust is None:
            raise RuntimeError(
                f"backend='rust' but the compiled {fallback.__name__.rsplit('.', 1)[-1]!r} module "
                f"is not available (build it with `maturin develop`, and unset {FORCE_FALLBACK_ENV})"
            )
        return rust
    raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")


def is_unwritten(rust: ModuleType | None, function: str) -> bool:
    """Whether the compiled `function` is a kernel that `devtool new-module --from` left unwritten.

    Such a module carries `_<function>_written`, `WRITTEN` in the kernel's .rs file, until the
    developer writes the kernel and sets it to true. Other functions carry no flag.
    """
    return rust is not None and getattr(rust, f"_{function}_written", True) is False


def pick_kernel(rust: ModuleType | None, fallback: ModuleType, backend: Backend, function: str) -> ModuleType:
    """`pick` for a function whose Rust kernel may be unwritten: never serve it before it is written.

    Raises:
        NotImplementedError: `backend="rust"` while the kernel is unwritten.
        ValueError, RuntimeError: as `pick`.
    """
    if is_unwritten(rust, function) and backend in ("auto", "rust"):
        if backend == "auto":
            return fallback
        module = fallback.__name__.rsplit(".", 1)[-1]
        raise NotImplementedError(
            f"backend='rust' but the Rust kernel of {module}.{function} is not written yet: write it "
            f"in rust/src/{module}/{function}.rs, set WRITTEN to true there and rebuild; until then "
            "backend='auto' serves the Python function"
        )
    return pick(rust, fallback, backend)
