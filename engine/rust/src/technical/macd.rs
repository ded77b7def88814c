//! MACD: the difference of two EMAs, its EMA (the signal) and their difference, as TA-Lib.
use std::ops::Range;

use super::checks::{check_fast_below_slow, check_period, check_positive};
use super::chunked::{self, Chain, Plan};
use super::cpu::{self, Kernel, MulAdd};
use super::smoothing::{mean, run_difference, Smoothing};
use super::span;
use crate::support::KernelError;

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
    check_fast_below_slow(fast, slow)?;
    check_period("slow_period", slow, len)?;
    check_period("signal_period", signal, len)
}

/// MACD line `EMA(fast) − EMA(slow)`, signal `EMA(signal)` of that line, histogram line − signal.
///
/// As in TA-Lib both EMAs start at index `slow - 1`: the slow one seeded with the mean of the first
/// `slow` values, the fast one with the mean of the `fast` values ending there. The signal is
/// seeded with the mean of the first `signal` MACD values, so all three lines are NaN before index
/// `slow + signal - 2`. NaN handling: see the `span` module. Long series are computed in parallel
/// chunks, with the serial result bit for bit (see `chunked`).
pub fn macd_into(
    values: &[f64],
    periods: MacdPeriods,
    lines: MacdLines<'_>,
) -> Result<(), KernelError> {
    macd_with(values, periods, lines, Plan::DEFAULT)
}

/// [`macd_into`], cut into chunks as `plan` says (the tests' `Plan::SERIAL` is the reference).
pub(crate) fn macd_with(
    values: &[f64],
    periods: MacdPeriods,
    lines: MacdLines<'_>,
    plan: Plan,
) -> Result<(), KernelError> {
    check_args(periods, values.len())?;
    let MacdLines { macd, signal, hist } = lines;
    KernelError::check_output("macd", macd.len(), values.len())?;
    KernelError::check_output("signal", signal.len(), values.len())?;
    KernelError::check_output("hist", hist.len(), values.len())?;
    span::apply(
        [values],
        [macd, signal, hist],
        |[x], [macd, signal, hist]| macd_span(x, periods, MacdLines { macd, signal, hist }, plan),
    );
    Ok(())
}

/// The MACD of `x` (no leading NaN) into `lines`; whether its states ended finite (see `span`).
fn macd_span(x: &[f64], periods: MacdPeriods, lines: MacdLines<'_>, plan: Plan) -> bool {
    let first = periods.slow + periods.signal - 2;
    if x.len() <= first {
        for out in [lines.macd, lines.signal, lines.hist] {
            out.fill(f64::NAN);
        }
        return true;
    }
    let chain = Macd {
        x,
        periods,
        fast: Smoothing::ema(periods.fast),
        slow: Smoothing::ema(periods.slow),
        signal: Smoothing::ema(periods.signal),
    };
    let end = if x.len() - first - 1 < plan.min_rows {
        // Short series (most calls): one dispatched call, no lanes (see `Serial`).
        cpu::dispatch(Serial {
            chain: &chain,
            lines,
        })
    } else {
        let MacdLines { macd, signal, hist } = lines;
        let seed = cpu::dispatch(Seed {
            x,
            periods,
            macd: &mut macd[..=first],
        });
        let outs = seeded(seed, first, [macd, signal, hist]);
        chunked::run(&chain, seed, outs, plan)
    };
    end.fast_ema.is_finite() && end.slow_ema.is_finite() && end.signal_ema.is_finite()
}

/// Writes the signal and histogram at `first` from `seed` (the MACD line holds the seed's values up
/// to there), NaN before; returns the outputs after `first`, the rows of [`Macd`].
fn seeded(seed: State, first: usize, outs: [&mut [f64]; 3]) -> [&mut [f64]; 3] {
    let [macd, signal, hist] = outs;
    signal[first] = seed.signal_ema;
    hist[first] = macd[first] - seed.signal_ema;
    for out in [&mut *macd, &mut *signal, &mut *hist] {
        out[..first].fill(f64::NAN);
    }
    [macd, signal, hist].map(|out| &mut out[first + 1..])
}

/// The seed and every row of a [`Macd`] on the calling thread, compiled as one function, the
/// MACD line's states carried without lanes (see `run_difference`): the pre-issue-15 loop, the
/// same bits. Split into the seed's call and `chunked::run`'s, with lanes, the kernel alone took
/// 70 ns instead of 48 at 40 points and 960 ns instead of 850 at 1e3.
struct Serial<'a> {
    chain: &'a Macd<'a>,
    lines: MacdLines<'a>,
}

impl Kernel for Serial<'_> {
    type Output = State;

    #[inline(always)]
    fn run<M: MulAdd>(self) -> State {
        let Self { chain, lines } = self;
        let MacdLines { macd, signal, hist } = lines;
        let first = chain.periods.slow + chain.periods.signal - 2;
        let seed = Seed {
            x: chain.x,
            periods: chain.periods,
            macd: &mut macd[..=first],
        }
        .compute::<M, false>();
        let outs = seeded(seed, first, [macd, signal, hist]);
        let rows = outs[0].len();
        chain.rows::<M, false>(seed, 0..rows, outs)
    }
}

/// The three EMAs of a MACD between two rows.
#[derive(Debug, Clone, Copy)]
struct State {
    fast_ema: f64,
    slow_ema: f64,
    signal_ema: f64,
}

/// As TA-Lib: both EMAs seeded at index `slow - 1`, the MACD line run over the signal's warm-up
/// (into `macd`, up to index `slow + signal - 2`) to seed the signal with its mean.
struct Seed<'a> {
    x: &'a [f64],
    periods: MacdPeriods,
    macd: &'a mut [f64],
}

impl Kernel for Seed<'_> {
    type Output = State;

    #[inline(always)]
    fn run<M: MulAdd>(self) -> State {
        self.compute::<M, true>()
    }
}

impl Seed<'_> {
    /// The seed, the MACD line's states carried as `LANES` says (see `run_difference`).
    #[inline(always)]
    fn compute<M: MulAdd, const LANES: bool>(self) -> State {
        let Self { x, periods, macd } = self;
        let MacdPeriods { fast, slow, .. } = periods;
        let start = slow - 1;
        let mut line = Line {
            fast: Smoothing::ema(fast),
            slow: Smoothing::ema(slow),
            fast_ema: mean(&x[slow - fast..slow]),
            slow_ema: mean(&x[..slow]),
        };
        macd[start] = line.fast_ema - line.slow_ema;
        let end = macd.len();
        line.extend::<M, LANES>(&x[start + 1..end], &mut macd[start + 1..]);
        State {
            fast_ema: line.fast_ema,
            slow_ema: line.slow_ema,
            signal_ema: mean(&macd[start..]),
        }
    }
}

/// The recursion after the signal's seed: row `r` is `x[slow + signal - 1 + r]`.
struct Macd<'a> {
    x: &'a [f64],
    periods: MacdPeriods,
    fast: Smoothing,
    slow: Smoothing,
    signal: Smoothing,
}

impl Chain<3> for Macd<'_> {
    type State = State;

    fn grid(&self) -> usize {
        BLOCK
    }

    fn warm_up(&self) -> usize {
        // As EMA's, for the slowest of the three (the signal follows the line it smooths).
        let MacdPeriods { slow, signal, .. } = self.periods;
        24 * (slow.max(signal) + 1)
    }

    fn guess(&self, row: usize) -> State {
        // As the seeds: the means of the values before the row; the signal at that MACD value.
        let MacdPeriods { fast, slow, signal } = self.periods;
        let at = slow + signal - 1 + row;
        let (fast_ema, slow_ema) = (mean(&self.x[at - fast..at]), mean(&self.x[at - slow..at]));
        State {
            fast_ema,
            slow_ema,
            signal_ema: fast_ema - slow_ema,
        }
    }

    #[inline(always)]
    fn advance<M: MulAdd>(&self, state: State, rows: Range<usize>, outs: [&mut [f64]; 3]) -> State {
        self.rows::<M, true>(state, rows, outs)
    }

    fn same(a: &State, b: &State) -> bool {
        let bits = |s: &State| [s.fast_ema, s.slow_ema, s.signal_ema].map(f64::to_bits);
        bits(a) == bits(b)
    }

    fn is_finite(s: &State) -> bool {
        s.fast_ema.is_finite() && s.slow_ema.is_finite() && s.signal_ema.is_finite()
    }

    fn finite_inputs_before(&self, row: usize) -> bool {
        let end = self.periods.slow + self.periods.signal - 1 + row;
        self.x[..end].iter().all(|v| v.is_finite())
    }
}

impl Macd<'_> {
    /// [`Chain::advance`], the MACD line's states carried as `LANES` says (see `run_difference`).
    #[inline(always)]
    fn rows<M: MulAdd, const LANES: bool>(
        &self,
        state: State,
        rows: Range<usize>,
        [macd, signal, hist]: [&mut [f64]; 3],
    ) -> State {
        let offset = self.periods.slow + self.periods.signal - 1;
        let mut line = Line {
            fast: self.fast,
            slow: self.slow,
            fast_ema: state.fast_ema,
            slow_ema: state.slow_ema,
        };
        let mut signal_ema = state.signal_ema;
        let x = &self.x[offset + rows.start..offset + rows.end];
        // Outputs re-sliced to the input's length, so the compiler knows the lengths agree.
        let [macd, signal, hist] = [macd, signal, hist].map(|out| &mut out[..x.len()]);
        let blocks = x.chunks(BLOCK).zip(macd.chunks_mut(BLOCK));
        let blocks = blocks
            .zip(signal.chunks_mut(BLOCK))
            .zip(hist.chunks_mut(BLOCK));
        for (((x, macd), signal), hist) in blocks {
            line.extend::<M, LANES>(x, macd);
            signal_ema = self.signal.run::<M>(signal_ema, macd, signal);
            for ((h, m), s) in hist.iter_mut().zip(&*macd).zip(&*signal) {
                *h = m - s;
            }
        }
        State {
            fast_ema: line.fast_ema,
            slow_ema: line.slow_ema,
            signal_ema,
        }
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
    fn extend<M: MulAdd, const LANES: bool>(&mut self, xs: &[f64], out: &mut [f64]) {
        let smoothings = (&self.fast, &self.slow);
        (self.fast_ema, self.slow_ema) =
            run_difference::<M, LANES>(smoothings, (self.fast_ema, self.slow_ema), xs, out);
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
        assert_eq!(
            err.to_string(),
            "fast_period must be < slow_period, got fast_period=3 and slow_period=3"
        );
    }

    #[test]
    fn portable_path_agrees_with_the_dispatched_one() {
        let x = walk(10_000, 0);
        let periods = MacdPeriods {
            fast: 12,
            slow: 26,
            signal: 9,
        };
        let mut dispatched = [vec![0.0; x.len()], vec![0.0; x.len()], vec![0.0; x.len()]];
        let [m, s, h] = &mut dispatched;
        let lines = MacdLines {
            macd: m,
            signal: s,
            hist: h,
        };
        macd_with(&x, periods, lines, Plan::SERIAL).unwrap();
        let mut macd = vec![0.0; 34];
        let seed = Seed {
            x: &x,
            periods,
            macd: &mut macd,
        }
        .run::<Separate>();
        let chain = Macd {
            x: &x,
            periods,
            fast: Smoothing::ema(12),
            slow: Smoothing::ema(26),
            signal: Smoothing::ema(9),
        };
        let rows = x.len() - 34;
        let mut portable = [vec![0.0; rows], vec![0.0; rows], vec![0.0; rows]];
        let [m, s, h] = &mut portable;
        chain.advance::<Separate>(seed, 0..rows, [m, s, h]);
        for (p, d) in portable.iter().zip(&dispatched) {
            assert_close(p, &d[34..]);
        }
    }
}
