//! The weight command (`hm_support::bench::COMMAND`) runs every benchmark, and every
//! committed `weights.rs` is exactly what it generates: the same constants, nothing
//! declared that no benchmark measures, and a header that names the command. Runs the
//! command's own code with `--quick` (a few runs per item); the figures are not checked.
use hm_runtime::benchmarking::weights_files;
use hm_support::bench::{self, COMMAND};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR"));
    runtime.parent().unwrap_or(runtime).to_path_buf()
}

/// The `pub const NAME: Weight = VALUE;` items of a weights file, each value checked to be
/// a whole number.
fn constants(path: &str, text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("pub const "))
        .map(|item| {
            let (name, rest) = item
                .split_once(": Weight = ")
                .unwrap_or_else(|| panic!("{path}: `pub const {item}` is not a `Weight` constant"));
            let value = rest.trim_end_matches(';').replace('_', "");
            assert!(
                value.parse::<u64>().is_ok(),
                "{path}: {name} = `{rest}` is not a whole number"
            );
            name.to_string()
        })
        .collect()
}

#[test]
fn every_weights_file_is_generated_by_the_command() {
    let parsed = bench::parse_args(["--quick".to_string()]).expect("--quick parses");
    let files = weights_files(&parsed.config, &parsed.prices);
    let root = repo_root();
    // A pallet with a `weights.rs` the command does not write would keep hand-made figures.
    let written: BTreeSet<&str> = files.iter().map(|f| f.path).collect();
    for pallet in std::fs::read_dir(root.join("pallets")).expect("pallets/") {
        let name = pallet.expect("pallets/ entry").file_name();
        let path = format!("pallets/{}/src/weights.rs", name.to_string_lossy());
        if root.join(&path).exists() {
            assert!(written.contains(path.as_str()), "{path} is not generated");
        }
    }
    assert!(written.contains("runtime/src/weights.rs"));
    for file in &files {
        let committed = std::fs::read_to_string(root.join(file.path))
            .unwrap_or_else(|e| panic!("{}: {e}", file.path));
        assert!(
            committed.contains(&format!("//! {COMMAND}\n")),
            "{}: the header does not name `{COMMAND}`",
            file.path
        );
        let declared = constants(file.path, &committed);
        let measured = constants(file.path, &file.text);
        assert!(!measured.is_empty(), "{}: nothing measured", file.path);
        let missing: Vec<_> = declared.difference(&measured).collect();
        assert!(
            missing.is_empty(),
            "{}: declared but not benchmarked: {missing:?}",
            file.path
        );
        let stale: Vec<_> = measured.difference(&declared).collect();
        assert!(
            stale.is_empty(),
            "{}: benchmarked but not in the committed file (regenerate it): {stale:?}",
            file.path
        );
    }
}
