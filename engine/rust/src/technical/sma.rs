//! Simple moving average, with TA-Lib's warm-up.
use std::ops::Range;

use super::checks::check_period;
use super::cpu::{self, Kernel, MulAdd};
use super::span;
use super::window::{self, Window};
use crate::support::KernelError;

/// Checks the arguments of [`sma_into`] for a series of `len` points.
pub(crate) fn check_args(period: usize, len: usize) -> Result<(), KernelError> {
    check_period("period", period, len)
}

/// The mean of the last `period` values at each point; the first `period - 1` outputs are NaN.
///
/// `out` must be as long as `values`. NaN handling: see the `span` module.
pub fn sma_into(values: &[f64], period: usize, out: &mut [f64]) -> Result<(), KernelError> {
    check_args(period, values.len())?;
    KernelError::check_output("out", out.len(), values.len())?;
    span::apply([values], [out], |[x], [out]| sma(x, period, out));
    Ok(())
}

/// The SMA of `x` (no leading NaN) into `out`; whether every window sum ended finite.
fn sma(x: &[f64], period: usize, out: &mut [f64]) -> bool {
    let first = period - 1;
    if x.len() <= first {
        out.fill(f64::NAN);
        return true;
    }
    out[..first].fill(f64::NAN);
    let block = window::block_len(period);
    window::run_parts(first..x.len(), block, [&mut out[first..]], |rows, [out]| {
        cpu::dispatch(Sma {
            x,
            period,
            rows,
            out,
        })
    })
}

/// The SMA of `rows` (all at least `period - 1`) into `out`, which covers them.
struct Sma<'a> {
    x: &'a [f64],
    period: usize,
    rows: Range<usize>,
    out: &'a mut [f64],
}

impl Kernel for Sma<'_> {
    type Output = bool;

    #[inline(always)]
    fn run<M: MulAdd>(self) -> bool {
        let Self {
            x,
            period,
            rows,
            out,
        } = self;
        let mut sums = Sums {
            x,
            period,
            scale: 1.0 / period as f64,
        };
        window::run(&mut sums, [out], rows, window::block_len(period))
    }
}

/// Window sums, slid by `x[i] - x[i - period]`; each output is the sum times `1 / period`.
struct Sums<'a> {
    x: &'a [f64],
    period: usize,
    scale: f64,
}

impl Window<1> for Sums<'_> {
    type State = f64;

    #[inline(always)]
    fn open(&self, row: usize) -> (f64, [f64; 1]) {
        let sum: f64 = self.x[row + 1 - self.period..=row].iter().sum();
        (sum, [sum * self.scale])
    }

    #[inline(always)]
    fn prepare(&self, _: &f64, rows: Range<usize>, [change]: [&mut [f64]; 1]) {
        let added = &self.x[rows.clone()];
        let dropped = &self.x[rows.start - self.period..rows.end - self.period];
        for ((c, a), d) in change.iter_mut().zip(added).zip(dropped) {
            *c = a - d;
        }
    }

    #[inline(always)]
    fn step(&self, sum: &mut f64, [row]: [&mut f64; 1]) {
        *sum += *row;
        *row = *sum * self.scale;
    }

    #[inline(always)]
    fn finish(&mut self, _: Range<usize>, _: [&mut [f64]; 1]) {}

    #[inline(always)]
    fn is_finite(sum: &f64) -> bool {
        sum.is_finite()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technical::cpu::Separate;
    use crate::technical::testing::{assert_close, walk};

    fn sma(values: &[f64], period: usize) -> Vec<f64> {
        let mut out = vec![0.0; values.len()];
        sma_into(values, period, &mut out).unwrap();
        out
    }

    #[test]
    fn known_values() {
        let nan = f64::NAN;
        assert_close(
            &sma(&[1.0, 2.0, 3.0, 4.0, 5.0], 3),
            &[nan, nan, 2.0, 3.0, 4.0],
        );
        assert_close(&sma(&[1.0, 2.0, 3.0], 1), &[1.0, 2.0, 3.0]);
        assert_close(&sma(&[1.0, 2.0, 3.0], 3), &[nan, nan, 2.0]);
    }

    #[test]
    fn matches_a_direct_mean_over_many_blocks() {
        let x: Vec<f64> = (0..20_000)
            .map(|i| 100.0 + ((i * 7919) % 1013) as f64 * 0.01)
            .collect();
        for period in [1, 2, 20, 300] {
            let out = sma(&x, period);
            for i in period - 1..x.len() {
                let direct = x[i + 1 - period..=i].iter().sum::<f64>() / period as f64;
                assert!(
                    (out[i] - direct).abs() <= 1e-12 * direct,
                    "period {period} at {i}"
                );
            }
        }
    }

    #[test]
    fn rejects_bad_arguments() {
        let mut out = [0.0; 3];
        assert!(sma_into(&[1.0, 2.0, 3.0], 0, &mut out).is_err());
        assert!(sma_into(&[1.0, 2.0, 3.0], 4, &mut out).is_err());
        assert!(sma_into(&[], 1, &mut []).is_err());
        assert!(sma_into(&[1.0, 2.0], 1, &mut out).is_err());
    }

    #[test]
    fn nan_convention() {
        let nan = f64::NAN;
        let x = [nan, 1.0, 2.0, 3.0, 4.0, nan, 6.0, 7.0];
        assert_close(&sma(&x, 2), &[nan, nan, 1.5, 2.5, 3.5, nan, nan, nan]);
        let mut long: Vec<f64> = (0..10_000).map(f64::from).collect();
        long[7_000] = f64::NEG_INFINITY;
        let out = sma(&long, 5);
        assert!(out[4..7_000].iter().all(|v| v.is_finite()));
        assert!(out[7_000..].iter().all(|v| v.is_nan()));
    }

    #[test]
    fn portable_path_agrees_with_the_dispatched_one() {
        let x = walk(10_000, 0);
        let mut dispatched = vec![0.0; x.len()];
        sma_into(&x, 20, &mut dispatched).unwrap();
        let mut portable = vec![0.0; x.len() - 19];
        Sma {
            x: &x,
            period: 20,
            rows: 19..x.len(),
            out: &mut portable,
        }
        .run::<Separate>();
        assert_close(&portable, &dispatched[19..]);
    }

    #[test]
    fn parts_on_threads_equal_one_run_bit_for_bit() {
        let x = walk(300_007, 0);
        for period in [1, 20, 300] {
            let mut parts = vec![0.0; x.len()];
            sma_into(&x, period, &mut parts).unwrap();
            let mut one = vec![0.0; x.len()];
            cpu::dispatch(Sma {
                x: &x,
                period,
                rows: period - 1..x.len(),
                out: &mut one[period - 1..],
            });
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert!(
                bits(&parts[period - 1..]) == bits(&one[period - 1..]),
                "{period}"
            );
        }
    }
}
