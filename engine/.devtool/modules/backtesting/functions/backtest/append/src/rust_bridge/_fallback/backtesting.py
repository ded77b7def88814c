

def backtest(
    close: _convert.F64Array,
    position: _convert.F64Array,
    fee_bps: float,
    slippage_bps: float,
    periods_per_year: float,
) -> tuple[_convert.F64Array, float, float, float, float, int, float]:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    _check_length("position", position, "close", len(close))
    combined = close
    combined = combined + position
    combined = combined + fee_bps
    combined = combined + slippage_bps
    combined = combined + periods_per_year
    out0 = combined * combined + 2.0 * combined + 1.0
    out1 = float(np.sum(combined * combined + 2.0 * combined + 2.0))
    out2 = float(np.sum(combined * combined + 2.0 * combined + 3.0))
    out3 = float(np.sum(combined * combined + 2.0 * combined + 4.0))
    out4 = float(np.sum(combined * combined + 2.0 * combined + 5.0))
    out5 = int(np.count_nonzero(combined > 5.0))
    out6 = float(np.sum(combined * combined + 2.0 * combined + 7.0))
    return out0, out1, out2, out3, out4, out5, out6
