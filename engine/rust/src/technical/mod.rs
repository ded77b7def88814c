//! Technical indicators with TA-Lib's conventions.
//!
//! One file per indicator holds its pure-Rust kernel (slices in, caller-provided slices out,
//! `KernelError` instead of panics); `batch` runs them over the rows of a matrix with rayon;
//! `bindings` exposes them to Python. Shared machinery: `span` (the NaN convention), `window`
//! (blocked sliding windows), `smoothing` (the EMA recursion), `chunked` (recursions cut into
//! parallel chunks, exactly), `cpu` (AVX2 / FMA dispatch).
mod atr;
pub mod batch;
mod bindings;
mod bollinger;
mod chunked;
mod cpu;
mod ema;
mod error;
mod kama;
mod macd;
mod rsi;
mod sma;
mod smoothing;
mod span;
mod window;

pub use atr::atr_into;
pub use bindings::register;
pub use bollinger::{bollinger_bands_into, Bands};
pub use ema::ema_into;
pub use error::KernelError;
pub use kama::kama_into;
pub use macd::{macd_into, MacdLines, MacdPeriods};
pub use rsi::rsi_into;
pub use sma::sma_into;

#[cfg(test)]
pub(crate) mod testing {
    /// Asserts equal NaN positions and values within 1e-12 relative (absolute below 1).
    pub(crate) fn assert_close(actual: &[f64], expected: &[f64]) {
        assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
        for (a, e) in actual.iter().zip(expected) {
            let same = (a.is_nan() && e.is_nan()) || (a - e).abs() <= 1e-12 * e.abs().max(1.0);
            assert!(same, "{actual:?} vs {expected:?}");
        }
    }

    /// A price-like test series: a deterministic walk around 100, with NaN leading `nans` rows.
    pub(crate) fn walk(len: usize, nans: usize) -> Vec<f64> {
        let mut level = 100.0;
        (0..len)
            .map(|i| {
                level += (((i * 7919) % 1013) as f64 - 506.0) * 0.002;
                if i < nans {
                    f64::NAN
                } else {
                    level
                }
            })
            .collect()
    }
}
