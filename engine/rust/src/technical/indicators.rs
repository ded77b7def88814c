//! Pure-Rust indicator kernels over slices; no PyO3 here.

/// Simple moving average; the first `period - 1` outputs are NaN.
pub fn sma_into(values: &[f64], period: usize, out: &mut [f64]) {
    let mut sum = 0.0;
    for (i, &x) in values.iter().enumerate() {
        sum += x;
        if i >= period {
            sum -= values[i - period];
        }
        out[i] = if i + 1 >= period { sum / period as f64 } else { f64::NAN };
    }
}
