"""Tests of the `backtesting` engine module, one file per function."""
