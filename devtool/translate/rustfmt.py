"""Format emitted Rust with rustfmt, the way the engine's code is formatted (a subprocess at the edge)."""

from __future__ import annotations

import shutil
import subprocess


def format_rust(text: str, edition: str = "2021") -> str | None:
    """`text` as rustfmt formats it, or None when rustfmt is not installed or fails."""
    rustfmt = shutil.which("rustfmt")
    if rustfmt is None:
        return None
    done = subprocess.run(
        [rustfmt, "--edition", edition, "--emit", "stdout"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None
