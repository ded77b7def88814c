//! The `market_data` engine module: one file per function, each a pure-Rust kernel and its binding.
use pyo3::prelude::*;

mod log_returns;
mod resample_ohlcv;
mod rolling_volatility;
mod vwap;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    resample_ohlcv::register(m)?;
    log_returns::register(m)?;
    rolling_volatility::register(m)?;
    vwap::register(m)?;
    Ok(())
}
