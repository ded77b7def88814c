//! Why a kernel refused its arguments.
//!
//! Kernels return these instead of panicking. Each message names the argument, in the same words
//! the Python bridge uses when it rejects the same call.
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum KernelError {
    /// A window of zero points.
    PeriodTooSmall { name: &'static str, value: usize },
    /// A window longer than the series.
    PeriodTooLong {
        name: &'static str,
        value: usize,
        len: usize,
    },
    /// MACD's fast period is not shorter than its slow period.
    FastNotBelowSlow { fast: usize, slow: usize },
    /// A band width that is negative or not finite.
    BadDeviation { name: &'static str, value: f64 },
    /// `high`, `low` and `close` of different lengths.
    LengthMismatch { lens: [usize; 3] },
    /// `high`, `low` and `close` matrices of different shapes.
    ShapeMismatch { shapes: [(usize, usize); 3] },
    /// A buffer whose length does not fit its shape: a bug in the caller, not bad user input.
    BadBuffer {
        name: &'static str,
        len: usize,
        expected: usize,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PeriodTooSmall { name, value } => write!(f, "{name} must be >= 1, got {value}"),
            Self::PeriodTooLong { name, value, len } => {
                write!(
                    f,
                    "{name} must be <= the series length ({len}), got {value}"
                )
            }
            Self::FastNotBelowSlow { fast, slow } => write!(
                f,
                "fast_period must be < slow_period, got fast_period={fast} and slow_period={slow}"
            ),
            Self::BadDeviation { name, value } => {
                write!(f, "{name} must be a finite number >= 0, got {value:?}")
            }
            Self::LengthMismatch { lens: [h, l, c] } => write!(
                f,
                "high, low and close must have the same length, got {h}, {l} and {c}"
            ),
            Self::ShapeMismatch { shapes: [h, l, c] } => write!(
                f,
                "high, low and close must have the same shape, got {h:?}, {l:?} and {c:?}"
            ),
            Self::BadBuffer {
                name,
                len,
                expected,
            } => {
                write!(f, "{name} has {len} elements, expected {expected}")
            }
        }
    }
}

impl std::error::Error for KernelError {}

/// A window parameter must be at least 1.
pub(crate) fn check_positive(name: &'static str, value: usize) -> Result<(), KernelError> {
    if value < 1 {
        return Err(KernelError::PeriodTooSmall { name, value });
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
        return Err(KernelError::PeriodTooLong { name, value, len });
    }
    Ok(())
}

/// A band width must be finite and not negative.
pub(crate) fn check_deviation(name: &'static str, value: f64) -> Result<(), KernelError> {
    if !(value.is_finite() && value >= 0.0) {
        return Err(KernelError::BadDeviation { name, value });
    }
    Ok(())
}

/// `high`, `low` and `close` must be equally long.
pub(crate) fn check_same_len(high: &[f64], low: &[f64], close: &[f64]) -> Result<(), KernelError> {
    let lens = [high.len(), low.len(), close.len()];
    if lens[0] != lens[1] || lens[0] != lens[2] {
        return Err(KernelError::LengthMismatch { lens });
    }
    Ok(())
}

/// A buffer must hold exactly `expected` elements.
pub(crate) fn check_buffer(
    name: &'static str,
    len: usize,
    expected: usize,
) -> Result<(), KernelError> {
    if len != expected {
        return Err(KernelError::BadBuffer {
            name,
            len,
            expected,
        });
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
    }

    #[test]
    fn accepts_valid_arguments() {
        assert_eq!(check_period("period", 10, 10), Ok(()));
        assert_eq!(check_deviation("nbdev_down", 0.0), Ok(()));
        assert!(check_deviation("nbdev_down", f64::NAN).is_err());
        assert!(check_deviation("nbdev_down", f64::INFINITY).is_err());
    }
}
