//! The NaN convention every kernel follows (the Python fallback follows the same one).
//!
//! * Leading rows in which an input is NaN, such as another indicator's warm-up, are skipped, as
//!   the `talib` Python wrapper does: the indicator starts at the first row without NaN, and its
//!   output is NaN before that row and during its own warm-up from there.
//! * From the first later row holding a NaN or ±inf in any input, every output is NaN.
//!
//! Spotting the second case costs nothing in the hot loops: NaN and ±inf are absorbing under +, −
//! and ×, so a running state (a window sum, a smoothed average) stays non-finite once such a value
//! has entered it. Kernels report whether every state they used ended finite, and only when one did
//! not is the input searched for the offending row.

/// Runs `kernel` on the rows after the leading NaNs and applies the convention to its outputs.
///
/// `kernel` gets the inputs and outputs from the first row without NaN on, writes every output
/// element, and returns whether all of its running states ended finite. Inputs and outputs must
/// all have the same length (callers check; shorter ones are never indexed past their end).
pub(crate) fn apply<const I: usize, const O: usize>(
    inputs: [&[f64]; I],
    mut outputs: [&mut [f64]; O],
    kernel: impl FnOnce([&[f64]; I], [&mut [f64]; O]) -> bool,
) {
    let len = inputs
        .iter()
        .map(|x| x.len())
        .chain(outputs.iter().map(|o| o.len()))
        .min();
    let len = len.unwrap_or(0);
    let begin = leading_nan_rows(&inputs, len);
    for out in outputs.iter_mut() {
        out[..begin].fill(f64::NAN);
    }
    let finite = kernel(
        inputs.map(|x| &x[begin..len]),
        outputs.each_mut().map(|out| &mut out[begin..len]),
    );
    if !finite {
        // No non-finite input means an overflow of finite inputs: keep what the arithmetic gave.
        if let Some(stop) = first_non_finite_row(&inputs, begin, len) {
            for out in outputs.iter_mut() {
                out[stop..].fill(f64::NAN);
            }
        }
    }
}

/// The number of leading rows (of the first `len`) in which some input is NaN.
fn leading_nan_rows(inputs: &[&[f64]], len: usize) -> usize {
    (0..len)
        .find(|&i| inputs.iter().all(|x| !x[i].is_nan()))
        .unwrap_or(len)
}

/// The first row in `from..len` in which some input is NaN or ±inf.
fn first_non_finite_row(inputs: &[&[f64]], from: usize, len: usize) -> Option<usize> {
    (from..len).find(|&i| inputs.iter().any(|x| !x[i].is_finite()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_kernel([x]: [&[f64]; 1], [out]: [&mut [f64]; 1]) -> bool {
        out.copy_from_slice(x);
        x.iter().sum::<f64>().is_finite()
    }

    #[test]
    fn skips_leading_nans_and_cuts_at_the_first_non_finite_value() {
        let x = [f64::NAN, f64::NAN, 1.0, 2.0, f64::INFINITY, 3.0];
        let mut out = [0.0; 6];
        apply([&x], [&mut out], copy_kernel);
        assert!(out[..2].iter().all(|v| v.is_nan()));
        assert_eq!(out[2..4], [1.0, 2.0]);
        assert!(out[4..].iter().all(|v| v.is_nan()));
    }

    #[test]
    fn all_nan_input_gives_all_nan_output() {
        let x = [f64::NAN; 3];
        let mut out = [0.0; 3];
        apply([&x], [&mut out], copy_kernel);
        assert!(out.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn a_row_is_leading_nan_when_any_input_is_nan() {
        let a = [1.0, 1.0, 1.0];
        let b = [1.0, f64::NAN, 1.0];
        assert_eq!(leading_nan_rows(&[&a, &b], 3), 0);
        let c = [f64::NAN, 1.0, 1.0];
        assert_eq!(leading_nan_rows(&[&a, &c], 3), 1);
        assert_eq!(first_non_finite_row(&[&a, &b], 0, 3), Some(1));
    }
}
