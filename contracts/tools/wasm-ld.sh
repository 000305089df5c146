#!/bin/sh
# Linker for contracts (set in contracts/.cargo/config.toml for wasm32).
#
# rustc always adds `--export=__heap_base --export=__data_end` for wasm32-unknown-unknown;
# a contract must export exactly `memory`, `deploy` and `call` (docs/contracts-abi.md), so
# this drops those two flags and runs the first wasm-ld it finds: $HM_WASM_LD, wasm-ld-22
# (Debian's lld-22, matching rustc-web's LLVM 22), rust-lld, then any wasm-ld.
set -eu

for arg; do
    shift
    case "$arg" in
        --export=__heap_base | --export=__data_end) ;;
        *) set -- "$@" "$arg" ;;
    esac
done
# rustc passes `-flavor wasm` only when it runs a linker named rust-lld or lld; this
# wrapper adds it itself where needed.
if [ "${1:-}" = "-flavor" ]; then
    shift 2
fi

if [ -n "${HM_WASM_LD:-}" ]; then
    exec "$HM_WASM_LD" "$@"
fi
for candidate in wasm-ld-22 wasm-ld; do
    if path=$(command -v "$candidate") && [ -x "$path" ]; then
        exec "$path" "$@"
    fi
done
if path=$(command -v rust-lld) && [ -x "$path" ]; then
    exec "$path" -flavor wasm "$@"
fi
for path in /usr/bin/wasm-ld-*; do
    if [ -x "$path" ]; then
        exec "$path" "$@"
    fi
done
echo "contracts/tools/wasm-ld.sh: no wasm linker found; install lld-22 (or lld) with apt-get" >&2
exit 127
