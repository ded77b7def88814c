//! Technical indicators with TA-Lib's conventions.
mod bindings;
pub mod indicators;

pub use bindings::register;
