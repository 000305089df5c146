//! Benchmarks of the scheduler's calls and of its servicing (feature `runtime-benchmarks`),
//! to be run by the runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]) once
//! `runtime/src/benchmarking.rs` lists `pallets/scheduler/src/weights.rs`. Calls are
//! timed against full agendas of the longest inline calls; servicing with a runtime that
//! accepts any call at no weight ([`FreeCalls`]), so only the scheduler's own work counts.
use crate::{
    self as scheduler, BoundedCall, Call, Config, Pallet, ScheduledOrigin, TaskName,
    MAX_AGENDAS_PER_BLOCK, MAX_INLINE_CALL_BYTES, MAX_SCHEDULED_PER_BLOCK,
};
use hm_pallet_preimage::{self as preimage, MAX_PREIMAGE_BYTES};
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{blake3_256, BlockNumber, H256};
use hm_support::bench::{
    account, measure_prepared, refuse_signatures, BenchConfig, Benchmarks, CountingExt, Measurement,
};
use hm_support::{
    DispatchResultWithPostInfo, EncodedCalls, Externalities, Pallet as _, PostDispatchInfo, Weight,
};

/// Timed runs per item.
const RUNS: usize = 500;
/// Timed runs of a largest preimage fetch.
const LOOKUP_RUNS: usize = 20;

/// A runtime whose every call weighs nothing and does nothing.
pub struct FreeCalls;

static FREE_CALLS: FreeCalls = FreeCalls;

impl EncodedCalls for FreeCalls {
    fn weigh(&self, _call: &[u8]) -> Option<Weight> {
        Some(0)
    }
    fn dispatch(
        &self,
        _ext: &mut dyn Externalities,
        _origin: Origin,
        _call: &[u8],
    ) -> DispatchResultWithPostInfo {
        Ok(PostDispatchInfo::default())
    }
}

impl Config for FreeCalls {
    fn calls() -> Option<&'static dyn EncodedCalls> {
        Some(&FREE_CALLS)
    }
}

fn inline(i: u32) -> BoundedCall {
    let mut bytes = vec![0u8; MAX_INLINE_CALL_BYTES as usize];
    bytes[..4].copy_from_slice(&i.to_le_bytes());
    BoundedCall::Inline(bytes)
}

fn name(i: u32, slot: u32) -> TaskName {
    let mut id = account(7, i).0;
    id[4..8].copy_from_slice(&slot.to_le_bytes());
    id
}

/// A preimage lookup of a hash nobody noted (requesting it writes a new record).
fn lookup(i: u32) -> BoundedCall {
    let hash = H256(account(8, i).0);
    BoundedCall::Lookup { hash, len: 1_024 }
}

/// Start block `n` (System's bookkeeping only).
fn start_block(ext: &mut CountingExt, n: BlockNumber) {
    system::on_initialize(ext, n, &H256::ZERO, 0, &account(0, 0));
}

/// `count` named inline tasks at block `when`.
fn fill(ext: &mut CountingExt, when: BlockNumber, count: u32) {
    for slot in 0..count {
        let id = name(when as u32, slot);
        scheduler::schedule_named_task(ext, id, when, ScheduledOrigin::Root, inline(slot))
            .expect("room in the agenda");
    }
}

fn root_ok(ext: &mut CountingExt, call: Call) {
    assert_eq!(scheduler::dispatch(ext, Origin::Root, call), Ok(()));
}

fn state() -> CountingExt {
    let mut ext = CountingExt::new(refuse_signatures);
    system::GenesisConfig::default()
        .build(&mut ext)
        .expect("system genesis");
    start_block(&mut ext, 1);
    ext
}

/// Time `call(i)` (root) after `prepare`, on a state where block 1 has begun.
fn call_item(
    items: &mut Vec<Measurement>,
    runs: usize,
    constant: &'static str,
    doc: &str,
    mut prepare: impl FnMut(&mut CountingExt, u32) -> Call,
) {
    let mut ext = state();
    let m = measure_prepared(&mut ext, runs, |ext, i| prepare(ext, i as u32), root_ok);
    items.push(Measurement::new(constant, doc, m));
}

/// Time servicing block `2 + i` after `prepare(ext, i, block)`; the figures per unit of
/// `per` (tasks or agendas serviced).
fn service_item(
    items: &mut Vec<Measurement>,
    runs: usize,
    constant: &'static str,
    doc: &str,
    per: u64,
    mut prepare: impl FnMut(&mut CountingExt, BlockNumber),
) {
    let mut ext = state();
    let (median, reads, writes) = measure_prepared(
        &mut ext,
        runs,
        |ext, i| {
            let n = 2 + i as BlockNumber * 100;
            prepare(ext, n);
            start_block(ext, n);
            n
        },
        |ext, n| {
            Pallet::<FreeCalls>::on_initialize(ext, n);
        },
    );
    let m = (median / per, reads.div_ceil(per), writes.div_ceil(per));
    items.push(Measurement::new(constant, doc, m));
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let runs = config.runs(RUNS);
    let lookup_runs = config.runs(LOOKUP_RUNS);
    let full = MAX_SCHEDULED_PER_BLOCK;
    let mut items = Vec::new();

    let doc = "`schedule` of a preimage lookup into a full-but-one agenda: requests the preimage.";
    call_item(&mut items, runs, "SCHEDULE", doc, |ext, i| {
        let when = 2 + BlockNumber::from(i);
        fill(ext, when, full - 1);
        Call::Schedule {
            when,
            call: lookup(i),
        }
    });
    let doc = "`schedule_named`: `schedule`, plus the name checked and stored.";
    call_item(&mut items, runs, "SCHEDULE_NAMED", doc, |ext, i| {
        let when = 2 + BlockNumber::from(i);
        fill(ext, when, full - 1);
        let id = name(i, full);
        let call = lookup(i);
        Call::ScheduleNamed { id, when, call }
    });
    let place_lookup = |ext: &mut CountingExt, i: u32| {
        let when = 2 + BlockNumber::from(i);
        fill(ext, when, full - 1);
        let (id, call) = (name(i, full), lookup(i));
        scheduler::schedule_named_task(ext, id, when, ScheduledOrigin::Root, call)
            .expect("room in the agenda")
    };
    let doc = "`cancel` of a lookup task in a full agenda: releases the preimage.";
    call_item(&mut items, runs, "CANCEL", doc, |ext, i| {
        let (when, index) = place_lookup(ext, i);
        Call::Cancel { when, index }
    });
    let doc = "`cancel_named`: `cancel`, plus the name read and removed.";
    call_item(&mut items, runs, "CANCEL_NAMED", doc, |ext, i| {
        place_lookup(ext, i);
        Call::CancelNamed { id: name(i, full) }
    });

    let doc = "`on_initialize` with nothing due: the parameters and `IncompleteSince`.";
    service_item(&mut items, runs, "SERVICE_BASE", doc, 1, |_, _| {});
    let agendas = MAX_AGENDAS_PER_BLOCK;
    let doc = "Each agenda examined: read, and removed once serviced.";
    service_item(
        &mut items,
        runs,
        "SERVICE_AGENDA",
        doc,
        agendas.into(),
        |ext, n| {
            let since = n + 1 - BlockNumber::from(agendas);
            hm_support::put(ext, &scheduler::storage::incomplete_since(), &since);
        },
    );
    let doc =
        "Each task serviced, beside its call's own weight: the agenda read and written, the\n\
               name removed, the preimage released, the event.";
    service_item(
        &mut items,
        runs,
        "SERVICE_TASK",
        doc,
        full.into(),
        |ext, n| {
            start_block(ext, n - 1);
            fill(ext, n, full);
        },
    );
    let doc = "Fetching a preimage of `MAX_PREIMAGE_BYTES` for a task (shorter ones pro rata).";
    let mut previous: Option<H256> = None;
    service_item(
        &mut items,
        lookup_runs,
        "SERVICE_TASK_LOOKUP_MAX",
        doc,
        1,
        |ext, n| {
            let mut bytes = vec![0u8; MAX_PREIMAGE_BYTES as usize];
            bytes[..8].copy_from_slice(&n.to_le_bytes());
            let hash = blake3_256(&bytes);
            start_block(ext, n - 1);
            // Requested, so noted for free; the last run's was cleared when its task ran.
            let call = BoundedCall::Lookup {
                hash,
                len: MAX_PREIMAGE_BYTES,
            };
            scheduler::schedule_task(ext, n, ScheduledOrigin::Root, call).expect("scheduled");
            preimage::note(ext, &account(0, 0), &bytes).expect("noted");
            debug_assert!(previous.is_none_or(|h| preimage::status(ext, &h).is_none()));
            previous = Some(hash);
        },
    );

    Benchmarks {
        title: "Weights of the scheduler pallet's calls and servicing",
        method: vec![
            format!("weight = median time of the worst-case path ({runs} runs; largest fetches {lookup_runs}),"),
            format!("agendas of {full} tasks of {MAX_INLINE_CALL_BYTES}-byte calls, servicing per task or agenda, plus"),
        ],
        items,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_benchmark_runs() {
        let config = hm_support::bench::BenchConfig { quick: true };
        let benchmarks = super::benchmarks(&config);
        let names: Vec<_> = benchmarks.items.iter().map(|m| m.constant).collect();
        assert_eq!(
            names,
            [
                "SCHEDULE",
                "SCHEDULE_NAMED",
                "CANCEL",
                "CANCEL_NAMED",
                "SERVICE_BASE",
                "SERVICE_AGENDA",
                "SERVICE_TASK",
                "SERVICE_TASK_LOOKUP_MAX"
            ]
        );
    }
}
