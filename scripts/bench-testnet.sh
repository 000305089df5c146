#!/usr/bin/env bash
# Finalized-transfer benchmark on the 4-validator local network (alice..dave, four-proof BFT,
# one machine), then the single-node dev chain as the baseline, in one run on one machine.
#   scripts/bench-testnet.sh                 # 10,000 transfers each
#   TXS=30000 scripts/bench-testnet.sh
#   RATE=800 scripts/bench-testnet.sh       # submit at a steady 800 tx/s: latency at a sustainable load
# The last line is one JSON object: {"testnet": {...}, "single_node": {...}, "tps_ratio": r}.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
TXS="${TXS:-10000}"
ACCOUNTS="${ACCOUNTS:-200}"
POOL=(--pool-limit 40000 --pool-per-sender 128)
PACE=()
[[ -n "${RATE:-}" ]] && PACE=(--rate "$RATE")
[[ "${SKIP_BUILD:-}" == 1 ]] || cargo build --release -p hypermesh -p hypermesh-bench
BIN="$CARGO_TARGET_DIR/release/hypermesh"
BENCH="$CARGO_TARGET_DIR/release/hypermesh-bench"
BASE="$(mktemp -d -t hm-bench-testnet-XXXXXX)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$BASE"; }
trap cleanup EXIT INT TERM

start() { # name index [extra args...]
  local name=$1 i=$2; shift 2
  "$BIN" --chain local "--$name" --name "$name" --base-path "$BASE/$name" --no-mdns \
    --port $((33333 + i)) --rpc-port $((39944 + i)) --prometheus-port $((39615 + i)) \
    "${POOL[@]}" "$@" >"$BASE/$name.log" 2>&1 &
  pids+=($!)
}

start alice 0
for _ in $(seq 1 100); do
  boot=$(grep -o 'Listening on /ip4/127.0.0.1/tcp/[0-9]*/p2p/[A-Za-z0-9]*' "$BASE/alice.log" | head -1 || true)
  [[ -n "$boot" ]] && break
  sleep 0.2
done
[[ -n "${boot:-}" ]] || { echo "alice did not start:"; tail -20 "$BASE/alice.log"; exit 1; }
boot=${boot#Listening on }
start bob 1 --bootnodes "$boot"
start charlie 2 --bootnodes "$boot"
start dave 3 --bootnodes "$boot"

echo "==> 4 validators (four-proof BFT) on one machine, load submitted to alice"
"$BENCH" transfers --rpc-url ws://127.0.0.1:39944 --txs "$TXS" --accounts "$ACCOUNTS" "${POOL[@]}" "${PACE[@]}" | tee "$BASE/testnet.out"
testnet=$(tail -1 "$BASE/testnet.out")
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pids=()

echo "==> baseline: single-node dev chain (same load, same machine)"
"$BENCH" transfers --txs "$TXS" --accounts "$ACCOUNTS" --block-time-ms 1000 "${PACE[@]}" | tee "$BASE/single.out"
single=$(tail -1 "$BASE/single.out")

tps() { grep -o '"finalized_tps":[0-9.]*' <<<"$1" | cut -d: -f2; }
ratio=$(awk -v a="$(tps "$testnet")" -v b="$(tps "$single")" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
echo "4-validator finalized TPS $(tps "$testnet") vs single node $(tps "$single"): ratio $ratio"
echo "{\"testnet\":$testnet,\"single_node\":$single,\"tps_ratio\":$ratio}"
