"""`devtool.scaffold.render`: the files the template renders per signature, lint-clean as rendered.

Golden trees live in tests/golden/<case>/ (each file with a `.golden` suffix so no tool picks it up);
`pytest --update-golden` rewrites them from the current template.
"""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from devtool.errors import RenderError, UsageError
from devtool.scaffold.render import (
    RUFF_SETTINGS,
    TEMPLATE_DIR,
    format_files,
    render_function,
    render_module,
    template_version,
)
from devtool.scaffold.signature import parse_signature
from devtool.scaffold.translation import ERROR_PATH
from devtool.translate import translate

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"

# case -> (what is rendered, module, function, signature[, the Python function of `--from`])
CASES: dict[str, tuple[str, ...]] = {
    "default": ("module", "example", "fast_calculation", "data: f64[] -> f64"),
    "window": ("module", "windows", "shifted", "values: f64[], window: usize -> f64[]"),
    "tuple_of_arrays": (
        "module",
        "bands",
        "band_width",
        "high: f64[], low: f64[], scale: f64 -> (f64[], f64[])",
    ),
    "matrix_and_flag": ("module", "matrices", "row_stat", "matrix: f64[,], flag: bool -> f64[]"),
    "integer_count": ("module", "counts", "count_positive", "ids: i64[], x: f64[] -> i64"),
    "added_function": (
        "function",
        "windows",
        "mixed_stats",
        "values: f64[], other: i64[], flag: bool, grid: f64[,] -> (f64[,], usize, f64, bool)",
    ),
    # Lengths of their own: a list of windows in, a table of a length only the kernel knows out.
    "free_lengths": (
        "module",
        "sweeps",
        "grid_search",
        "close: f64[,], windows: i64[*], weights: f64[*], fee: f64 -> (i64[*], f64[*], f64)",
    ),
    "from_python": (
        "module",
        "strategy",
        "kama",
        "values: f64[], period: i64 -> f64[]",
        "examples.strategy:kama",
    ),
    "from_python_added": (
        "function",
        "signals",
        "band_stats",
        "prices: f64[], grid: f64[,], ids: i64[], scale: f64, window: usize, flag: bool"
        " -> (f64[,], i64[], i64, bool)",
        "desk.signals.mixed:band_stats",
    ),
    # A pandas DataFrame in: the bridge takes the frame, the kernel its columns.
    "from_pandas_frame": (
        "module",
        "ranges",
        "true_range",
        "bars: frame[High, Low, Close], window: usize -> f64[]",
        "desk.ranges:true_range",
    ),
    # A DataFrame with defaults after it: the frame is required, the scalars keep theirs.
    "from_pandas_frame_defaults": (
        "module",
        "ranges",
        "atr",
        "bars: frame[High, Low, Close], window: usize = 14, scale: f64 = 1.0 -> f64[]",
        "desk.ranges:atr",
    ),
    # Defaults: the bridge and the stub keep the Python function's (`def psar(high, low, iaf=0.02, ...)`).
    "from_python_defaults": (
        "module",
        "trend",
        "psar",
        "high: f64[], low: f64[], iaf: f64 = 0.02, maxaf: f64 = 0.2 -> f64[]",
        "desk.indicators:psar",
    ),
    "defaults": (
        "module",
        "tuned",
        "tuned_stat",
        "close: f64[], period: usize = 14, scale: f64 = nan, lag: i64 = -1, flag: bool = false -> f64[]",
    ),
    # devtool's translation of examples/strategy.py's kama, verified and served ...
    "from_python_translated": (
        "module",
        "strategy",
        "kama",
        "values: f64[], period: i64 -> f64[]",
        "examples.strategy:kama",
    ),
    # ... and of its rsi, which disagreed: kept in a comment, the kernel unwritten.
    "from_python_disagreed": (
        "module",
        "strategy",
        "rsi",
        "values: f64[], period: i64 -> f64[]",
        "examples.strategy:rsi",
    ),
}
#: Why the translation of a case is not served (None: it is); cases not here are not translated.
TRANSLATED: dict[str, str | None] = {
    "from_python_translated": None,
    "from_python_disagreed": "it disagreed with the Python function: values=np.array([inf, 0., 0.]), "
    "period=1; python: np.array([nan, 0., nan]); rust: np.array([nan, 100., 100.])",
}

# Names as long as names.py allows, many arguments, every type: the layouts that must still be
# formatter-clean (one line, packed, one item per line).
STRESS = [
    (
        "order_book_microstructure_analytics_v2",
        "rolling_weighted_spread_estimate_fast",
        "best_bid_prices_for_every_venue_in_usd_x: f64[], best_ask_prices_for_every_venue_in_usd_y: f64[],"
        " venue_identifiers_as_sixty_four_bit_ints: i64[], smoothing_factor_applied_to_the_spread: f64,"
        " number_of_levels_to_aggregate_per_side: usize, whether_to_flip_the_sign_of_the_output: bool"
        " -> (f64[], i64[], f64[,], bool)",
    ),
    ("m", "f", "a: f64[], b: f64[], c: f64[], d: i64[], e: f64, g: i64, h: usize, k: bool -> (f64, f64[])"),
    (
        "grid_tools",
        "column_summary",
        "cells: f64[,], weights: f64[], offset: i64 -> (usize, f64[,], i64, f64)",
    ),
    # As many results as a signature may have, with `[*]` arrays in and out, and long names.
    (
        "market_microstructure_resampling_tools",
        "resample_trades_into_bars_by_interval",
        "trade_timestamps_in_unix_epoch_nanosecs: i64[], trade_prices_in_quote_currency_units_x: f64[],"
        " bar_boundaries_chosen_by_the_caller_list: i64[*], per_boundary_weights_for_the_volume_y: f64[*],"
        " interval_between_bars_in_nanoseconds_z: i64"
        " -> (i64[*], f64[*], f64[*], f64[*], f64[*], f64[*], i64[*], f64[*], f64[], i64, f64, bool)",
    ),
    ("t", "g", "x: f64[], w: f64[*] -> (f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64)"),
    ("u", "h", "x: f64[*], y: f64[] -> i64[*]"),
]


def _render_tree(
    kind: str, module: str, function: str, text: str, source: str | None = None
) -> dict[str, str]:
    """What a case renders, as {path: text}; an added function's fragments under `appended/`."""
    signature = parse_signature(text)
    if kind == "module":
        return render_module(module, function, signature, source=source)
    rendered = render_function(module, function, signature, source=source)
    return {**rendered.created, **{f"appended/{p}": t for p, t in rendered.appended.items()}}


def _render_translated(case: str) -> dict[str, str]:
    """A case whose kernel is devtool's translation of the function of examples/strategy.py."""
    _, module, function, text, source = CASES[case]
    signature = parse_signature(text)
    python = (REPO / "examples" / "strategy.py").read_text()
    rust = translate(python, function, signature, path="examples/strategy.py", error_path=ERROR_PATH).rust
    assert rust is not None
    not_served = TRANSLATED[case]
    return render_module(module, function, signature, source=source, translation=rust, not_served=not_served)


def _read_golden(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix().removesuffix(".golden"): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*.golden"))
    }


def _write_golden(folder: Path, tree: dict[str, str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for rel, text in tree.items():
        path = folder / f"{rel}.golden"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_tree_matches_golden(case: str, request: pytest.FixtureRequest) -> None:
    tree = _render_tree(*CASES[case]) if case not in TRANSLATED else _render_translated(case)
    folder = GOLDEN / case
    if request.config.getoption("--update-golden"):
        _write_golden(folder, tree)
        return
    expected = _read_golden(folder)
    hint = f"the rendered files differ from {folder} (`pytest --update-golden` rewrites it)"
    assert sorted(tree) == sorted(expected), hint
    diffs = [
        "".join(
            difflib.unified_diff(expected[p].splitlines(True), tree[p].splitlines(True), f"golden/{p}", p)
        )
        for p in sorted(tree)
        if tree[p] != expected[p]
    ]
    if diffs:
        pytest.fail(f"{hint}:\n" + "".join(diffs))


def test_new_module_renders_every_file_at_its_workspace_path() -> None:
    files = render_module("quant", "spread", parse_signature("a: f64[], b: f64[] -> f64[]"))
    assert sorted(files) == [
        "benchmarks/test_bench_quant_spread.py",
        "rust/src/quant/mod.rs",
        "rust/src/quant/spread.rs",
        "src/crypto_trading_engine/quant.pyi",
        "src/rust_bridge/_fallback/quant.py",
        "src/rust_bridge/quant_py.py",
        "tests/quant_tests/__init__.py",
        "tests/quant_tests/test_spread.py",
    ]


def test_added_function_creates_its_own_files_and_appends_to_the_module_files() -> None:
    rendered = render_function("quant", "zscore", parse_signature("v: f64[], w: usize -> f64[]"))
    assert sorted(rendered.created) == [
        "benchmarks/test_bench_quant_zscore.py",
        "rust/src/quant/zscore.rs",
        "tests/quant_tests/test_zscore.py",
    ]
    assert sorted(rendered.appended) == [
        "src/crypto_trading_engine/quant.pyi",
        "src/rust_bridge/_fallback/quant.py",
        "src/rust_bridge/quant_py.py",
    ]


def test_module_files_are_their_header_followed_by_the_functions_fragment() -> None:
    signature = parse_signature("v: f64[], w: usize -> f64[]")
    module = render_module("quant", "zscore", signature)
    fragments = render_function("quant", "zscore", signature).appended
    for path, fragment in fragments.items():
        assert module[path].endswith(fragment), path
        assert "zscore" not in module[path][: -len(fragment)], path
    # The created files are the same whether the function starts a module or joins one.
    for path, text in render_function("quant", "zscore", signature).created.items():
        assert module[path] == text


def test_mod_rs_has_the_shape_the_registration_edits_expect() -> None:
    files = render_module("quant", "spread", parse_signature("a: f64[] -> f64"))
    assert files["rust/src/quant/mod.rs"] == (
        "//! The `quant` engine module: one file per function, each a pure-Rust kernel and its binding.\n"
        "use pyo3::prelude::*;\n"
        "\n"
        "mod spread;\n"
        "\n"
        "pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {\n"
        "    spread::register(m)?;\n"
        "    Ok(())\n"
        "}\n"
    )


# type -> what an argument `arg` of it becomes in the feature .rs, the bridge, the fallback and the stub
ARG_TYPES = {
    "f64[]": (
        "arg: PyReadonlyArray1<'py, f64>",
        'arg = _convert.as_f64_1d(arg, "arg")',
        "arg: _convert.F64Array",
        "arg: npt.NDArray[np.float64]",
    ),
    "i64[]": (
        "arg: PyReadonlyArray1<'py, i64>",
        'arg = _convert.as_i64_1d(arg, "arg")',
        "arg: _convert.I64Array",
        "arg: npt.NDArray[np.int64]",
    ),
    "f64[,]": (
        "arg: PyReadonlyArray2<'py, f64>",
        'arg = _convert.as_f64_2d(arg, "arg")',
        "arg: _convert.F64Array",
        "arg: npt.NDArray[np.float64]",
    ),
    "f64": ("arg: f64", 'arg = _convert.as_float(arg, "arg")', "arg: float", "arg: float"),
    "i64": ("arg: i64", 'arg = _convert.as_int(arg, "arg")', "arg: int", "arg: int"),
    "usize": ("arg: usize", 'arg = _convert.as_int(arg, "arg", minimum=0)', "arg: int", "arg: int"),
    "bool": ("arg: bool", 'arg = _convert.as_bool(arg, "arg")', "arg: bool", "arg: bool"),
}


@pytest.mark.parametrize("type_", sorted(ARG_TYPES))
def test_each_argument_type_maps_to_its_rust_python_and_stub_types(type_: str) -> None:
    files = render_module("quant", "spread", parse_signature(f"first: f64[], arg: {type_} -> f64"))
    rust, bridge, fallback, stub = ARG_TYPES[type_]
    assert rust in files["rust/src/quant/spread.rs"]
    assert bridge in files["src/rust_bridge/quant_py.py"]
    assert fallback in files["src/rust_bridge/_fallback/quant.py"]
    assert stub in files["src/crypto_trading_engine/quant.pyi"]


def test_kernel_takes_slices_and_writes_array_results_into_outputs() -> None:
    files = render_module(
        "quant", "spread", parse_signature("a: f64[], m: f64[,], n: i64[], k: usize -> (f64[], i64[], f64)")
    )
    rust = files["rust/src/quant/spread.rs"]
    kernel = rust[rust.index("pub fn spread_into(") : rust.index(") -> Result<f64, KernelError> {")]
    for param in (
        "a: &[f64]",
        "m: Matrix<'_>",
        "n: &[i64]",
        "k: usize",
        "out0: &mut [f64]",
        "out1: &mut [i64]",
    ):
        assert param in kernel
    kernel_part = rust[: rust.index("// ---- Binding")]
    assert "pyo3" not in kernel_part.split("// ---- Kernel")[1]  # no PyO3 in the kernel
    assert "py.detach(|| spread_into(a, m, n, k, out0, out1))?" in rust
    assert "PyArray1::<f64>::zeros(py, len, false)" in rust
    assert "PyArray1::<i64>::zeros(py, len, false)" in rust
    assert "type Outputs<'py> = (F64Array<'py>, I64Array<'py>, f64);" in rust


def test_default_function_computes_the_guides_sum() -> None:
    files = render_module("example", "fast_calculation", parse_signature("data: f64[] -> f64"))
    rust = files["rust/src/example/fast_calculation.rs"]
    assert "pub fn fast_calculation(data: &[f64]) -> Result<f64, KernelError> {" in rust
    assert "x * x + 2.0 * x + 1.0" in rust
    assert "assert_eq!(out0, 18.0);" in rust  # (-2+1)^2 + (0+1)^2 + (3+1)^2
    fallback = files["src/rust_bridge/_fallback/example.py"]
    assert "return float(np.sum(combined * combined + 2.0 * combined + 1.0))" in fallback


def test_template_version_is_the_one_in_cookiecutter_json() -> None:
    declared = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["_template_version"]
    assert template_version() == str(declared)
    assert all(part.isdigit() for part in template_version().split("."))


def test_template_dir_is_the_source_tree_template() -> None:
    assert TEMPLATE_DIR == REPO / "devtool" / "template"
    assert (TEMPLATE_DIR / "cookiecutter.json").is_file()


def test_render_writes_nothing_where_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    render_module("quant", "spread", parse_signature("a: f64[] -> f64"))
    assert list(tmp_path.iterdir()) == []
    assert Path.cwd() == tmp_path


@pytest.mark.parametrize(
    ("module", "function", "text", "message"),
    [
        ("class", "spread", "a: f64[] -> f64", "module name 'class'"),
        ("quant", "np", "a: f64[] -> f64", "function name 'np'"),
        ("quant", "Spread", "a: f64[] -> f64", "function name 'Spread'"),
        ("quant", "spread", "spread: f64[] -> f64", "argument name 'spread' is the function's name"),
    ],
)
def test_refuses_names_the_template_cannot_use(module: str, function: str, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        render_module(module, function, parse_signature(text))


# kind -> (template file, text appended to it)
BROKEN = {
    "syntax": ("{{cookiecutter.module}}/module/rust/src/{{cookiecutter.module}}/mod.rs", "{% if %}\n"),
    "undefined": ("templates/function/stub.pyi.j2", "{{ cookiecutter.no_such_key }}\n"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_template_raises_render_error_naming_the_file(kind: str, tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, template)
    rel, addition = BROKEN[kind]
    line = len((template / rel).read_text().splitlines()) + 1  # the appended line
    with (template / rel).open("a") as handle:
        handle.write(addition)
    with pytest.raises(RenderError) as caught:
        render_module("quant", "spread", parse_signature("a: f64[] -> f64"), template_dir=template)
    assert caught.value.template_file == f"template/{rel}"
    assert caught.value.line == line
    assert caught.value.exit_code == 1
    assert f"template/{rel}:{line}" in str(caught.value)


def test_format_files_formats_rust_and_python_and_leaves_the_rest() -> None:
    files = {
        "rust/src/m/mod.rs": "mod f;\npub fn register( m: &i32 ) -> i32 { f::register(m) }\n",
        "src/m_py.py": "import sys\nimport os\nx=f(os,\n   sys)\n",
        "src/m.pyi": "def f(a:int)->int: ...\n",
        "notes.txt": "  as  it is\n",
    }
    assert format_files(files, edition="2024") == {
        "rust/src/m/mod.rs": "mod f;\npub fn register(m: &i32) -> i32 {\n    f::register(m)\n}\n",
        "src/m_py.py": "import os\nimport sys\n\nx = f(os, sys)\n",
        "src/m.pyi": "def f(a: int) -> int: ...\n",
        "notes.txt": "  as  it is\n",
    }


@pytest.mark.parametrize("path", ["rust/src/m/f.rs", "src/m_py.py"])
def test_code_a_formatter_cannot_parse_is_a_render_error(path: str) -> None:
    with pytest.raises(RenderError, match="refused the rendered code") as caught:
        format_files({path: "fn def (\n"})
    assert caught.value.template_file == path


def test_unreadable_context_raises_render_error(tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, template)
    (template / "cookiecutter.json").write_text("{not json")
    with pytest.raises(RenderError, match=r"template/cookiecutter\.json"):
        render_module("quant", "spread", parse_signature("a: f64[] -> f64"), template_dir=template)


def test_an_installed_template_renders_without_its_bytecode(tmp_path: Path) -> None:
    # Installing the wheel compiles the template's .py files: the render must not carry (or read) them.
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, template)
    tests = template / "{{cookiecutter.module}}" / "module" / "tests" / "{{cookiecutter.module}}_tests"
    (tests / "__pycache__").mkdir()
    (tests / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\xa7\r\r\n\x00\xff")
    signature = parse_signature("a: f64[] -> f64")
    assert render_module("quant", "spread", signature, template_dir=template) == render_module(
        "quant", "spread", signature
    )


def _workspace_with_two_functions(
    root: Path, module: str, function: str, text: str, source: str | None = None
) -> Path:
    """Render a module, then add a second function to it, into root laid out like the engine."""
    signature = parse_signature(text)
    second = render_function(module, f"{function[:36]}_two", signature, source=source)
    first = render_module(module, function, signature, source=source)
    for rel, content in {**first, **second.created}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content)
    for rel, fragment in second.appended.items():
        (root / rel).write_text((root / rel).read_text() + fragment)
    return root


# The same, made `--from` a Python function (other module names, so that they sit side by side).
FROM_PYTHON = [
    (f"{module[:34]}_from", function, text, f"desk.strategies.{module[:20]}:{function}")
    for module, function, text in [CASES[c][1:4] for c in sorted(CASES)] + STRESS
] + [
    ("tiny", "f", "a: f64[] -> f64", "m:f"),
    (
        "order_book_frames_with_long_names",
        "features_of_the_bars_and_trades",
        "price_bars_sampled_every_minute_x: frame[Open, High, Low, Close, Volume,"
        " vwap_in_quote_currency_units], trades: frame[price], window: usize -> (f64[], f64)",
        "desk.features:features_of_the_bars_and_trades",
    ),
]

LINTED = [(*CASES[c][1:], None)[:4] for c in sorted(CASES)] + [(*s, None) for s in STRESS] + FROM_PYTHON


@pytest.fixture(scope="module")
def rendered_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("engine")
    for module, function, text, source in LINTED:
        _workspace_with_two_functions(root, module, function, text, source)
    return root


def test_ruff_settings_are_the_projects() -> None:
    # devtool formats with explicit settings (no configuration file around the files changes the
    # output): the ones of [tool.ruff] here, which the e2e tests check generated modules with.
    ruff = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["ruff"]
    isort = ruff["lint"]["isort"]["known-first-party"]
    assert f"--line-length={ruff['line-length']}" in RUFF_SETTINGS
    assert f"--target-version={ruff['target-version']}" in RUFF_SETTINGS
    assert f"--config=lint.isort.known-first-party = {json.dumps(isort)}" in RUFF_SETTINGS


@pytest.mark.parametrize(
    "config",
    [["--config", str(REPO / "pyproject.toml")], list(RUFF_SETTINGS)],
    ids=["project-config", "devtool-settings"],
)
def test_rendered_python_passes_ruff(rendered_workspace: Path, config: list[str]) -> None:
    # The project's configuration, and the settings devtool formats with (no configuration file).
    files = sorted(str(p) for p in rendered_workspace.rglob("*.py*"))
    ruff = [sys.executable, "-m", "ruff"]
    for command in (["check", *config, "--no-cache"], ["format", "--check", "--diff", *config, "--no-cache"]):
        result = subprocess.run(
            [*ruff, *command, *files], cwd=rendered_workspace, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_rendered_rust_passes_rustfmt(rendered_workspace: Path) -> None:
    rustfmt = shutil.which("rustfmt")
    if rustfmt is None:
        pytest.skip("rustfmt is not installed")
    files = sorted(str(p) for p in rendered_workspace.rglob("*.rs"))
    result = subprocess.run([rustfmt, "--check", "--edition", "2021", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
