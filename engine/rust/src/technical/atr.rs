//! Average true range with Wilder's smoothing, as TA-Lib.
use super::cpu::{self, Kernel, MulAdd};
use super::error::{check_buffer, check_period, check_same_len, KernelError};
use super::smoothing::Smoothing;
use super::span;

/// Points per step. Small blocks let the CPU load the next block's inputs while it still works
/// through the recursion of this one (its out-of-order window spans a few dozen points); blocks
/// of 512 were up to 1.6x slower at 1e6 points.
const BLOCK: usize = 16;

/// Checks the arguments of [`atr_into`] for series of `len` points.
pub(crate) fn check_args(period: usize, len: usize) -> Result<(), KernelError> {
    check_period("period", period, len)
}

/// ATR: the mean true range of rows `1..=period` at index `period`, then Wilder's smoothing
/// (`k = 1 / period`) of the true range; the first `period` outputs are NaN. The true range of row
/// `i` is the largest of `high − low`, `|high − previous close|` and `|low − previous close|`.
///
/// `high`, `low`, `close` and `out` must be equally long. NaN handling: see the `span` module.
pub fn atr_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    check_same_len(high, low, close)?;
    check_args(period, close.len())?;
    check_buffer("out", out.len(), close.len())?;
    span::apply([high, low, close], [out], |[high, low, close], [out]| {
        cpu::dispatch(Atr {
            high,
            low,
            close,
            period,
            out,
        })
    });
    Ok(())
}

struct Atr<'a> {
    high: &'a [f64],
    low: &'a [f64],
    close: &'a [f64],
    period: usize,
    out: &'a mut [f64],
}

impl Kernel for Atr<'_> {
    type Output = bool;

    #[inline(always)]
    fn run<M: MulAdd>(self) -> bool {
        let Self {
            high,
            low,
            close,
            period,
            out,
        } = self;
        if close.len() <= period {
            out.fill(f64::NAN);
            return true;
        }
        out[..period].fill(f64::NAN);
        let tr = |i: usize| true_range(high[i], low[i], close[i], close[i - 1]);
        let seed = (1..=period).map(tr).sum::<f64>() / period as f64;
        // Row 0's high and low enter no true range; adding 0 · (high − low) keeps them in the
        // finiteness check all the same.
        let mut atr = seed + 0.0 * (high[0] - low[0]);
        out[period] = atr;

        let wilder = Smoothing::wilder(period);
        let k = wilder.k();
        let mut ranges = [0.0; BLOCK];
        let rows = (period + 1..close.len()).step_by(BLOCK);
        for (start, out) in rows.zip(out[period + 1..].chunks_mut(BLOCK)) {
            let end = start + out.len();
            let ranges = &mut ranges[..out.len()];
            let high_low = high[start..end].iter().zip(&low[start..end]);
            let closes = close[start..end].iter().zip(&close[start - 1..end - 1]);
            for (r, ((&h, &l), (&c, &prev))) in ranges.iter_mut().zip(high_low.zip(closes)) {
                *r = k * true_range(h, l, c, prev);
            }
            atr = wilder.run_prescaled::<M>(atr, ranges, out);
        }
        atr.is_finite()
    }
}

/// TA-Lib's true range of one row.
#[inline(always)]
fn true_range(high: f64, low: f64, close: f64, prev_close: f64) -> f64 {
    let high_low = high - low;
    let high_close = (high - prev_close).abs();
    let low_close = (low - prev_close).abs();
    let mut range = high_low;
    if high_close > range {
        range = high_close;
    }
    if low_close > range {
        range = low_close;
    }
    // The comparisons drop NaN; adding 0 · (…) over every input of the row, including this row's
    // close, keeps a non-finite value visible to the finiteness check (see `span`).
    range + 0.0 * (high_low + close - prev_close)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technical::cpu::Separate;
    use crate::technical::testing::{assert_close, walk};

    fn atr(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Vec<f64> {
        let mut out = vec![0.0; close.len()];
        atr_into(high, low, close, period, &mut out).unwrap();
        out
    }

    #[test]
    fn known_values() {
        let nan = f64::NAN;
        let high = [10.0, 11.0, 12.0, 11.0, 15.0];
        let low = [9.0, 10.0, 9.0, 10.0, 12.0];
        let close = [9.5, 10.5, 11.0, 10.5, 14.0];
        // True ranges of rows 1..: max(1, 1.5, 0.5) = 1.5; max(3, 1.5, 1.5) = 3; max(1, 0, 1) = 1;
        // max(3, 4.5, 1.5) = 4.5. Period 2: (1.5 + 3) / 2 = 2.25; (2.25 + 1) / 2 = 1.625;
        // (1.625 + 4.5) / 2 = 3.0625.
        assert_close(
            &atr(&high, &low, &close, 2),
            &[nan, nan, 2.25, 1.625, 3.0625],
        );
        assert_close(&atr(&high, &low, &close, 1), &[nan, 1.5, 3.0, 1.0, 4.5]);
        assert_close(&atr(&high, &low, &close, 5), &[nan; 5]);
    }

    #[test]
    fn a_non_finite_close_marks_its_own_row() {
        let nan = f64::NAN;
        let high = [10.0, 11.0, 12.0, 11.0, 15.0];
        let low = [9.0, 10.0, 9.0, 10.0, 12.0];
        let close = [9.5, 10.5, 11.0, 10.5, f64::INFINITY];
        assert_close(&atr(&high, &low, &close, 2), &[nan, nan, 2.25, 1.625, nan]);
        let high = [f64::INFINITY, 11.0, 12.0, 11.0, 15.0];
        assert_close(&atr(&high, &low, &close, 2), &[nan; 5]);
    }

    #[test]
    fn rejects_different_lengths() {
        let mut out = [0.0; 2];
        let err = atr_into(&[1.0, 2.0], &[1.0], &[1.0, 2.0], 1, &mut out).unwrap_err();
        assert_eq!(err, KernelError::LengthMismatch { lens: [2, 1, 2] });
    }

    #[test]
    fn portable_path_agrees_with_the_dispatched_one() {
        let close = walk(10_000, 0);
        let high: Vec<f64> = close.iter().map(|c| c + 0.5).collect();
        let low: Vec<f64> = close.iter().map(|c| c - 0.25).collect();
        let (mut portable, mut dispatched) = (vec![0.0; close.len()], vec![0.0; close.len()]);
        let (high, low, close) = (&high[..], &low[..], &close[..]);
        Atr {
            high,
            low,
            close,
            period: 14,
            out: &mut portable,
        }
        .run::<Separate>();
        cpu::dispatch(Atr {
            high,
            low,
            close,
            period: 14,
            out: &mut dispatched,
        });
        assert_close(&portable, &dispatched);
    }
}
