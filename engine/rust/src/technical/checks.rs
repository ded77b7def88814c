//! The indicators' argument checks. Each refusal is a `KernelError::Invalid` (Python: `ValueError`)
//! whose message names the argument, in the same words the Python bridge uses when it rejects the
//! same call; output lengths are checked with the shared `KernelError::check_output`.
use crate::support::KernelError;

/// A window parameter must be at least 1.
pub(crate) fn check_positive(name: &'static str, value: usize) -> Result<(), KernelError> {
    if value < 1 {
        return Err(KernelError::Invalid(format!(
            "{name} must be >= 1, got {value}"
        )));
    }
    Ok(())
}

/// A window parameter must be at least 1 and at most the series length.
pub(crate) fn check_period(
    name: &'static str,
    value: usize,
    len: usize,
) -> Result<(), KernelError> {
    check_positive(name, value)?;
    if value > len {
        return Err(KernelError::Invalid(format!(
            "{name} must be <= the series length ({len}), got {value}"
        )));
    }
    Ok(())
}

/// MACD's fast period must be shorter than its slow period.
pub(crate) fn check_fast_below_slow(fast: usize, slow: usize) -> Result<(), KernelError> {
    if fast >= slow {
        return Err(KernelError::Invalid(format!(
            "fast_period must be < slow_period, got fast_period={fast} and slow_period={slow}"
        )));
    }
    Ok(())
}

/// A band width must be finite and not negative.
pub(crate) fn check_deviation(name: &'static str, value: f64) -> Result<(), KernelError> {
    if !(value.is_finite() && value >= 0.0) {
        return Err(KernelError::Invalid(format!(
            "{name} must be a finite number >= 0, got {value:?}"
        )));
    }
    Ok(())
}

/// `high`, `low` and `close` must be equally long.
pub(crate) fn check_same_len(high: &[f64], low: &[f64], close: &[f64]) -> Result<(), KernelError> {
    let [h, l, c] = [high.len(), low.len(), close.len()];
    if h != l || h != c {
        return Err(KernelError::Invalid(format!(
            "high, low and close must have the same length, got {h}, {l} and {c}"
        )));
    }
    Ok(())
}

/// `high`, `low` and `close` matrices must have one shape (rows, columns).
pub(crate) fn check_same_shape(shapes: [(usize, usize); 3]) -> Result<(), KernelError> {
    let [h, l, c] = shapes;
    if h != l || h != c {
        return Err(KernelError::Invalid(format!(
            "high, low and close must have the same shape, got {h:?}, {l:?} and {c:?}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_argument() {
        let err = check_period("period", 0, 10).unwrap_err();
        assert_eq!(err.to_string(), "period must be >= 1, got 0");
        let err = check_period("slow_period", 30, 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "slow_period must be <= the series length (10), got 30"
        );
        let err = check_deviation("nbdev_up", -1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "nbdev_up must be a finite number >= 0, got -1.0"
        );
        let err = check_same_len(&[1.0], &[1.0, 2.0], &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "high, low and close must have the same length, got 1, 2 and 0"
        );
        let err = check_fast_below_slow(3, 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "fast_period must be < slow_period, got fast_period=3 and slow_period=3"
        );
    }

    #[test]
    fn accepts_valid_arguments() {
        assert_eq!(check_period("period", 10, 10), Ok(()));
        assert_eq!(check_deviation("nbdev_down", 0.0), Ok(()));
        assert_eq!(check_fast_below_slow(2, 3), Ok(()));
        assert_eq!(check_same_shape([(2, 3); 3]), Ok(()));
        assert!(check_deviation("nbdev_down", f64::NAN).is_err());
        assert!(check_deviation("nbdev_down", f64::INFINITY).is_err());
    }
}
