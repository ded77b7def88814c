//! Bollinger Bands: SMA ± a multiple of the population standard deviation, as TA-Lib.
//!
//! The variance is not taken from running sums of `x` and `x²` (off by ~1e-7 at 1e6 points) but
//! from Welford-style updates of each window's mean and sum of squared deviations, restarted from
//! an exact two-pass computation at every block (see `window`).
use std::ops::Range;

use super::checks::{check_deviation, check_period};
use super::cpu::{self, Kernel, MulAdd};
use super::span;
use super::window::{self, Window};
use crate::support::KernelError;

/// The three output bands, each as long as the input.
pub struct Bands<'a> {
    pub upper: &'a mut [f64],
    pub middle: &'a mut [f64],
    pub lower: &'a mut [f64],
}

/// Checks the arguments of [`bollinger_bands_into`] for a series of `len` points.
pub(crate) fn check_args(
    period: usize,
    nbdev_up: f64,
    nbdev_down: f64,
    len: usize,
) -> Result<(), KernelError> {
    check_period("period", period, len)?;
    check_deviation("nbdev_up", nbdev_up)?;
    check_deviation("nbdev_down", nbdev_down)
}

/// Middle band: the `period`-point SMA; upper / lower: middle ± `nbdev_up` / `nbdev_down` times the
/// population (ddof = 0) standard deviation of the window. The first `period - 1` rows are NaN.
///
/// NaN handling: see the `span` module.
pub fn bollinger_bands_into(
    values: &[f64],
    period: usize,
    nbdev_up: f64,
    nbdev_down: f64,
    bands: Bands<'_>,
) -> Result<(), KernelError> {
    check_args(period, nbdev_up, nbdev_down, values.len())?;
    let Bands {
        upper,
        middle,
        lower,
    } = bands;
    KernelError::check_output("upper", upper.len(), values.len())?;
    KernelError::check_output("middle", middle.len(), values.len())?;
    KernelError::check_output("lower", lower.len(), values.len())?;
    span::apply(
        [values],
        [upper, middle, lower],
        |[x], [upper, middle, lower]| {
            let bands = Bands {
                upper,
                middle,
                lower,
            };
            bollinger(x, period, (nbdev_up, nbdev_down), bands)
        },
    );
    Ok(())
}

/// The bands of `x` (no leading NaN); whether every window's moments ended finite (see `span`).
fn bollinger(
    x: &[f64],
    period: usize,
    (nbdev_up, nbdev_down): (f64, f64),
    bands: Bands<'_>,
) -> bool {
    let Bands {
        upper,
        middle,
        lower,
    } = bands;
    let first = period - 1;
    if x.len() <= first {
        for out in [upper, middle, lower] {
            out.fill(f64::NAN);
        }
        return true;
    }
    let outs = [upper, middle, lower].map(|out| {
        out[..first].fill(f64::NAN);
        &mut out[first..]
    });
    let block = window::block_len(period);
    window::run_parts(
        first..x.len(),
        block,
        outs,
        |rows, [upper, middle, lower]| {
            cpu::dispatch(Bollinger {
                x,
                period,
                nbdev_up,
                nbdev_down,
                rows,
                bands: Bands {
                    upper,
                    middle,
                    lower,
                },
            })
        },
    )
}

/// The bands of `rows` (all at least `period - 1`) into `bands`, which cover them.
struct Bollinger<'a> {
    x: &'a [f64],
    period: usize,
    nbdev_up: f64,
    nbdev_down: f64,
    rows: Range<usize>,
    bands: Bands<'a>,
}

impl Kernel for Bollinger<'_> {
    type Output = bool;

    #[inline(always)]
    fn run<M: MulAdd>(self) -> bool {
        let Self {
            x,
            period,
            nbdev_up,
            nbdev_down,
            rows,
            bands:
                Bands {
                    upper,
                    middle,
                    lower,
                },
        } = self;
        let block = window::block_len(period);
        let mut moments = Moments {
            x,
            period,
            scale: 1.0 / period as f64,
            block,
            nbdev_up,
            nbdev_down,
            lower,
            lower_from: rows.start,
        };
        window::run(&mut moments, [middle, upper], rows, block)
    }
}

/// Window means and sums of squared deviations (M2), kept in the middle and upper bands until
/// `finish` turns them into bands; it writes the lower band too.
struct Moments<'a> {
    x: &'a [f64],
    period: usize,
    scale: f64,
    block: usize,
    nbdev_up: f64,
    nbdev_down: f64,
    /// The lower band from row `lower_from` on.
    lower: &'a mut [f64],
    lower_from: usize,
}

/// A window's mean and M2. The mean is kept relative to `shift`, a value from the block's first
/// window: relative to a price level of 30 000, a small mean keeps the rounding of the updates
/// small (with absolute means the bands drift by ~1e-8 over a block).
#[derive(Clone, Copy)]
struct MeanM2 {
    shift: f64,
    mean: f64,
    m2: f64,
}

/// How far above the bound on accumulated rounding a window's M2 must lie to be kept.
const ROUNDING_MARGIN: f64 = 1e4;

impl Moments<'_> {
    /// Recomputes exactly the rows (`rows`, with their means and M2s) whose M2 is small next to
    /// the rounding the sliding updates may have accumulated: the square root would magnify it,
    /// and a flat window must give exactly 0 (as in TA-Lib and the two-pass fallback).
    #[inline(always)]
    fn polish(&self, rows: Range<usize>, means: &mut [f64], m2s: &mut [f64]) {
        let (x, period) = (self.x, self.period);
        // Each update rounds at most a few ulps of |change| times the data's range, and the mean
        // it relies on drifts by at most `block` such roundings.
        let first = rows.start.max(period);
        let moved = sum_abs_diff(&x[first..rows.end], &x[first - period..rows.end - period]);
        let spread = range(&x[rows.start + 1 - period..rows.end]);
        let bound = f64::EPSILON * (self.block + 2) as f64 * spread * moved;
        let tolerance = ROUNDING_MARGIN * bound;
        if !m2s.iter().fold(false, |any, &m2| any | (m2 <= tolerance)) {
            return;
        }
        for (row, (mean, m2)) in rows.zip(means.iter_mut().zip(m2s.iter_mut())) {
            if *m2 <= tolerance {
                let (relative, exact) = self.exact(row);
                (*mean, *m2) = (relative + x[row], exact);
            }
        }
    }

    /// Mean and M2 of the window ending at `row`, in two passes, the mean relative to `x[row]`.
    #[inline(always)]
    fn exact(&self, row: usize) -> (f64, f64) {
        let w = &self.x[row + 1 - self.period..=row];
        let shift = self.x[row];
        let mean = w.iter().map(|v| v - shift).sum::<f64>() * self.scale;
        let m2 = w
            .iter()
            .map(|v| (v - shift - mean) * (v - shift - mean))
            .sum();
        (mean, m2)
    }
}

/// `Σ |a[i] - b[i]|`, in eight independent sums so it vectorises.
#[inline(always)]
fn sum_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    let mut sums = [0.0; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| (x - y).abs())
        .sum();
    for (x, y) in a8.zip(b8) {
        for k in 0..8 {
            sums[k] += (x[k] - y[k]).abs();
        }
    }
    sums.iter().sum::<f64>() + tail
}

/// `max - min` of `values`, in eight independent lanes so it vectorises (comparisons rather than
/// `f64::min`, whose NaN rules keep the compiler from using vector min / max).
#[inline(always)]
fn range(values: &[f64]) -> f64 {
    let (mut lo, mut hi) = ([f64::INFINITY; 8], [f64::NEG_INFINITY; 8]);
    let chunks = values.chunks_exact(8);
    let tail = chunks.remainder();
    for chunk in chunks {
        for k in 0..8 {
            lo[k] = if chunk[k] < lo[k] { chunk[k] } else { lo[k] };
            hi[k] = if chunk[k] > hi[k] { chunk[k] } else { hi[k] };
        }
    }
    let lo = tail.iter().chain(&lo).fold(f64::INFINITY, |m, &v| m.min(v));
    let hi = tail
        .iter()
        .chain(&hi)
        .fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    hi - lo
}

impl Window<2> for Moments<'_> {
    type State = MeanM2;

    #[inline(always)]
    fn open(&self, row: usize) -> (MeanM2, [f64; 2]) {
        let shift = self.x[row];
        let (mean, m2) = self.exact(row);
        (MeanM2 { shift, mean, m2 }, [mean + shift, m2])
    }

    /// Per row: the change `added - dropped` (middle) and the shifted sum `added + dropped` (upper).
    #[inline(always)]
    fn prepare(&self, state: &MeanM2, rows: Range<usize>, [change, sum]: [&mut [f64]; 2]) {
        let shift = state.shift;
        let added = &self.x[rows.clone()];
        let dropped = &self.x[rows.start - self.period..rows.end - self.period];
        for (((c, s), a), d) in change
            .iter_mut()
            .zip(sum.iter_mut())
            .zip(added)
            .zip(dropped)
        {
            *c = a - d;
            *s = (a - shift) + (d - shift);
        }
    }

    /// Welford's update for a sliding window:
    /// `M2 += (added - dropped) · ((added + dropped) - (new mean + old mean))`.
    #[inline(always)]
    fn step(&self, s: &mut MeanM2, [change, sum]: [&mut f64; 2]) {
        let mean = s.mean + *change * self.scale;
        s.m2 += *change * (*sum - (mean + s.mean));
        s.mean = mean;
        *change = mean + s.shift;
        *sum = s.m2;
    }

    #[inline(always)]
    fn finish(&mut self, rows: Range<usize>, [middle, upper]: [&mut [f64]; 2]) {
        self.polish(rows.clone(), middle, upper);
        let (up, down, scale) = (self.nbdev_up, self.nbdev_down, self.scale);
        let lower = &mut self.lower[rows.start - self.lower_from..rows.end - self.lower_from];
        for ((u, l), &m) in upper.iter_mut().zip(lower).zip(&*middle) {
            let variance = *u * scale;
            // Rounding can leave M2 a hair below zero; TA-Lib reports 0 there.
            let std = if variance > 0.0 { variance.sqrt() } else { 0.0 };
            *u = m + up * std;
            *l = m - down * std;
        }
    }

    #[inline(always)]
    fn is_finite(s: &MeanM2) -> bool {
        s.mean.is_finite() && s.m2.is_finite()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technical::cpu::Separate;
    use crate::technical::testing::{assert_close, walk};

    fn bands(values: &[f64], period: usize, up: f64, down: f64) -> [Vec<f64>; 3] {
        let n = values.len();
        let (mut u, mut m, mut l) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let out = Bands {
            upper: &mut u,
            middle: &mut m,
            lower: &mut l,
        };
        bollinger_bands_into(values, period, up, down, out).unwrap();
        [u, m, l]
    }

    #[test]
    fn known_values() {
        let nan = f64::NAN;
        // Window [1, 2, 3]: mean 2, population std sqrt(2/3).
        let s = (2.0f64 / 3.0).sqrt();
        let [u, m, l] = bands(&[1.0, 2.0, 3.0, 3.0], 3, 2.0, 1.0);
        let s2 = (2.0f64 / 9.0).sqrt(); // window [2, 3, 3]: mean 8/3
        assert_close(&m, &[nan, nan, 2.0, 8.0 / 3.0]);
        assert_close(&u, &[nan, nan, 2.0 + 2.0 * s, 8.0 / 3.0 + 2.0 * s2]);
        assert_close(&l, &[nan, nan, 2.0 - s, 8.0 / 3.0 - s2]);
        let [u, _, l] = bands(&[7.0; 5], 2, 2.0, 2.0);
        assert_close(&u, &[nan, 7.0, 7.0, 7.0, 7.0]);
        assert_close(&l, &[nan, 7.0, 7.0, 7.0, 7.0]);
    }

    #[test]
    fn stays_exact_with_a_large_offset_over_many_blocks() {
        let x: Vec<f64> = (0..50_000)
            .map(|i| 30_000.0 + ((i * 7919) % 1013) as f64 * 0.01)
            .collect();
        let period = 20;
        let [u, m, _] = bands(&x, period, 1.0, 1.0);
        for i in period - 1..x.len() {
            let w = &x[i + 1 - period..=i];
            let mean = w.iter().sum::<f64>() / period as f64;
            let var = w.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / period as f64;
            let std = u[i] - m[i];
            assert!(
                (std - var.sqrt()).abs() <= 1e-9 * var.sqrt() + 1e-11,
                "at {i}"
            );
        }
    }

    #[test]
    fn rejects_bad_deviations() {
        let mut b = [[0.0; 3]; 3];
        let [u, m, l] = &mut b;
        let out = Bands {
            upper: u,
            middle: m,
            lower: l,
        };
        let err = bollinger_bands_into(&[1.0, 2.0, 3.0], 2, 2.0, -1.0, out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "nbdev_down must be a finite number >= 0, got -1.0"
        );
    }

    #[test]
    fn portable_path_agrees_with_the_dispatched_one() {
        let x = walk(10_000, 0);
        let rows = 19..x.len();
        let mut portable = [(); 3].map(|_| vec![0.0; rows.len()]);
        let [upper, middle, lower] = &mut portable;
        Bollinger {
            x: &x,
            period: 20,
            nbdev_up: 2.0,
            nbdev_down: 1.0,
            rows,
            bands: Bands {
                upper,
                middle,
                lower,
            },
        }
        .run::<Separate>();
        let dispatched = bands(&x, 20, 2.0, 1.0);
        for (p, d) in portable.iter().zip(&dispatched) {
            assert_close(p, &d[19..]);
        }
    }

    #[test]
    fn parts_on_threads_equal_one_run_bit_for_bit() {
        let x = walk(300_007, 0);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for period in [1, 20, 300] {
            let parts = bands(&x, period, 2.0, 1.5);
            let rows = period - 1..x.len();
            let mut one = [(); 3].map(|_| vec![0.0; rows.len()]);
            let [upper, middle, lower] = &mut one;
            cpu::dispatch(Bollinger {
                x: &x,
                period,
                nbdev_up: 2.0,
                nbdev_down: 1.5,
                rows,
                bands: Bands {
                    upper,
                    middle,
                    lower,
                },
            });
            for (p, o) in parts.iter().zip(&one) {
                assert!(bits(&p[period - 1..]) == bits(o), "{period}");
            }
        }
    }
}
