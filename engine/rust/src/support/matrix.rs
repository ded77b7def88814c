//! `Matrix`: a row-major matrix borrowed from a C-contiguous 2-D array (no PyO3 here; the
//! binding borrows one with `bind::matrix`).
use super::KernelError;

/// A row-major matrix borrowed from a C-contiguous 2-D array.
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'a> {
    data: &'a [f64],
    rows: usize,
    cols: usize,
}

impl<'a> Matrix<'a> {
    /// `data` read as `rows` rows of `cols` values, else `KernelError::BadShape`.
    pub fn new(data: &'a [f64], rows: usize, cols: usize) -> Result<Self, KernelError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            let len = data.len();
            return Err(KernelError::BadShape { len, rows, cols });
        }
        Ok(Self { data, rows, cols })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Every value, row after row.
    pub fn data(&self) -> &'a [f64] {
        self.data
    }

    /// The `cols` values of row `row`.
    pub fn row(&self, row: usize) -> &'a [f64] {
        &self.data[row * self.cols..(row + 1) * self.cols]
    }

    /// The sum of row `row`, left to right.
    pub fn row_sum(&self, row: usize) -> f64 {
        self.row(row).iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_the_data() -> Result<(), KernelError> {
        let m = Matrix::new(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3)?;
        assert_eq!((m.rows(), m.cols()), (2, 3));
        assert_eq!(m.row(1), &[4.0, 5.0, 6.0]);
        assert_eq!(m.row_sum(0), 6.0);
        Ok(())
    }

    #[test]
    fn a_wrong_shape_is_refused() {
        let err = Matrix::new(&[1.0; 5], 2, 3).unwrap_err();
        assert_eq!(err.to_string(), "5 values do not make a 2 x 3 matrix");
    }
}
