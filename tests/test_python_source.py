"""`devtool.scaffold.python_source`: find a `--from` function and read its signature from its hints."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO

from devtool.errors import SourceError
from devtool.scaffold.python_source import read_python_function
from devtool.scaffold.signature import parse_signature

# One module holding a function per case; written into a package `hintpkg` on sys.path.
HINTS = """\
from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Optional

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Matrix = Annotated[npt.NDArray[np.float64], "f64[,]"]


def floats(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def ints(ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]: ...
def aliases(values: F64, ids: I64) -> F64: ...
def scalars(values: F64, x: float, n: int, flag: bool) -> float: ...
def numpy_scalars(values: F64, x: np.float64, n: np.int64, flag: np.bool_) -> np.float64: ...
def results(values: F64) -> int: ...
def flag_result(values: F64) -> bool: ...
def annotated_matrix(grid: Matrix) -> Matrix: ...
def shaped_matrix(grid: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> F64: ...
def shaped_vector(values: np.ndarray[tuple[int], np.dtype[np.float64]]) -> F64: ...
def unsigned(values: F64, window: Annotated[int, "usize"]) -> F64: ...
def other_metadata(values: Annotated[F64, "prices in USD"]) -> F64: ...
def pair(values: F64) -> tuple[F64, F64]: ...
def mixed(values: F64, grid: Matrix) -> tuple[Matrix, I64, int, bool]: ...
def defaults(values: F64, period: int = 14) -> F64: ...
def positional_only(values: F64, /, period: int) -> F64: ...
def psar(high: F64, low: F64, iaf: float = 0.02, maxaf: float = 0.2) -> F64: ...
def every_default(
    values: F64, a: float = 3, b: float = float("nan"), c: float = -np.inf, d: bool = True
) -> F64: ...
def numpy_defaults(
    values: F64, a: np.float64 = np.float64(0.5), n: np.int64 = np.int64(3),
    u: Annotated[int, "usize"] = 0, f: np.bool_ = np.False_,
) -> F64: ...
def int_float_default(values: F64, iaf: int = 0.02) -> F64: ...
def bool_int_default(values: F64, flag: bool = 1) -> F64: ...
def int_bool_default(values: F64, n: int = True) -> F64: ...
def none_default(values: F64, n: int = None) -> F64: ...
def array_default(
    values: F64,
    weights: F64 = np.ones(3),
) -> F64: ...
def str_default(values: F64, x: float = "0.5") -> F64: ...
def negative_usize(values: F64, u: Annotated[int, "usize"] = -1) -> F64: ...
def huge_default(values: F64, n: int = 2**63) -> F64: ...
def unhinted_psar(high, low, iaf=0.02, maxaf=0.2): ...

def no_hint(values: F64, period) -> F64: ...
def no_return(values: F64): ...
def returns_none(values: F64) -> None: ...
def list_arg(values: list[float]) -> F64: ...
def sequence_arg(values: Sequence[float]) -> F64: ...
def optional_arg(values: F64, period: Optional[int]) -> F64: ...
def union_arg(values: F64, period: int | None) -> F64: ...
def float32_arg(values: npt.NDArray[np.float32]) -> F64: ...
def any_dtype(values: npt.NDArray[Any]) -> F64: ...
def bare_ndarray(values: np.ndarray) -> F64: ...
def hilo_loop(close: np.ndarray, high_ma: np.ndarray, m: int) -> tuple[np.ndarray, F64]: ...
def int_matrix(grid: np.ndarray[tuple[int, int], np.dtype[np.int64]]) -> F64: ...
def float32_scalar(values: F64, x: np.float32) -> F64: ...
def str_arg(values: F64, name: str) -> F64: ...
def bad_annotation(values: F64, window: Annotated[float, "usize"]) -> F64: ...
def open_tuple(values: F64) -> tuple[F64, ...]: ...
def one_tuple(values: F64) -> tuple[F64]: ...
def long_tuple(values: F64) -> LONG_TUPLE: ...
def no_array(x: float) -> float: ...
def star_args(values: F64, *rest: float) -> F64: ...
def star_kwargs(values: F64, **options: float) -> F64: ...
def keyword_only(values: F64, *, period: int) -> F64: ...
def reserved_name(values: F64, i: int) -> F64: ...
def unresolvable(values: F64, period: DoesNotExist) -> F64: ...  # noqa: F821
def CamelCase(values: F64) -> F64: ...

class NotAFunction:
    pass

def outer() -> None:
    def inner(values: F64) -> F64: ...

lambda_function = lambda values: values  # noqa: E731
""".replace("LONG_TUPLE", f"tuple[{', '.join(['float'] * 13)}]")


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`hintpkg/hints.py` (and a module that raises on import) in a folder put on sys.path."""
    root = tmp_path_factory.mktemp("src")
    (root / "hintpkg").mkdir()
    (root / "hintpkg" / "__init__.py").write_text("")
    (root / "hintpkg" / "hints.py").write_text(HINTS)
    (root / "hintpkg" / "broken.py").write_text("raise RuntimeError('no database here')\n")
    sys.path.append(str(root))
    yield root
    sys.path.remove(str(root))
    for name in [n for n in sys.modules if n.startswith("hintpkg")]:
        del sys.modules[name]


def signature(package: Path, name: str) -> str:
    return str(read_python_function(f"hintpkg.hints:{name}", package).signature)


def refusal(package: Path, name: str) -> str:
    with pytest.raises(SourceError) as caught:
        read_python_function(f"hintpkg.hints:{name}", package)
    assert caught.value.exit_code == 2
    return str(caught.value)


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("floats", "values: f64[] -> f64[]"),
        ("ints", "ids: i64[] -> i64[]"),
        ("aliases", "values: f64[], ids: i64[] -> f64[]"),
        ("scalars", "values: f64[], x: f64, n: i64, flag: bool -> f64"),
        ("numpy_scalars", "values: f64[], x: f64, n: i64, flag: bool -> f64"),
        ("results", "values: f64[] -> i64"),
        ("flag_result", "values: f64[] -> bool"),
        ("annotated_matrix", "grid: f64[,] -> f64[,]"),
        ("shaped_matrix", "grid: f64[,] -> f64[]"),
        ("shaped_vector", "values: f64[] -> f64[]"),
        ("unsigned", "values: f64[], window: usize -> f64[]"),
        ("other_metadata", "values: f64[] -> f64[]"),
        ("pair", "values: f64[] -> (f64[], f64[])"),
        ("mixed", "values: f64[], grid: f64[,] -> (f64[,], i64[], i64, bool)"),
        ("defaults", "values: f64[], period: i64 = 14 -> f64[]"),
        ("psar", "high: f64[], low: f64[], iaf: f64 = 0.02, maxaf: f64 = 0.2 -> f64[]"),
        (
            "every_default",
            "values: f64[], a: f64 = 3.0, b: f64 = nan, c: f64 = -inf, d: bool = true -> f64[]",
        ),
        ("numpy_defaults", "values: f64[], a: f64 = 0.5, n: i64 = 3, u: usize = 0, f: bool = false -> f64[]"),
        ("positional_only", "values: f64[], period: i64 -> f64[]"),
    ],
)
def test_supported_hints_map_to_signature_types(package: Path, function: str, expected: str) -> None:
    assert signature(package, function) == expected


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("no_hint", "parameter 'period' has no type hint: add one (float, int, bool, npt.NDArray"),
        ("no_return", "the function has no return hint: add one"),
        ("returns_none", "the function returns None; a kernel returns its result"),
        (
            "list_arg",
            "parameter 'values' has the hint list[float], which devtool cannot map: the bridge"
            " passes numpy arrays: npt.NDArray[np.float64]",
        ),
        (
            "sequence_arg",
            "parameter 'values' has the hint collections.abc.Sequence[float], which devtool"
            " cannot map: the bridge passes numpy arrays",
        ),
        (
            "optional_arg",
            "parameter 'period' has the hint Optional[int], which devtool cannot map: an"
            " argument that may be None cannot cross into Rust: drop None from the hint",
        ),
        (
            "union_arg",
            "parameter 'period' has the hint int | None, which devtool cannot map: an argument"
            " that may be None",
        ),
        (
            "float32_arg",
            "the engine's arrays are float64 or int64: npt.NDArray[np.float64] or npt.NDArray[np.int64]",
        ),
        (
            "any_dtype",
            "parameter 'values' has the hint np.ndarray[tuple[Any, ...], np.dtype[Any]], which"
            " devtool cannot map: say its dtype: npt.NDArray[np.float64] or npt.NDArray[np.int64]",
        ),
        (
            "bare_ndarray",
            "parameter 'values' has the hint np.ndarray, which devtool cannot map: say its dtype",
        ),
        ("int_matrix", "2-D arrays are float64 only"),
        (
            "float32_scalar",
            "parameter 'x' has the hint np.float32, which devtool cannot map: the engine"
            " works in float64 and int64: float or int",
        ),
        ("str_arg", "parameter 'name' has the hint str, which devtool cannot map: use one of float, int"),
        (
            "bad_annotation",
            "parameter 'window' has the hint Annotated[float, 'usize'], which devtool"
            " cannot map: 'usize' does not fit float (it would be f64)",
        ),
        (
            "open_tuple",
            "the result has the hint tuple[np.ndarray[tuple[Any, ...], np.dtype[np.float64]],"
            " ...], which devtool cannot map: a tuple result has 2 to",
        ),
        ("one_tuple", "a tuple result has 2 to"),
        ("long_tuple", "a tuple result has 2 to"),
        ("no_array", "it takes no array: a kernel takes at least one numpy array"),
        ("star_args", "parameter *rest cannot cross into Rust: a kernel takes named arguments"),
        ("star_kwargs", "parameter **options cannot cross into Rust"),
        (
            "keyword_only",
            "parameter 'period' is keyword-only, but the generated fallback passes arguments"
            " by position: remove the '*' before it",
        ),
        (
            "reserved_name",
            "argument name 'i' is used by the generated code; choose another (rename the Python parameter)",
        ),
        ("unresolvable", "its type hints do not resolve (NameError: name 'DoesNotExist' is not defined)"),
        ("NotAFunction", "hintpkg.hints.NotAFunction is not a module-level function defined with def"),
        ("lambda_function", "hintpkg.hints.lambda_function is not a module-level function defined with def"),
        ("missing", "hintpkg.hints has no function 'missing'"),
    ],
)
def test_refusals_name_the_parameter_and_the_hint_to_write(
    package: Path, function: str, message: str
) -> None:
    text = refusal(package, function)
    assert f"hintpkg.hints:{function}: " in text  # every refusal names the function
    assert message in text


def _line(text: str) -> int:
    """The line of HINTS that holds `text`, 1-based."""
    return next(n for n, line in enumerate(HINTS.splitlines(), 1) if text in line)


@pytest.mark.parametrize(
    ("function", "where", "message"),
    [
        (
            "int_float_default",
            "iaf: int = 0.02",
            "parameter 'iaf' has the hint int, but its default is 0.02, of type float: make the hint float "
            "(iaf: float = 0.02), or the default an int",
        ),
        (
            "bool_int_default",
            "flag: bool = 1",
            "parameter 'flag' has the hint bool, but its default is 1, of type int: "
            "a bool parameter's default is True or False",
        ),
        (
            "int_bool_default",
            "n: int = True",
            "its default is True, of type bool: an int parameter's default is an int",
        ),
        ("none_default", "n: int = None", "its default is None: None cannot cross into Rust"),
        (
            "array_default",
            "weights: F64 = np.ones(3)",
            "parameter 'weights' has the hint np.ndarray[tuple[Any, ...], np.dtype[np.float64]], but its "
            "default is array([1., 1., 1.]), of type ndarray: an array parameter takes no default",
        ),
        (
            "str_default",
            'x: float = "0.5"',
            "its default is '0.5', of type str: a float parameter's default is a number",
        ),
        ("negative_usize", 'u: Annotated[int, "usize"] = -1', "the default -1 is outside usize's range"),
        ("huge_default", "n: int = 2**63", "the default 9223372036854775808 is outside i64's range"),
    ],
)
def test_a_default_that_contradicts_its_hint_is_refused_with_its_line_and_the_fix(
    package: Path, function: str, where: str, message: str
) -> None:
    text = refusal(package, function)
    assert f"hintpkg.hints:{function}: {package / 'hintpkg' / 'hints.py'}:{_line(where)}: " in text
    assert message in text


def test_a_function_without_hints_takes_its_types_from_the_signature_and_keeps_its_defaults(
    package: Path,
) -> None:
    spec = "hintpkg.hints:unhinted_psar"
    types = parse_signature("high: f64[], low: f64[], iaf: f64, maxaf: f64 -> f64[]")
    found = read_python_function(spec, package, types)
    assert str(found.signature) == "high: f64[], low: f64[], iaf: f64 = 0.02, maxaf: f64 = 0.2 -> f64[]"
    repeated = parse_signature(str(found.signature))
    assert read_python_function(spec, package, repeated).signature == found.signature


def test_an_array_hint_without_its_dtype_takes_the_array_type_the_signature_gives(package: Path) -> None:
    """pandas-ta-classic's loops hint `np.ndarray` alone: --signature (or the profile's run) says f64[]."""
    spec = "hintpkg.hints:hilo_loop"
    given = parse_signature("close: f64[], high_ma: i64[], m: i64 -> (f64[], f64[])")
    assert str(read_python_function(spec, package, given).signature) == str(given)
    with pytest.raises(SourceError) as caught:
        read_python_function(spec, package, parse_signature("close: f64, high_ma: f64[], m: i64 -> f64[]"))
    assert "parameter 'close' has the hint np.ndarray" in str(caught.value)
    dtype = "say its dtype: npt.NDArray[np.float64] or npt.NDArray[np.int64], or give its type with --sign"
    assert dtype in str(caught.value)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "high: f64[], low: f64[], iaf: f64 = 0.05, maxaf: f64 = 0.2 -> f64[]",
            "--signature gives 'iaf' the default 0.05, but the Python function's is 0.02: drop ' = 0.05'",
        ),
        (
            "high: f64[], low: f64[], iaf: i64, maxaf: f64 -> f64[]",
            "parameter 'iaf' is i64 in --signature, but its default is 0.02, of type float: make its type "
            "f64 in --signature, or the default an int",
        ),
    ],
)
def test_a_signature_whose_default_or_type_contradicts_the_functions_default_is_refused(
    package: Path, given: str, message: str
) -> None:
    with pytest.raises(SourceError) as caught:
        read_python_function("hintpkg.hints:unhinted_psar", package, parse_signature(given))
    assert message in str(caught.value)


def test_a_signature_default_on_a_parameter_the_function_requires_is_refused(package: Path) -> None:
    given = parse_signature("values: f64[], period: i64 = 3 -> f64[]")
    with pytest.raises(SourceError) as caught:
        read_python_function("hintpkg.hints:no_hint", package, given)
    assert "--signature gives 'period' the default 3, but the Python function has none" in str(caught.value)


def test_a_file_maps_to_its_module_path_and_must_be_that_module(package: Path) -> None:
    found = read_python_function("hintpkg/hints.py:floats", package)
    assert (found.module, found.name, found.reference) == ("hintpkg.hints", "floats", "hintpkg.hints:floats")
    assert found.file == package / "hintpkg" / "hints.py"


def test_the_example_strategys_hot_spot_reads_as_the_profile_suggests() -> None:
    found = read_python_function("examples/strategy.py:kama", REPO)
    assert found.reference == "examples.strategy:kama"
    assert str(found.signature) == "values: f64[], period: i64 -> f64[]"


def test_the_example_backtest_is_refused_for_its_result_hint() -> None:
    with pytest.raises(SourceError, match=r"the result has the hint examples\.strategy\.BacktestResult"):
        read_python_function("examples/strategy.py:backtest", REPO)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("hintpkg/hints.py", "expected FILE:FUNCTION or package.module:function"),
        ("hintpkg/hints.py:", "expected FILE:FUNCTION or package.module:function"),
        ("hintpkg/nothing.py:floats", "no such file: hintpkg/nothing.py"),
        ("hintpkg/__init__.py:floats", "hintpkg has no function 'floats'"),
        ("hint-pkg.hints:floats", "'hint-pkg.hints' is neither a .py file nor a dotted module path"),
        ("hintpkg.broken:f", "importing hintpkg.broken raised RuntimeError: no database here"),
    ],
)
def test_bad_specs_are_refused(package: Path, spec: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        read_python_function(spec, package)
    assert message in str(caught.value)


def test_a_package_outside_the_environment_says_how_to_make_it_importable(tmp_path: Path) -> None:
    (tmp_path / "loosepkg").mkdir()
    (tmp_path / "loosepkg" / "__init__.py").write_text("")
    (tmp_path / "loosepkg" / "strategy.py").write_text(HINTS)
    with pytest.raises(SourceError) as caught:
        read_python_function("loosepkg/strategy.py:floats", tmp_path)
    text = str(caught.value)
    assert f"loosepkg.strategy from {tmp_path} does not import in the engine's environment" in text
    assert "pip install -e PATH" in text and ".pth file" in text


def test_a_plain_script_is_imported_by_its_path_and_the_fallback_finds_it_again(tmp_path: Path) -> None:
    script = tmp_path / "loose_strategy.py"
    script.write_text(HINTS + "\nif __name__ == '__main__':\n    raise SystemExit('the main block ran')\n")
    found = read_python_function("loose_strategy.py:floats", tmp_path)
    assert (found.module, found.reference) == (str(script), f"{script}:floats")
    assert str(found.signature) == "values: f64[] -> f64[]"
    spec = importlib.util.spec_from_file_location(
        "_source_under_test", REPO / "engine/src/rust_bridge/_source.py"
    )
    assert spec is not None and spec.loader is not None
    _source = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(_source)  # the engine's own module, as the generated fallback imports it
    served = _source.python_function(found.module, "floats")
    assert Path(served.__code__.co_filename) == script


def test_a_file_whose_name_is_not_an_identifier_cannot_be_imported(tmp_path: Path) -> None:
    (tmp_path / "fast-ema.py").write_text("def ema(values: float) -> float: ...\n")
    with pytest.raises(SourceError, match="'fast-ema' is not a Python identifier"):
        read_python_function("fast-ema.py:ema", tmp_path)


def test_a_file_shadowed_by_another_package_of_that_name_is_refused(package: Path, tmp_path: Path) -> None:
    other = tmp_path / "hintpkg"
    other.mkdir()
    (other / "__init__.py").write_text("")
    (other / "hints.py").write_text(HINTS)
    with pytest.raises(SourceError, match=f"'hintpkg' imports from {package}, not from {tmp_path}"):
        read_python_function("hintpkg/hints.py:floats", tmp_path)


def test_the_folder_devtool_was_started_from_does_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `python -m devtool` puts the working folder first on sys.path; the engine's tests run elsewhere,
    # so a script found only there is imported by its path, which works from anywhere.
    (tmp_path / "here_only.py").write_text(
        "import numpy as np\nimport numpy.typing as npt\n\n"
        "def f(values: npt.NDArray[np.float64]) -> float: ...\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert read_python_function("here_only.py:f", tmp_path).module == str(tmp_path / "here_only.py")
