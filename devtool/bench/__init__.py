"""`devtool bench`: Rust against the fallback by input size, with confidence intervals and a gate."""
