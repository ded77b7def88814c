

def log_returns(prices: _convert.F64Array) -> _convert.F64Array:
    """The kernel's placeholder in numpy (see its contract in the Rust file): replace both."""
    combined = prices
    return combined * combined + 2.0 * combined + 1.0
