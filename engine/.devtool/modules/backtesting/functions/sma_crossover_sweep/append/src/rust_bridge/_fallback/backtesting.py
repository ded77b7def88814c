

def sma_crossover_sweep(
    close: _convert.F64Array,
    fast_windows: _convert.I64Array,
    slow_windows: _convert.I64Array,
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
    allow_short: bool,
    threads: int,
) -> tuple[
    _convert.I64Array,
    _convert.I64Array,
    _convert.I64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.F64Array,
    _convert.I64Array,
    _convert.F64Array,
]:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    combined = close.sum(axis=1)
    combined = combined + float(np.sum(fast_windows))
    combined = combined + float(np.sum(slow_windows))
    combined = combined + fee_bps
    combined = combined + slippage_bps
    combined = combined + periods_per_year
    if allow_short:
        combined = -combined
    combined = combined + float(threads)
    out0 = np.flatnonzero(combined > 0.0).astype(np.int64)
    out1 = np.flatnonzero(combined > 1.0).astype(np.int64)
    out2 = np.flatnonzero(combined > 2.0).astype(np.int64)
    out3 = combined[combined > 3.0]
    out3 = out3 * out3 + 2.0 * out3 + 4.0
    out4 = combined[combined > 4.0]
    out4 = out4 * out4 + 2.0 * out4 + 5.0
    out5 = combined[combined > 5.0]
    out5 = out5 * out5 + 2.0 * out5 + 6.0
    out6 = combined[combined > 6.0]
    out6 = out6 * out6 + 2.0 * out6 + 7.0
    out7 = np.flatnonzero(combined > 7.0).astype(np.int64)
    out8 = combined[combined > 8.0]
    out8 = out8 * out8 + 2.0 * out8 + 9.0
    return out0, out1, out2, out3, out4, out5, out6, out7, out8
