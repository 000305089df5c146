#!/usr/bin/env bash
# Command 1: set up, build, and run a single-node dev chain (Ctrl-C to stop).
# Extra arguments go to the node, e.g. `scripts/dev.sh --base-path /tmp/hm`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
# The same package selection as scripts/test.sh's build: cargo resolves features per
# selection, so a different one would recompile shared dependencies each time you switch.
cargo build --release --workspace --all-targets
exec "$CARGO_TARGET_DIR/release/hypermesh" --dev "$@"
