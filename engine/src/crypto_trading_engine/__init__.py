"""The compiled Rust engine.

Each engine module is a submodule of the extension (`crypto_trading_engine.technical`, ...);
the extension registers them in `sys.modules`, so dotted imports work once this package loads.
"""

from .crypto_trading_engine import *  # noqa: F403
from .crypto_trading_engine import __build_profile__ as __build_profile__
from .crypto_trading_engine import __version__ as __version__
