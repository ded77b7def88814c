//! Average true range with Wilder's smoothing, as TA-Lib.
use std::ops::Range;

use super::checks::{check_period, check_same_len};
use super::chunked::{self, Chain, Plan};
use super::cpu::MulAdd;
use super::smoothing::Smoothing;
use super::span;
use crate::support::KernelError;

/// Points per step. Small blocks let the CPU load the next block's inputs while it still works
/// through the recursion of this one (its out-of-order window spans a few dozen points); blocks
/// of 512 were up to 1.6x slower at 1e6 points. 64 rather than 16: the smoothing's four-lane
/// state is taken out of its lanes and put back once a block, so longer blocks pay that less
/// often (1e4 points: 9% faster, 1e6: 11%, 1e2 to 1e5 no slower).
const BLOCK: usize = 64;

/// Checks the arguments of [`atr_into`] for series of `len` points.
pub(crate) fn check_args(period: usize, len: usize) -> Result<(), KernelError> {
    check_period("period", period, len)
}

/// ATR: the mean true range of rows `1..=period` at index `period`, then Wilder's smoothing
/// (`k = 1 / period`) of the true range; the first `period` outputs are NaN. The true range of row
/// `i` is the largest of `high − low`, `|high − previous close|` and `|low − previous close|`.
///
/// `high`, `low`, `close` and `out` must be equally long. NaN handling: see the `span` module.
/// Long series are computed in parallel chunks, with the serial result bit for bit (see `chunked`).
pub fn atr_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    out: &mut [f64],
) -> Result<(), KernelError> {
    atr_with([high, low, close], period, out, Plan::DEFAULT)
}

/// [`atr_into`], cut into chunks as `plan` says (the tests' `Plan::SERIAL` is the reference).
pub(crate) fn atr_with(
    [high, low, close]: [&[f64]; 3],
    period: usize,
    out: &mut [f64],
    plan: Plan,
) -> Result<(), KernelError> {
    check_same_len(high, low, close)?;
    check_args(period, close.len())?;
    KernelError::check_output("out", out.len(), close.len())?;
    span::apply([high, low, close], [out], |[high, low, close], [out]| {
        let chain = Atr {
            high,
            low,
            close,
            period,
            wilder: Smoothing::wilder(period),
        };
        atr_span(&chain, out, plan)
    });
    Ok(())
}

/// The ATR of `chain`'s rows (no leading NaN) into `out`; whether its state ended finite.
fn atr_span(chain: &Atr<'_>, out: &mut [f64], plan: Plan) -> bool {
    let (high, low, period) = (chain.high, chain.low, chain.period);
    if chain.close.len() <= period {
        out.fill(f64::NAN);
        return true;
    }
    out[..period].fill(f64::NAN);
    // Row 0's high and low enter no true range; adding 0 · (high − low) keeps them in the
    // finiteness check all the same.
    let seed = chain.guess(0) + 0.0 * (high[0] - low[0]);
    out[period] = seed;
    chunked::run(chain, seed, [&mut out[period + 1..]], plan).is_finite()
}

/// The recursion after the seed: row `r` is `period + 1 + r` of the inputs.
struct Atr<'a> {
    high: &'a [f64],
    low: &'a [f64],
    close: &'a [f64],
    period: usize,
    wilder: Smoothing,
}

impl Chain<1> for Atr<'_> {
    type State = f64;

    fn grid(&self) -> usize {
        BLOCK
    }

    fn warm_up(&self) -> usize {
        // As RSI's: 48 period rows shrink an error of 100% 2^-69 times.
        48 * self.period
    }

    fn guess(&self, row: usize) -> f64 {
        // As the seed: the mean true range of the `period` rows before the row.
        let tr = |i: usize| true_range(self.high[i], self.low[i], self.close[i], self.close[i - 1]);
        (row + 1..=row + self.period).map(tr).sum::<f64>() / self.period as f64
    }

    #[inline(always)]
    fn advance<M: MulAdd>(&self, mut atr: f64, rows: Range<usize>, [out]: [&mut [f64]; 1]) -> f64 {
        let (high, low, close) = (self.high, self.low, self.close);
        // A local copy keeps the coefficients in registers rather than reloaded through `self`.
        let wilder = self.wilder;
        let k = wilder.k();
        let offset = self.period + 1;
        let mut ranges = [0.0; BLOCK];
        // Re-sliced to the rows' count, so the compiler knows the lengths agree.
        let out = &mut out[..rows.len()];
        let starts = (offset + rows.start..offset + rows.end).step_by(BLOCK);
        for (start, out) in starts.zip(out.chunks_mut(BLOCK)) {
            let end = start + out.len();
            let ranges = &mut ranges[..out.len()];
            let high_low = high[start..end].iter().zip(&low[start..end]);
            let closes = close[start..end].iter().zip(&close[start - 1..end - 1]);
            for (r, ((&h, &l), (&c, &prev))) in ranges.iter_mut().zip(high_low.zip(closes)) {
                *r = k * true_range(h, l, c, prev);
            }
            atr = wilder.run_prescaled::<M>(atr, ranges, out);
        }
        atr
    }

    fn same(a: &f64, b: &f64) -> bool {
        a.to_bits() == b.to_bits()
    }

    fn is_finite(atr: &f64) -> bool {
        atr.is_finite()
    }

    fn finite_inputs_before(&self, row: usize) -> bool {
        let end = self.period + 1 + row;
        let inputs = [self.high, self.low, self.close];
        inputs
            .iter()
            .all(|x| x[..end].iter().all(|v| v.is_finite()))
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
        assert_eq!(
            err.to_string(),
            "high, low and close must have the same length, got 2, 1 and 2"
        );
    }

    #[test]
    fn portable_path_agrees_with_the_dispatched_one() {
        let close = walk(10_000, 0);
        let high: Vec<f64> = close.iter().map(|c| c + 0.5).collect();
        let low: Vec<f64> = close.iter().map(|c| c - 0.25).collect();
        let mut dispatched = vec![0.0; close.len()];
        atr_with([&high, &low, &close], 14, &mut dispatched, Plan::SERIAL).unwrap();
        let chain = Atr {
            high: &high,
            low: &low,
            close: &close,
            period: 14,
            wilder: Smoothing::wilder(14),
        };
        let mut portable = vec![0.0; close.len() - 15];
        chain.advance::<Separate>(chain.guess(0), 0..close.len() - 15, [&mut portable]);
        assert_close(&portable, &dispatched[15..]);
    }
}
