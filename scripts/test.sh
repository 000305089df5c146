#!/usr/bin/env bash
# Command 2: set up, build, and run the whole test suite (unit, property, RPC,
# end-to-end against the real binary, crash recovery, fuzz smoke runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
start=$(date +%s)
cargo build --release --workspace --all-targets
echo "==> build took $(( $(date +%s) - start ))s"
# e2e tests locate the binaries through this variable.
export HYPERMESH_BIN="$CARGO_TARGET_DIR/release/hypermesh"
cargo nextest run --release --workspace --no-fail-fast
echo "==> whole suite took $(( $(date +%s) - start ))s"
