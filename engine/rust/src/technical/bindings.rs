use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;

use super::indicators;

#[pyfunction]
fn sma<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    period: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let input = values.as_slice()?;
    let out = unsafe { PyArray1::<f64>::new(py, input.len(), false) };
    let out_slice = unsafe { out.as_slice_mut()? };
    py.detach(|| indicators::sma_into(input, period, out_slice));
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sma, m)?)?;
    Ok(())
}
