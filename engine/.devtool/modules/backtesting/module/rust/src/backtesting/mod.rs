//! The `backtesting` engine module: one file per function, each a pure-Rust kernel and its binding.
use pyo3::prelude::*;

mod backtest;
mod sma_crossover_sweep;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    backtest::register(m)?;
    sma_crossover_sweep::register(m)?;
    Ok(())
}
