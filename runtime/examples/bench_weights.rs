//! Measures the weight of every pallet's calls and of the per-extrinsic base, and
//! produces every `weights.rs` from the measurements (`hm_runtime::benchmarking`).
//!
//! ```text
//! cargo run --release -p hm-runtime --features runtime-benchmarks --example bench_weights              # print the files
//! cargo run --release -p hm-runtime --features runtime-benchmarks --example bench_weights -- --write   # rewrite them in the tree
//!     [--quick]                         # a few runs per item: checks the benchmarks, figures meaningless
//!     [--db-read-ps N] [--db-write-ps N] # storage access prices (see `calibrate_storage`)
//! ```
use hm_runtime::benchmarking::weights_files;
use hm_support::bench;
use std::path::Path;

fn main() {
    let args = match bench::parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("bench_weights: {e}");
            std::process::exit(2);
        }
    };
    let runtime_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = runtime_dir.parent().unwrap_or(runtime_dir);
    for file in weights_files(&args.config, &args.prices) {
        let path = root.join(file.path);
        if args.write {
            if let Err(e) = std::fs::write(&path, &file.text) {
                eprintln!("bench_weights: cannot write {}: {e}", path.display());
                std::process::exit(1);
            }
            eprintln!("wrote {}", path.display());
        } else {
            println!("// ===== {}\n{}", path.display(), file.text);
        }
    }
}
