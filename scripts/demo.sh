#!/usr/bin/env bash
# Set up, then run the main job on a scratch copy of the engine (your engine/ is left as it is):
# `devtool new-module` generates, registers, builds and tests a module; then Rust is compared with the
# numpy fallback on the engine's real indicators.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source .venv/bin/activate
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/devtool/target}"

scratch="$(mktemp -d -t devtool-demo-XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
python scripts/scratch_env.py "$scratch"   # a copy of engine/ and a virtualenv that sees .venv's packages

printf '\n==> devtool new-module (in a scratch copy of the engine: %s)\n' "$scratch/engine"
(cd "$scratch/engine" && "$scratch/venv/bin/python" -m devtool new-module demo_stats \
    --function zscore --signature "values: f64[], window: usize -> f64[]" --release)

printf '\n==> devtool list\n'
(cd "$scratch/engine" && "$scratch/venv/bin/python" -m devtool list)

# ta-lib-takt (a faster TA-Lib core, same output) has TA-Lib's `talib` import name, so it lives in a
# virtualenv of its own; compare.py finds .venv-takt and times it in separate processes. Not in CI.
if [ ! -x .venv-takt/bin/python ]; then
    printf '\n==> creating .venv-takt with ta-lib-takt (for the engine / TA-Lib / takt table)\n'
    python -m venv .venv-takt
    .venv-takt/bin/python -m pip install --quiet ta-lib-takt numpy
fi

printf '\n==> Rust against TA-Lib, ta-lib-takt and the numpy fallback (engine/benchmarks/compare.py)\n'
python engine/benchmarks/compare.py
