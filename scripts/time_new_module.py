"""How long `devtool new-module` takes, and where the time goes (measured in one run, on a scratch engine).

    python scripts/time_new_module.py

1. checks + rendering + registration (the plan, in memory: `plan_new_module`), median of repeated runs;
2. a whole `new-module` run with its build, `cargo test` and pytest, on a warm target directory
   (a first module warms it; the second is the incremental figure users see).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch_env import make_scratch

from devtool.names import check_identifier, check_module_name
from devtool.scaffold import render
from devtool.scaffold.new_module import plan_new_module
from devtool.scaffold.signature import parse_signature
from devtool.toolchain import check_toolchain
from devtool.workspace import find_workspace


def time_plan(engine: Path, rounds: int = 20) -> list[float]:
    ws = find_workspace(engine=engine)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        check_module_name("rolling")
        check_identifier("zscore", "function name")
        signature = parse_signature("values: f64[], window: usize -> f64[]")
        plan_new_module(ws, "rolling", "zscore", signature, template_dir=render.TEMPLATE_DIR)
        times.append(time.perf_counter() - started)
    return times


def run_new_module(engine: Path, python: Path, module: str) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [str(python), "-m", "devtool", "new-module", module, "--function", f"{module}_fn",
         "--signature", "values: f64[], window: usize -> f64[]", "--json", "--engine", str(engine)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"new-module failed:\n{proc.stdout}\n{proc.stderr}")
    timings: dict[str, float] = json.loads(proc.stdout)["timings"]
    return {**timings, "wall (incl. interpreter start)": wall}


def main() -> None:
    check_toolchain()
    with tempfile.TemporaryDirectory(prefix="devtool-timing-") as tmp:
        engine, python = make_scratch(Path(tmp))
        plan = time_plan(engine)
        print(f"checks + rendering + registration: median {statistics.median(plan) * 1e3:.0f} ms "
              f"over {len(plan)} runs (first {plan[0] * 1e3:.0f} ms; goal < 1000 ms)")  # fmt: skip
        for label, module in [("first module (warms the target dir)", "warm"), ("incremental", "rolling")]:
            timings = run_new_module(engine, python, module)
            parts = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
            print(f"new-module, {label}: {parts}")


if __name__ == "__main__":
    main()
