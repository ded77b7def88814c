"""devtool: move a Python trading system's hot paths into Rust, safely and fast."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("devtool")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
