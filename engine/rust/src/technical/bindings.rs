//! The `#[pyfunction]`s of `crypto_trading_engine.technical`.
//!
//! Bindings only convert: C-contiguous float64 arrays in without copying, outputs allocated as numpy
//! arrays (numpy backs large ones with huge pages; a fresh `Vec` would page-fault on every 4 KiB)
//! and filled by the kernel with the GIL released, kernel errors raised as `ValueError`.
use numpy::PyUntypedArrayMethods;
use numpy::{PyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::batch::{self, Matrix};
use super::error::KernelError;
use super::{atr_into, bollinger_bands_into, ema_into, kama_into, macd_into, rsi_into, sma_into};
use super::{Bands, MacdLines, MacdPeriods};

/// Below this many points the GIL stays held: releasing and re-taking it costs more than the work.
const DETACH_MIN_POINTS: usize = 1 << 12;

type Array1<'py> = Bound<'py, PyArray1<f64>>;
type Array2<'py> = Bound<'py, PyArray2<f64>>;
type Three<A> = (A, A, A);

/// Runs `kernel`, without the GIL when the work is large enough, mapping its error to `ValueError`.
fn compute(
    py: Python<'_>,
    points: usize,
    kernel: impl FnOnce() -> Result<(), KernelError> + Send,
) -> PyResult<()> {
    let result = if points < DETACH_MIN_POINTS {
        kernel()
    } else {
        py.detach(kernel)
    };
    result.map_err(|err| PyValueError::new_err(err.to_string()))
}

/// A new float64 array of `len` elements, left uninitialised.
fn empty1(py: Python<'_>, len: usize) -> Array1<'_> {
    // SAFETY: callers hand the array to a kernel, which writes every element before returning Ok;
    // on an error the array is dropped unread.
    unsafe { PyArray1::new(py, len, false) }
}

/// A new C-ordered float64 array of `rows` x `cols` elements, left uninitialised.
fn empty2(py: Python<'_>, rows: usize, cols: usize) -> Array2<'_> {
    // SAFETY: as in `empty1`.
    unsafe { PyArray2::new(py, [rows, cols], false) }
}

/// The data of an array this call has just created.
// A `&mut` out of a `&`, as numpy's own `as_slice_mut`: sound here because the array is new and
// its data reachable from nowhere else.
#[allow(clippy::mut_from_ref)]
fn data_mut<'a, D: numpy::ndarray::Dimension>(
    array: &'a Bound<'_, PyArray<f64, D>>,
) -> PyResult<&'a mut [f64]> {
    // SAFETY: the array was created by the current call; nothing else refers to its data yet.
    Ok(unsafe { array.as_slice_mut()? })
}

/// One output series as long as `values`, filled by `kernel`.
fn map_series<'py>(
    values: &PyReadonlyArray1<'py, f64>,
    kernel: impl FnOnce(&[f64], &mut [f64]) -> Result<(), KernelError> + Send,
) -> PyResult<Array1<'py>> {
    let py = values.py();
    let x = values.as_slice()?;
    let out = empty1(py, x.len());
    let buf = data_mut(&out)?;
    compute(py, x.len(), || kernel(x, buf))?;
    Ok(out)
}

/// Three output series as long as `values`, filled by `kernel`.
fn map_series3<'py>(
    values: &PyReadonlyArray1<'py, f64>,
    kernel: impl FnOnce(&[f64], [&mut [f64]; 3]) -> Result<(), KernelError> + Send,
) -> PyResult<Three<Array1<'py>>> {
    let py = values.py();
    let x = values.as_slice()?;
    let outs = [
        empty1(py, x.len()),
        empty1(py, x.len()),
        empty1(py, x.len()),
    ];
    let [a, b, c] = &outs;
    let bufs = [data_mut(a)?, data_mut(b)?, data_mut(c)?];
    compute(py, x.len(), || kernel(x, bufs))?;
    let [a, b, c] = outs;
    Ok((a, b, c))
}

/// A borrowed C-contiguous matrix.
fn matrix<'a>(values: &'a PyReadonlyArray2<'_, f64>) -> PyResult<Matrix<'a>> {
    let data = values.as_slice()?;
    match *values.shape() {
        [rows, cols] => Ok(Matrix { data, rows, cols }),
        _ => Err(PyValueError::new_err("expected a 2-dimensional array")),
    }
}

/// One output matrix of `values`' shape, filled by `kernel`.
fn map_rows<'py>(
    values: &PyReadonlyArray2<'py, f64>,
    kernel: impl FnOnce(Matrix<'_>, &mut [f64]) -> Result<(), KernelError> + Send,
) -> PyResult<Array2<'py>> {
    let py = values.py();
    let m = matrix(values)?;
    let out = empty2(py, m.rows, m.cols);
    let buf = data_mut(&out)?;
    compute(py, m.data.len(), || kernel(m, buf))?;
    Ok(out)
}

/// Three output matrices of `values`' shape, filled by `kernel`.
fn map_rows3<'py>(
    values: &PyReadonlyArray2<'py, f64>,
    kernel: impl FnOnce(Matrix<'_>, [&mut [f64]; 3]) -> Result<(), KernelError> + Send,
) -> PyResult<Three<Array2<'py>>> {
    let py = values.py();
    let m = matrix(values)?;
    let outs = [
        empty2(py, m.rows, m.cols),
        empty2(py, m.rows, m.cols),
        empty2(py, m.rows, m.cols),
    ];
    let [a, b, c] = &outs;
    let bufs = [data_mut(a)?, data_mut(b)?, data_mut(c)?];
    compute(py, m.data.len(), || kernel(m, bufs))?;
    let [a, b, c] = outs;
    Ok((a, b, c))
}

/// Simple moving average over `period` points; the first `period - 1` outputs are NaN.
#[pyfunction]
#[pyo3(signature = (values, period = 30))]
fn sma<'py>(values: PyReadonlyArray1<'py, f64>, period: usize) -> PyResult<Array1<'py>> {
    map_series(&values, |x, out| sma_into(x, period, out))
}

/// EMA (k = 2 / (period + 1)) seeded with the SMA of the first `period` values; the first
/// `period - 1` outputs are NaN.
#[pyfunction]
#[pyo3(signature = (values, period = 30))]
fn ema<'py>(values: PyReadonlyArray1<'py, f64>, period: usize) -> PyResult<Array1<'py>> {
    map_series(&values, |x, out| ema_into(x, period, out))
}

/// RSI with Wilder's smoothing; the first `period` outputs are NaN.
#[pyfunction]
#[pyo3(signature = (values, period = 14))]
fn rsi<'py>(values: PyReadonlyArray1<'py, f64>, period: usize) -> PyResult<Array1<'py>> {
    map_series(&values, |x, out| rsi_into(x, period, out))
}

/// Kaufman's adaptive moving average (fast 2, slow 30) as TA-Lib computes it; the first `period`
/// outputs are NaN.
#[pyfunction]
#[pyo3(signature = (values, period = 30))]
fn kama<'py>(values: PyReadonlyArray1<'py, f64>, period: usize) -> PyResult<Array1<'py>> {
    map_series(&values, |x, out| kama_into(x, period, out))
}

/// Bollinger Bands (upper, middle, lower): SMA ± nbdev times the population standard deviation.
#[pyfunction]
#[pyo3(signature = (values, period = 20, nbdev_up = 2.0, nbdev_down = 2.0))]
fn bollinger_bands<'py>(
    values: PyReadonlyArray1<'py, f64>,
    period: usize,
    nbdev_up: f64,
    nbdev_down: f64,
) -> PyResult<Three<Array1<'py>>> {
    map_series3(&values, |x, [upper, middle, lower]| {
        bollinger_bands_into(
            x,
            period,
            nbdev_up,
            nbdev_down,
            Bands {
                upper,
                middle,
                lower,
            },
        )
    })
}

/// MACD (macd, signal, hist) as TA-Lib computes it.
#[pyfunction]
#[pyo3(signature = (values, fast_period = 12, slow_period = 26, signal_period = 9))]
fn macd<'py>(
    values: PyReadonlyArray1<'py, f64>,
    fast_period: usize,
    slow_period: usize,
    signal_period: usize,
) -> PyResult<Three<Array1<'py>>> {
    let periods = MacdPeriods {
        fast: fast_period,
        slow: slow_period,
        signal: signal_period,
    };
    map_series3(&values, |x, [macd, signal, hist]| {
        macd_into(x, periods, MacdLines { macd, signal, hist })
    })
}

/// Average true range with Wilder's smoothing; the first `period` outputs are NaN.
#[pyfunction]
#[pyo3(signature = (high, low, close, period = 14))]
fn atr<'py>(
    high: PyReadonlyArray1<'py, f64>,
    low: PyReadonlyArray1<'py, f64>,
    close: PyReadonlyArray1<'py, f64>,
    period: usize,
) -> PyResult<Array1<'py>> {
    let (h, l) = (high.as_slice()?, low.as_slice()?);
    map_series(&close, |c, out| atr_into(h, l, c, period, out))
}

/// SMA of each row of a 2-D array.
#[pyfunction]
#[pyo3(signature = (values, period = 30))]
fn sma_batch<'py>(values: PyReadonlyArray2<'py, f64>, period: usize) -> PyResult<Array2<'py>> {
    map_rows(&values, |m, out| batch::sma_batch_into(m, period, out))
}

/// EMA of each row of a 2-D array.
#[pyfunction]
#[pyo3(signature = (values, period = 30))]
fn ema_batch<'py>(values: PyReadonlyArray2<'py, f64>, period: usize) -> PyResult<Array2<'py>> {
    map_rows(&values, |m, out| batch::ema_batch_into(m, period, out))
}

/// RSI of each row of a 2-D array.
#[pyfunction]
#[pyo3(signature = (values, period = 14))]
fn rsi_batch<'py>(values: PyReadonlyArray2<'py, f64>, period: usize) -> PyResult<Array2<'py>> {
    map_rows(&values, |m, out| batch::rsi_batch_into(m, period, out))
}

/// Bollinger Bands (upper, middle, lower) of each row of a 2-D array.
#[pyfunction]
#[pyo3(signature = (values, period = 20, nbdev_up = 2.0, nbdev_down = 2.0))]
fn bollinger_bands_batch<'py>(
    values: PyReadonlyArray2<'py, f64>,
    period: usize,
    nbdev_up: f64,
    nbdev_down: f64,
) -> PyResult<Three<Array2<'py>>> {
    map_rows3(&values, |m, [upper, middle, lower]| {
        batch::bollinger_bands_batch_into(
            m,
            period,
            nbdev_up,
            nbdev_down,
            Bands {
                upper,
                middle,
                lower,
            },
        )
    })
}

/// MACD (macd, signal, hist) of each row of a 2-D array.
#[pyfunction]
#[pyo3(signature = (values, fast_period = 12, slow_period = 26, signal_period = 9))]
fn macd_batch<'py>(
    values: PyReadonlyArray2<'py, f64>,
    fast_period: usize,
    slow_period: usize,
    signal_period: usize,
) -> PyResult<Three<Array2<'py>>> {
    let periods = MacdPeriods {
        fast: fast_period,
        slow: slow_period,
        signal: signal_period,
    };
    map_rows3(&values, |m, [macd, signal, hist]| {
        batch::macd_batch_into(m, periods, MacdLines { macd, signal, hist })
    })
}

/// ATR of each row of three 2-D arrays of one shape.
#[pyfunction]
#[pyo3(signature = (high, low, close, period = 14))]
fn atr_batch<'py>(
    high: PyReadonlyArray2<'py, f64>,
    low: PyReadonlyArray2<'py, f64>,
    close: PyReadonlyArray2<'py, f64>,
    period: usize,
) -> PyResult<Array2<'py>> {
    let (h, l) = (matrix(&high)?, matrix(&low)?);
    map_rows(&close, |c, out| batch::atr_batch_into(h, l, c, period, out))
}

/// Adds the functions to the `technical` submodule.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sma, m)?)?;
    m.add_function(wrap_pyfunction!(ema, m)?)?;
    m.add_function(wrap_pyfunction!(rsi, m)?)?;
    m.add_function(wrap_pyfunction!(kama, m)?)?;
    m.add_function(wrap_pyfunction!(bollinger_bands, m)?)?;
    m.add_function(wrap_pyfunction!(macd, m)?)?;
    m.add_function(wrap_pyfunction!(atr, m)?)?;
    m.add_function(wrap_pyfunction!(sma_batch, m)?)?;
    m.add_function(wrap_pyfunction!(ema_batch, m)?)?;
    m.add_function(wrap_pyfunction!(rsi_batch, m)?)?;
    m.add_function(wrap_pyfunction!(bollinger_bands_batch, m)?)?;
    m.add_function(wrap_pyfunction!(macd_batch, m)?)?;
    m.add_function(wrap_pyfunction!(atr_batch, m)?)?;
    Ok(())
}
