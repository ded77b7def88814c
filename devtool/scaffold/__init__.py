"""The module life cycle: signature, render, new-module, update-module, remove-module, list."""
