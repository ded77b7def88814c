//! The engine's hot paths: one module per concern, each with pure-Rust kernels and thin PyO3 bindings.
pub mod backtesting;
pub mod market_data;
pub mod python;
pub mod support;
pub mod technical;
