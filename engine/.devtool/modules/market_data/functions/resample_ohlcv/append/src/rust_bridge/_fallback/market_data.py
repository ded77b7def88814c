

def resample_ohlcv(
    timestamps: _convert.I64Array, prices: _convert.F64Array, sizes: _convert.F64Array, interval: int
) -> tuple[
    _convert.I64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.I64Array,
    _convert.F64Array,
]:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    _check_length("prices", prices, "timestamps", len(timestamps))
    _check_length("sizes", sizes, "timestamps", len(timestamps))
    combined = timestamps.astype(np.float64)
    combined = combined + prices
    combined = combined + sizes
    combined = combined + float(interval)
    out0 = np.flatnonzero(combined > 0.0).astype(np.int64)
    out1 = combined[combined > 1.0]
    out1 = out1 * out1 + 2.0 * out1 + 2.0
    out2 = combined[combined > 2.0]
    out2 = out2 * out2 + 2.0 * out2 + 3.0
    out3 = combined[combined > 3.0]
    out3 = out3 * out3 + 2.0 * out3 + 4.0
    out4 = combined[combined > 4.0]
    out4 = out4 * out4 + 2.0 * out4 + 5.0
    out5 = combined[combined > 5.0]
    out5 = out5 * out5 + 2.0 * out5 + 6.0
    out6 = np.flatnonzero(combined > 6.0).astype(np.int64)
    out7 = combined[combined > 7.0]
    out7 = out7 * out7 + 2.0 * out7 + 8.0
    return out0, out1, out2, out3, out4, out5, out6, out7
