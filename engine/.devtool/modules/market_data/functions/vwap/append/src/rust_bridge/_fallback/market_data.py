

def vwap(prices: _convert.F64Array, sizes: _convert.F64Array) -> float:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    _check_length("sizes", sizes, "prices", len(prices))
    combined = prices
    combined = combined + sizes
    return float(np.sum(combined * combined + 2.0 * combined + 1.0))
