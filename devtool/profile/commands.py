"""Whether the `new-module --from` command the profile prints would be accepted, checked before printing.

The check is `new-module`'s own (`read_python_function`: the file imports under the name the fallback
will use, the hints map), run in a child process of this interpreter: importing the user's file runs its
top-level code, which must not run inside the profile's process.

Run as `python -m devtool.profile.commands SPEC BASE SIGNATURE` (SIGNATURE may be empty): prints
`{"problem": null}` or the refusal.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: A file whose import takes longer than this is reported as unchecked, not refused.
CHECK_TIMEOUT_S = 120.0


def command_problem(spec: str, base: Path, signature: str | None = None) -> str | None:
    """Why `new-module --from SPEC [--signature SIG]` would be refused (FILE relative to `base`), or None."""
    command = [sys.executable, "-m", "devtool.profile.commands", spec, str(base), signature or ""]
    try:
        done = subprocess.run(
            command, cwd=base, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return f"not checked: importing {spec.rpartition(':')[0]} took more than {CHECK_TIMEOUT_S:.0f} s"
    last = done.stdout.strip().splitlines()[-1:] or [""]
    try:
        problem = json.loads(last[0])["problem"]
    except (ValueError, KeyError, TypeError):
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"not checked: the check failed (exit {done.returncode}): {said}"
    return str(problem) if problem is not None else None


def _main(spec: str, base: str, signature: str) -> None:
    from ..errors import DevtoolError
    from ..scaffold.python_source import read_python_function
    from ..scaffold.signature import parse_signature

    try:
        read_python_function(spec, Path(base), parse_signature(signature) if signature else None)
    except DevtoolError as err:
        print(json.dumps({"problem": str(err)}))
        return
    print(json.dumps({"problem": None}))


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2], sys.argv[3])
