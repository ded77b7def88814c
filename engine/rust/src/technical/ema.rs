//! Exponential moving average, seeded as TA-Lib seeds it.
use std::ops::Range;

use super::checks::check_period;
use super::chunked::{self, Chain, Plan};
use super::cpu::MulAdd;
use super::smoothing::{mean, Smoothing};
use super::span;
use crate::support::KernelError;

/// Checks the arguments of [`ema_into`] for a series of `len` points.
pub(crate) fn check_args(period: usize, len: usize) -> Result<(), KernelError> {
    check_period("period", period, len)
}

/// EMA with `k = 2 / (period + 1)`, seeded with the mean of the first `period` values (at index
/// `period - 1`); the first `period - 1` outputs are NaN.
///
/// `out` must be as long as `values`. NaN handling: see the `span` module. Long series are
/// computed in parallel chunks, with the serial result bit for bit (see `chunked`).
pub fn ema_into(values: &[f64], period: usize, out: &mut [f64]) -> Result<(), KernelError> {
    ema_with(values, period, out, Plan::DEFAULT)
}

/// [`ema_into`], cut into chunks as `plan` says (the tests' `Plan::SERIAL` is the reference).
pub(crate) fn ema_with(
    values: &[f64],
    period: usize,
    out: &mut [f64],
    plan: Plan,
) -> Result<(), KernelError> {
    check_args(period, values.len())?;
    KernelError::check_output("out", out.len(), values.len())?;
    span::apply([values], [out], |[x], [out]| ema(x, period, out, plan));
    Ok(())
}

/// The EMA of `x` (no leading NaN) into `out`; whether its state ended finite (see `span`).
fn ema(x: &[f64], period: usize, out: &mut [f64], plan: Plan) -> bool {
    let first = period - 1;
    if x.len() <= first {
        out.fill(f64::NAN);
        return true;
    }
    out[..first].fill(f64::NAN);
    let seed = mean(&x[..period]);
    out[first] = seed;
    let chain = Ema {
        x,
        period,
        smoothing: Smoothing::ema(period),
    };
    chunked::run(&chain, seed, [&mut out[period..]], plan).is_finite()
}

/// The recursion after the seed: row `r` is `x[period + r]`.
struct Ema<'a> {
    x: &'a [f64],
    period: usize,
    smoothing: Smoothing,
}

impl Chain<1> for Ema<'_> {
    type State = f64;

    fn grid(&self) -> usize {
        // `Smoothing::run` steps four points at a time from its first row.
        4
    }

    fn warm_up(&self) -> usize {
        // The state forgets its start by a = (period - 1) / (period + 1) per row, about e^(-2 /
        // period): 24 (period + 1) rows shrink an error of 100% 2^-69 times.
        24 * (self.period + 1)
    }

    fn guess(&self, row: usize) -> f64 {
        // As the seed: the mean of the `period` values before the row.
        mean(&self.x[row..row + self.period])
    }

    #[inline(always)]
    fn advance<M: MulAdd>(&self, e: f64, rows: Range<usize>, [out]: [&mut [f64]; 1]) -> f64 {
        let x = &self.x[self.period + rows.start..self.period + rows.end];
        // Re-sliced to the input's length, so the compiler knows the lengths agree.
        self.smoothing.run::<M>(e, x, &mut out[..x.len()])
    }

    fn same(a: &f64, b: &f64) -> bool {
        a.to_bits() == b.to_bits()
    }

    fn is_finite(e: &f64) -> bool {
        e.is_finite()
    }

    fn finite_inputs_before(&self, row: usize) -> bool {
        self.x[..self.period + row].iter().all(|v| v.is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technical::cpu::Separate;
    use crate::technical::testing::{assert_close, walk};

    fn ema(values: &[f64], period: usize) -> Vec<f64> {
        let mut out = vec![0.0; values.len()];
        ema_into(values, period, &mut out).unwrap();
        out
    }

    #[test]
    fn known_values() {
        // k = 0.5; seed (1 + 2 + 3) / 3 = 2; then 2 + 0.5 (4 - 2) = 3; 3 + 0.5 (8 - 3) = 5.5.
        let out = ema(&[1.0, 2.0, 3.0, 4.0, 8.0], 3);
        assert!(out[..2].iter().all(|v| v.is_nan()));
        assert_eq!(out[2..], [2.0, 3.0, 5.5]);
        assert_eq!(ema(&[4.0, 5.0], 1), [4.0, 5.0]);
    }

    #[test]
    fn matches_the_textbook_recursion() {
        let x: Vec<f64> = (0..5_000).map(|i| 50.0 + ((i * 31) % 97) as f64).collect();
        let period = 12;
        let k = 2.0 / 13.0;
        let mut e = x[..period].iter().sum::<f64>() / period as f64;
        let out = ema(&x, period);
        for i in period..x.len() {
            e += (x[i] - e) * k;
            assert!((out[i] - e).abs() <= 1e-12 * e, "at {i}");
        }
    }

    #[test]
    fn nan_convention() {
        let nan = f64::NAN;
        let out = ema(&[nan, 1.0, 3.0, 5.0, nan, 1.0], 2);
        assert_close(&out, &[nan, nan, 2.0, 4.0, nan, nan]);
    }

    #[test]
    fn portable_path_agrees_with_the_dispatched_one() {
        let x = walk(10_000, 0);
        let mut dispatched = vec![0.0; x.len()];
        ema_with(&x, 20, &mut dispatched, Plan::SERIAL).unwrap();
        let chain = Ema {
            x: &x,
            period: 20,
            smoothing: Smoothing::ema(20),
        };
        let mut portable = vec![0.0; x.len() - 20];
        chain.advance::<Separate>(dispatched[19], 0..x.len() - 20, [&mut portable]);
        assert_close(&portable, &dispatched[20..]);
    }
}
