"""The engine `devtool bench` times: rust_bridge and the compiled extension as this Python imports them."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..errors import DebugBuildError, EngineNotBuilt
from ..workspace import Workspace

FORCE_FALLBACK_ENV = "RUST_BRIDGE_FORCE_FALLBACK"


@dataclass(frozen=True)
class Engine:
    """The imported bridge, its compiled engine, and how that engine was built."""

    bridge: ModuleType
    native: ModuleType
    build_profile: str  # "release", "debug", or "unknown" for a build older than __build_profile__

    @property
    def bridge_dir(self) -> Path:
        return Path(str(self.bridge.__file__)).resolve().parent


def load_engine(ws: Workspace) -> Engine:
    """Import rust_bridge and the compiled engine it uses.

    Raises:
        EngineNotBuilt: rust_bridge does not import, or it runs without the compiled engine.
    """
    install = f"build it: cd {ws.root} && maturin develop --release (or devtool bench --build)"
    try:
        bridge = importlib.import_module("rust_bridge")
    except ImportError as err:
        raise EngineNotBuilt(f"rust_bridge does not import in {sys.executable} ({err}); {install}") from err
    native = getattr(importlib.import_module("rust_bridge._native"), "native", None)
    if native is None:
        raise EngineNotBuilt(
            f"rust_bridge runs without the compiled engine: {_why_not_native(ws.extension_name)}; {install}"
        )
    profile = getattr(native, "__build_profile__", "unknown")
    return Engine(bridge=bridge, native=native, build_profile=str(profile))


def profile_warnings(engine: Engine, ws: Workspace, *, allow_debug: bool) -> list[str]:
    """What the user must know about the build being timed.

    Raises:
        DebugBuildError: a debug build, and --allow-debug was not given.
    """
    warnings = []
    if engine.build_profile == "debug":
        if not allow_debug:
            raise DebugBuildError(
                "the compiled engine is a debug build: Rust would look many times slower than it is. "
                "Rebuild it optimised (devtool bench --build, or "
                f"cd {ws.root} && maturin develop --release), or pass --allow-debug to time it anyway"
            )
        warnings.append(
            "DEBUG BUILD: the compiled engine was built without optimisation; these speedups understate "
            "Rust by a large factor and must not be compared with a release build's"
        )
    elif engine.build_profile == "unknown":
        warnings.append(
            "the compiled engine does not say how it was built (no __build_profile__: an older build); "
            "rebuild it (--build) to be sure it is optimised"
        )
    if engine.bridge_dir != ws.bridge_dir.resolve():
        warnings.append(
            f"the rust_bridge this Python imports is {engine.bridge_dir}, not the workspace's "
            f"{ws.bridge_dir}: the cases come from the workspace, the code timed from there"
        )
    return warnings


def _why_not_native(extension: str) -> str:
    if os.environ.get(FORCE_FALLBACK_ENV, "").strip() not in ("", "0"):
        return f"{FORCE_FALLBACK_ENV} is set"
    try:
        importlib.import_module(extension)
    except ImportError as err:
        return f"{extension} does not import ({err})"
    return f"{extension} imports, but rust_bridge did not load it"
