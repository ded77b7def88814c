//! Exponential smoothing, `e[i] = a·e[i-1] + k·x[i]`: the recursion inside EMA, MACD, RSI and ATR.
//!
//! A recursion is bound by the latency of its dependency chain, not by arithmetic throughput, so
//! [`Smoothing::run`] advances four points per step (only one multiply-add per four points waits
//! on the previous result) and [`dispatch`] runs the kernel on fused multiply-adds when the CPU has
//! them. `f64::mul_add` compiled without the `fma` target feature is a slow libm call, hence the
//! runtime check and a portable `a * b + c` path.

/// How `a * b + c` is computed inside a kernel.
pub(crate) trait MulAdd {
    fn mul_add(a: f64, b: f64, c: f64) -> f64;
}

/// One fused multiply-add instruction, one rounding.
pub(crate) enum Fused {}

impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

/// A multiplication then an addition: fast on every CPU.
pub(crate) enum Separate {}

impl MulAdd for Separate {
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// A kernel body, generic over how it multiplies and adds.
///
/// `run` and everything it calls must be `#[inline(always)]`: only code inlined into
/// `run_fused` is compiled with the `fma` feature enabled.
pub(crate) trait Recurrence {
    type Output;
    fn run<M: MulAdd>(self) -> Self::Output;
}

/// Runs `kernel` with fused multiply-adds when the CPU supports them.
#[cfg(target_arch = "x86_64")]
pub(crate) fn dispatch<K: Recurrence>(kernel: K) -> K::Output {
    if std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `run_fused` needs the `fma` and `avx2` CPU features, checked just above.
        unsafe { run_fused(kernel) }
    } else {
        kernel.run::<Separate>()
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_fused<K: Recurrence>(kernel: K) -> K::Output {
    kernel.run::<Fused>()
}

/// Runs `kernel` with fused multiply-adds, which are part of the base aarch64 instruction set.
#[cfg(target_arch = "aarch64")]
pub(crate) fn dispatch<K: Recurrence>(kernel: K) -> K::Output {
    kernel.run::<Fused>()
}

/// Runs `kernel` with a separate multiplication and addition.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) fn dispatch<K: Recurrence>(kernel: K) -> K::Output {
    kernel.run::<Separate>()
}

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

    /// Smooths `xs` on from `e`, writing each value to `out` (as long as `xs`); returns the last one.
    ///
    /// Four points per step: with `c` the partial sums of `k·x` weighted by powers of `a`, the
    /// values are `a^j·e + c_j`, so the chain from one step to the next is a single multiply-add.
    #[inline(always)]
    pub(crate) fn run_with<M: MulAdd>(&self, mut e: f64, x: impl Fn(usize) -> f64, out: &mut [f64]) -> f64 {
        let Self { k, a: [a1, a2, a3, a4] } = *self;
        let mut out4 = out.chunks_exact_mut(4);
        let mut i = 0;
        for o in &mut out4 {
            let c1 = k * x(i);
            let c2 = M::mul_add(a1, c1, k * x(i + 1));
            let c3 = M::mul_add(a1, c2, k * x(i + 2));
            let c4 = M::mul_add(a1, c3, k * x(i + 3));
            o[0] = M::mul_add(a1, e, c1);
            o[1] = M::mul_add(a2, e, c2);
            o[2] = M::mul_add(a3, e, c3);
            e = M::mul_add(a4, e, c4);
            o[3] = e;
            i += 4;
        }
        for o in out4.into_remainder() {
            e = M::mul_add(a1, e, k * x(i));
            *o = e;
            i += 1;
        }
        e
    }

    #[inline(always)]
    pub(crate) fn run<M: MulAdd>(&self, mut e: f64, xs: &[f64], out: &mut [f64]) -> f64 {
        let Self { k, a: [a1, a2, a3, a4] } = *self;
        let mut x4 = xs.chunks_exact(4);
        let mut out4 = out.chunks_exact_mut(4);
        for (x, o) in (&mut x4).zip(&mut out4) {
            let c1 = k * x[0];
            let c2 = M::mul_add(a1, c1, k * x[1]);
            let c3 = M::mul_add(a1, c2, k * x[2]);
            let c4 = M::mul_add(a1, c3, k * x[3]);
            o[0] = M::mul_add(a1, e, c1);
            o[1] = M::mul_add(a2, e, c2);
            o[2] = M::mul_add(a3, e, c3);
            e = M::mul_add(a4, e, c4);
            o[3] = e;
        }
        for (x, o) in x4.remainder().iter().zip(out4.into_remainder()) {
            e = M::mul_add(a1, e, k * x);
            *o = e;
        }
        e
    }
}

/// The mean of `xs`, summed in order as TA-Lib seeds its averages.
#[inline(always)]
pub(crate) fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

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

    impl Recurrence for Run<'_> {
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
            assert!(!dispatch(Run(s, &xs, &mut out)).is_finite(), "period {period}");
        }
    }
}
