#!/usr/bin/env bash
# Command 1: set up, build, and run a single-node dev chain (Ctrl-C to stop).
# Extra arguments go to the node, e.g. `scripts/dev.sh --base-path /tmp/hm`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
cargo build --release -p hypermesh -p hypermesh-bench
exec "$CARGO_TARGET_DIR/release/hypermesh" --dev "$@"
