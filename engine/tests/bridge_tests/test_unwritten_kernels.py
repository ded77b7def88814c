"""A kernel `devtool new-module --from` left unwritten is never served; its fallback imports lazily."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest

from rust_bridge import _native, _source


def compiled(**flags: bool) -> ModuleType:
    """A stand-in for a compiled submodule carrying `_<function>_written` flags."""
    module = ModuleType("crypto_trading_engine.strategy")
    for function, written in flags.items():
        setattr(module, f"_{function}_written", written)
    return module


FALLBACK = ModuleType("rust_bridge._fallback.strategy")


def test_an_unwritten_kernel_is_not_served_by_auto() -> None:
    assert _native.pick_kernel(compiled(kama=False), FALLBACK, "auto", "kama") is FALLBACK


def test_backend_rust_refuses_an_unwritten_kernel_and_says_what_to_do() -> None:
    with pytest.raises(NotImplementedError, match=r"strategy\.kama is not written yet") as caught:
        _native.pick_kernel(compiled(kama=False), FALLBACK, "rust", "kama")
    assert "set WRITTEN to true there and rebuild" in str(caught.value)
    assert "rust/src/strategy/kama.rs" in str(caught.value)


@pytest.mark.parametrize("flags", [{"kama": True}, {}])
def test_a_written_kernel_or_one_without_the_flag_is_picked_as_usual(flags: dict[str, bool]) -> None:
    rust = compiled(**flags)
    assert _native.pick_kernel(rust, FALLBACK, "auto", "kama") is rust
    assert _native.pick_kernel(rust, FALLBACK, "rust", "kama") is rust
    assert _native.pick_kernel(rust, FALLBACK, "python", "kama") is FALLBACK


def test_python_backend_and_bad_backends_behave_as_pick() -> None:
    assert _native.pick_kernel(compiled(kama=False), FALLBACK, "python", "kama") is FALLBACK
    with pytest.raises(ValueError, match="backend must be one of"):
        _native.pick_kernel(compiled(kama=False), FALLBACK, "gpu", "kama")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="not available"):
        _native.pick_kernel(None, FALLBACK, "rust", "kama")


def test_is_unwritten_only_for_a_false_flag() -> None:
    assert _native.is_unwritten(compiled(kama=False), "kama")
    assert not _native.is_unwritten(compiled(kama=True), "kama")
    assert not _native.is_unwritten(compiled(), "kama")
    assert not _native.is_unwritten(None, "kama")


def test_python_function_imports_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    module = ModuleType("strategy_for_the_bridge_test")
    module.kama = lambda values, period: ("python", period)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "strategy_for_the_bridge_test", module)
    _source._python_function.cache_clear()  # the import is cached: forget it
    assert _source.python_function("strategy_for_the_bridge_test", "kama")([], 3) == ("python", 3)


def test_python_function_that_does_not_import_says_what_to_do() -> None:
    with pytest.raises(
        ImportError, match=r"falls back to the Python function no_such_package\.strategy:kama"
    ):
        _source.python_function("no_such_package.strategy", "kama")


def test_python_function_refuses_the_bridges_own_function(monkeypatch: pytest.MonkeyPatch) -> None:
    module = ModuleType("strategy_calling_the_bridge")
    module.sma = _native.pick  # any function of rust_bridge: the strategy replaced its own by the bridge's
    monkeypatch.setitem(sys.modules, "strategy_calling_the_bridge", module)
    _source._python_function.cache_clear()  # the import is cached: forget it
    with pytest.raises(RuntimeError, match="is rust_bridge's own sma"):
        _source.python_function("strategy_calling_the_bridge", "sma")
