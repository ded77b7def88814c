//! Runs a kernel compiled for the CPU it finds: AVX2 and fused multiply-adds on x86-64 CPUs that
//! have them (detected once, at run time), portable code elsewhere.
//!
//! FMA shortens the dependency chains of the recursive indicators (one rounding, one instruction
//! for `a * b + c`), AVX2 doubles the width of the vectorised passes. `f64::mul_add` compiled
//! without the `fma` target feature is a slow libm call, so the portable path multiplies and adds
//! separately instead.

/// How `a * b + c` is computed inside a kernel.
pub(crate) trait MulAdd {
    /// Whether [`MulAdd::mul_add`] is one fused operation, one rounding.
    const FUSED: bool;
    fn mul_add(a: f64, b: f64, c: f64) -> f64;
}

/// One fused multiply-add instruction, one rounding.
pub(crate) enum Fused {}

impl MulAdd for Fused {
    const FUSED: bool = true;
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

/// A multiplication then an addition: fast on every CPU.
pub(crate) enum Separate {}

impl MulAdd for Separate {
    const FUSED: bool = false;
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// A kernel body, generic over how it multiplies and adds.
///
/// `run` and everything it calls must be `#[inline(always)]`: only code inlined into
/// `run_fused` is compiled with the `avx2` and `fma` features enabled.
pub(crate) trait Kernel {
    type Output;
    fn run<M: MulAdd>(self) -> Self::Output;
}

/// Runs `kernel` with fused multiply-adds when the CPU supports them.
#[cfg(target_arch = "x86_64")]
pub(crate) fn dispatch<K: Kernel>(kernel: K) -> K::Output {
    if std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `run_fused` needs the `fma` and `avx2` CPU features, checked just above.
        unsafe { run_fused(kernel) }
    } else {
        kernel.run::<Separate>()
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_fused<K: Kernel>(kernel: K) -> K::Output {
    kernel.run::<Fused>()
}

/// Runs `kernel` with fused multiply-adds, which are part of the base aarch64 instruction set.
#[cfg(target_arch = "aarch64")]
pub(crate) fn dispatch<K: Kernel>(kernel: K) -> K::Output {
    kernel.run::<Fused>()
}

/// Runs `kernel` with a separate multiplication and addition.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) fn dispatch<K: Kernel>(kernel: K) -> K::Output {
    kernel.run::<Separate>()
}
