"""`python -m devtool`: the same as the `devtool` command."""

from .cli import main

main(prog_name="devtool")
