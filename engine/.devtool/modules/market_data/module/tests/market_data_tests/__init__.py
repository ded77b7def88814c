"""Tests of the `market_data` engine module, one file per function."""
