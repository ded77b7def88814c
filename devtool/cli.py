"""The `devtool` command line: parse options, call one library function, render, exit."""

from __future__ import annotations

from typing import Any

import click

from . import __version__
from .errors import DevtoolError


class DevtoolGroup(click.Group):
    """The one place where library errors become messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DevtoolError as err:
            click.secho(f"error: {err}", fg="red", err=True)
            ctx.exit(err.exit_code)


@click.group(cls=DevtoolGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="devtool")
def main() -> None:
    """Move a Python trading system's hot paths into Rust: scaffold, build, verify, profile, benchmark."""
