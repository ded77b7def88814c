//! The `{{ cookiecutter.module }}` engine module: one file per function, each a pure-Rust kernel and its binding.
use pyo3::prelude::*;

mod {{ cookiecutter.function }};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    {{ cookiecutter.function }}::register(m)?;
    Ok(())
}
