//! Batch versions: one series per row of a row-major matrix, rows computed in parallel.
use rayon::prelude::*;

use super::atr::{self, atr_with};
use super::bollinger::{self, bollinger_bands_into, Bands};
use super::checks::check_same_shape;
use super::chunked::Plan;
use super::ema::{self, ema_with};
use super::macd::{self, macd_with, MacdLines, MacdPeriods};
use super::rsi::{self, rsi_with};
use super::sma::{self, sma_into};
use crate::support::{KernelError, Matrix};

/// Below this many points a batch runs on the calling thread: handing rows to rayon's pool costs
/// some microseconds, more than a small batch takes to compute.
pub const PARALLEL_MIN_POINTS: usize = 1 << 15;

/// SMA of every row of `values` into `out` (same shape).
pub fn sma_batch_into(
    values: Matrix<'_>,
    period: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    sma::check_args(period, values.cols())?;
    for_each_row([values.data()], [out], values.cols(), |[x], [out], _| {
        sma_into(x, period, out)
    })
}

/// EMA of every row of `values` into `out` (same shape).
pub fn ema_batch_into(
    values: Matrix<'_>,
    period: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    ema::check_args(period, values.cols())?;
    for_each_row([values.data()], [out], values.cols(), |[x], [out], plan| {
        ema_with(x, period, out, plan)
    })
}

/// RSI of every row of `values` into `out` (same shape).
pub fn rsi_batch_into(
    values: Matrix<'_>,
    period: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    rsi::check_args(period, values.cols())?;
    for_each_row([values.data()], [out], values.cols(), |[x], [out], plan| {
        rsi_with(x, period, out, plan)
    })
}

/// Bollinger Bands of every row of `values` into `bands` (each of the same shape).
pub fn bollinger_bands_batch_into(
    values: Matrix<'_>,
    period: usize,
    nbdev_up: f64,
    nbdev_down: f64,
    bands: Bands<'_>,
) -> Result<(), KernelError> {
    bollinger::check_args(period, nbdev_up, nbdev_down, values.cols())?;
    let Bands {
        upper,
        middle,
        lower,
    } = bands;
    for_each_row(
        [values.data()],
        [upper, middle, lower],
        values.cols(),
        |[x], [upper, middle, lower], _| {
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
        },
    )
}

/// MACD of every row of `values` into `lines` (each of the same shape).
pub fn macd_batch_into(
    values: Matrix<'_>,
    periods: MacdPeriods,
    lines: MacdLines<'_>,
) -> Result<(), KernelError> {
    macd::check_args(periods, values.cols())?;
    let MacdLines { macd, signal, hist } = lines;
    for_each_row(
        [values.data()],
        [macd, signal, hist],
        values.cols(),
        |[x], [macd, signal, hist], plan| {
            macd_with(x, periods, MacdLines { macd, signal, hist }, plan)
        },
    )
}

/// ATR of every row of `high`, `low` and `close` (three matrices of one shape) into `out`.
pub fn atr_batch_into(
    high: Matrix<'_>,
    low: Matrix<'_>,
    close: Matrix<'_>,
    period: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    check_same_shape([high, low, close].map(|m| (m.rows(), m.cols())))?;
    atr::check_args(period, close.cols())?;
    for_each_row(
        [high.data(), low.data(), close.data()],
        [out],
        close.cols(),
        |[h, l, c], [out], plan| atr_with([h, l, c], period, out, plan),
    )
}

/// Runs `kernel` on each row (`cols` points) of the inputs and outputs, in parallel when the batch
/// is large enough to pay for it. The kernel's `Plan` says whether a recursive indicator may cut
/// its row into chunks on threads (see `chunked`): not when the rows already keep every thread
/// busy, where warming chunks up would only add work.
fn for_each_row<const I: usize, const O: usize>(
    inputs: [&[f64]; I],
    outputs: [&mut [f64]; O],
    cols: usize,
    kernel: impl Fn([&[f64]; I], [&mut [f64]; O], Plan) -> Result<(), KernelError> + Sync,
) -> Result<(), KernelError> {
    let len = inputs.first().map_or(0, |x| x.len());
    for (name, out) in ["out"; O].iter().zip(&outputs) {
        KernelError::check_output(name, out.len(), len)?;
    }
    if cols == 0 || len == 0 {
        return Ok(());
    }
    let rows = len / cols;
    let mut in_rows = inputs.map(|x| x.chunks_exact(cols));
    let mut out_rows = outputs.map(|out| out.chunks_exact_mut(cols));
    let jobs: Vec<_> = (0..rows)
        .map(|_| {
            let ins = in_rows.each_mut().map(|it| it.next().unwrap_or_default());
            let outs = out_rows.each_mut().map(|it| it.next().unwrap_or_default());
            (ins, outs)
        })
        .collect();
    if rows >= 2 && len >= PARALLEL_MIN_POINTS {
        let plan = if rows >= rayon::current_num_threads() {
            Plan::ONE_THREAD
        } else {
            Plan::DEFAULT
        };
        jobs.into_par_iter()
            .try_for_each(|(ins, outs)| kernel(ins, outs, plan))
    } else {
        jobs.into_iter()
            .try_for_each(|(ins, outs)| kernel(ins, outs, Plan::DEFAULT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: usize, cols: usize) -> Vec<f64> {
        (0..rows * cols)
            .map(|i| 100.0 + ((i * 7919) % 1013) as f64 * 0.01)
            .collect()
    }

    #[test]
    fn rows_equal_single_series_serial_and_parallel() -> Result<(), KernelError> {
        // The last shape's single series are long enough to run in chunks, the batch's rows not.
        for (rows, cols) in [(3, 50), (8, PARALLEL_MIN_POINTS / 4), (2, 300_007)] {
            let data = matrix(rows, cols);
            let mut batch = vec![0.0; data.len()];
            rsi_batch_into(Matrix::new(&data, rows, cols)?, 14, &mut batch)?;
            for (x, got) in data.chunks(cols).zip(batch.chunks(cols)) {
                let mut single = vec![0.0; cols];
                crate::technical::rsi_into(x, 14, &mut single)?;
                assert_eq!(
                    got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    single.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                );
            }
        }
        Ok(())
    }

    #[test]
    fn atr_rejects_different_shapes() -> Result<(), KernelError> {
        let a = matrix(2, 3);
        let b = matrix(3, 2);
        let mut out = vec![0.0; 6];
        let (m23, m32) = (Matrix::new(&a, 2, 3)?, Matrix::new(&b, 3, 2)?);
        let err = atr_batch_into(m23, m32, m23, 1, &mut out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "high, low and close must have the same shape, got (2, 3), (3, 2) and (2, 3)"
        );
        Ok(())
    }

    #[test]
    fn checks_period_against_the_row_length() -> Result<(), KernelError> {
        let data = matrix(2, 5);
        let mut out = vec![0.0; 10];
        let err = sma_batch_into(Matrix::new(&data, 2, 5)?, 6, &mut out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "period must be <= the series length (5), got 6"
        );
        let err = sma_batch_into(Matrix::new(&data, 2, 5)?, 2, &mut out[..9]).unwrap_err();
        assert!(matches!(err, KernelError::OutputLength { .. }));
        Ok(())
    }

    #[test]
    fn empty_batches_are_fine() -> Result<(), KernelError> {
        let mut out = vec![];
        sma_batch_into(Matrix::new(&[], 0, 5)?, 2, &mut out)
    }
}
