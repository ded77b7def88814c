//! Exponential smoothing, `e[i] = a·e[i-1] + k·x[i]`: the recursion inside EMA, MACD, RSI and ATR.
//!
//! A recursion is bound by the latency of its dependency chain, not by arithmetic throughput, so
//! [`Smoothing::run`] advances four points per step: only one multiply-add per four points waits
//! on the previous result, and with `cpu::Fused` it is a single instruction.
use super::cpu::MulAdd;

/// The coefficients of `e[i] = a·e[i-1] + k·x[i]`, with the powers of `a` used four points at a time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Smoothing {
    k: f64,
    a: [f64; 4],
}

impl Smoothing {
    /// An EMA's weights: `k = 2 / (period + 1)`, as TA-Lib.
    pub(crate) fn ema(period: usize) -> Self {
        let k = 2.0 / (period as f64 + 1.0);
        Self::new(1.0 - k, k)
    }

    /// Wilder's weights (RSI, ATR): `k = 1 / period`.
    pub(crate) fn wilder(period: usize) -> Self {
        let p = period as f64;
        Self::new((p - 1.0) / p, 1.0 / p)
    }

    fn new(a: f64, k: f64) -> Self {
        Self {
            k,
            a: [a, a * a, a * a * a, (a * a) * (a * a)],
        }
    }

    /// The weight `k` of each new input.
    pub(crate) fn k(&self) -> f64 {
        self.k
    }

    /// `a`, `a²`, `a³`, `a⁴`: the weights of [`Smoothing::step4`].
    pub(crate) fn powers(&self) -> [f64; 4] {
        self.a
    }

    /// Smooths `xs` on from `e`, writing each value to `out` (as long as `xs`); returns the last one.
    #[inline(always)]
    pub(crate) fn run<M: MulAdd>(&self, e: f64, xs: &[f64], out: &mut [f64]) -> f64 {
        self.run_weighted::<M>(e, xs, out, self.k)
    }

    /// As [`Smoothing::run`], for inputs already multiplied by `k` (in a vectorised pass).
    #[inline(always)]
    pub(crate) fn run_prescaled<M: MulAdd>(&self, e: f64, kxs: &[f64], out: &mut [f64]) -> f64 {
        self.run_weighted::<M>(e, kxs, out, 1.0)
    }

    /// Smooths `xs` multiplied by `weight`.
    #[inline(always)]
    fn run_weighted<M: MulAdd>(&self, e: f64, xs: &[f64], out: &mut [f64], weight: f64) -> f64 {
        let mut x4 = xs.chunks_exact(4);
        let mut out4 = out.chunks_exact_mut(4);
        let mut e4 = [e; 4];
        for (x, o) in (&mut x4).zip(&mut out4) {
            let kx = [weight * x[0], weight * x[1], weight * x[2], weight * x[3]];
            let values;
            (values, e4) = self.step4::<M>(e4, kx);
            o.copy_from_slice(&values);
        }
        let mut e = e4[0];
        for (x, o) in x4.remainder().iter().zip(out4.into_remainder()) {
            e = M::mul_add(self.a[0], e, weight * x);
            *o = e;
        }
        e
    }

    /// The four values after `e`, given the next four inputs times `k`, and the last of them
    /// again in all four lanes. With `c` the partial sums of the inputs weighted by powers of
    /// `a`, the values are `a^j·e + c_j`: the chain from one step to the next is one multiply-add.
    ///
    /// `e` is carried in four equal lanes so that the chain stays one vector multiply-add: with a
    /// scalar `e`, the compiler may pack the four multiply-adds into a vector and take the next
    /// `e` out of its last lane, which puts an extract and a broadcast on the chain (11 cycles
    /// instead of 4 per step; EMA at 1e4 points took 1.8x as long).
    #[inline(always)]
    fn step4<M: MulAdd>(&self, e: [f64; 4], kx: [f64; 4]) -> ([f64; 4], [f64; 4]) {
        let [a1, _, _, a4] = self.a;
        let c1 = kx[0];
        let c2 = M::mul_add(a1, c1, kx[1]);
        let c3 = M::mul_add(a1, c2, kx[2]);
        let c4 = M::mul_add(a1, c3, kx[3]);
        let c = [c1, c2, c3, c4];
        let values = [0, 1, 2, 3].map(|j| M::mul_add(self.a[j], e[j], c[j]));
        let next = e.map(|e| M::mul_add(a4, e, c4));
        (values, next)
    }
}

/// Two inputs, already multiplied by `k`, smoothed by `s` side by side (RSI's average gain and
/// loss), writing `combine(first, second)` of each row's two values: one loop, so the CPU overlaps
/// the two chains, and no buffer for either series.
#[inline(always)]
pub(crate) fn run_pair_prescaled<M: MulAdd>(
    s: &Smoothing,
    (e1, e2): (f64, f64),
    (kx1, kx2): (&[f64], &[f64]),
    out: &mut [f64],
    combine: impl Fn(f64, f64) -> f64,
) -> (f64, f64) {
    let done = out.len() / 4 * 4;
    let mut x4 = kx1.chunks_exact(4).zip(kx2.chunks_exact(4));
    let mut out4 = out.chunks_exact_mut(4);
    let (mut e1x4, mut e2x4) = ([e1; 4], [e2; 4]);
    for ((x1, x2), o) in (&mut x4).zip(&mut out4) {
        let (a, b);
        (a, e1x4) = s.step4::<M>(e1x4, [x1[0], x1[1], x1[2], x1[3]]);
        (b, e2x4) = s.step4::<M>(e2x4, [x2[0], x2[1], x2[2], x2[3]]);
        for j in 0..4 {
            o[j] = combine(a[j], b[j]);
        }
    }
    let (mut e1, mut e2) = (e1x4[0], e2x4[0]);
    let rest = kx1[done..].iter().zip(&kx2[done..]);
    for ((x1, x2), o) in rest.zip(out4.into_remainder()) {
        e1 = M::mul_add(s.a[0], e1, *x1);
        e2 = M::mul_add(s.a[0], e2, *x2);
        *o = combine(e1, e2);
    }
    (e1, e2)
}

/// Two smoothings of the same input advanced together (MACD's fast and slow EMAs), writing only
/// their difference: one pass over `xs`, no buffer for either line.
///
/// `LANES`: whether each state goes from one step to the next in the four equal lanes that
/// [`Smoothing::step4`] returns, or as the step's last value (the pre-lane shape); the bits are the
/// same. MACD keeps the lanes in `chunked`'s threaded chunks (without them 1e6 points took 1.13x as
/// long) and runs on one thread without them (1e3-1e4 points 6-8% faster, kernel alone).
#[inline(always)]
pub(crate) fn run_difference<M: MulAdd, const LANES: bool>(
    (first, second): (&Smoothing, &Smoothing),
    (e1, e2): (f64, f64),
    xs: &[f64],
    out: &mut [f64],
) -> (f64, f64) {
    let mut x4 = xs.chunks_exact(4);
    let mut out4 = out.chunks_exact_mut(4);
    let (mut e1x4, mut e2x4) = ([e1; 4], [e2; 4]);
    for (x, o) in (&mut x4).zip(&mut out4) {
        let kx = |s: &Smoothing| [s.k * x[0], s.k * x[1], s.k * x[2], s.k * x[3]];
        let (a, b);
        (a, e1x4) = first.step4::<M>(e1x4, kx(first));
        (b, e2x4) = second.step4::<M>(e2x4, kx(second));
        for j in 0..4 {
            o[j] = a[j] - b[j];
        }
        if !LANES {
            (e1x4, e2x4) = ([a[3]; 4], [b[3]; 4]);
        }
    }
    let (mut e1, mut e2) = (e1x4[0], e2x4[0]);
    for (x, o) in x4.remainder().iter().zip(out4.into_remainder()) {
        e1 = M::mul_add(first.a[0], e1, first.k * x);
        e2 = M::mul_add(second.a[0], e2, second.k * x);
        *o = e1 - e2;
    }
    (e1, e2)
}

/// The mean of `xs`, summed in order as TA-Lib seeds its averages.
#[inline(always)]
pub(crate) fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technical::cpu::{dispatch, Kernel, Separate};

    /// The textbook recursion, one point at a time.
    fn naive(a: f64, k: f64, mut e: f64, xs: &[f64]) -> Vec<f64> {
        xs.iter()
            .map(|x| {
                e = a * e + k * x;
                e
            })
            .collect()
    }

    struct Run<'a>(Smoothing, &'a [f64], &'a mut [f64]);

    impl Kernel for Run<'_> {
        type Output = f64;
        #[inline(always)]
        fn run<M: MulAdd>(self) -> f64 {
            self.0.run::<M>(1.0, self.1, self.2)
        }
    }

    #[test]
    fn four_point_steps_match_the_plain_recursion() {
        let xs: Vec<f64> = (0..1003).map(|i| ((i * 37) % 101) as f64 - 50.0).collect();
        let s = Smoothing::ema(10);
        let expected = naive(s.a[0], s.k, 1.0, &xs);
        let mut fused = vec![0.0; xs.len()];
        let last = dispatch(Run(s, &xs, &mut fused));
        let mut separate = vec![0.0; xs.len()];
        Run(s, &xs, &mut separate).run::<Separate>();
        for ((f, p), e) in fused.iter().zip(&separate).zip(&expected) {
            assert!((f - e).abs() <= 1e-12 * (1.0 + e.abs()), "{f} vs {e}");
            assert!((p - e).abs() <= 1e-12 * (1.0 + e.abs()), "{p} vs {e}");
        }
        assert_eq!(last, *fused.last().unwrap());
    }

    #[test]
    fn a_pair_equals_two_single_runs_bit_for_bit() {
        let s = Smoothing::wilder(14);
        for len in 0..13 {
            let g: Vec<f64> = (0..len).map(|i| ((i * 37) % 11) as f64).collect();
            let l: Vec<f64> = (0..len).map(|i| ((i * 17) % 7) as f64).collect();
            let (mut og, mut ol, mut pair) = (vec![0.0; len], vec![0.0; len], vec![0.0; len]);
            let eg = s.run_prescaled::<Separate>(3.0, &g, &mut og);
            let el = s.run_prescaled::<Separate>(2.0, &l, &mut ol);
            let ends =
                run_pair_prescaled::<Separate>(&s, (3.0, 2.0), (&g, &l), &mut pair, |a, b| a - b);
            assert_eq!(
                (ends.0.to_bits(), ends.1.to_bits()),
                (eg.to_bits(), el.to_bits())
            );
            for ((p, a), b) in pair.iter().zip(&og).zip(&ol) {
                assert_eq!(p.to_bits(), (a - b).to_bits(), "len {len}");
            }
        }
    }

    #[test]
    fn weights_follow_ta_lib() {
        let ema = Smoothing::ema(9);
        assert_eq!(ema.k, 0.2);
        let wilder = Smoothing::wilder(4);
        assert_eq!((wilder.a[0], wilder.k), (0.75, 0.25));
    }

    #[test]
    fn non_finite_inputs_stay_visible_in_the_state() {
        // With a = 0 (period 1) the state must still absorb NaN: 0 · NaN is NaN.
        for period in [1, 2, 30] {
            let s = Smoothing::ema(period);
            let mut xs = vec![1.0; 9];
            xs[2] = f64::INFINITY;
            xs[3] = f64::NEG_INFINITY;
            let mut out = vec![0.0; 9];
            assert!(
                !dispatch(Run(s, &xs, &mut out)).is_finite(),
                "period {period}"
            );
        }
    }
}
