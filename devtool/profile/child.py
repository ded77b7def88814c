"""`python -m devtool.profile.child STATUS TARGET CWD`: run one target inside the process py-spy samples.

The target runs through `profile_target.enter_target`, the frame where the sampled stacks are cut,
so interpreter start-up, imports and `--setup` stay out of the profile. How it ended (a failure
with its traceback, or none) is written as JSON to STATUS, since py-spy does not pass the exit code on.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from ..errors import DevtoolError
from .target import Target, enter_target, prepare, run

#: The PYTHONPATH entry the parent added so that `devtool` imports in the child, removed on start.
ADDED_PATH_ENV = "DEVTOOL_PROFILE_ADDED_PATH"


def main(argv: list[str]) -> int:
    status_file, target_json, cwd = argv
    fields = json.loads(target_json)
    target = Target(**{**fields, "argv": tuple(fields["argv"])})
    _forget_own_path()
    try:
        invocation = prepare(target, Path(cwd))
    except DevtoolError as err:
        _write(status_file, {"error": str(err), "failure": None, "wall_s": 0.0})
        return 2
    start = time.perf_counter()
    failure = run(invocation, enter_target)
    wall = time.perf_counter() - start
    _write(status_file, {"error": None, "failure": asdict(failure) if failure else None, "wall_s": wall})
    return 0


def _forget_own_path() -> None:
    """Drop the entry the parent added so this module imports: the target sees its usual sys.path."""
    added = os.environ.pop(ADDED_PATH_ENV, None)
    if added and added in sys.path[1:]:
        sys.path.pop(sys.path.index(added, 1))


def _write(status_file: str, status: dict[str, object]) -> None:
    Path(status_file).write_text(json.dumps(status), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
