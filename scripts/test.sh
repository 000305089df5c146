#!/usr/bin/env bash
# Command 2: set up, build, and run the whole test suite (unit, property, RPC,
# end-to-end against the real binary, crash recovery, fuzz smoke runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
start=$(date +%s)
# The test-only byzantine validator (`--features byzantine`), kept beside the real binary.
# Same package selection as the main build, so only hm-consensus and the node differ.
cargo build --release --workspace --all-targets --features hypermesh/byzantine
cp "$CARGO_TARGET_DIR/release/hypermesh" "$CARGO_TARGET_DIR/release/hypermesh-byzantine"
# scripts/dev.sh builds exactly this selection too, so neither script redoes the other's work.
cargo build --release --workspace --all-targets
echo "==> build took $(( $(date +%s) - start ))s"
# Fuzz smoke runs: each decoder target gets a bounded burst of coverage-guided inputs.
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP allows them on the stable toolchain, and
# `--sanitizer none` avoids needing a nightly sanitizer runtime (the targets are safe Rust).
for target in extrinsic_decode block_decode contract_upload contract_call_input; do
  echo "==> fuzzing $target for ${FUZZ_SECONDS:-30}s"
  (cd fuzz && RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$HOME/.cache/hypermesh-fuzz-target" \
    cargo fuzz run --release --sanitizer none "$target" -- -max_total_time="${FUZZ_SECONDS:-30}" 2>&1 | tail -n 3)
done
# Contracts: build the examples to wasm32 with Debian's toolchain, then the SDK's host tests
# (including the check of every built .wasm against the `hm` ABI).
bash scripts/build-contracts.sh
(cd contracts && CARGO_TARGET_DIR="$HOME/.cache/hypermesh-contracts-host-target" cargo nextest run --release --workspace)
# e2e tests locate the binaries through this variable.
export HYPERMESH_BIN="$CARGO_TARGET_DIR/release/hypermesh"
cargo nextest run --release --workspace --no-fail-fast
# The weight command with --quick: every pallet's benchmarks run and match its weights.rs.
cargo nextest run --release -p hm-runtime --features runtime-benchmarks --test weights_command
echo "==> whole suite took $(( $(date +%s) - start ))s"
