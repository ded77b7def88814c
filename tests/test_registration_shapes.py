"""Registration reads any valid shape a person leaves the files in, and refuses only what does not parse.

Each odd-but-valid file is edited at the parsed place; the result is what rustfmt / ruff keep
(`rustfmt --check`, `ruff check --select I,RUF022`), and the lines around the edit stay byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_PYTHON_MOD_RS

from devtool.changes.registration import (
    BridgeExports,
    LibModule,
    ModuleFunction,
    Submodule,
    bridge_functions,
    plan_register_module,
    plan_unregister_module,
)
from devtool.errors import UnrecognisedShape
from devtool.workspace import Workspace

needs_rustfmt = pytest.mark.skipif(shutil.which("rustfmt") is None, reason="rustfmt is not installed")
needs_ruff = pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")


def rustfmt_check(text: str) -> None:
    command = ["rustfmt", "--edition", "2021", "--check"]
    done = subprocess.run(command, input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def ruff_check(tmp_path: Path, text: str) -> None:
    (tmp_path / "init.py").write_text(text)
    config = ["--config", str(REPO / "pyproject.toml"), "--no-cache", "--select", "I,RUF022"]
    done = subprocess.run(["ruff", "check", *config, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def reversible(edit: LibModule | Submodule | ModuleFunction | BridgeExports, text: str) -> str:
    applied = edit.apply(text)
    assert applied != text
    assert edit.apply(applied) == applied
    assert edit.revert(applied) == text
    return applied


# --- lib.rs --------------------------------------------------------------------------------------------

ODD_LIB_RS = """\
//! The engine.

// Kernels and their bindings, one module each.
pub mod backtesting; // the backtest
#[cfg(not(feature = "lean"))]
pub mod market_data;
pub mod python;
/// Indicators.
pub mod technical;

#[cfg(test)]
mod tests;
"""


@needs_rustfmt
def test_lib_rs_with_comments_attributes_and_docs_gets_pub_mod_in_sorted_place() -> None:
    rustfmt_check(ODD_LIB_RS)
    applied = reversible(LibModule("momentum"), ODD_LIB_RS)
    assert applied == ODD_LIB_RS.replace("pub mod python;\n", "pub mod momentum;\npub mod python;\n")
    first = reversible(LibModule("alpha"), ODD_LIB_RS)  # before the first: above its trailing comment's line
    assert "pub mod alpha;\npub mod backtesting; // the backtest\n" in first
    last = reversible(LibModule("zscore"), ODD_LIB_RS)  # after the doc-commented last one, not in `mod tests`
    assert "/// Indicators.\npub mod technical;\npub mod zscore;\n\n#[cfg(test)]\n" in last
    for text in (applied, first, last):
        rustfmt_check(text)


def test_lib_rs_removes_a_module_with_its_attributes() -> None:
    removed = LibModule("market_data").revert(ODD_LIB_RS)
    assert removed == ODD_LIB_RS.replace('#[cfg(not(feature = "lean"))]\npub mod market_data;\n', "")


def test_lib_rs_in_one_line_and_crlf_is_read() -> None:
    text = "//! e\r\npub mod python;\tpub mod technical;\r\n"
    applied = LibModule("zscore").apply(text)
    assert applied == "//! e\r\npub mod python;\tpub mod technical;\r\npub mod zscore;\r\n"
    assert LibModule("zscore").revert(applied) == text
    assert LibModule("technical").revert(text) == "//! e\r\npub mod python;\r\n"


def test_lib_rs_that_does_not_parse_is_refused_at_its_line() -> None:
    text = ODD_LIB_RS.replace("pub mod python;", "pub mod python")
    line_no = text.splitlines().index("pub mod python") + 1
    with pytest.raises(UnrecognisedShape, match=rf"^rust/src/lib.rs:{line_no}: not valid Rust") as caught:
        LibModule("momentum").apply(text)
    assert caught.value.exit_code == 2


# --- python/mod.rs -------------------------------------------------------------------------------------

ODD_PYTHON_MOD_RS = """\
use pyo3::prelude::*;

fn add_submodule<'py>(
    parent: &Bound<'py, PyModule>,
    name: &str,
    register: fn(&Bound<'py, PyModule>) -> PyResult<()>,
) -> PyResult<()> {
    let _ = (parent, name, register);
    Ok(())
}

/// The extension.
#[pymodule]
pub fn my_engine(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", "1")?;

    // Hand-written first.
    add_submodule(module, "technical", crate::technical::register)?;
    add_submodule(
        module,
        "a_module_with_a_name_long_enough_to_wrap",
        crate::a_module_with_a_name_long_enough_to_wrap::register,
    )?;

    Ok(())
}
"""


@needs_rustfmt
def test_pymodule_under_another_name_with_split_calls_comments_and_blank_lines() -> None:
    rustfmt_check(ODD_PYTHON_MOD_RS)
    edit = Submodule("momentum", extension="my_engine")
    applied = reversible(edit, ODD_PYTHON_MOD_RS)
    assert (
        '    )?;\n    add_submodule(module, "momentum", crate::momentum::register)?;\n\n    Ok(())' in applied
    )
    rustfmt_check(applied)
    wrapped = reversible(Submodule("m" * 40, extension="my_engine"), applied)
    rustfmt_check(wrapped)
    assert Submodule("a_module_with_a_name_long_enough_to_wrap", extension="my_engine").revert(
        applied
    ) == applied.replace(
        '    add_submodule(\n        module,\n        "a_module_with_a_name_long_enough_to_wrap",\n'
        "        crate::a_module_with_a_name_long_enough_to_wrap::register,\n    )?;\n",
        "",
    )


def test_pymodule_fn_is_looked_for_under_the_extensions_name() -> None:
    with pytest.raises(UnrecognisedShape, match=r"^rust/src/python/mod.rs: no `fn crypto_trading_engine\(`"):
        Submodule("momentum").apply(ODD_PYTHON_MOD_RS)


def test_tab_indented_pymodule_body_gets_a_tab_indented_call() -> None:
    text = SAMPLE_PYTHON_MOD_RS.replace("\n    ", "\n\t")
    applied = reversible(Submodule("momentum"), text)
    assert '\tadd_submodule(m, "technical", crate::technical::register)?;\n' in applied
    assert '\tadd_submodule(m, "momentum", crate::momentum::register)?;\n\tOk(())\n}' in applied


def test_python_mod_rs_that_does_not_parse_is_refused_at_its_line() -> None:
    text = SAMPLE_PYTHON_MOD_RS.replace('add_submodule(m, "technical"', 'add_submodule(m, "technical",,')
    line_no = next(i for i, line in enumerate(text.splitlines(), 1) if ",," in line)
    with pytest.raises(UnrecognisedShape, match=rf"^rust/src/python/mod.rs:{line_no}: not valid Rust"):
        Submodule("momentum").apply(text)


# --- a generated module's mod.rs ---------------------------------------------------------------------

ODD_MODULE_MOD_RS = """\
//! Momentum.
use pyo3::prelude::*;

// The functions, one file each.
mod rsi;
#[allow(clippy::too_many_arguments)]
mod zscore;

/// Adds this module's functions to `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    rsi::register(m)?; // first
    zscore::register(m)?;
    Ok(())
}
"""


@needs_rustfmt
def test_module_mod_rs_with_comments_and_attributes_is_read() -> None:
    rustfmt_check(ODD_MODULE_MOD_RS)
    applied = reversible(ModuleFunction("sma"), ODD_MODULE_MOD_RS)
    assert "mod rsi;\nmod sma;\n#[allow(clippy::too_many_arguments)]\nmod zscore;\n" in applied
    assert "    zscore::register(m)?;\n    sma::register(m)?;\n    Ok(())\n" in applied
    rustfmt_check(applied)


# --- rust_bridge/__init__.py ---------------------------------------------------------------------------

ODD_BRIDGE = '''\
"""The bridge."""

from ._native import RUST_AVAILABLE

# Technical indicators.
from .technical_py import (
    # Moving averages.
    ema,
    sma,  # the simple one
)
from .zeta_py import zeta

__all__ = (
    "RUST_AVAILABLE",
    "ema",
    # the simple one
    "sma",
    "zeta",
)
'''


@needs_ruff
def test_bridge_with_comments_one_line_import_and_tuple_all_is_read(tmp_path: Path) -> None:
    ruff_check(tmp_path, ODD_BRIDGE)
    for edit in (
        BridgeExports("momentum", ("rsi", "ATR", "Bars")),
        BridgeExports("technical", ("atr", "wma")),
        BridgeExports("zeta", ("alpha",)),
        BridgeExports("a", ("b",)),
    ):
        applied = reversible(edit, ODD_BRIDGE)
        ruff_check(tmp_path, applied)
    applied = BridgeExports("technical", ("atr", "wma")).apply(ODD_BRIDGE)
    assert "from .technical_py import (\n    atr,\n    # Moving averages.\n    ema,\n" in applied
    assert "    sma,  # the simple one\n    wma,\n)\n" in applied
    assert bridge_functions(applied, "technical") == ("atr", "ema", "sma", "wma")
    assert "from .zeta_py import alpha, zeta\n" in BridgeExports("zeta", ("alpha",)).apply(ODD_BRIDGE)
    assert "# Technical indicators.\nfrom .technical_py" in BridgeExports("momentum", ("rsi",)).apply(
        ODD_BRIDGE
    )


def test_bridge_removes_a_commented_member_and_a_one_line_import() -> None:
    assert BridgeExports("zeta", ("zeta",)).revert(ODD_BRIDGE) == ODD_BRIDGE.replace(
        "from .zeta_py import zeta\n", ""
    ).replace('    "zeta",\n', "")
    removed = BridgeExports("technical", ("sma",)).revert(ODD_BRIDGE)
    assert "    ema,\n)\n" in removed and '"sma"' not in removed


# --- planners on a workspace whose extension has another name -----------------------------------------


def test_planners_take_the_pymodule_name_from_the_workspace(sample_workspace: Workspace) -> None:
    root = sample_workspace.root
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'module-name = "crypto_trading_engine"', 'module-name = "pkg.my_engine"'
        )
    )
    mod_rs = root / "rust/src/python/mod.rs"
    mod_rs.write_text(mod_rs.read_text().replace("fn crypto_trading_engine(", "fn my_engine("))
    assert Workspace(root).extension_name == "my_engine"
    changes = plan_register_module(Workspace(root), "momentum", ["rsi"])
    for change in changes:
        (root / change.path).write_text(change.after or "")
    assert 'add_submodule(m, "momentum", crate::momentum::register)?;' in mod_rs.read_text()
    assert [c.after for c in plan_unregister_module(Workspace(root), "momentum")] == [
        c.before for c in changes
    ]


@needs_ruff
def test_a_new_import_before_the_first_commented_one_keeps_the_sections_apart(tmp_path: Path) -> None:
    text = 'import os\n\n# Local.\nfrom .b_py import b\n\n__all__ = ["b", "os"]\n'
    ruff_check(tmp_path, text)
    applied = reversible(BridgeExports("a", ("a",)), text)
    assert applied.startswith("import os\n\nfrom .a_py import (\n    a,\n)\n\n# Local.\n")
    ruff_check(tmp_path, applied)


@needs_ruff
def test_a_one_line_import_or_all_grown_too_long_is_split_one_name_per_line(tmp_path: Path) -> None:
    names = [f"function_number_{i}" for i in range(4)]
    text = f"from .alpha_py import {', '.join(names)}\n\n__all__ = [{', '.join(map(repr, names))}]\n"
    text = text.replace("'", '"')
    ruff_check(tmp_path, text)
    applied = BridgeExports("alpha", ("function_number_9",)).apply(text)
    assert applied.startswith("from .alpha_py import (\n    function_number_0,\n")
    assert '    "function_number_9",\n]\n' in applied
    ruff_check(tmp_path, applied)
    format_check = subprocess.run(
        ["ruff", "format", "--check", "--config", str(REPO / "pyproject.toml"), "--no-cache", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert format_check.returncode == 0, format_check.stdout
