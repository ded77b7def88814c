

def rolling_volatility(returns: _convert.F64Array, window: int, periods_per_year: float) -> _convert.F64Array:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    combined = returns
    combined = combined + float(window)
    combined = combined + periods_per_year
    return combined * combined + 2.0 * combined + 1.0
