//! The accounting of one block of bars (see `ledger` for the conventions), in one pass: each
//! bar's growth factor `(1 - |held - before| * cost) * (1 + held * return)`; the sums over the net
//! returns, kept in four lanes (lane l takes the bars l, l + 4, ... of the block, the bars past
//! its last group of four go to lane 0); and the equity, compounded a group of four at a time.
//!
//! Compounding is the one dependency chain. Within a group the equity is
//! `E * [g0, g1·g0, (g2·g1)·g0, (g3·g2)·(g1·g0)]` (a prefix product in two vector steps), so the
//! chain costs one multiplication and one broadcast per four bars, and it overlaps with the
//! divisions that turn closes into returns.
//!
//! Written twice with the same operations in the same order: with AVX2 intrinsics (one vector per
//! group) where the CPU has AVX2, in plain Rust elsewhere. Neither fuses a multiply and an add,
//! so both give the same results bit for bit (`tests::both_paths_agree`).

use super::ledger::{
    self, is_good_close, is_good_position, larger, smaller, Account, Moments, Stats, Terms, BLOCK,
    LANES,
};

/// Where a block's bar returns come from.
#[derive(Debug, Clone, Copy)]
pub enum Returns<'a> {
    /// `returns[k]` is the return of bar k.
    Given(&'a [f64]),
    /// `close[k + 1] / close[k] - 1` (one close more than bars); the closes but the first are
    /// checked to be finite and > 0.
    FromClose(&'a [f64]),
}

impl<'a> Returns<'a> {
    /// The returns of the bars `start..end`.
    fn bars(self, start: usize, end: usize) -> Self {
        match self {
            Self::Given(r) => Self::Given(&r[start..end]),
            Self::FromClose(c) => Self::FromClose(&c[start..=end]),
        }
    }
}

/// Whether a block's inputs were usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// Every position within [-1, 1].
    pub positions: bool,
    /// Every close checked finite and > 0 (always true for `Returns::Given`).
    pub closes: bool,
}

/// One block: bar k holds `held[k]` (the position before the block's first bar being `before`)
/// and returns `returns`' k-th return; the equity after each bar into `curve`; the net returns
/// into `moments`; the equity and its drawdown into `account`.
///
/// Nothing about the block's values is meaningful unless both checks come back true.
pub fn run(
    held: &[f64],
    before: f64,
    returns: Returns<'_>,
    cost: f64,
    curve: &mut [f64],
    moments: &mut Moments,
    account: &mut Account,
) -> Checked {
    let len = held.len();
    match returns {
        Returns::Given(r) => assert_eq!(r.len(), len, "one return per bar"),
        Returns::FromClose(c) => assert_eq!(c.len(), len + 1, "one close more than bars"),
    }
    assert_eq!(curve.len(), len, "one equity per bar");
    if len == 0 {
        return Checked {
            positions: true,
            closes: true,
        };
    }
    if !moments.started {
        moments.shift = bar_growth(held[0], before, bar_return(returns, 0), cost) - 1.0;
        moments.started = true;
    }
    let block = Block {
        held,
        before,
        returns,
        cost,
    };
    #[cfg(target_arch = "x86_64")]
    let (checked, low, high) = if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `avx2::run` needs AVX2, detected just above; the lengths are checked above.
        unsafe { avx2::run(&block, curve, moments, &mut account.equity) }
    } else {
        run_portable(&block, curve, moments, &mut account.equity)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let (checked, low, high) = run_portable(&block, curve, moments, &mut account.equity);
    moments.count += len;
    account.settle(curve, low, high);
    checked
}

/// A whole series through `run`, a block of `BLOCK` bars at a time: bar k holds `held[k]` (the
/// account starting flat) and returns `returns`' k-th return. `curve` is either the whole equity
/// curve (one value per bar) or a scratch block (`BLOCK` long at least, or as long as `held`)
/// that each block reuses.
///
/// Stops at the first block whose checks fail: `Err` with the block's first bar.
pub fn run_blocks(
    held: &[f64],
    returns: Returns<'_>,
    cost: f64,
    curve: &mut [f64],
    moments: &mut Moments,
    account: &mut Account,
) -> Result<(), usize> {
    let whole = curve.len() >= held.len();
    for start in (0..held.len()).step_by(BLOCK) {
        let end = (start + BLOCK).min(held.len());
        let before = if start == 0 { 0.0 } else { held[start - 1] };
        let c = if whole {
            &mut curve[start..end]
        } else {
            &mut curve[..end - start]
        };
        let r = returns.bars(start, end);
        let checked = run(&held[start..end], before, r, cost, c, moments, account);
        if !(checked.closes && checked.positions) {
            return Err(start);
        }
    }
    Ok(())
}

/// The statistics of the positions `held` over bars returning `returns` (equal lengths; bar k
/// holds `held[k]`, the account starting flat), block by block as `backtest` runs them, with
/// `curve` (a block long at least) as scratch.
pub fn backtest_of(held: &[f64], returns: &[f64], terms: Terms, curve: &mut [f64]) -> Stats {
    let mut moments = Moments::default();
    let mut account = Account::default();
    let given = Returns::Given(returns);
    // Given returns are not checked, and positions are the caller's: the checks are not needed.
    let _ = run_blocks(held, given, terms.cost, curve, &mut moments, &mut account);
    ledger::stats(&moments, &account, terms)
}

/// The inputs of a block.
struct Block<'a> {
    held: &'a [f64],
    before: f64,
    returns: Returns<'a>,
    cost: f64,
}

/// The running state of a block's pass: the block's extremes and checks.
struct Running {
    low: f64,
    high: f64,
    checked: Checked,
}

#[inline(always)]
fn bar_return(returns: Returns<'_>, k: usize) -> f64 {
    match returns {
        Returns::Given(r) => r[k],
        Returns::FromClose(c) => c[k + 1] / c[k] - 1.0,
    }
}

#[inline(always)]
fn bar_growth(held: f64, before: f64, bar_return: f64, cost: f64) -> f64 {
    (1.0 - (held - before).abs() * cost) * (1.0 + held * bar_return)
}

/// Bar `k` into lane `l`: its growth, its net return summed, its checks. Returns the growth.
#[inline(always)]
fn add_bar(b: &Block<'_>, m: &mut Moments, run: &mut Running, k: usize, l: usize) -> f64 {
    let (h, before) = (b.held[k], if k == 0 { b.before } else { b.held[k - 1] });
    let change = (h - before).abs();
    let g = bar_growth(h, before, bar_return(b.returns, k), b.cost);
    let net = g - 1.0;
    let d = net - m.shift;
    m.sum[l] += d;
    m.sum_sq[l] += d * d;
    let down = smaller(net, 0.0);
    m.down_sq[l] += down * down;
    m.turnover[l] += change;
    m.trades[l] += if change != 0.0 { 1.0 } else { 0.0 };
    run.checked.positions &= is_good_position(h);
    if let Returns::FromClose(c) = b.returns {
        run.checked.closes &= is_good_close(c[k + 1]);
    }
    g
}

/// The plain-Rust pass. Returns the checks and the block's lowest and highest equity.
fn run_portable(
    b: &Block<'_>,
    curve: &mut [f64],
    m: &mut Moments,
    equity: &mut f64,
) -> (Checked, f64, f64) {
    let len = b.held.len();
    let body = len - len % LANES;
    let mut run = Running {
        low: f64::INFINITY,
        high: f64::NEG_INFINITY,
        checked: Checked {
            positions: true,
            closes: true,
        },
    };
    let mut e = *equity;
    for k in (0..body).step_by(LANES) {
        let g: [f64; LANES] = std::array::from_fn(|l| add_bar(b, m, &mut run, k + l, l));
        // The prefix product as the vector code forms it (see the module's documentation).
        let a = [g[0] * 1.0, g[1] * g[0], g[2] * g[1], g[3] * g[2]];
        let p = [a[0] * 1.0, a[1] * 1.0, a[2] * a[0], a[3] * a[1]];
        for (l, x) in p.iter().enumerate() {
            curve[k + l] = e * x;
            run.low = smaller(run.low, curve[k + l]);
            run.high = larger(run.high, curve[k + l]);
        }
        e = curve[k + LANES - 1];
    }
    tail(b, curve, m, &mut run, &mut e, body);
    *equity = e;
    (run.checked, run.low, run.high)
}

/// The bars from `from` on, one at a time, into lane 0.
#[inline(always)]
fn tail(
    b: &Block<'_>,
    curve: &mut [f64],
    m: &mut Moments,
    run: &mut Running,
    e: &mut f64,
    from: usize,
) {
    for (k, slot) in curve.iter_mut().enumerate().skip(from) {
        *e *= add_bar(b, m, run, k, 0);
        *slot = *e;
        run.low = smaller(run.low, *e);
        run.high = larger(run.high, *e);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{tail, Block, Checked, Moments, Returns, Running, LANES};

    /// How far ahead of the pass the streams are prefetched, in doubles (4 KB).
    const PREFETCH_AHEAD: usize = 512;

    /// The pass with one AVX2 vector per group of four bars; the tail as `run_portable` does it.
    ///
    /// # Safety
    /// The CPU must have AVX2; `block.returns` must hold a return (or a close and the next) per
    /// bar of `block.held`, and `curve` a slot per bar (checked by `super::run`).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn run(
        b: &Block<'_>,
        curve: &mut [f64],
        m: &mut Moments,
        equity: &mut f64,
    ) -> (Checked, f64, f64) {
        let held = b.held;
        let len = held.len();
        let body = len - len % LANES;
        let one = _mm256_set1_pd(1.0);
        let minus_one = _mm256_set1_pd(-1.0);
        let zero = _mm256_setzero_pd();
        let infinity = _mm256_set1_pd(f64::INFINITY);
        let sign = _mm256_set1_pd(-0.0);
        let cost = _mm256_set1_pd(b.cost);
        let shift = _mm256_set1_pd(m.shift);
        let mut sum = _mm256_loadu_pd(m.sum.as_ptr());
        let mut sum_sq = _mm256_loadu_pd(m.sum_sq.as_ptr());
        let mut down_sq = _mm256_loadu_pd(m.down_sq.as_ptr());
        let mut turnover = _mm256_loadu_pd(m.turnover.as_ptr());
        let mut trades = _mm256_loadu_pd(m.trades.as_ptr());
        let mut e = _mm256_set1_pd(*equity);
        let mut low = _mm256_set1_pd(f64::INFINITY);
        let mut high = _mm256_set1_pd(f64::NEG_INFINITY);
        // All ones while every value checked so far is good.
        let mut good_positions = _mm256_cmp_pd::<_CMP_EQ_OQ>(zero, zero);
        let mut good_closes = good_positions;
        for k in (0..body).step_by(LANES) {
            // SAFETY (all loads and stores): k + 3 < body <= len; for closes k + 4 <= len (there
            // is one close more than bars); k - 1 >= 0 when k > 0.
            if let (Returns::FromClose(c), 0) = (b.returns, k % 8) {
                // Streaming from memory (a backtest's inputs and output), the next cache lines
                // are asked for 4 KB ahead, once a line: interleaved with other work, whose data
                // evicted them, this brought 1e6 bars from 2.3 ms to 1.8 on the test machine.
                // Prefetches never fault, even past the end of the slices.
                let ahead = k + PREFETCH_AHEAD;
                _mm_prefetch::<_MM_HINT_T0>(held.as_ptr().wrapping_add(ahead).cast());
                _mm_prefetch::<_MM_HINT_T0>(c.as_ptr().wrapping_add(ahead).cast());
                _mm_prefetch::<_MM_HINT_ET0>(curve.as_ptr().wrapping_add(ahead).cast());
            }
            let h = _mm256_loadu_pd(held.as_ptr().add(k));
            let before = if k == 0 {
                _mm256_set_pd(held[2], held[1], held[0], b.before)
            } else {
                _mm256_loadu_pd(held.as_ptr().add(k - 1))
            };
            let r = match b.returns {
                Returns::Given(r) => _mm256_loadu_pd(r.as_ptr().add(k)),
                Returns::FromClose(c) => {
                    let next = _mm256_loadu_pd(c.as_ptr().add(k + 1));
                    let here = _mm256_loadu_pd(c.as_ptr().add(k));
                    let positive = _mm256_cmp_pd::<_CMP_GT_OQ>(next, zero);
                    let finite = _mm256_cmp_pd::<_CMP_LT_OQ>(next, infinity);
                    good_closes = _mm256_and_pd(good_closes, _mm256_and_pd(positive, finite));
                    _mm256_sub_pd(_mm256_div_pd(next, here), one)
                }
            };
            let change = _mm256_andnot_pd(sign, _mm256_sub_pd(h, before));
            let kept = _mm256_sub_pd(one, _mm256_mul_pd(change, cost));
            let g = _mm256_mul_pd(kept, _mm256_add_pd(one, _mm256_mul_pd(h, r)));
            let net = _mm256_sub_pd(g, one);
            let d = _mm256_sub_pd(net, shift);
            sum = _mm256_add_pd(sum, d);
            sum_sq = _mm256_add_pd(sum_sq, _mm256_mul_pd(d, d));
            // min(net, 0) returns its second operand unless net < 0, as `smaller(net, 0.0)`.
            let down = _mm256_min_pd(net, zero);
            down_sq = _mm256_add_pd(down_sq, _mm256_mul_pd(down, down));
            turnover = _mm256_add_pd(turnover, change);
            // Unordered-or-not-equal: `change != 0.0` as Rust compares.
            let traded = _mm256_cmp_pd::<_CMP_NEQ_UQ>(change, zero);
            trades = _mm256_add_pd(trades, _mm256_and_pd(traded, one));
            let above = _mm256_cmp_pd::<_CMP_GE_OQ>(h, minus_one);
            let below = _mm256_cmp_pd::<_CMP_LE_OQ>(h, one);
            good_positions = _mm256_and_pd(good_positions, _mm256_and_pd(above, below));
            // Prefix product: a = g * [1, g0, g1, g2], p = a * [1, 1, a0, a1].
            let shifted = _mm256_blend_pd::<0b0001>(_mm256_permute4x64_pd::<0x90>(g), one);
            let a = _mm256_mul_pd(g, shifted);
            let shifted = _mm256_blend_pd::<0b0011>(_mm256_permute4x64_pd::<0x40>(a), one);
            let p = _mm256_mul_pd(a, shifted);
            let curve_k = _mm256_mul_pd(e, p);
            _mm256_storeu_pd(curve.as_mut_ptr().add(k), curve_k);
            low = _mm256_min_pd(low, curve_k);
            high = _mm256_max_pd(high, curve_k);
            e = _mm256_permute4x64_pd::<0xFF>(curve_k);
        }
        _mm256_storeu_pd(m.sum.as_mut_ptr(), sum);
        _mm256_storeu_pd(m.sum_sq.as_mut_ptr(), sum_sq);
        _mm256_storeu_pd(m.down_sq.as_mut_ptr(), down_sq);
        _mm256_storeu_pd(m.turnover.as_mut_ptr(), turnover);
        _mm256_storeu_pd(m.trades.as_mut_ptr(), trades);
        let (mut lows, mut highs) = ([0.0; LANES], [0.0; LANES]);
        _mm256_storeu_pd(lows.as_mut_ptr(), low);
        _mm256_storeu_pd(highs.as_mut_ptr(), high);
        let mut run = Running {
            low: lows.into_iter().fold(f64::INFINITY, super::smaller),
            high: highs.into_iter().fold(f64::NEG_INFINITY, super::larger),
            checked: Checked {
                positions: _mm256_movemask_pd(good_positions) == 0b1111,
                closes: _mm256_movemask_pd(good_closes) == 0b1111,
            },
        };
        let mut last = _mm256_cvtsd_f64(e);
        tail(b, curve, m, &mut run, &mut last, body);
        *equity = last;
        (run.checked, run.low, run.high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(len: usize) -> (Vec<f64>, Vec<f64>) {
        let close: Vec<f64> = (0..=len)
            .map(|i| 100.0 + (((i * 7919) % 1013) as f64 - 506.0) * 0.01)
            .collect();
        let held = (0..len)
            .map(|i| [1.0, 1.0, 0.5, -1.0, 0.0, -0.25][(i / 3) % 6])
            .collect();
        (close, held)
    }

    #[test]
    fn both_paths_agree() {
        for len in [0, 1, 3, 4, 5, 17, 2048] {
            let (close, held) = series(len);
            let returns: Vec<f64> = close.windows(2).map(|w| w[1] / w[0] - 1.0).collect();
            let mut results = Vec::new();
            for (portable, r) in [
                (false, Returns::FromClose(&close)),
                (false, Returns::Given(&returns)),
                (true, Returns::FromClose(&close)),
            ] {
                let (mut curve, mut m, mut a) =
                    (vec![0.0; len], Moments::default(), Account::default());
                let checked = if portable {
                    // As a CPU without AVX2 runs it, after `run`'s first-bar setup.
                    m.shift = bar_growth(held[0], 0.5, returns[0], 7e-4) - 1.0;
                    m.started = true;
                    let block = Block {
                        held: &held,
                        before: 0.5,
                        returns: r,
                        cost: 7e-4,
                    };
                    let (checked, low, high) =
                        run_portable(&block, &mut curve, &mut m, &mut a.equity);
                    m.count += len;
                    a.settle(&curve, low, high);
                    checked
                } else {
                    run(&held, 0.5, r, 7e-4, &mut curve, &mut m, &mut a)
                };
                assert_eq!(
                    checked,
                    Checked {
                        positions: true,
                        closes: true
                    }
                );
                results.push((curve, format!("{m:?}"), format!("{a:?}")));
                if len == 0 {
                    break;
                }
            }
            assert!(results.windows(2).all(|w| w[0] == w[1]), "{len}");
        }
    }

    #[test]
    fn flags_a_bad_position_or_close_in_the_vector_body_and_in_the_tail() {
        for bad in [2, 5, 9] {
            let (mut close, mut held) = series(10);
            let run_once = |held: &[f64], close: &[f64]| {
                let (mut curve, mut m, mut a) =
                    (vec![0.0; 10], Moments::default(), Account::default());
                run(
                    held,
                    0.0,
                    Returns::FromClose(close),
                    0.0,
                    &mut curve,
                    &mut m,
                    &mut a,
                )
            };
            held[bad] = 1.5;
            assert_eq!(
                run_once(&held, &close),
                Checked {
                    positions: false,
                    closes: true
                }
            );
            held[bad] = 0.0;
            close[bad + 1] = f64::NAN;
            assert_eq!(
                run_once(&held, &close),
                Checked {
                    positions: true,
                    closes: false
                }
            );
        }
    }
}
