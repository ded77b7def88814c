//! Recursive indicators (EMA, RSI, ATR, MACD) computed in chunks that run at once, with a result
//! equal bit for bit to the serial recursion.
//!
//! An exponential or Wilder smoothing forgets where it started geometrically (by `a` per step):
//! started some hundreds of steps before a row from a rough guess, it reaches the same doubles
//! there as the true run, and from then on it stays equal, since both run the same operations on
//! the same inputs. So a long series is cut into chunks computed on rayon's threads, every chunk
//! but the first started [`Chain::warm_up`] rows before its cut from [`Chain::guess`].
//!
//! Nothing is assumed about convergence: once all chunks are done, each cut is CHECKED in order
//! (the warmed-up state must equal the previous chunk's true final state, bit for bit); where it
//! does not, that chunk is recomputed serially from the true state. The result is always that of
//! [`Chain::advance`] run once over all rows; cuts fall on multiples of [`Chain::grid`] rows so
//! that a chunk runs exactly the operations the serial run would.
use std::ops::Range;

use rayon::prelude::*;

use super::cpu::{self, Kernel, MulAdd};

/// When a chain is cut into chunks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Below this many rows a chain runs serially on the calling thread.
    pub min_rows: usize,
    /// Each chunk must be at least this many times longer than its warm-up.
    pub min_chunk_per_warm_up: usize,
    /// Whether a kernel may run stretches of one chunk side by side on SIMD lanes (RSI), checked
    /// as chunks are; `false` keeps the serial reference.
    pub lanes: bool,
}

impl Plan {
    /// What the kernels use. Waking rayon's threads costs tens of microseconds on a busy machine:
    /// at 1e5 points (EMA: 40 us) chunks on two threads were 5-15% slower than one run, so series
    /// are cut from 2^18 points (EMA: ~150 us). A chunk at least 32 times its warm-up spends at
    /// most ~3% redoing work.
    pub(crate) const DEFAULT: Plan = Plan {
        min_rows: 1 << 18,
        min_chunk_per_warm_up: 32,
        lanes: true,
    };
    /// Never cut, no lanes: the serial reference the tests compare with.
    #[cfg(test)]
    pub(crate) const SERIAL: Plan = Plan {
        min_rows: usize::MAX,
        min_chunk_per_warm_up: usize::MAX,
        lanes: false,
    };
    /// No chunks on threads, but SIMD lanes where a kernel has them: the rows of a batch, which
    /// keep every thread busy already. (Lanes take no thread: without them an RSI batch of 64 x
    /// 1e5 points took 1.5x as long, 35 ms against 24 ms.)
    pub(crate) const ONE_THREAD: Plan = Plan {
        min_rows: usize::MAX,
        min_chunk_per_warm_up: usize::MAX,
        lanes: true,
    };
}

/// Chunks per rayon thread: more than one, so a thread slowed by other load on the machine
/// leaves some of its chunks to the others.
const CHUNKS_PER_THREAD: usize = 2;

/// A recursion over `rows` rows (indexed from 0) whose state can be restarted anywhere, writing
/// `O` output series (each as long as the rows).
pub(crate) trait Chain<const O: usize>: Sync {
    /// The recursion's state between two rows; compared bit for bit at the cuts.
    type State: Copy + Send + Sync;
    /// Chunks start at multiples of this many rows (the serial run's block length).
    fn grid(&self) -> usize;
    /// Rows a chunk runs before its cut so that its state has converged to the true one there.
    fn warm_up(&self) -> usize;
    /// A rough state before `row`, as the kernel seeds itself, to warm up from.
    fn guess(&self, row: usize) -> Self::State;
    /// Runs `rows` on from `state`, writing row `r`'s outputs at `outs[·][r - rows.start]`;
    /// returns the state after the last row.
    ///
    /// Must be `#[inline(always)]`: it runs inside `cpu::dispatch`.
    fn advance<M: MulAdd>(
        &self,
        state: Self::State,
        rows: Range<usize>,
        outs: [&mut [f64]; O],
    ) -> Self::State;
    /// Bit-for-bit equality of two states (NaN included: equal bits run equal operations).
    fn same(a: &Self::State, b: &Self::State) -> bool;
    /// Whether every part of `state` is finite.
    fn is_finite(state: &Self::State) -> bool;
    /// Whether every input the recursion reads up to `row` (the seed's included) is finite.
    fn finite_inputs_before(&self, row: usize) -> bool;
}

/// Runs `chain` over all rows of `outs` from `state`, in parallel chunks when it pays; returns the
/// final state. The result equals `chain.advance(state, 0..rows, outs)` bit for bit, with one
/// exception that `span` erases: once the true state is non-finite because of a non-finite input,
/// the rows after it are not recomputed (the state stays non-finite to the end, and `span` sets
/// every output from that input on to NaN), and the non-finite state reached there is returned.
pub(crate) fn run<C: Chain<O>, const O: usize>(
    chain: &C,
    state: C::State,
    outs: [&mut [f64]; O],
    plan: Plan,
) -> C::State {
    let rows = outs.iter().map(|o| o.len()).min().unwrap_or(0);
    if rows < plan.min_rows {
        // Short series (most calls): no thread count, no allocation.
        return advance(chain, state, 0..rows, outs);
    }
    let threads = rayon::current_num_threads();
    let cuts = cuts(rows, chain.grid(), chain.warm_up(), threads, plan);
    if cuts.len() <= 2 {
        return advance(chain, state, 0..rows, outs);
    }
    let mut chunks = split(outs, &cuts);
    // (state at the chunk's start, state at its end) of each chunk.
    let ends: Vec<(C::State, C::State)> = chunks
        .par_iter_mut()
        .map(|(range, outs)| {
            let start = if range.start == 0 {
                state
            } else {
                warm(chain, range.start)
            };
            let outs = outs.each_mut().map(|o| &mut **o);
            (start, advance(chain, start, range.clone(), outs))
        })
        .collect();
    let mut truth = ends[0].1;
    for ((range, outs), (start, end)) in chunks.iter_mut().zip(&ends).skip(1) {
        truth = if C::same(start, &truth) {
            *end
        } else if !C::is_finite(&truth) && !chain.finite_inputs_before(range.start) {
            // Recomputing the rest serially would only produce values `span` overwrites.
            #[cfg(test)]
            tests::SKIPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return truth;
        } else {
            // The warm-up did not converge (or ran into a non-finite input): redo it serially.
            #[cfg(test)]
            tests::FALLBACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let outs = outs.each_mut().map(|o| &mut **o);
            advance(chain, truth, range.clone(), outs)
        };
    }
    truth
}

/// The state of `chain` before `row`, warmed up from a guess `warm_up()` rows earlier (or from
/// row 0), its outputs written to a scratch buffer.
fn warm<C: Chain<O>, const O: usize>(chain: &C, row: usize) -> C::State {
    let grid = chain.grid();
    // A whole number of grid steps before `row`, so the warm-up runs the serial run's blocks.
    let steps = (chain.warm_up().div_ceil(grid)).min(row / grid);
    let from = row - steps * grid;
    let mut scratch = vec![0.0; (row - from) * O];
    let mut parts = scratch.chunks_exact_mut(row - from);
    let outs = [(); O].map(|_| parts.next().unwrap_or_default());
    advance(chain, chain.guess(from), from..row, outs)
}

/// The chunk boundaries (first 0, last `rows`), or just `[0, rows]` when the series is too short
/// for chunks to pay.
fn cuts(rows: usize, grid: usize, warm_up: usize, threads: usize, plan: Plan) -> Vec<usize> {
    let grid = grid.max(1);
    let min_chunk = plan.min_chunk_per_warm_up.saturating_mul(warm_up).max(grid);
    let chunks = (threads * CHUNKS_PER_THREAD).min(rows / min_chunk);
    if threads < 2 || rows < plan.min_rows || chunks < 2 {
        return vec![0, rows];
    }
    let step = (rows / chunks).div_ceil(grid) * grid;
    let mut cuts: Vec<usize> = (0..rows).step_by(step).collect();
    cuts.push(rows);
    cuts
}

/// A range of rows and the outputs of those rows.
pub(crate) type Chunk<'a, const O: usize> = (Range<usize>, [&'a mut [f64]; O]);

/// `outs` cut at `cuts` (offsets into them, the first 0, the last their length).
pub(crate) fn split<'a, const O: usize>(
    outs: [&'a mut [f64]; O],
    cuts: &[usize],
) -> Vec<Chunk<'a, O>> {
    let mut rest = outs;
    let mut chunks = Vec::with_capacity(cuts.len());
    for pair in cuts.windows(2) {
        let len = pair[1] - pair[0];
        let mut heads = [(); O].map(|_| -> &mut [f64] { &mut [] });
        for (head, tail) in heads.iter_mut().zip(rest.iter_mut()) {
            let (h, t) = std::mem::take(tail).split_at_mut(len);
            (*head, *tail) = (h, t);
        }
        chunks.push((pair[0]..pair[1], heads));
    }
    chunks
}

/// [`Chain::advance`] compiled for the CPU (see `cpu`).
fn advance<C: Chain<O>, const O: usize>(
    chain: &C,
    state: C::State,
    rows: Range<usize>,
    outs: [&mut [f64]; O],
) -> C::State {
    struct Advance<'a, C: Chain<O>, const O: usize> {
        chain: &'a C,
        state: C::State,
        rows: Range<usize>,
        outs: [&'a mut [f64]; O],
    }
    impl<C: Chain<O>, const O: usize> Kernel for Advance<'_, C, O> {
        type Output = C::State;
        #[inline(always)]
        fn run<M: MulAdd>(self) -> C::State {
            self.chain.advance::<M>(self.state, self.rows, self.outs)
        }
    }
    cpu::dispatch(Advance {
        chain,
        state,
        rows,
        outs,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    use super::*;
    use crate::technical::atr::atr_with;
    use crate::technical::ema::ema_with;
    use crate::technical::macd::{macd_with, MacdLines, MacdPeriods};
    use crate::technical::rsi::rsi_with;

    /// Chunks recomputed serially because their cut did not check out, over all tests.
    pub(super) static FALLBACKS: AtomicUsize = AtomicUsize::new(0);

    /// Series whose chunks after a non-finite input were left to `span`, over all tests.
    pub(super) static SKIPS: AtomicUsize = AtomicUsize::new(0);

    /// Held by the tests that count fallbacks, so that others' do not mix in.
    static COUNTING: Mutex<()> = Mutex::new(());

    /// A plan that cuts even short series, into chunks as short as their warm-up.
    const EAGER: Plan = Plan {
        min_rows: 0,
        min_chunk_per_warm_up: 1,
        lanes: true,
    };

    /// A deterministic pseudo-random generator (xorshift), for reproducible cases.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// A random walk with leading NaNs and, sometimes, a NaN or ±inf inside.
    fn series(rng: &mut Rng, len: usize) -> Vec<f64> {
        let scale = [1e-3, 1.0, 3e4][rng.below(3)];
        let mut level = 100.0 * scale;
        let mut x: Vec<f64> = (0..len)
            .map(|_| {
                level *= 1.0 + 0.02 * (rng.unit() - 0.5);
                level
            })
            .collect();
        let leading = if rng.below(3) == 0 { rng.below(40) } else { 0 };
        x[..leading.min(len)].fill(f64::NAN);
        if len > 0 && rng.below(4) == 0 {
            let at = rng.below(len);
            x[at] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY][rng.below(3)];
        }
        x
    }

    fn bits(xs: &[f64]) -> Vec<u64> {
        xs.iter().map(|v| v.to_bits()).collect()
    }

    /// Every indicator under `plan` against the serial reference, bit for bit.
    fn check_case(rng: &mut Rng, len: usize, plan: Plan) {
        let x = series(rng, len);
        let high: Vec<f64> = x.iter().map(|v| v * (1.0 + 0.01 * rng.unit())).collect();
        let low: Vec<f64> = x.iter().map(|v| v * (1.0 - 0.01 * rng.unit())).collect();
        let longest = if rng.below(4) == 0 { 200 } else { 30 };
        let period = 1 + rng.below(longest);
        let run = |f: &dyn Fn(&mut [f64], Plan) -> bool| {
            let (mut serial, mut chunked) = (vec![0.0; len], vec![0.0; len]);
            let ok = f(&mut serial, Plan::SERIAL);
            assert_eq!(ok, f(&mut chunked, plan));
            assert!(bits(&serial) == bits(&chunked), "len {len} period {period}");
        };
        run(&|out, plan| ema_with(&x, period, out, plan).is_ok());
        run(&|out, plan| rsi_with(&x, period, out, plan).is_ok());
        run(&|out, plan| atr_with([&high, &low, &x], period, out, plan).is_ok());
        let fast = 1 + rng.below(20);
        let periods = MacdPeriods {
            fast,
            slow: fast + 1 + rng.below(30),
            signal: 1 + rng.below(12),
        };
        let macd = |plan| {
            let mut lines = [vec![0.0; len], vec![0.0; len], vec![0.0; len]];
            let [macd, signal, hist] = &mut lines;
            let ok = macd_with(&x, periods, MacdLines { macd, signal, hist }, plan).is_ok();
            (ok, lines.map(|l| bits(&l)))
        };
        assert!(macd(Plan::SERIAL) == macd(plan), "len {len} {periods:?}");
    }

    #[test]
    fn chunked_equals_serial_bit_for_bit() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let _counting = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
        let skips = SKIPS.load(Ordering::Relaxed);
        let mut cases = 0;
        for threads in [1, 2, 3, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                for len in [0, 1, 2, 5, 63, 64, 65, 200, 1_000, 4_097, 20_000, 70_001] {
                    for plan in [EAGER, Plan::DEFAULT] {
                        check_case(&mut rng, len, plan);
                        cases += 1;
                    }
                }
                for _ in 0..12 {
                    let len = rng.below(150_000);
                    check_case(&mut rng, len, EAGER);
                    cases += 1;
                }
            });
        }
        // Cases with a NaN or ±inf inside take the shortcut after it, and still equal the serial
        // outputs (those `span` keeps) bit for bit.
        let skips = SKIPS.load(Ordering::Relaxed) - skips;
        assert!(
            skips > 0 && cases > 100,
            "{skips} shortcuts in {cases} cases"
        );
    }

    #[test]
    fn warm_ups_converge_on_price_series() {
        let mut rng = Rng(7);
        let _counting = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
        for len in [100_000, 1_000_000] {
            for scale in [1e-3, 1.0, 3e4] {
                let mut level = 100.0 * scale;
                let x: Vec<f64> = (0..len)
                    .map(|_| {
                        level *= 1.0 + 0.02 * (rng.unit() - 0.5);
                        level
                    })
                    .collect();
                for period in [2, 14, 20, 200] {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(4)
                        .build()
                        .unwrap();
                    let before = FALLBACKS.load(Ordering::Relaxed);
                    let mut out = vec![0.0; len];
                    pool.install(|| {
                        ema_with(&x, period, &mut out, EAGER).unwrap();
                        rsi_with(&x, period, &mut out, EAGER).unwrap();
                    });
                    let fallbacks = FALLBACKS.load(Ordering::Relaxed) - before;
                    assert_eq!(fallbacks, 0, "len {len}, scale {scale}, period {period}");
                }
            }
        }
    }

    #[test]
    fn an_overflow_without_non_finite_inputs_is_recomputed_exactly() {
        // MACD's line overflows (fast − slow of ±1.5e308 prices): non-finite states from finite
        // inputs, whose outputs `span` keeps, so the cuts after it must fall back, not skip.
        let x: Vec<f64> = (0..20_000)
            .map(|i| if (i / 7) % 2 == 0 { 1.5e308 } else { -1.5e308 })
            .collect();
        let periods = MacdPeriods {
            fast: 2,
            slow: 5,
            signal: 3,
        };
        let macd = |plan| {
            let mut lines = [vec![0.0; x.len()], vec![0.0; x.len()], vec![0.0; x.len()]];
            let [macd, signal, hist] = &mut lines;
            macd_with(&x, periods, MacdLines { macd, signal, hist }, plan).unwrap();
            lines.map(|l| bits(&l))
        };
        let serial = macd(Plan::SERIAL);
        assert!(serial[0].iter().any(|b| !f64::from_bits(*b).is_finite()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        assert!(pool.install(|| macd(EAGER)) == serial);
    }

    #[test]
    fn a_warm_up_that_cannot_converge_falls_back_to_the_true_state() {
        // A constant series after a jump: the true RSI state decays from the jump's gain while a
        // warm-up guessed after it starts at 0, so the bits never meet (or meet only at 0).
        let mut x = vec![1.0; 100_000];
        x[50] = 2.0;
        let _counting = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
        let before = FALLBACKS.load(Ordering::Relaxed);
        for threads in [2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (mut serial, mut chunked) = (vec![0.0; x.len()], vec![0.0; x.len()]);
            rsi_with(&x, 14, &mut serial, Plan::SERIAL).unwrap();
            pool.install(|| rsi_with(&x, 14, &mut chunked, EAGER).unwrap());
            assert!(bits(&serial) == bits(&chunked));
        }
        assert!(
            FALLBACKS.load(Ordering::Relaxed) > before,
            "no cut fell back"
        );
    }

    #[test]
    fn cuts_fall_on_the_grid_and_cover_every_row() {
        let min_rows = Plan::DEFAULT.min_rows;
        for rows in [0, 10, min_rows, 1_000_003] {
            for threads in [1, 2, 8] {
                let cuts = cuts(rows, 64, 560, threads, Plan::DEFAULT);
                assert_eq!((cuts[0], *cuts.last().unwrap()), (0, rows));
                assert!(cuts.windows(2).all(|w| w[0] < w[1] || rows == 0));
                assert!(cuts[1..cuts.len() - 1].iter().all(|c| c % 64 == 0));
                assert!(cuts.len() - 1 <= threads * CHUNKS_PER_THREAD);
                if threads == 1 || rows < min_rows {
                    assert_eq!(cuts.len(), 2);
                }
            }
        }
    }
}
