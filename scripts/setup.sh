#!/usr/bin/env bash
# Set up everything from a clean checkout: a virtualenv with devtool and the test tools, the Rust crates,
# and the engine built into the virtualenv. Safe to rerun; later runs are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/devtool/target}"
PYTHON="${PYTHON:-python3}"

step() { printf '\n==> %s\n' "$*"; }

command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup (https://rustup.rs)" >&2; exit 2; }

if [ ! -x .venv/bin/python ]; then
    step "creating .venv"
    "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate

step "installing devtool and the test tools (pip)"
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e '.[test]'

step "fetching Rust crates (cargo fetch)"
cargo fetch --manifest-path engine/rust/Cargo.toml --quiet

step "building the engine into .venv (maturin develop --release)"
(cd engine && maturin develop --release --quiet)
python -c "import rust_bridge; assert rust_bridge.RUST_AVAILABLE, 'the compiled engine did not import'"
