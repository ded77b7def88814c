//! The numpy side of the bindings: borrowing inputs and allocating outputs.
use numpy::{PyArray1, PyArray2, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use super::Matrix;

/// A 1-D numpy array the binding returns.
pub type Array1<'py, T> = Bound<'py, PyArray1<T>>;
/// A 2-D numpy array the binding returns.
pub type Array2<'py, T> = Bound<'py, PyArray2<T>>;

/// Borrows a 2-D array the bridge made C-contiguous.
pub fn matrix<'a>(array: &'a PyReadonlyArray2<'_, f64>) -> PyResult<Matrix<'a>> {
    let (rows, cols) = (array.shape()[0], array.shape()[1]);
    Ok(Matrix::new(array.as_slice()?, rows, cols)?)
}

/// A new 1-D output of `len` zeros, for a kernel to fill.
pub fn zeros1<T: numpy::Element>(py: Python<'_>, len: usize) -> Array1<'_, T> {
    PyArray1::zeros(py, len, false)
}

/// A new 2-D output of `rows` x `cols` zeros, for a kernel to fill.
pub fn zeros2<T: numpy::Element>(py: Python<'_>, rows: usize, cols: usize) -> Array2<'_, T> {
    PyArray2::zeros(py, [rows, cols], false)
}
