#!/usr/bin/env bash
# Builds the contracts in contracts/ to wasm32 with Debian's Rust toolchain (DESIGN.md §7)
# and copies the .wasm files to contracts/target-wasm/.
#
# The rustup toolchain has no wasm32 target here, so this uses Debian's rustc-web/cargo-web
# (/usr/bin/rustc, /usr/bin/cargo) with -Z build-std, installing them with apt-get if they
# are missing. Linker flags and the wasm feature set live in contracts/.cargo/config.toml.
#
# Environment:
#   HM_CONTRACTS_TARGET_DIR  cargo target dir (default: $HOME/.cache/hypermesh-contracts-target)
#   HM_WASM_LD               wasm linker to use instead of the first one found
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONTRACTS="$ROOT/contracts"
OUT="$CONTRACTS/target-wasm"
TARGET_DIR="${HM_CONTRACTS_TARGET_DIR:-$HOME/.cache/hypermesh-contracts-target}"
TRIPLE=wasm32-unknown-unknown
# 128 KiB: the ABI's code size cap.
CODE_CAP=131072
PACKAGES=(rustc-web cargo-web rust-web-src lld)

die() {
    echo "build-contracts: $*" >&2
    exit 1
}

have_wasm_linker() {
    local candidate
    for candidate in "${HM_WASM_LD:-}" wasm-ld-22 wasm-ld rust-lld /usr/bin/wasm-ld-*; do
        [ -n "$candidate" ] || continue
        local path
        path="$(command -v "$candidate" 2>/dev/null)" || continue
        [ -x "$path" ] && return 0
    done
    return 1
}

toolchain_ready() {
    [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] \
        && /usr/bin/rustc --print target-list 2>/dev/null | grep -qx "$TRIPLE" \
        && [ -d "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library/core" ] \
        && have_wasm_linker
}

install_toolchain() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 \
            || die "the Debian toolchain is missing and installing it needs root: run 'apt-get install ${PACKAGES[*]}' as root"
        sudo=(sudo -n)
    fi
    command -v apt-get >/dev/null 2>&1 \
        || die "the Debian toolchain is missing and apt-get is not available: install ${PACKAGES[*]} (DESIGN.md §7)"
    echo "build-contracts: installing ${PACKAGES[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq >/dev/null \
        || die "apt-get update failed; cannot install ${PACKAGES[*]}"
    "${sudo[@]}" apt-get install -y -qq "${PACKAGES[@]}" >/dev/null \
        || die "apt-get install ${PACKAGES[*]} failed (these packages exist in Debian 12 bookworm and its security updates)"
}

if ! toolchain_ready; then
    install_toolchain
    toolchain_ready || die "toolchain still incomplete after installing ${PACKAGES[*]}: need /usr/bin/rustc with the $TRIPLE target, rust sources under its sysroot, and a wasm-ld"
fi

echo "build-contracts: $(/usr/bin/rustc --version), $(/usr/bin/cargo --version)" >&2

cd "$CONTRACTS"
# RUSTFLAGS would replace the flags in contracts/.cargo/config.toml, which the ABI needs.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_DIR="$TARGET_DIR" \
    /usr/bin/cargo build --release --locked \
    -Z build-std=core,alloc \
    --target "$TRIPLE" \
    --workspace --exclude hm-contract-sdk

mkdir -p "$OUT"
rm -f "$OUT"/*.wasm
built=0
for manifest in "$CONTRACTS"/examples/*/Cargo.toml; do
    name="$(basename "$(dirname "$manifest")")"
    wasm="$TARGET_DIR/$TRIPLE/release/hm_contract_${name//-/_}.wasm"
    [ -f "$wasm" ] || die "expected $wasm after the build"
    size=$(stat -c %s "$wasm")
    [ "$size" -le "$CODE_CAP" ] || die "$name.wasm is $size bytes, over the ABI's $CODE_CAP-byte code cap"
    cp "$wasm" "$OUT/$name.wasm"
    printf '%-10s %6d bytes  %s\n' "$name" "$size" "$OUT/$name.wasm"
    built=$((built + 1))
done
[ "$built" -gt 0 ] || die "no example contracts found under $CONTRACTS/examples"
