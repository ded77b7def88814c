//! The `backtesting` engine module: one file per function, each a pure-Rust kernel and its binding;
//! `ledger` holds the accounting and the statistics both functions share.
use pyo3::prelude::*;

mod backtest;
pub mod growth;
pub mod ledger;
mod sma_crossover_sweep;

pub use backtest::backtest_into;
pub use sma_crossover_sweep::sma_crossover_sweep;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    backtest::register(m)?;
    sma_crossover_sweep::register(m)?;
    Ok(())
}
