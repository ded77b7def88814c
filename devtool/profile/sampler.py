"""The low-overhead option: run the target under py-spy in a child process and read its samples.

py-spy reads the child's memory from outside (ptrace), so the target runs at full speed and native
frames (numpy, the Rust engine built with debug symbols) can be seen with `--native`. When the
system refuses (no py-spy binary, no ptrace permission) `SamplerRefused` says why, and the caller
falls back to cProfile.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..processes import start_group, stopped_on_exit
from .child import ADDED_PATH_ENV
from .errors import TargetSetupError
from .graph import FuncKey, Stacks, parse_folded
from .target import Target, TargetFailure

_PERMISSION_WORDS = ("Permission Denied", "Operation not permitted", "ptrace", "SYS_PTRACE")
_PTRACE_HINT = (
    "py-spy was refused permission to read the target process (ptrace): run as root, "
    "set /proc/sys/kernel/yama/ptrace_scope to 0, or start the container with --cap-add SYS_PTRACE"
)


class SamplerRefused(Exception):
    """py-spy could not sample this run; `reason` says why in a sentence a user can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SampledRun:
    """What one py-spy run gave: stacks cut at the target, how the target ended, what it printed."""

    stacks: Stacks
    samples: int
    seconds_per_sample: float
    failure: TargetFailure | None
    wall_s: float
    output: str


def find_py_spy(name: str = "py-spy") -> str | None:
    """The py-spy executable: `name` on PATH (or a path), else next to this interpreter."""
    found = shutil.which(name)
    if found:
        return found
    beside = Path(sys.executable).parent / name
    return str(beside) if os.sep not in name and beside.is_file() else None


def sample(
    target: Target, *, cwd: Path, py_spy: str = "py-spy", rate: int = 200, native: bool = False
) -> SampledRun:
    """Run `target` under `py-spy record` and read the samples taken inside it.

    Raises:
        SamplerRefused: py-spy is missing, was refused, or took no sample of the target.
        TargetSetupError: the target's `--setup` or `--call-args` raised in the child.
    """
    binary = find_py_spy(py_spy)
    if binary is None:
        where = f"{py_spy} does not exist" if os.sep in py_spy else f"no {py_spy} on PATH or beside Python"
        raise SamplerRefused(f"py-spy is not installed ({where}): pip install py-spy")
    with tempfile.TemporaryDirectory(prefix="devtool-py-spy-") as tmp:
        folded, status_file = Path(tmp) / "stacks.folded", Path(tmp) / "status.json"
        command = [binary, "record", "--format", "raw", "--output", str(folded), "--rate", str(rate)]
        command += ["--function", "--full-filenames", *(["--native"] if native else []), "--"]
        command += [
            sys.executable,
            "-m",
            "devtool.profile.child",
            str(status_file),
            _as_json(target),
            str(cwd),
        ]
        start = time.perf_counter()
        # Its own process group, stopped as a whole on Ctrl-C: py-spy alone would leave the target running.
        proc = start_group(command, cwd=cwd, env=_child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with stopped_on_exit(proc):
            stdout, stderr = proc.communicate()
        done = subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)
        wall = time.perf_counter() - start
        status = json.loads(status_file.read_text()) if status_file.exists() else None
        text = folded.read_text() if folded.exists() else None
    output = _target_output(done.stdout, done.stderr)
    if status is not None and status["error"]:
        raise TargetSetupError(status["error"])
    failure = TargetFailure(**status["failure"]) if status and status["failure"] else None
    if text is None:
        if status is not None and failure is not None:  # the target ran and failed before py-spy attached
            return SampledRun({}, 0, 1.0 / rate, failure, status["wall_s"], output)
        raise SamplerRefused(_why_nothing(done, status))
    stacks = parse_folded(text, seconds_per_sample=1.0 / rate, is_marker=_is_marker)
    samples = round(sum(stacks.values()) * rate)
    if samples == 0 and failure is None:
        ran = f" (it ran {status['wall_s'] * 1000:.0f} ms)" if status else ""
        raise SamplerRefused(f"py-spy took no sample inside the target{ran}: too short to sample")
    wall_s = status["wall_s"] if status else wall
    return SampledRun(stacks, samples, 1.0 / rate, failure, wall_s, output)


def _is_marker(key: FuncKey) -> bool:
    return key.name == "enter_target" and key.file.endswith(("profile/target.py", "profile\\target.py"))


def _as_json(target: Target) -> str:
    return json.dumps(asdict(target))


def _child_env() -> dict[str, str]:
    """This environment, with devtool importable in the child even when it is not installed."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])  # the folder that holds the devtool package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    env[ADDED_PATH_ENV] = root
    return env


def _target_output(stdout: str, stderr: str) -> str:
    """What the target printed, without py-spy's own `py-spy> ...` lines."""
    lines = [line for line in (stdout + stderr).splitlines() if not line.startswith("py-spy> ")]
    return "\n".join(lines).strip("\n")


def _why_nothing(done: subprocess.CompletedProcess[str], status: dict[str, object] | None) -> str:
    said = done.stderr + done.stdout
    if any(word in said for word in _PERMISSION_WORDS):
        return _PTRACE_HINT
    error = next((line for line in said.splitlines() if line.startswith("Error:")), "").removeprefix(
        "Error: "
    )
    if status is not None:
        return f"py-spy recorded nothing ({error or 'no samples'}): the target ended before it could attach"
    return f"py-spy failed (exit {done.returncode}): {error or said.strip()[-300:] or 'no message'}"
