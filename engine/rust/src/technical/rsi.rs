//! Relative strength index with Wilder's smoothing, as TA-Lib computes it.
use std::ops::Range;

use super::checks::check_period;
use super::chunked::{self, Chain, Plan};
use super::cpu::MulAdd;
use super::smoothing::{run_pair_prescaled, Smoothing};
use super::span;
use crate::support::KernelError;

/// Points per step. Small blocks let the CPU load the next block's inputs while it still works
/// through the recursion of this one (its out-of-order window spans a few dozen points); blocks
/// of 512 were up to 1.6x slower at 1e6 points.
const BLOCK: usize = 64;

/// Checks the arguments of [`rsi_into`] for a series of `len` points.
pub(crate) fn check_args(period: usize, len: usize) -> Result<(), KernelError> {
    check_period("period", period, len)
}

/// RSI: `100 · avg_gain / (avg_gain + avg_loss)` (0 when both are 0), the averages seeded with the
/// mean gain and loss of the first `period` changes and then smoothed with Wilder's
/// `k = 1 / period`; the first `period` outputs are NaN.
///
/// `out` must be as long as `values`. NaN handling: see the `span` module. Long series are
/// computed in parallel chunks, with the serial result bit for bit (see `chunked`).
pub fn rsi_into(values: &[f64], period: usize, out: &mut [f64]) -> Result<(), KernelError> {
    rsi_with(values, period, out, Plan::DEFAULT)
}

/// [`rsi_into`], cut into chunks as `plan` says ([`Plan::SERIAL`]: the reference).
pub(crate) fn rsi_with(
    values: &[f64],
    period: usize,
    out: &mut [f64],
    plan: Plan,
) -> Result<(), KernelError> {
    check_args(period, values.len())?;
    KernelError::check_output("out", out.len(), values.len())?;
    span::apply([values], [out], |[x], [out]| rsi_span(x, period, out, plan));
    Ok(())
}

/// The RSI of `x` (no leading NaN) into `out`; whether its state ended finite (see `span`).
fn rsi_span(x: &[f64], period: usize, out: &mut [f64], plan: Plan) -> bool {
    if x.len() <= period {
        out.fill(f64::NAN);
        return true;
    }
    out[..period].fill(f64::NAN);
    let chain = Rsi {
        x,
        period,
        wilder: Smoothing::wilder(period),
    };
    let seed = chain.guess(0);
    out[period] = rsi(seed.0, seed.1);
    let (avg_gain, avg_loss) = chunked::run(&chain, seed, [&mut out[period + 1..]], plan);
    avg_gain.is_finite() && avg_loss.is_finite()
}

/// The recursion after the seed: row `r` is the change into `x[period + 1 + r]`; the state is
/// (average gain, average loss).
struct Rsi<'a> {
    x: &'a [f64],
    period: usize,
    wilder: Smoothing,
}

impl Chain<1> for Rsi<'_> {
    type State = (f64, f64);

    fn grid(&self) -> usize {
        BLOCK
    }

    fn warm_up(&self) -> usize {
        // Wilder's smoothing forgets its start by (period - 1) / period per row, about e^(-1 /
        // period): 48 period rows shrink an error of 100% 2^-69 times.
        48 * self.period
    }

    fn guess(&self, row: usize) -> (f64, f64) {
        // As the seed: the mean gain and loss of the `period` changes before the row.
        let (mut avg_gain, mut avg_loss) = (0.0, 0.0);
        for pair in self.x[row..=row + self.period].windows(2) {
            let change = pair[1] - pair[0];
            avg_gain += gain(change);
            avg_loss += loss(change);
        }
        (avg_gain / self.period as f64, avg_loss / self.period as f64)
    }

    #[inline(always)]
    fn advance<M: MulAdd>(
        &self,
        (mut avg_gain, mut avg_loss): (f64, f64),
        rows: Range<usize>,
        [out]: [&mut [f64]; 1],
    ) -> (f64, f64) {
        let (x, wilder) = (self.x, &self.wilder);
        let k = wilder.k();
        let offset = self.period + 1;
        let (mut gains, mut losses) = ([0.0; BLOCK], [0.0; BLOCK]);
        // Re-sliced to the rows' count, so the compiler knows the lengths agree.
        let out = &mut out[..rows.len()];
        let starts = (offset + rows.start..offset + rows.end).step_by(BLOCK);
        for (start, out) in starts.zip(out.chunks_mut(BLOCK)) {
            let (len, end) = (out.len(), start + out.len());
            let changes = x[start..end]
                .iter()
                .zip(&x[start - 1..end - 1])
                .map(|(now, before)| now - before);
            for ((change, g), l) in changes.zip(&mut gains[..len]).zip(&mut losses[..len]) {
                *g = k * gain(change);
                *l = k * loss(change);
            }
            (avg_gain, avg_loss) = run_pair_prescaled::<M>(
                wilder,
                (avg_gain, avg_loss),
                (&gains[..len], &losses[..len]),
                out,
                rsi,
            );
        }
        (avg_gain, avg_loss)
    }

    fn same(a: &(f64, f64), b: &(f64, f64)) -> bool {
        (a.0.to_bits(), a.1.to_bits()) == (b.0.to_bits(), b.1.to_bits())
    }

    fn is_finite((avg_gain, avg_loss): &(f64, f64)) -> bool {
        avg_gain.is_finite() && avg_loss.is_finite()
    }

    fn finite_inputs_before(&self, row: usize) -> bool {
        self.x[..self.period + 1 + row]
            .iter()
            .all(|v| v.is_finite())
    }
}

/// `max(change, 0)`, written so that NaN and ±inf stay non-finite (see `span`).
#[inline(always)]
fn gain(change: f64) -> f64 {
    0.5 * (change + change.abs())
}

/// `max(-change, 0)`, written so that NaN and ±inf stay non-finite (see `span`).
#[inline(always)]
fn loss(change: f64) -> f64 {
    0.5 * (change.abs() - change)
}

/// TA-Lib's `100 · (gain / (gain + loss))`, 0 for a flat series.
#[inline(always)]
fn rsi(avg_gain: f64, avg_loss: f64) -> f64 {
    let total = avg_gain + avg_loss;
    if total != 0.0 {
        100.0 * (avg_gain / total)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technical::cpu::Separate;
    use crate::technical::testing::{assert_close, walk};

    fn rsi_of(values: &[f64], period: usize) -> Vec<f64> {
        let mut out = vec![0.0; values.len()];
        rsi_into(values, period, &mut out).unwrap();
        out
    }

    #[test]
    fn known_values() {
        let nan = f64::NAN;
        // Changes +1 +1 -1 +2 -3; period 2: seed gain 1, loss 0 -> 100; then
        // gain (1 + 0) / 2 = 0.5, loss (0 + 1) / 2 = 0.5 -> 50;
        // gain (0.5 + 2) / 2 = 1.25, loss 0.25 -> 83.33; gain 0.625, loss 1.625 -> 27.78.
        let out = rsi_of(&[1.0, 2.0, 3.0, 2.0, 4.0, 1.0], 2);
        let expected = [nan, nan, 100.0, 50.0, 250.0 / 3.0, 62.5 / 2.25];
        assert_close(&out, &expected);
        assert_close(&rsi_of(&[5.0; 4], 2), &[nan, nan, 0.0, 0.0]);
        assert_close(&rsi_of(&[1.0, 2.0], 2), &[nan, nan]);
    }

    #[test]
    fn matches_ta_lib_arithmetic_over_many_blocks() {
        let x: Vec<f64> = (0..3_000)
            .map(|i| 100.0 + ((i * 7919) % 211) as f64 * 0.1)
            .collect();
        let period = 14;
        let out = rsi_of(&x, period);
        let p = period as f64;
        let (mut g, mut l) = (0.0, 0.0);
        for i in 1..=period {
            let d = x[i] - x[i - 1];
            if d < 0.0 {
                l -= d
            } else {
                g += d
            }
        }
        g /= p;
        l /= p;
        for i in period + 1..x.len() {
            let d = x[i] - x[i - 1];
            g *= p - 1.0;
            l *= p - 1.0;
            if d < 0.0 {
                l -= d
            } else {
                g += d
            }
            g /= p;
            l /= p;
            let expected = 100.0 * (g / (g + l));
            assert!(
                (out[i] - expected).abs() <= 1e-10,
                "at {i}: {} vs {expected}",
                out[i]
            );
        }
    }

    #[test]
    fn nan_convention() {
        let nan = f64::NAN;
        let out = rsi_of(&[nan, 1.0, 2.0, 3.0, 2.0, nan, 4.0], 2);
        assert_close(&out, &[nan, nan, nan, 100.0, 50.0, nan, nan]);
    }

    #[test]
    fn portable_path_agrees_with_the_dispatched_one() {
        let x = walk(10_000, 0);
        let mut dispatched = vec![0.0; x.len()];
        rsi_with(&x, 14, &mut dispatched, Plan::SERIAL).unwrap();
        let chain = Rsi {
            x: &x,
            period: 14,
            wilder: Smoothing::wilder(14),
        };
        let mut portable = vec![0.0; x.len() - 15];
        chain.advance::<Separate>(chain.guess(0), 0..x.len() - 15, [&mut portable]);
        assert_close(&portable, &dispatched[15..]);
    }
}
