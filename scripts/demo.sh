#!/usr/bin/env bash
# Set up, then run the main job on a scratch copy of the engine (your engine/ is left as it is):
# `devtool profile` finds the example strategy's bottleneck and prints the command that moves it;
# that command translates the Python function into Rust, verifies it against the original and serves
# it; `devtool bench` measures it. Then Rust is compared with TA-Lib, ta-lib-takt and the numpy
# fallback on the engine's real indicators.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source .venv/bin/activate
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/devtool/target}"

scratch="$(mktemp -d -t devtool-demo-XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
python scripts/scratch_env.py "$scratch"   # a copy of engine/ and a virtualenv that sees .venv's packages

scratch_devtool() { "$scratch/venv/bin/python" -m devtool "$@"; }
devtool_in_scratch() { scratch_devtool "$@" --engine "$scratch/engine"; }

printf '\n==> devtool profile examples/strategy.py\n'
scratch_devtool profile examples/strategy.py --top 5
# The first candidate's command, as the profile printed it (its --json carries the same).
command="$(scratch_devtool profile examples/strategy.py --json \
    | python -c 'import json, sys; print(json.load(sys.stdin)["candidates"][0]["suggested_command"])')"

printf '\n==> %s --release (in a scratch copy of the engine: %s)\n' "$command" "$scratch/engine"
read -r -a words <<< "$command"
devtool_in_scratch "${words[@]:1}" --release

printf '\n==> devtool list\n'
devtool_in_scratch list

printf '\n==> devtool bench strategy.kama: the translated kernel against the Python function\n'
devtool_in_scratch bench strategy.kama --sizes 1e4,1e5

# ta-lib-takt (a faster TA-Lib core, same output) has TA-Lib's `talib` import name, so it lives in a
# virtualenv of its own; compare.py finds .venv-takt and times it in separate processes. Not in CI.
if [ ! -x .venv-takt/bin/python ]; then
    printf '\n==> creating .venv-takt with ta-lib-takt (for the engine / TA-Lib / takt table)\n'
    python -m venv .venv-takt
    .venv-takt/bin/python -m pip install --quiet ta-lib-takt numpy
fi

printf '\n==> Rust against TA-Lib, ta-lib-takt and the numpy fallback (engine/benchmarks/compare.py)\n'
python engine/benchmarks/compare.py
