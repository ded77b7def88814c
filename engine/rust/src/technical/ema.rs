//! Exponential moving average, seeded as TA-Lib seeds it.
use super::cpu::{self, Kernel, MulAdd};
use super::error::{check_buffer, check_period, KernelError};
use super::smoothing::{mean, Smoothing};
use super::span;

/// Checks the arguments of [`ema_into`] for a series of `len` points.
pub(crate) fn check_args(period: usize, len: usize) -> Result<(), KernelError> {
    check_period("period", period, len)
}

/// EMA with `k = 2 / (period + 1)`, seeded with the mean of the first `period` values (at index
/// `period - 1`); the first `period - 1` outputs are NaN.
///
/// `out` must be as long as `values`. NaN handling: see the `span` module.
pub fn ema_into(values: &[f64], period: usize, out: &mut [f64]) -> Result<(), KernelError> {
    check_args(period, values.len())?;
    check_buffer("out", out.len(), values.len())?;
    span::apply([values], [out], |[x], [out]| {
        cpu::dispatch(Ema { x, period, out })
    });
    Ok(())
}

struct Ema<'a> {
    x: &'a [f64],
    period: usize,
    out: &'a mut [f64],
}

impl Kernel for Ema<'_> {
    type Output = bool;

    #[inline(always)]
    fn run<M: MulAdd>(self) -> bool {
        let Self { x, period, out } = self;
        let first = period - 1;
        if x.len() <= first {
            out.fill(f64::NAN);
            return true;
        }
        out[..first].fill(f64::NAN);
        let seed = mean(&x[..period]);
        out[first] = seed;
        let last = Smoothing::ema(period).run::<M>(seed, &x[period..], &mut out[period..]);
        last.is_finite()
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
        let x = walk(10_000, 3);
        let (mut portable, mut dispatched) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        Ema {
            x: &x,
            period: 20,
            out: &mut portable,
        }
        .run::<Separate>();
        cpu::dispatch(Ema {
            x: &x,
            period: 20,
            out: &mut dispatched,
        });
        assert_close(&portable, &dispatched);
    }
}
