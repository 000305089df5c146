//! `contract_call_input` fuzzes the real example token, so its wasm is built here when
//! `contracts/target-wasm/token.wasm` is missing or older than its sources
//! (`scripts/build-contracts.sh`, the same build the test suite runs), then copied into
//! OUT_DIR for `include_bytes!`.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// Newest modification time of any file under `dir`.
fn newest(dir: &Path) -> Option<SystemTime> {
    let mut latest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        latest = latest.max(time);
    }
    latest
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let contracts = root.join("contracts");
    let wasm = contracts.join("target-wasm/token.wasm");
    let sources = [
        contracts.join("examples/token"),
        contracts.join("sdk/src"),
        contracts.join("Cargo.lock"),
        contracts.join(".cargo"),
    ];
    for source in &sources {
        println!("cargo:rerun-if-changed={}", source.display());
    }
    println!("cargo:rerun-if-changed={}", wasm.display());

    let built = wasm.metadata().and_then(|m| m.modified()).ok();
    let sources_time = sources
        .iter()
        .filter_map(|s| {
            if s.is_dir() {
                newest(s)
            } else {
                s.metadata().and_then(|m| m.modified()).ok()
            }
        })
        .max();
    if built.is_none() || sources_time > built {
        println!("cargo:warning=building the example contracts (scripts/build-contracts.sh)");
        // A clean environment: the nested wasm32 build must not inherit this build's
        // rustc wrapper, flags (cargo-fuzz's sanitizer/coverage flags) or target.
        let mut cmd = Command::new("bash");
        cmd.arg(root.join("scripts/build-contracts.sh")).env_clear();
        for var in [
            "PATH",
            "HOME",
            "LANG",
            "HM_CONTRACTS_TARGET_DIR",
            "HM_WASM_LD",
        ] {
            if let Some(value) = std::env::var_os(var) {
                cmd.env(var, value);
            }
        }
        let status = cmd.status().expect("running scripts/build-contracts.sh");
        assert!(
            status.success(),
            "scripts/build-contracts.sh failed: {status}"
        );
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::copy(&wasm, out.join("token.wasm")).unwrap_or_else(|e| {
        panic!("{}: {e}", wasm.display());
    });
}
