//! MACD: the difference of two EMAs, its EMA (the signal) and their difference, as TA-Lib.
use super::cpu::{self, Kernel, MulAdd};
use super::error::{check_buffer, check_period, check_positive, KernelError};
use super::smoothing::{mean, run_difference, Smoothing};
use super::span;

/// Points per step. Small blocks let the CPU load the next block's inputs while it still works
/// through the recursion of this one (its out-of-order window spans a few dozen points); blocks
/// of 512 were up to 1.6x slower at 1e6 points.
const BLOCK: usize = 64;

/// The three output lines, each as long as the input.
pub struct MacdLines<'a> {
    pub macd: &'a mut [f64],
    pub signal: &'a mut [f64],
    pub hist: &'a mut [f64],
}

/// The three window lengths of a MACD.
#[derive(Debug, Clone, Copy)]
pub struct MacdPeriods {
    pub fast: usize,
    pub slow: usize,
    pub signal: usize,
}

/// Checks the arguments of [`macd_into`] for a series of `len` points.
pub(crate) fn check_args(periods: MacdPeriods, len: usize) -> Result<(), KernelError> {
    let MacdPeriods { fast, slow, signal } = periods;
    check_positive("fast_period", fast)?;
    check_positive("slow_period", slow)?;
    check_positive("signal_period", signal)?;
    if fast >= slow {
        return Err(KernelError::FastNotBelowSlow { fast, slow });
    }
    check_period("slow_period", slow, len)?;
    check_period("signal_period", signal, len)
}

/// MACD line `EMA(fast) − EMA(slow)`, signal `EMA(signal)` of that line, histogram line − signal.
///
/// As in TA-Lib both EMAs start at index `slow - 1`: the slow one seeded with the mean of the first
/// `slow` values, the fast one with the mean of the `fast` values ending there. The signal is
/// seeded with the mean of the first `signal` MACD values, so all three lines are NaN before index
/// `slow + signal - 2`. NaN handling: see the `span` module.
pub fn macd_into(
    values: &[f64],
    periods: MacdPeriods,
    lines: MacdLines<'_>,
) -> Result<(), KernelError> {
    check_args(periods, values.len())?;
    let MacdLines { macd, signal, hist } = lines;
    check_buffer("macd", macd.len(), values.len())?;
    check_buffer("signal", signal.len(), values.len())?;
    check_buffer("hist", hist.len(), values.len())?;
    span::apply(
        [values],
        [macd, signal, hist],
        |[x], [macd, signal, hist]| {
            cpu::dispatch(Macd {
                x,
                periods,
                lines: MacdLines { macd, signal, hist },
            })
        },
    );
    Ok(())
}

struct Macd<'a> {
    x: &'a [f64],
    periods: MacdPeriods,
    lines: MacdLines<'a>,
}

impl Kernel for Macd<'_> {
    type Output = bool;

    #[inline(always)]
    fn run<M: MulAdd>(self) -> bool {
        let Self {
            x,
            periods:
                MacdPeriods {
                    fast,
                    slow,
                    signal: signal_period,
                },
            lines,
        } = self;
        let MacdLines { macd, signal, hist } = lines;
        let start = slow - 1;
        let first = start + signal_period - 1;
        if x.len() <= first {
            for out in [macd, signal, hist] {
                out.fill(f64::NAN);
            }
            return true;
        }
        let mut line = Line {
            fast: Smoothing::ema(fast),
            slow: Smoothing::ema(slow),
            fast_ema: mean(&x[slow - fast..slow]),
            slow_ema: mean(&x[..slow]),
        };
        // The MACD line over the signal's warm-up, only kept to seed the signal.
        macd[start] = line.fast_ema - line.slow_ema;
        line.extend::<M>(&x[start + 1..=first], &mut macd[start + 1..=first]);
        let smoothing = Smoothing::ema(signal_period);
        let mut signal_ema = mean(&macd[start..=first]);
        signal[first] = signal_ema;
        hist[first] = macd[first] - signal_ema;

        let rest = first + 1..x.len();
        let blocks = x[rest.clone()]
            .chunks(BLOCK)
            .zip(macd[rest.clone()].chunks_mut(BLOCK));
        let blocks = blocks
            .zip(signal[rest.clone()].chunks_mut(BLOCK))
            .zip(hist[rest].chunks_mut(BLOCK));
        for (((x, macd), signal), hist) in blocks {
            line.extend::<M>(x, macd);
            signal_ema = smoothing.run::<M>(signal_ema, macd, signal);
            for ((h, m), s) in hist.iter_mut().zip(&*macd).zip(&*signal) {
                *h = m - s;
            }
        }
        for out in [macd, signal, hist] {
            out[..first].fill(f64::NAN);
        }
        line.fast_ema.is_finite() && line.slow_ema.is_finite() && signal_ema.is_finite()
    }
}

/// The fast and slow EMAs as they advance together.
struct Line {
    fast: Smoothing,
    slow: Smoothing,
    fast_ema: f64,
    slow_ema: f64,
}

impl Line {
    /// Advances both EMAs over `xs`, writing fast − slow to `out`.
    #[inline(always)]
    fn extend<M: MulAdd>(&mut self, xs: &[f64], out: &mut [f64]) {
        let smoothings = (&self.fast, &self.slow);
        (self.fast_ema, self.slow_ema) =
            run_difference::<M>(smoothings, (self.fast_ema, self.slow_ema), xs, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technical::cpu::Separate;
    use crate::technical::testing::{assert_close, walk};

    fn macd(values: &[f64], fast: usize, slow: usize, signal: usize) -> [Vec<f64>; 3] {
        let n = values.len();
        let (mut m, mut s, mut h) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let lines = MacdLines {
            macd: &mut m,
            signal: &mut s,
            hist: &mut h,
        };
        macd_into(values, MacdPeriods { fast, slow, signal }, lines).unwrap();
        [m, s, h]
    }

    /// TA-Lib's arithmetic, one point at a time.
    fn reference(x: &[f64], fast: usize, slow: usize, signal: usize) -> [Vec<f64>; 3] {
        let ema = |xs: &[f64], period: usize, seed_from: usize, start: usize| -> Vec<f64> {
            let k = 2.0 / (period as f64 + 1.0);
            let mut e = xs[seed_from..seed_from + period].iter().sum::<f64>() / period as f64;
            let mut out = vec![e];
            for v in &xs[start + 1..] {
                e += (v - e) * k;
                out.push(e);
            }
            out
        };
        let start = slow - 1;
        let f = ema(x, fast, slow - fast, start);
        let s = ema(x, slow, 0, start);
        let line: Vec<f64> = f.iter().zip(&s).map(|(a, b)| a - b).collect();
        let sig = ema(&line, signal, 0, signal - 1);
        let first = start + signal - 1;
        let mut out = [
            vec![f64::NAN; x.len()],
            vec![f64::NAN; x.len()],
            vec![f64::NAN; x.len()],
        ];
        for (j, i) in (first..x.len()).enumerate() {
            out[0][i] = line[signal - 1 + j];
            out[1][i] = sig[j];
            out[2][i] = out[0][i] - out[1][i];
        }
        out
    }

    #[test]
    fn matches_ta_lib_arithmetic() {
        let x: Vec<f64> = (0..3_000)
            .map(|i| 100.0 + ((i * 7919) % 211) as f64 * 0.1)
            .collect();
        for (fast, slow, signal) in [(12, 26, 9), (1, 2, 1), (3, 5, 600), (5, 700, 2)] {
            let got = macd(&x, fast, slow, signal);
            let want = reference(&x, fast, slow, signal);
            for (g, w) in got.iter().zip(&want) {
                for (a, b) in g.iter().zip(w) {
                    assert!(
                        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9,
                        "{a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn short_series_is_all_nan() {
        let [m, s, h] = macd(&[1.0, 2.0, 3.0, 4.0], 2, 3, 3);
        let nan = f64::NAN;
        assert_close(&m, &[nan; 4]);
        assert_close(&s, &[nan; 4]);
        assert_close(&h, &[nan; 4]);
    }

    #[test]
    fn rejects_fast_not_below_slow() {
        let mut b = [[0.0; 3]; 3];
        let [m, s, h] = &mut b;
        let lines = MacdLines {
            macd: m,
            signal: s,
            hist: h,
        };
        let periods = MacdPeriods {
            fast: 3,
            slow: 3,
            signal: 1,
        };
        let err = macd_into(&[1.0, 2.0, 3.0], periods, lines).unwrap_err();
        assert_eq!(err, KernelError::FastNotBelowSlow { fast: 3, slow: 3 });
    }

    #[test]
    fn portable_path_agrees_with_the_dispatched_one() {
        let x = walk(10_000, 0);
        let periods = MacdPeriods {
            fast: 12,
            slow: 26,
            signal: 9,
        };
        let mut portable = [vec![0.0; x.len()], vec![0.0; x.len()], vec![0.0; x.len()]];
        let mut dispatched = portable.clone();
        let [m, s, h] = &mut portable;
        Macd {
            x: &x,
            periods,
            lines: MacdLines {
                macd: m,
                signal: s,
                hist: h,
            },
        }
        .run::<Separate>();
        let [m, s, h] = &mut dispatched;
        cpu::dispatch(Macd {
            x: &x,
            periods,
            lines: MacdLines {
                macd: m,
                signal: s,
                hist: h,
            },
        });
        for (p, d) in portable.iter().zip(&dispatched) {
            assert_close(p, d);
        }
    }
}
