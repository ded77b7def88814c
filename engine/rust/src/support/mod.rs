//! What every engine module's kernels and bindings share, written once: the errors a kernel
//! returns and the Python exceptions they become (`error`), the rayon helpers that split work
//! into fixed chunks (`par`), a 2-D array borrowed as a row-major `Matrix` (`matrix`), and the
//! numpy side of the bindings (`bind`). Generated modules `use crate::support::...`.
pub mod bind;
mod error;
mod matrix;
pub mod par;

pub use error::KernelError;
pub use matrix::Matrix;
