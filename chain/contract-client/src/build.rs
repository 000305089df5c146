//! `hypermesh contract build`: wasm32 builds with Debian's toolchain (DESIGN §7).
//!
//! Without a directory it runs `scripts/build-contracts.sh` (every example, into
//! `contracts/target-wasm/`). With one it builds that crate the same way: from inside the
//! crate, so the contracts workspace's `.cargo/config.toml` (linker, wasm features)
//! applies, and reports the .wasm file, its size and its code hash.
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = "scripts/build-contracts.sh";
const TRIPLE: &str = "wasm32-unknown-unknown";
/// The ABI's code size cap.
const CODE_CAP: usize = 128 * 1024;

/// `scripts/build-contracts.sh` in the current directory or one of its parents.
fn find_script() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    cwd.ancestors()
        .map(|dir| dir.join(SCRIPT))
        .find(|p| p.is_file())
        .with_context(|| {
            format!(
                "{SCRIPT} is not in {} or its parents: run this from the HyperMesh repository, \
                 or pass a contract crate directory",
                cwd.display()
            )
        })
}

/// The package name in `dir/Cargo.toml` (the first `name = "…"` of `[package]`).
fn package_name(dir: &Path) -> anyhow::Result<String> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("{} is not a crate: no Cargo.toml", dir.display()))?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if let (true, Some(value)) = (in_package, line.strip_prefix("name")) {
            let value = value.trim_start().trim_start_matches('=').trim();
            return Ok(value.trim_matches('"').to_owned());
        }
    }
    bail!("{} has no [package] name", manifest.display())
}

fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HM_CONTRACTS_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/hypermesh-contracts-target")
}

fn build_crate(dir: &Path, out: Option<PathBuf>) -> anyhow::Result<()> {
    let name = package_name(dir)?;
    let (rustc, cargo) = (Path::new("/usr/bin/rustc"), Path::new("/usr/bin/cargo"));
    if !rustc.exists() || !cargo.exists() {
        bail!(
            "the wasm32 toolchain (Debian's rustc-web/cargo-web) is missing: run {SCRIPT} once, \
             which installs it"
        );
    }
    let target = target_dir();
    let status = Command::new(cargo)
        .current_dir(dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTC", rustc)
        .env("CARGO_TARGET_DIR", &target)
        // RUSTFLAGS would replace the ABI's flags in the workspace's .cargo/config.toml.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .args([
            "build",
            "--release",
            "--locked",
            "-Z",
            "build-std=core,alloc",
        ])
        .args(["--target", TRIPLE])
        .status()
        .context("cannot run /usr/bin/cargo")?;
    if !status.success() {
        bail!("building {} failed ({status})", dir.display());
    }
    let built = target
        .join(TRIPLE)
        .join("release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    let code = std::fs::read(&built)
        .with_context(|| format!("expected {} after the build", built.display()))?;
    if code.len() > CODE_CAP {
        bail!(
            "{} is {} bytes, over the {CODE_CAP}-byte code cap",
            built.display(),
            code.len()
        );
    }
    let path = match out {
        Some(out) => {
            std::fs::create_dir_all(&out)?;
            let file_name = format!("{}.wasm", name.trim_start_matches("hm-contract-"));
            let dest = out.join(file_name);
            std::fs::copy(&built, &dest)
                .with_context(|| format!("cannot copy to {}", dest.display()))?;
            dest
        }
        None => built,
    };
    println!("Wasm: {}", path.display());
    println!("Size: {} bytes", code.len());
    println!("Code hash: {}", hm_primitives::blake3_256(&code).to_hex());
    Ok(())
}

pub fn build(dir: Option<PathBuf>, out: Option<PathBuf>) -> anyhow::Result<()> {
    match dir {
        Some(dir) => build_crate(&dir, out),
        None => {
            if out.is_some() {
                bail!(
                    "--out goes with a contract directory; {SCRIPT} writes contracts/target-wasm/"
                );
            }
            let script = find_script()?;
            let status = Command::new("bash")
                .arg(&script)
                .status()
                .with_context(|| format!("cannot run {}", script.display()))?;
            if !status.success() {
                bail!("{} failed ({status})", script.display());
            }
            Ok(())
        }
    }
}
