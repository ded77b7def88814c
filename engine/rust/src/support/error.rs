//! `KernelError`: why a kernel refused its input, and the Python exception each variant becomes.
use pyo3::exceptions::{
    PyIndexError, PyNotImplementedError, PyOverflowError, PyValueError, PyZeroDivisionError,
};
use pyo3::PyErr;

/// Why a kernel refused its input. The binding raises it (`?` on a `Result<_, KernelError>`)
/// with this message: `ValueError` unless the variant says otherwise.
///
/// The checks every module makes have their own variants; a check of one kernel (a window too
/// long, an unsorted series) carries its message in `Invalid`. Each other Python exception a
/// kernel raises has one variant, which crosses as that exception, for kernels written by hand
/// and translated by devtool alike (`new-module --from` emits `KernelError::Index`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelError {
    /// The kernel is not written yet (a module made `new-module --from`): `NotImplementedError`.
    NotWritten,
    /// An array argument is not as long as the first one (a 2-D array: its number of rows).
    LengthMismatch {
        name: &'static str,
        first: &'static str,
        len: usize,
        expected: usize,
    },
    /// An output slice does not have one element per result element.
    OutputLength {
        name: &'static str,
        len: usize,
        expected: usize,
    },
    /// A matrix's data does not hold `rows * cols` values.
    BadShape {
        len: usize,
        rows: usize,
        cols: usize,
    },
    /// An argument the kernel cannot use: `ValueError` with this message.
    Invalid(String),
    /// A math domain error (`math.sqrt(-1.0)`, `math.log(0.0)`, `int(nan)`): `ValueError`.
    Value,
    /// An index outside the array, after Python's negative-index rule: `IndexError`.
    Index,
    /// A division by zero (`x / 0.0`, `n // 0`, `x % 0`): `ZeroDivisionError`.
    ZeroDivision,
    /// A result beyond what its type holds (an int outside i64, `math.exp(1000.0)`): `OverflowError`.
    Overflow,
}

impl KernelError {
    /// `Ok` when the array argument `name` is as long (`len`) as the first one, `first` (`expected`).
    pub fn check_length(
        name: &'static str,
        len: usize,
        first: &'static str,
        expected: usize,
    ) -> Result<(), Self> {
        if len == expected {
            return Ok(());
        }
        Err(Self::LengthMismatch {
            name,
            first,
            len,
            expected,
        })
    }

    /// `Ok` when the output slice `name` has the `expected` length.
    pub fn check_output(name: &'static str, len: usize, expected: usize) -> Result<(), Self> {
        if len == expected {
            return Ok(());
        }
        Err(Self::OutputLength {
            name,
            len,
            expected,
        })
    }
}

impl std::fmt::Display for KernelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotWritten => write!(f, "the Rust kernel is not written yet"),
            Self::LengthMismatch {
                name,
                first,
                len,
                expected,
            } => write!(
                f,
                "{name} must have the same length as {first}: {len} != {expected}"
            ),
            Self::OutputLength {
                name,
                len,
                expected,
            } => write!(f, "{name} has length {len}, expected {expected}"),
            Self::BadShape { len, rows, cols } => {
                write!(f, "{len} values do not make a {rows} x {cols} matrix")
            }
            Self::Invalid(message) => f.write_str(message),
            Self::Value => f.write_str("math domain error"),
            Self::Index => f.write_str("index out of range"),
            Self::ZeroDivision => f.write_str("division by zero"),
            Self::Overflow => f.write_str("result too large"),
        }
    }
}

impl std::error::Error for KernelError {}

impl From<KernelError> for PyErr {
    fn from(err: KernelError) -> Self {
        let message = err.to_string();
        match err {
            KernelError::NotWritten => PyNotImplementedError::new_err(message),
            KernelError::Index => PyIndexError::new_err(message),
            KernelError::ZeroDivision => PyZeroDivisionError::new_err(message),
            KernelError::Overflow => PyOverflowError::new_err(message),
            _ => PyValueError::new_err(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_the_argument() {
        assert_eq!(KernelError::check_length("b", 3, "a", 3), Ok(()));
        let err = KernelError::check_length("b", 2, "a", 3).unwrap_err();
        assert_eq!(err.to_string(), "b must have the same length as a: 2 != 3");
        let err = KernelError::check_output("out0", 1, 2).unwrap_err();
        assert_eq!(err.to_string(), "out0 has length 1, expected 2");
    }

    #[test]
    fn messages_are_carried_as_given() {
        let err = KernelError::Invalid("too large".into());
        assert_eq!(err.to_string(), "too large");
        assert_eq!(KernelError::Index.to_string(), "index out of range");
        assert_eq!(
            KernelError::NotWritten.to_string(),
            "the Rust kernel is not written yet"
        );
    }
}
