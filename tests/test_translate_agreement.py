"""Translated kernels compile clean and agree with their Python functions (one crate, one build).

Every kernel of examples/strategy.py (kama, rsi), tests/samples/translate/trader.py (a Parabolic SAR, a
drawdown scan, a z-score) and constructs.py (one function per construct) goes into one throwaway crate;
`cargo fmt --check` and `cargo clippy -D warnings` must pass on it as emitted, then hypothesis calls the
built binary and the Python function with the same inputs (NaN, inf, negatives, tiny values, empty arrays)
and compares: floats bit for bit (any NaN equals any NaN; math_calls within 2 ULP), ints exactly, the
same exception type where Python raises.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from translate_crate import Kernel, Runner, binary, build_crate, cargo, python_answer, same

from devtool.scaffold.python_hints import signature_of
from devtool.translate import translate

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests/samples/translate"
SOURCES = {
    "strategy": (REPO / "examples/strategy.py", ("kama", "rsi")),
    "trader": (
        SAMPLES / "trader.py",
        ("psar", "drawdown_scan", "zscore_last", "barrier_labels", "long_flat"),
    ),
    "constructs": (SAMPLES / "constructs.py", (
        "int_arith", "float_arith", "float_pow", "math_calls", "rounding", "extremes", "windows", "loops",
        "swaps", "growable", "augmented", "bool_logic", "helpers_called", "first_above", "row_means",
        "dead_stores", "repeated", "element_swaps", "zipped",
        "matrix_writes", "published_idioms",
    )),
}  # fmt: skip
#: Transcendentals: CPython's math module and Rust call the same libm, but hypot is CPython's own.
ULPS = {"math_calls": 2, "row_means": 4}  # row_means: numpy's own log1p

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)
TINY = st.floats(min_value=-1e-300, max_value=1e-300)
PRICE = st.floats(min_value=1e-3, max_value=1e6)
MIXED = st.one_of(ANY_FLOAT, TINY, PRICE, st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, -7.5, 2.0]))
FLOATS = st.lists(MIXED, max_size=40).map(lambda v: np.array(v, dtype=np.float64))
PRICES = st.lists(st.one_of(PRICE, MIXED), max_size=60).map(lambda v: np.array(v, dtype=np.float64))
SMALL_INT = st.integers(min_value=-3, max_value=40)
ANY_INT = st.one_of(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.integers(-50, 50))
MATRICES = st.tuples(st.integers(0, 6), st.integers(1, 6)).flatmap(
    lambda shape: st.lists(MIXED, min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]).map(
        lambda v: np.array(v, dtype=np.float64).reshape(shape)
    )
)
INTS = st.lists(st.integers(-(2**40), 2**40), max_size=20).map(lambda v: np.array(v, dtype=np.int64))


def bars(draw: st.DrawFn) -> tuple[Any, Any]:
    n = draw(st.integers(0, 60))
    low = draw(st.lists(st.one_of(PRICE, MIXED), min_size=n, max_size=n))
    spread = draw(st.lists(st.floats(0.0, 10.0), min_size=n, max_size=n))
    return np.array([lo + s for lo, s in zip(low, spread, strict=True)]), np.array(low, dtype=np.float64)


@st.composite
def psar_args(draw: st.DrawFn) -> tuple[Any, ...]:
    high, low = bars(draw)
    return high, low, draw(st.sampled_from([0.02, 0.01, 0.1])), draw(st.sampled_from([0.2, 0.1, 0.5]))


ARGS: dict[str, Any] = {
    "kama": st.tuples(PRICES, SMALL_INT),
    "rsi": st.tuples(PRICES, SMALL_INT),
    "psar": psar_args(),
    "drawdown_scan": st.tuples(PRICES),
    "zscore_last": st.tuples(PRICES, SMALL_INT),
    "long_flat": st.integers(0, 40).flatmap(
        lambda n: st.tuples(
            st.lists(st.one_of(PRICE, MIXED), min_size=n, max_size=n).map(np.array),
            st.lists(MIXED, min_size=n, max_size=n).map(np.array),
            st.floats(0.0, 0.01),
        )
    ),
    "barrier_labels": st.tuples(PRICES, SMALL_INT, st.floats(0.0, 0.2), st.floats(0.0, 0.2)),
    "int_arith": st.tuples(INTS, ANY_INT, ANY_INT),
    "float_arith": st.tuples(FLOATS, MIXED, MIXED),
    "float_pow": st.tuples(FLOATS, MIXED, st.one_of(MIXED, st.integers(-400, 400).map(float))),
    "math_calls": st.tuples(FLOATS, st.one_of(MIXED, st.floats(-800, 800))),
    "rounding": st.tuples(
        FLOATS, st.one_of(MIXED, st.floats(-1e19, 1e19), st.sampled_from([0.5, 1.5, 2.5, -0.5]))
    ),
    "extremes": st.tuples(FLOATS),
    "windows": st.tuples(FLOATS, st.integers(-50, 50)),
    "loops": st.tuples(FLOATS, MIXED),
    "swaps": st.tuples(FLOATS.filter(lambda a: len(a) > 0), st.integers(-5, 100)),
    "growable": st.tuples(FLOATS, MIXED),
    # Intermediates stay inside i64 here: beyond it the kernel raises OverflowError by design where
    # Python's ints grow (int_arith checks that on results).
    "augmented": st.tuples(INTS, st.integers(-(2**40), 2**40), st.integers(-(2**20), 2**20)),
    "bool_logic": st.tuples(FLOATS, MIXED, MIXED),
    "helpers_called": st.tuples(FLOATS, MIXED),
    "first_above": st.tuples(FLOATS, MIXED),
    "row_means": st.tuples(MATRICES, MIXED),
    "dead_stores": st.tuples(FLOATS, MIXED, SMALL_INT, MIXED),
    "repeated": st.tuples(FLOATS, SMALL_INT, MIXED),
    # a usize beyond i64 is an OverflowError on entry, by design
    "element_swaps": st.tuples(FLOATS, st.one_of(st.integers(0, 50), st.just(2**63 - 1))),
    "matrix_writes": st.tuples(MATRICES, MIXED),
    "zipped": st.tuples(FLOATS, FLOATS, st.one_of(MIXED, st.sampled_from([0.5, 1.5, -2.5]))),
    "published_idioms": st.tuples(FLOATS, FLOATS, MATRICES, MIXED),
}


def load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"translate_sample_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


FUNCTIONS: dict[str, Callable[..., Any]] = {}
KERNELS: dict[str, Kernel] = {}
for _stem, (_path, _names) in SOURCES.items():
    _module = load(_stem, _path)
    for _name in _names:
        FUNCTIONS[_name] = getattr(_module, _name)


@pytest.fixture(scope="module")
def crate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Translate every kernel, build the crate once; yield its folder and what fmt and clippy said."""
    for stem, (path, names) in SOURCES.items():
        for name in names:
            sig = signature_of(FUNCTIONS[name], f"{path.name}:{name}")
            result = translate(path.read_text(), name, sig, path=f"{path.parent.name}/{path.name}")
            assert result.rust is not None, (stem, name, result.refusals)
            KERNELS[name] = Kernel(name, sig, result.rust)
    root = tmp_path_factory.mktemp("translated")
    build_crate(root, list(KERNELS.values()))
    checks = {
        "fmt": cargo(root, "fmt", "--check"),
        "clippy": cargo(root, "clippy", "--quiet", "--", "-D", "warnings"),
        "build": cargo(root, "build", "--quiet"),
    }
    yield root, checks


@pytest.fixture(scope="module")
def runner(crate: tuple[Path, dict[str, Any]]) -> Iterator[Runner]:
    root, checks = crate
    assert checks["build"].returncode == 0, checks["build"].stderr[-4000:]
    run = Runner(binary(root))
    yield run
    run.close()


def test_emitted_rust_is_rustfmt_clean(crate: tuple[Path, dict[str, Any]]) -> None:
    assert crate[1]["fmt"].returncode == 0, crate[1]["fmt"].stdout[-4000:]


def test_emitted_rust_is_clippy_clean_and_has_no_unsafe(crate: tuple[Path, dict[str, Any]]) -> None:
    assert crate[1]["clippy"].returncode == 0, crate[1]["clippy"].stderr[-6000:]
    assert not any("unsafe" in k.rust.replace("no unsafe", "") for k in KERNELS.values())


@pytest.mark.parametrize("name", list(ARGS))
def test_kernel_agrees_with_python(name: str, runner: Runner) -> None:
    sig = KERNELS[name].signature
    fn = FUNCTIONS[name]

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(ARGS[name])
    def agree(args: tuple[Any, ...]) -> None:
        expected = python_answer(fn, [a.copy() if isinstance(a, np.ndarray) else a for a in args], sig)
        got = runner.call(name, args, sig)
        assert same(expected, got, ULPS.get(name, 0)), f"{name}{args!r}: Python {expected!r}, Rust {got!r}"

    with np.errstate(all="ignore"):
        agree()
