#!/usr/bin/env bash
# A 4-validator local network (alice, bob, charlie, dave) on this machine.
#   scripts/local-testnet.sh            build, start, and follow alice's log (Ctrl-C stops all)
#   BASE=/tmp/hm-local scripts/local-testnet.sh --purge   start from a fresh chain
# Ports: p2p 30333+i, RPC 9944+i, Prometheus 9615+i (i = 0..3, alice first).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
BASE="${BASE:-/tmp/hypermesh-local}"
if [[ "${1:-}" == "--purge" ]]; then rm -rf "$BASE"; shift; fi
cargo build --release -p hypermesh
BIN="$CARGO_TARGET_DIR/release/hypermesh"
mkdir -p "$BASE"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

start() { # name index [bootnode]
  local name=$1 i=$2 boot=${3:-}
  local args=(--chain local "--$name" --name "$name" --base-path "$BASE/$name"
    --port $((30333 + i)) --rpc-port $((9944 + i)) --prometheus-port $((9615 + i)))
  [[ -n "$boot" ]] && args+=(--bootnodes "$boot")
  "$BIN" "${args[@]}" >"$BASE/$name.log" 2>&1 &
  pids+=($!)
}

start alice 0
# Alice prints her address with its peer id; the others boot from it.
for _ in $(seq 1 300); do
  peer=$(grep -o '/p2p/[A-Za-z0-9]*' "$BASE/alice.log" | head -1 || true)
  [[ -n "$peer" ]] && break
  sleep 0.1
done
[[ -n "${peer:-}" ]] || { echo "alice did not start; see $BASE/alice.log" >&2; exit 1; }
boot="/ip4/127.0.0.1/tcp/30333$peer"
echo "bootnode: $boot"
start bob 1 "$boot"
start charlie 2 "$boot"
start dave 3 "$boot"
echo "RPC: alice ws://127.0.0.1:9944, bob :9945, charlie :9946, dave :9947; logs in $BASE/*.log"
tail -F "$BASE/alice.log"
