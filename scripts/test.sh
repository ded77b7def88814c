#!/usr/bin/env bash
# Set up, then run every check and test: what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source .venv/bin/activate

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/devtool/target}"
# The values maturin sets for pyo3's build script: with them, cargo and maturin share compiled dependencies.
export PYO3_PYTHON="$PWD/.venv/bin/python" PYO3_BUILD_EXTENSION_MODULE=1
export PYO3_ENVIRONMENT_SIGNATURE="$(python -c 'import sys; print(f"cpython-{sys.version_info[0]}.{sys.version_info[1]}-64bit")')"
MANIFEST=engine/rust/Cargo.toml

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --manifest-path "$MANIFEST" --check
step "cargo clippy -D warnings"
cargo clippy --manifest-path "$MANIFEST" --release --all-targets --quiet -- -D warnings
step "cargo test"
cargo test --manifest-path "$MANIFEST" --release --quiet
step "ruff"
ruff check .
ruff format --check .
step "mypy"
mypy
step "pytest"
pytest

# numpy picks its SIMD loops (log, exp, atanh, sums) by CPU at run time, so a float comparison that
# is exact on one machine can be an ulp off on another. Run the tests that compare floats of two
# libraries again with every SIMD feature that numpy dispatches to and this CPU has switched off, on
# numpy's baseline loops (the baseline itself cannot be switched off). About half a minute.
DISPATCHED="$(python -c '
try:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
except ImportError:  # numpy 1.x
    from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
print(" ".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f)))
')"
step "pytest -m float_parity with NPY_DISABLE_CPU_FEATURES=\"$DISPATCHED\""
NPY_DISABLE_CPU_FEATURES="$DISPATCHED" pytest -m float_parity
