//! Weights of the scheduler pallet's calls and of its servicing in `on_initialize`, in
//! picoseconds of reference execution time (Substrate's unit).
//!
//! ESTIMATES, not generated: a first run of [`crate::benchmarking`] on a busy 2-core
//! machine (load average 6), rounded up, at the measured storage prices (1_447_847 ps
//! per read, 7_710_098 ps per write), with full agendas of 50 tasks of 128-byte calls.
//! The benchmark prices a read whatever its size, so for a 4 MiB preimage it misses the
//! store's per-byte cost; `SERVICE_TASK_LOOKUP_MAX` adds an allowance of about 1 ns per
//! byte for it. Regenerate them once `runtime/src/benchmarking.rs` lists this pallet,
//! and keep that allowance:
//!
//! ```text
//! cargo run --release -p hm-runtime --features runtime-benchmarks --example bench_weights -- --write
//! ```
use hm_support::Weight;

/// `schedule` of a preimage lookup into a full-but-one agenda: requests the preimage.
/// Measured 16_004_000 ps, 7 reads, 5 writes.
pub const SCHEDULE: Weight = 70_000_000;

/// `schedule_named`: `schedule`, plus the name checked and stored.
/// Measured 16_715_000 ps, 8 reads, 6 writes.
pub const SCHEDULE_NAMED: Weight = 80_000_000;

/// `cancel` of a lookup task in a full agenda: releases the preimage.
/// Measured 12_309_000 ps, 4 reads, 5 writes.
pub const CANCEL: Weight = 60_000_000;

/// `cancel_named`: `cancel`, plus the name read and removed.
/// Measured 13_049_000 ps, 5 reads, 5 writes.
pub const CANCEL_NAMED: Weight = 65_000_000;

/// `on_initialize` with nothing due: the parameters and `IncompleteSince`.
/// Measured 1_422_000 ps, 4 reads, 2 writes.
pub const SERVICE_BASE: Weight = 25_000_000;

/// Each agenda examined: read, and removed once serviced.
/// Measured 846_260 ps, 3 reads, 2 writes.
pub const SERVICE_AGENDA: Weight = 25_000_000;

/// Each task serviced, beside its call's own weight: the agenda read and written, the
/// name removed, the preimage released, the event.
/// Measured 10_284_880 ps, 5 reads, 5 writes.
pub const SERVICE_TASK: Weight = 60_000_000;

/// Fetching a preimage of `MAX_PREIMAGE_BYTES` for a task (shorter ones pro rata).
/// Measured 143_363_000 ps, 12 reads, 9 writes; plus the per-byte storage allowance.
pub const SERVICE_TASK_LOOKUP_MAX: Weight = 5_000_000_000;
