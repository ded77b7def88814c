//! Kaufman's adaptive moving average, as TA-Lib computes it: the same doubles, bit for bit, on a
//! CPU with fused multiply-adds.
//!
//! Each bar's smoothing comes from the efficiency ratio `ER = |x[t] - x[t - period]| / Σ |one-bar
//! moves over the window|`: `sc = (ER · (2/3 - 2/31) + 2/31)²`, between an EMA of 30 bars (noise)
//! and one of 2 bars (a trend), and `kama = (x[t] - kama) · sc + kama`, started from
//! `x[period - 1]`.
//!
//! TA-Lib's rules (its current `ta_KAMA.c`), kept here because they decide the bits:
//! * the window's sum of moves is a running sum: first the `period` moves up to `x[period]`, then
//!   per bar the move leaving the window is subtracted before the one entering it is added; once
//!   the last `period` moves were all exactly 0 the sum is reset to exactly 0 (dropping the
//!   residue a sliding sum leaves);
//! * `ER` is 1 when the sum is `<= 0` or `<= x[t] - x[t - period]` (so a flat window adapts at the
//!   fastest rate; there is no fixed epsilon, which would misjudge small-priced instruments);
//! * period 1 is no smoothing: the output is the input, from row 0;
//! * TA-Lib 0.8.2's wheel is compiled with floating-point contraction: `ER · diff + slow` and the
//!   update are fused multiply-adds. So is `cpu::Fused`; the portable path (`cpu::Separate`)
//!   rounds each product, and differs from TA-Lib by a few ULP there.
//!
//! Checked bit for bit against TA-Lib 0.8.2 on price walks (levels 1e-50 to 3e4, flat stretches
//! included). On series whose prices jump by orders of magnitude from bar to bar (a 1e4 move
//! beside 1e-3 ones in one window) TA-Lib's sliding sum keeps a different residue and the two
//! differ by a few ULP after such a window.
//!
//! The recursion is serial: the running sum never forgets its rounding history, so a chunk started
//! anywhere but at the beginning cannot reproduce its bits (see `chunked`, which needs a state
//! that converges).
use super::cpu::{self, Kernel, MulAdd};
use super::error::{check_buffer, check_period, KernelError};
use super::span;

/// The smoothing constant of a 30-bar EMA: where a noisy market leaves the average.
const SLOW: f64 = 2.0 / (30.0 + 1.0);
/// The 2-bar EMA's constant minus [`SLOW`]: what a perfect trend adds.
const FAST_MINUS_SLOW: f64 = 2.0 / (2.0 + 1.0) - SLOW;

/// Checks the arguments of [`kama_into`] for a series of `len` points.
pub(crate) fn check_args(period: usize, len: usize) -> Result<(), KernelError> {
    check_period("period", period, len)
}

/// KAMA over `period` bars with TA-Lib's fast 2 / slow 30 constants; the first `period` outputs
/// are NaN, the first value is computed from `x[period - 1]` (period 1: the input itself).
///
/// `out` must be as long as `values`. NaN handling: see the `span` module.
pub fn kama_into(values: &[f64], period: usize, out: &mut [f64]) -> Result<(), KernelError> {
    check_args(period, values.len())?;
    check_buffer("out", out.len(), values.len())?;
    span::apply([values], [out], |[x], [out]| {
        cpu::dispatch(Kama { x, period, out })
    });
    Ok(())
}

/// The KAMA of `x` (no leading NaN) into `out`.
struct Kama<'a> {
    x: &'a [f64],
    period: usize,
    out: &'a mut [f64],
}

impl Kernel for Kama<'_> {
    /// Whether the running sum and the average ended finite (see `span`).
    type Output = bool;

    #[inline(always)]
    fn run<M: MulAdd>(self) -> bool {
        let Kama { x, period, out } = self;
        let n = x.len();
        if period == 1 {
            out.copy_from_slice(x);
            return true;
        }
        if n <= period {
            out.fill(f64::NAN);
            return true;
        }
        out[..period].fill(f64::NAN);
        // `flat`: how many of the last moves were exactly 0, up to `period`.
        let (mut sum, mut flat) = (0.0, 0);
        for pair in x[..=period].windows(2) {
            let move_ = pair[0] - pair[1];
            sum += move_.abs();
            flat = if move_ == 0.0 { flat + 1 } else { 0 };
        }
        let mut kama = step::<M>(x[period - 1], x[period], x[period] - x[0], sum);
        out[period] = kama;
        // Bar t = period + 1 + r: the move leaving the window is (x[t-period-1], x[t-period]), the
        // one entering it (x[t-1], x[t]).
        let leaving = x[..n - period - 1].iter().zip(&x[1..n - period]);
        let entering = x[period..n - 1].iter().zip(&x[period + 1..]);
        for (((before_old, old), (before, now)), out) in
            leaving.zip(entering).zip(&mut out[period + 1..])
        {
            let entering = now - before;
            sum -= (before_old - old).abs();
            sum += entering.abs();
            flat = if entering == 0.0 { flat + 1 } else { 0 };
            if flat >= period {
                (sum, flat) = flat_window(period);
            }
            kama = step::<M>(kama, *now, now - old, sum);
            *out = kama;
        }
        sum.is_finite() && kama.is_finite()
    }
}

/// The running sum and flat count once a whole window is flat. Out of line and cold, so the
/// test before it compiles to a branch (predicted, rarely taken) rather than a select on the
/// sum's dependency chain.
#[cold]
#[inline(never)]
fn flat_window(period: usize) -> (f64, usize) {
    (0.0, period)
}

/// One bar: the average after `kama` given the bar's value `now`, its change over the window
/// `change` and the window's sum of moves `sum`.
#[inline(always)]
fn step<M: MulAdd>(kama: f64, now: f64, change: f64, sum: f64) -> f64 {
    let ratio = if sum <= 0.0 || sum <= change {
        1.0
    } else {
        (change / sum).abs()
    };
    let root = M::mul_add(ratio, FAST_MINUS_SLOW, SLOW);
    M::mul_add(now - kama, root * root, kama)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technical::cpu::Separate;
    use crate::technical::testing::{assert_close, walk};

    fn kama_of(values: &[f64], period: usize) -> Vec<f64> {
        let mut out = vec![0.0; values.len()];
        kama_into(values, period, &mut out).unwrap();
        out
    }

    /// TA-Lib's loop as written in its C source, with separate products (the portable path).
    fn textbook(x: &[f64], period: usize) -> Vec<f64> {
        let mut out = vec![f64::NAN; x.len()];
        let (mut sum, mut flat) = (0.0, 0);
        for j in 0..period {
            sum += (x[j] - x[j + 1]).abs();
            flat = if x[j] == x[j + 1] { flat + 1 } else { 0 };
        }
        let mut kama = x[period - 1];
        for t in period..x.len() {
            if t > period {
                sum -= (x[t - period - 1] - x[t - period]).abs();
                sum += (x[t] - x[t - 1]).abs();
                flat = if x[t] - x[t - 1] == 0.0 { flat + 1 } else { 0 };
                if flat >= period {
                    (sum, flat) = (0.0, period);
                }
            }
            let change = x[t] - x[t - period];
            let ratio = if sum <= 0.0 || sum <= change {
                1.0
            } else {
                (change / sum).abs()
            };
            let sc = (ratio * FAST_MINUS_SLOW + SLOW) * (ratio * FAST_MINUS_SLOW + SLOW);
            kama += (x[t] - kama) * sc;
            out[t] = kama;
        }
        out
    }

    #[test]
    fn known_values() {
        let nan = f64::NAN;
        // Period 2, a straight line: ER = 1, sc = (2/3)^2 = 4/9 from 2.0: 2 + 4/9 (3 - 2) = 22/9.
        let out = kama_of(&[1.0, 2.0, 3.0], 2);
        assert_close(&out, &[nan, nan, 22.0 / 9.0]);
        // Then flat: ER = 1 while the window's net move equals its sum of moves (10/3, 110/27),
        // and still 1 once the window is flat (a zero sum counts as a trend, as in TA-Lib).
        let out = kama_of(&[1.0, 2.0, 5.0, 5.0, 5.0], 2);
        assert_close(&out[2..], &[10.0 / 3.0, 110.0 / 27.0, 1090.0 / 243.0]);
        assert_close(&kama_of(&[1.0, 2.0], 2), &[nan, nan]);
        assert_eq!(kama_of(&[3.0, 1.0, 2.0], 1), [3.0, 1.0, 2.0]);
    }

    #[test]
    fn portable_path_is_ta_libs_loop_exactly() {
        for period in [2, 10, 30] {
            let mut x = walk(5_000, 0);
            let level = x[1_000];
            x[1_000..1_100].fill(level);
            let expected = textbook(&x, period);
            let mut out = vec![0.0; x.len()];
            Kama {
                x: &x,
                period,
                out: &mut out,
            }
            .run::<Separate>();
            let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert!(bits(&out) == bits(&expected), "period {period}");
        }
    }

    #[test]
    fn dispatched_path_agrees_with_the_portable_one() {
        let x = walk(20_000, 0);
        let expected = textbook(&x, 10);
        assert_close(&kama_of(&x, 10), &expected);
    }

    #[test]
    fn nan_convention() {
        let nan = f64::NAN;
        let out = kama_of(&[nan, 1.0, 2.0, 3.0, 4.0, nan, 4.0], 2);
        assert!(out[..3].iter().all(|v| v.is_nan()));
        assert!(out[3].is_finite() && out[4].is_finite());
        assert!(out[5..].iter().all(|v| v.is_nan()));
    }
}
