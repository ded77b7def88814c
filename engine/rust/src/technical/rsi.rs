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

/// Stretches of rows run side by side, one per SIMD lane (see [`Rsi::advance_lanes`]).
const LANES: usize = 4;

/// Lanes are used when each stretch is at least this many times longer than its warm-up.
const MIN_LANE_PER_WARM_UP: usize = 8;

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

/// [`rsi_into`], cut into chunks as `plan` says (the tests' `Plan::SERIAL` is the reference).
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
        lanes: plan.lanes,
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
    /// Whether long runs of rows go through [`Rsi::advance_lanes`].
    lanes: bool,
}

impl Rsi<'_> {
    /// [`Chain::advance`] as one chain, a block of rows after the other: the reference.
    #[inline(always)]
    fn advance_serial<M: MulAdd>(
        &self,
        (mut avg_gain, mut avg_loss): (f64, f64),
        rows: Range<usize>,
        out: &mut [f64],
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

    /// [`Chain::advance`] with the rows cut into [`LANES`] stretches of `stretch` rows (a multiple
    /// of four) run side by side, one per lane of a vector, and the rows after them serially.
    ///
    /// One chain's four-row step waits on the one before it (a multiply-add's latency); four
    /// independent chains in the lanes of one vector fill that wait. As in `chunked`, every
    /// stretch but the first starts from a guess warmed up over the `warm_up` rows before its
    /// cut, each cut is checked bit for bit against the true state, and a stretch whose cut does
    /// not check out is recomputed serially. Stretches start on multiples of four rows from
    /// `rows.start`, where the serial run starts its four-row steps, so each runs exactly the
    /// serial run's operations: the result is [`Rsi::advance_serial`]'s, bit for bit.
    #[inline(always)]
    fn advance_lanes<M: MulAdd>(
        &self,
        state: (f64, f64),
        rows: Range<usize>,
        out: &mut [f64],
        stretch: usize,
        warm_up: usize,
    ) -> (f64, f64) {
        #[cfg(test)]
        tests::LANE_RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (lanes_out, rest) = out[..rows.len()].split_at_mut(LANES * stretch);
        let mut outs = lanes_out.chunks_exact_mut(stretch);
        let mut outs: [&mut [f64]; LANES] = std::array::from_fn(|_| outs.next().unwrap());
        let mut starts = [state; LANES];
        for (lane, start) in starts.iter_mut().enumerate().skip(1) {
            let cut = rows.start + lane * stretch;
            // The lane's own output rows are the scratch space of its warm-up.
            let scratch = &mut outs[lane][..warm_up];
            let guess = self.guess(cut - warm_up);
            *start = self.advance_serial::<M>(guess, cut - warm_up..cut, scratch);
        }
        let weights = (self.wilder.k(), self.wilder.powers());
        let first = self.period + 1 + rows.start;
        let ends = lanes::run(self.x, first, weights, starts, &mut outs);
        let mut truth = ends[0];
        for lane in 1..LANES {
            truth = if Self::same(&starts[lane], &truth) {
                ends[lane]
            } else {
                let cut = rows.start + lane * stretch;
                self.advance_serial::<M>(truth, cut..cut + stretch, outs[lane])
            };
        }
        let tail = rows.start + LANES * stretch..rows.end;
        self.advance_serial::<M>(truth, tail, rest)
    }
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
        state: (f64, f64),
        rows: Range<usize>,
        [out]: [&mut [f64]; 1],
    ) -> (f64, f64) {
        // A whole number of four-row steps, so that a warm-up runs the serial run's steps.
        let warm_up = self.warm_up().next_multiple_of(4);
        let stretch = rows.len() / LANES / 4 * 4;
        // The lanes fuse their multiply-adds: they run only where the serial run does too.
        let long = stretch >= MIN_LANE_PER_WARM_UP * warm_up;
        if M::FUSED && self.lanes && long && lanes::available() {
            self.advance_lanes::<M>(state, rows, out, stretch, warm_up)
        } else {
            self.advance_serial::<M>(state, rows, out)
        }
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

/// [`Rsi::advance_lanes`]'s lanes on x86-64 with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
mod lanes {
    use std::arch::x86_64::*;

    use super::LANES;

    /// How far ahead of its current row each lane's input is fetched into the cache (2 KiB).
    const PREFETCH_AHEAD: usize = 256;

    /// Whether the CPU can run [`run`] (the standard library caches the answer).
    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }

    /// Lane `i` runs the rows of `outs[i]` (all as long, a multiple of four) from state
    /// `starts[i]`; its first row's value is `x[first + i · outs[0].len()]`. `(k, a)` are the
    /// smoothing's weight and the powers of its decay. Returns each lane's final state.
    ///
    /// Each step loads four values of each lane, transposes them so that a vector holds one row
    /// of every lane, runs `Smoothing`'s four-row step on the four lanes at once (the same
    /// operations in the same order, fused as `cpu::Fused` fuses them), and transposes the RSI
    /// values back.
    pub(super) fn run(
        x: &[f64],
        first: usize,
        (k, a): (f64, [f64; 4]),
        starts: [(f64, f64); LANES],
        outs: &mut [&mut [f64]; LANES],
    ) -> [(f64, f64); LANES] {
        let stretch = outs[0].len();
        assert!(available() && stretch % 4 == 0 && first >= 1);
        assert!(outs.iter().all(|o| o.len() == stretch) && first + LANES * stretch <= x.len());
        // SAFETY: the CPU features are checked above, and so are the bounds `run_avx` reads
        // and writes within.
        unsafe { run_avx(x, first, (k, a), starts, outs) }
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn run_avx(
        x: &[f64],
        first: usize,
        (k, a): (f64, [f64; 4]),
        starts: [(f64, f64); LANES],
        outs: &mut [&mut [f64]; LANES],
    ) -> [(f64, f64); LANES] {
        let stretch = outs[0].len();
        let xs = x.as_ptr().add(first);
        let lane = |i: usize| xs.add(i * stretch);
        let out = outs.each_mut().map(|o| o.as_mut_ptr());
        let mut before = _mm256_setr_pd(
            *lane(0).sub(1),
            *lane(1).sub(1),
            *lane(2).sub(1),
            *lane(3).sub(1),
        );
        let mut avg_gain = _mm256_setr_pd(starts[0].0, starts[1].0, starts[2].0, starts[3].0);
        let mut avg_loss = _mm256_setr_pd(starts[0].1, starts[1].1, starts[2].1, starts[3].1);
        let (k, half) = (_mm256_set1_pd(k), _mm256_set1_pd(0.5));
        let (hundred, zero) = (_mm256_set1_pd(100.0), _mm256_setzero_pd());
        let a = a.map(|a| _mm256_set1_pd(a));
        let sign = _mm256_set1_pd(-0.0);
        for r in (0..stretch).step_by(4) {
            for i in 0..LANES {
                let ahead = lane(i).wrapping_add(r + PREFETCH_AHEAD);
                _mm_prefetch::<_MM_HINT_T0>(ahead.cast());
            }
            let now = transpose([0, 1, 2, 3].map(|i| _mm256_loadu_pd(lane(i).add(r))));
            let mut gains = [zero; 4];
            let mut losses = [zero; 4];
            for j in 0..4 {
                let change = _mm256_sub_pd(now[j], if j == 0 { before } else { now[j - 1] });
                let abs = _mm256_andnot_pd(sign, change);
                gains[j] = _mm256_mul_pd(k, _mm256_mul_pd(half, _mm256_add_pd(change, abs)));
                losses[j] = _mm256_mul_pd(k, _mm256_mul_pd(half, _mm256_sub_pd(abs, change)));
            }
            before = now[3];
            let (g, l);
            (g, avg_gain) = step4(a, avg_gain, gains);
            (l, avg_loss) = step4(a, avg_loss, losses);
            let values = [0, 1, 2, 3].map(|j| {
                let total = _mm256_add_pd(g[j], l[j]);
                let rsi = _mm256_mul_pd(hundred, _mm256_div_pd(g[j], total));
                // `total != 0.0` (true for NaN, as in Rust), else 0.
                _mm256_and_pd(_mm256_cmp_pd::<_CMP_NEQ_UQ>(total, zero), rsi)
            });
            for (i, v) in transpose(values).into_iter().enumerate() {
                _mm256_storeu_pd(out[i].add(r), v);
            }
        }
        let (mut gains, mut losses) = ([0.0; LANES], [0.0; LANES]);
        _mm256_storeu_pd(gains.as_mut_ptr(), avg_gain);
        _mm256_storeu_pd(losses.as_mut_ptr(), avg_loss);
        std::array::from_fn(|i| (gains[i], losses[i]))
    }

    /// `Smoothing`'s four-row step on each lane: `kx[j]` holds row `j`'s inputs of the lanes.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn step4(a: [__m256d; 4], e: __m256d, kx: [__m256d; 4]) -> ([__m256d; 4], __m256d) {
        let c1 = kx[0];
        let c2 = _mm256_fmadd_pd(a[0], c1, kx[1]);
        let c3 = _mm256_fmadd_pd(a[0], c2, kx[2]);
        let c4 = _mm256_fmadd_pd(a[0], c3, kx[3]);
        let c = [c1, c2, c3, c4];
        let values = [0, 1, 2, 3].map(|j| _mm256_fmadd_pd(a[j], e, c[j]));
        (values, _mm256_fmadd_pd(a[3], e, c4))
    }

    /// Rows become columns: `out[j]` holds element `j` of each of `m`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn transpose([m0, m1, m2, m3]: [__m256d; 4]) -> [__m256d; 4] {
        let (t0, t1) = (_mm256_unpacklo_pd(m0, m1), _mm256_unpackhi_pd(m0, m1));
        let (t2, t3) = (_mm256_unpacklo_pd(m2, m3), _mm256_unpackhi_pd(m2, m3));
        [
            _mm256_permute2f128_pd::<0x20>(t0, t2),
            _mm256_permute2f128_pd::<0x20>(t1, t3),
            _mm256_permute2f128_pd::<0x31>(t0, t2),
            _mm256_permute2f128_pd::<0x31>(t1, t3),
        ]
    }
}

/// Off x86-64 RSI runs serially.
#[cfg(not(target_arch = "x86_64"))]
mod lanes {
    use super::LANES;

    pub(super) fn available() -> bool {
        false
    }

    pub(super) fn run(
        _: &[f64],
        _: usize,
        _: (f64, [f64; 4]),
        _: [(f64, f64); LANES],
        _: &mut [&mut [f64]; LANES],
    ) -> [(f64, f64); LANES] {
        unreachable!("lanes::available() is false")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technical::cpu::Separate;
    use crate::technical::testing::{assert_close, walk};

    /// Calls of [`Rsi::advance_lanes`], over all tests.
    pub(super) static LANE_RUNS: std::sync::atomic::AtomicUsize =
        std::sync::atomic::AtomicUsize::new(0);

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
            lanes: false,
        };
        let mut portable = vec![0.0; x.len() - 15];
        chain.advance::<Separate>(chain.guess(0), 0..x.len() - 15, [&mut portable]);
        assert_close(&portable, &dispatched[15..]);
    }

    #[test]
    fn lanes_equal_the_serial_run_bit_for_bit() {
        let lanes = Plan {
            lanes: true,
            ..Plan::SERIAL
        };
        let runs = LANE_RUNS.load(std::sync::atomic::Ordering::Relaxed);
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        // Long enough for lanes at each period (4 · 8 · 48 · period rows, and more), lengths
        // not a multiple of four, flat stretches, a NaN or an infinity in lane 0 or lane 2.
        for (period, len) in [(2, 3_001), (14, 21_600), (14, 100_003), (30, 200_002)] {
            for bad in [
                None,
                Some((len / 10, f64::NAN)),
                Some((len / 2, f64::INFINITY)),
            ] {
                let mut x = walk(len, period % 5);
                let level = x[len / 3];
                x[len / 3..len / 3 + 500].fill(level);
                if let Some((at, value)) = bad {
                    x[at] = value;
                }
                let (mut serial, mut laned) = (vec![0.0; len], vec![0.0; len]);
                rsi_with(&x, period, &mut serial, Plan::SERIAL).unwrap();
                rsi_with(&x, period, &mut laned, lanes).unwrap();
                assert!(bits(&serial) == bits(&laned), "period {period} len {len}");
            }
        }
        // Every case but the shortest ran lanes (other tests may run them too).
        assert!(LANE_RUNS.load(std::sync::atomic::Ordering::Relaxed) >= runs + 9);
    }
}
