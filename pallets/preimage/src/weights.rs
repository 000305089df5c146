//! Weights of the preimage pallet's calls, in picoseconds of reference execution time (Substrate's unit).
//!
//! ESTIMATES, not generated: a first run of [`crate::benchmarking`] on a busy 2-core
//! machine (load average 6), rounded up, at the measured storage prices (1_447_847 ps
//! per read, 7_710_098 ps per write). The benchmark prices a write whatever its size, so
//! for 4 MiB it misses the store's per-byte cost (RocksDB and the JMT); the `MAX` item
//! adds an allowance of about 6 ns per byte for it. Regenerate them once
//! `runtime/src/benchmarking.rs` lists this pallet, and keep that allowance:
//!
//! ```text
//! cargo run --release -p hm-runtime --features runtime-benchmarks --example bench_weights -- --write
//! ```
use hm_support::Weight;

/// `note_preimage` of 4 bytes, worst case: reserves the deposit.
/// Measured 8_773_000 ps, 8 reads, 7 writes.
pub const NOTE_PREIMAGE_MIN: Weight = 75_000_000;

/// `note_preimage` of `MAX_PREIMAGE_BYTES` bytes: hashing and storing 4 MiB.
/// Measured 1_554_450_000 ps, 8 reads, 7 writes; plus the per-byte storage allowance.
pub const NOTE_PREIMAGE_MAX: Weight = 25_000_000_000;

/// `unnote_preimage`: returns the deposit and removes the bytes.
/// Measured 6_039_000 ps, 6 reads, 7 writes.
pub const UNNOTE_PREIMAGE: Weight = 70_000_000;

/// `request_preimage`: the first request of noted bytes.
/// Measured 3_575_000 ps, 3 reads, 3 writes.
pub const REQUEST_PREIMAGE: Weight = 35_000_000;

/// `unrequest_preimage`, worst case: the last request of bytes noted for free, removed.
/// Measured 2_974_000 ps, 3 reads, 4 writes.
pub const UNREQUEST_PREIMAGE: Weight = 40_000_000;
