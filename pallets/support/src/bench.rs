//! Shared pieces of the weight benchmarks (std only): counting state, timing,
//! storage prices, the run configuration, and rendering of the generated `weights.rs`
//! files. Each pallet's `benchmarking` module (feature `runtime-benchmarks`) returns its
//! [`Benchmarks`]; the runtime's `bench_weights` example ([`COMMAND`]) runs them all.
use crate::{ContractEngine, Externalities, MemoryExt, Weight};
use hm_primitives::AccountId;
use std::{cell::Cell, fmt::Write as _, string::String, sync::Arc, time::Instant, vec::Vec};

/// The one command that regenerates every `weights.rs`; each file's header names it.
pub const COMMAND: &str =
    "cargo run --release -p hm-runtime --features runtime-benchmarks --example bench_weights -- --write";

/// Funded accounts in benchmark states, so the maps a call touches have a realistic size.
pub const POPULATION: u32 = 100_000;

/// Timed runs of each item under `--quick`: enough to exercise every benchmark (the
/// figures then mean nothing).
pub const QUICK_RUNS: usize = 3;

/// Storage prices measured on the node's own store by
/// `cargo run --release -p hm-runtime --example calibrate_storage` (2-core x86_64,
/// 100k accounts, 700-transfer blocks): a point read of an account, and a block's
/// JMT prepare + synced commit divided by the writes the runtime made.
pub const MEASURED_DB_READ_PS: Weight = 1_447_847;
pub const MEASURED_DB_WRITE_PS: Weight = 7_710_098;

/// How the benchmarks run.
#[derive(Clone, Copy, Debug, Default)]
pub struct BenchConfig {
    /// [`QUICK_RUNS`] runs per item instead of the full count.
    pub quick: bool,
}

impl BenchConfig {
    /// Timed runs of an item whose full measurement takes `full` runs.
    pub fn runs(&self, full: usize) -> usize {
        if self.quick {
            full.min(QUICK_RUNS)
        } else {
            full
        }
    }
}

/// Account `i` of the population tagged `tag` (tags keep groups of accounts apart).
pub fn account(tag: u8, i: u32) -> AccountId {
    let mut id = [tag; 32];
    id[..4].copy_from_slice(&i.to_le_bytes());
    AccountId(id)
}

/// Signature check for states whose benchmarked paths verify none.
pub fn refuse_signatures(_public_key: &[u8], _message: &[u8], _signature: &[u8]) -> bool {
    false
}

/// In-memory state that counts accesses and verifies signatures with `verify`.
pub struct CountingExt {
    pub state: MemoryExt,
    pub reads: Cell<u64>,
    pub writes: u64,
    verify: fn(&[u8], &[u8], &[u8]) -> bool,
    engine: Option<Arc<dyn ContractEngine>>,
}

impl CountingExt {
    pub fn new(verify: fn(&[u8], &[u8], &[u8]) -> bool) -> Self {
        CountingExt {
            state: MemoryExt::default(),
            reads: Cell::new(0),
            writes: 0,
            verify,
            engine: None,
        }
    }

    /// The same state with `engine` as its contract engine.
    pub fn with_engine(mut self, engine: Arc<dyn ContractEngine>) -> Self {
        self.engine = Some(engine);
        self
    }

    pub fn reset_counts(&mut self) {
        self.reads.set(0);
        self.writes = 0;
    }
}

impl Externalities for CountingExt {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.reads.set(self.reads.get() + 1);
        self.state.storage_get(key)
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) {
        self.writes += 1;
        self.state.storage_set(key, value)
    }
    fn storage_remove(&mut self, key: &[u8]) {
        self.writes += 1;
        self.state.storage_remove(key)
    }
    fn falcon_verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        (self.verify)(public_key, message, signature)
    }
    fn contract_engine(&self) -> Option<Arc<dyn ContractEngine>> {
        self.engine.clone()
    }
}

/// One benchmarked item: a constant of a `weights.rs`.
pub struct Measurement {
    pub constant: &'static str,
    pub doc: String,
    pub median_ps: Weight,
    pub reads: u64,
    pub writes: u64,
}

impl Measurement {
    /// An item from what [`measure`] returned.
    pub fn new(constant: &'static str, doc: impl Into<String>, run: (Weight, u64, u64)) -> Self {
        let (median_ps, reads, writes) = run;
        Measurement {
            constant,
            doc: doc.into(),
            median_ps,
            reads,
            writes,
        }
    }

    pub fn weight(&self, prices: &Prices) -> Weight {
        self.median_ps
            .saturating_add(self.reads.saturating_mul(prices.read))
            .saturating_add(self.writes.saturating_mul(prices.write))
    }
}

/// Price of one storage access, in picoseconds.
pub struct Prices {
    pub read: Weight,
    pub write: Weight,
}

pub fn median(mut samples: Vec<u64>) -> u64 {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Picoseconds since `started`.
pub fn elapsed_ps(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_nanos())
        .unwrap_or(u64::MAX)
        .saturating_mul(1_000)
}

/// Time `run` `runs` times after an untimed `prepare` each; counts come from the last run.
pub fn measure(
    ext: &mut CountingExt,
    runs: usize,
    mut prepare: impl FnMut(&mut CountingExt, usize),
    mut run: impl FnMut(&mut CountingExt, usize),
) -> (Weight, u64, u64) {
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        prepare(ext, i);
        ext.reset_counts();
        let started = Instant::now();
        run(ext, i);
        samples.push(elapsed_ps(started));
    }
    (median(samples), ext.reads.get(), ext.writes)
}

/// Time `run` `runs` times, each on what an untimed `prepare` returned for it (a call
/// and its origin, set up on state `prepare` built); counts come from the last run.
pub fn measure_prepared<T>(
    ext: &mut CountingExt,
    runs: usize,
    mut prepare: impl FnMut(&mut CountingExt, usize) -> T,
    mut run: impl FnMut(&mut CountingExt, T),
) -> (Weight, u64, u64) {
    let pending = core::cell::RefCell::new(None);
    measure(
        ext,
        runs,
        |ext, i| *pending.borrow_mut() = Some(prepare(ext, i)),
        |ext, _| {
            let prepared = pending.borrow_mut().take();
            run(ext, prepared.expect("prepare ran before each run"));
        },
    )
}

/// `1234567` → `1_234_567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// What a pallet's `benchmarking::benchmarks` returns: the items of one `weights.rs` and
/// how they were measured.
pub struct Benchmarks {
    /// What the file weighs, e.g. "Weights of the Caesar pallet's calls".
    pub title: &'static str,
    /// Lines describing the method; the last one ends before the storage prices.
    pub method: Vec<String>,
    pub items: Vec<Measurement>,
}

impl Benchmarks {
    pub fn get(&self, constant: &str) -> Option<&Measurement> {
        self.items.iter().find(|m| m.constant == constant)
    }

    /// The generated `weights.rs`; `machine` says where it was measured ([`machine`]).
    pub fn render(&self, prices: &Prices, machine: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "//! {}, in picoseconds of reference execution time (Substrate's unit).",
            self.title
        );
        let _ = writeln!(s, "//!");
        let _ = writeln!(
            s,
            "//! GENERATED by the weight benchmark; do not edit by hand. Regenerate with:"
        );
        let _ = writeln!(s, "//!");
        let _ = writeln!(s, "//! ```text");
        let _ = writeln!(s, "//! {COMMAND}");
        let _ = writeln!(s, "//! ```");
        let _ = writeln!(s, "//!");
        for line in &self.method {
            let _ = writeln!(s, "//! {line}");
        }
        let _ = writeln!(
            s,
            "//! {} ps per storage read and {} ps per storage write.",
            grouped(prices.read),
            grouped(prices.write)
        );
        let _ = writeln!(s, "//! Measured on {machine}.");
        let _ = writeln!(s, "use hm_support::Weight;");
        for m in &self.items {
            let _ = writeln!(s);
            for line in m.doc.lines() {
                let _ = writeln!(s, "/// {line}");
            }
            // A doc ending in a list needs a blank line, or the figures join its last item.
            if m.doc.lines().last().is_some_and(|l| l.starts_with("- ")) {
                let _ = writeln!(s, "///");
            }
            let _ = writeln!(
                s,
                "/// Measured {} ps, {} reads, {} writes.",
                grouped(m.median_ps),
                m.reads,
                m.writes
            );
            let _ = writeln!(
                s,
                "pub const {}: Weight = {};",
                m.constant,
                grouped(m.weight(prices))
            );
        }
        s
    }
}

/// The machine and how busy it was, for the generated files: the figures are only as
/// good as the quiet of the machine that measured them.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| {
            let fields: Vec<&str> = l.split_whitespace().take(3).collect();
            (fields.len() == 3).then(|| fields.join(" "))
        })
        .map_or_else(
            || "load unknown".to_string(),
            |l| format!("load average {l} (1/5/15 min) when the run began"),
        );
    format!("{} ({cpus} CPUs), {load}", std::env::consts::ARCH)
}

/// The command line of the benchmark.
pub struct Args {
    /// Rewrite the files in the tree instead of printing them.
    pub write: bool,
    pub config: BenchConfig,
    pub prices: Prices,
}

/// `[--write] [--quick] [--db-read-ps N] [--db-write-ps N]` (without the program name),
/// prices defaulting to the measured ones.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        write: false,
        config: BenchConfig::default(),
        prices: Prices {
            read: MEASURED_DB_READ_PS,
            write: MEASURED_DB_WRITE_PS,
        },
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<Weight, String> {
            let v = args.next().ok_or(format!("{name} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{name}: `{v}` is not a whole number of picoseconds"))
        };
        match arg.as_str() {
            "--write" => parsed.write = true,
            "--quick" => parsed.config.quick = true,
            "--db-read-ps" => parsed.prices.read = number("--db-read-ps")?,
            "--db-write-ps" => parsed.prices.write = number("--db-write-ps")?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if parsed.write && parsed.config.quick {
        return Err("--quick figures are not weights: it cannot be combined with --write".into());
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Result<Args, String> {
        parse_args(line.split_whitespace().map(String::from))
    }

    #[test]
    fn quick_runs_few_and_full_runs_all() {
        let quick = args("--quick").unwrap().config;
        assert_eq!((quick.runs(2_000), quick.runs(2)), (QUICK_RUNS, 2));
        let full = args("").unwrap().config;
        assert_eq!(full.runs(2_000), 2_000);
    }

    #[test]
    fn prices_default_to_the_measured_ones_and_can_be_overridden() {
        let parsed = args("--write --db-read-ps 5").unwrap();
        assert!(parsed.write);
        assert_eq!(
            (parsed.prices.read, parsed.prices.write),
            (5, MEASURED_DB_WRITE_PS)
        );
    }

    #[test]
    fn bad_arguments_get_a_precise_error() {
        let error = |line: &str| args(line).err().unwrap_or_default();
        assert_eq!(error("--fast"), "unknown argument `--fast`");
        assert_eq!(error("--db-write-ps"), "--db-write-ps needs a value");
        assert_eq!(
            error("--db-read-ps 1.5"),
            "--db-read-ps: `1.5` is not a whole number of picoseconds"
        );
        assert!(error("--quick --write").starts_with("--quick figures are not weights"));
    }
}
