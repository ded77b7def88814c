//! The Python extension module `crypto_trading_engine`.
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The import name users see: the Python package that re-exports this extension.
const PACKAGE: &str = "crypto_trading_engine";

/// Adds `name` as a submodule of `parent` and registers it in `sys.modules`.
///
/// An attribute alone would make `crypto_trading_engine.technical` reachable, but
/// `from crypto_trading_engine.technical import sma` goes through the import system,
/// which only finds submodules listed in `sys.modules`.
///
/// Public so that an engine with no module yet (as `devtool init` makes it) has no unused function.
pub fn add_submodule<'py>(
    parent: &Bound<'py, PyModule>,
    name: &str,
    register: fn(&Bound<'py, PyModule>) -> PyResult<()>,
) -> PyResult<()> {
    let py = parent.py();
    // Not `parent.name()`: loaded from inside the package, the extension is named
    // `crypto_trading_engine.crypto_trading_engine`, but users import the package's name.
    let qualified = format!("{PACKAGE}.{name}");
    // Created under the qualified name before its functions are added: each function records
    // its module's name then (`__module__`), and pickle (so Dask, multiprocessing) finds the
    // function again by that name and `sys.modules`.
    let child = PyModule::new(py, &qualified)?;
    register(&child)?;
    parent.add(name, &child)?;
    let modules = py
        .import("sys")?
        .getattr("modules")?
        .cast_into::<PyDict>()?;
    modules.set_item(qualified, child)?;
    Ok(())
}

#[pymodule]
fn crypto_trading_engine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // `devtool bench` refuses to time a debug build: it makes Rust look many times slower.
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    m.add("__build_profile__", profile)?;
    add_submodule(m, "technical", crate::technical::register)?;
    add_submodule(m, "market_data", crate::market_data::register)?;
    add_submodule(m, "backtesting", crate::backtesting::register)?;
    Ok(())
}
