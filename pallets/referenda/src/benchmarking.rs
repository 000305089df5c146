//! Benchmarks of the referenda calls and hook (feature `runtime-benchmarks`), to be run
//! by the runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]) once
//! `runtime/src/benchmarking.rs` lists `pallets/referenda/src/weights.rs`. Each item is
//! timed on its worst-case path: a lookup proposal (preimage request), a referendum
//! that starts deciding, an end that starts the next queued referendum, an approval
//! that schedules its call. [`Bench`] is the live `root` track without its prepare and
//! confirm periods, so everything happens at block 1.
use crate::{self as referenda, Call, Config, ReferendumIndex, ReferendumInfo, Track, TRACKS};
use hm_pallet_caesar::{self as caesar, benchmarking::populate};
use hm_pallet_conviction_voting::{self as cv, Tally};
use hm_pallet_scheduler::BoundedCall;
use hm_pallet_system::{benchmarking::new_block, Origin};
use hm_primitives::{AccountId, BlockNumber, H256, UNITS};
use hm_support::bench::{
    account, measure_prepared, BenchConfig, Benchmarks, CountingExt, Measurement, POPULATION,
};
use hm_support::{put, Externalities};

/// Timed runs per item (each approval fills a scheduler agenda slot).
const RUNS: usize = 200;

const ROOT: Track = TRACKS[0];
const BENCH_TRACKS: &[Track] = &[
    Track {
        prepare_period: 0,
        confirm_period: 0,
        ..ROOT
    },
    // Never full: every decision deposit starts deciding.
    Track {
        id: 1,
        prepare_period: 0,
        max_deciding: u32::MAX,
        ..ROOT
    },
];

/// The live `root` track, deciding and confirming at once; and an unlimited copy.
pub struct Bench;

impl Config for Bench {
    fn tracks() -> &'static [Track] {
        BENCH_TRACKS
    }
}

fn ok(ext: &mut CountingExt, origin: Origin, call: Call) {
    let result = referenda::dispatch::<Bench>(ext, origin, call.clone());
    assert!(result.is_ok(), "{call:?}: {result:?}");
}

fn who(i: usize) -> AccountId {
    account(0, i as u32 % POPULATION)
}

/// Submit a lookup proposal as `who(i)`; its index.
fn submit(ext: &mut CountingExt, i: usize) -> ReferendumIndex {
    submit_on(ext, i, 0)
}

fn submit_on(ext: &mut CountingExt, i: usize, track: u16) -> ReferendumIndex {
    let index = referenda::referendum_count(ext);
    let mut hash = [0u8; 32];
    hash[..8].copy_from_slice(&(i as u64).to_le_bytes());
    let proposal = BoundedCall::Lookup {
        hash: H256(hash),
        len: 100,
    };
    let call = Call::Submit {
        track,
        proposal,
        enactment_after: 0,
    };
    ok(ext, Origin::Signed(who(i)), call);
    index
}

fn deposit(ext: &mut CountingExt, i: usize, index: ReferendumIndex) {
    ok(
        ext,
        Origin::Signed(who(i + 1)),
        Call::PlaceDecisionDeposit { index },
    );
}

/// End the track's deciding referendum (untimed), then open one deciding and one
/// queued behind it; the deciding one's index.
fn deciding_and_queued(
    ext: &mut CountingExt,
    i: usize,
    last: &mut Option<ReferendumIndex>,
) -> ReferendumIndex {
    if let Some(previous) = last.take() {
        ok(ext, Origin::Root, Call::Kill { index: previous });
    }
    let first = submit(ext, 2 * i);
    deposit(ext, 2 * i, first);
    let second = submit(ext, 2 * i + 1);
    deposit(ext, 2 * i + 1, second);
    *last = Some(second);
    first
}

fn funded() -> CountingExt {
    let mut ext = CountingExt::new(hm_support::bench::refuse_signatures);
    populate(&mut ext, 100_000 * UNITS, &[]);
    ext
}

fn item<T>(
    items: &mut Vec<Measurement>,
    runs: usize,
    constant: &'static str,
    doc: &str,
    mut prepare: impl FnMut(&mut CountingExt, usize) -> T,
    mut run: impl FnMut(&mut CountingExt, T),
) {
    let mut ext = funded();
    let m = measure_prepared(
        &mut ext,
        runs,
        |ext, i| {
            new_block(ext, i);
            prepare(ext, i)
        },
        |ext, t| run(ext, t),
    );
    items.push(Measurement::new(constant, doc, m));
}

/// Block of the first check of a referendum deciding from block 1.
fn first_check() -> BlockNumber {
    1 + Bench::check_interval()
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let runs = config.runs(RUNS);
    let mut items = Vec::new();
    item(
        &mut items,
        runs,
        "SUBMIT",
        "`submit` of a lookup proposal (preimage request, alarm).",
        |_, i| i,
        |ext, i| {
            submit(ext, i);
        },
    );
    item(
        &mut items,
        runs,
        "PLACE_DECISION_DEPOSIT",
        "`place_decision_deposit` that starts deciding.",
        |ext, i| (i, submit_on(ext, i, 1)),
        |ext, (i, index)| deposit(ext, i, index),
    );
    item(
        &mut items,
        runs,
        "REFUND_DEPOSIT",
        "`refund_decision_deposit` or `refund_submission_deposit`.",
        |ext, i| {
            let index = submit(ext, i);
            ok(ext, Origin::Root, Call::Cancel { index });
            index
        },
        |ext, index| {
            ok(
                ext,
                Origin::Signed(who(0)),
                Call::RefundSubmissionDeposit { index },
            )
        },
    );
    let mut last = None;
    item(
        &mut items,
        runs,
        "CANCEL",
        "`cancel` of a deciding referendum, starting the next queued one.",
        |ext, i| deciding_and_queued(ext, i, &mut last),
        |ext, index| ok(ext, Origin::Root, Call::Cancel { index }),
    );
    let mut last = None;
    item(
        &mut items,
        runs,
        "KILL",
        "`kill` of a deciding referendum, burning two deposits, starting the next queued one.",
        |ext, i| deciding_and_queued(ext, i, &mut last),
        |ext, index| ok(ext, Origin::Root, Call::Kill { index }),
    );
    item(
        &mut items,
        runs,
        "SERVICE_BASE",
        "`on_initialize`: reading and removing a block's (empty) alarms.",
        |_, _| (),
        |ext, ()| {
            referenda::service_alarms::<Bench>(ext, first_check());
        },
    );
    let mut last = None;
    item(
        &mut items,
        runs,
        "SERVICE_REFERENDUM",
        "`on_initialize` servicing one referendum, worst case: an approval that schedules\nits call and starts the next queued referendum (base included).",
        |ext, i| {
            // The previous run approved its referendum (two indices back).
            if let Some(previous) = referenda::referendum_count(ext).checked_sub(2) {
                let info = referenda::referendum_info(ext, previous);
                assert!(matches!(info, Some(ReferendumInfo::Approved(..))), "{info:?}");
            }
            let index = deciding_and_queued(ext, i, &mut last);
            passing(ext, index);
        },
        |ext, ()| {
            referenda::service_alarms::<Bench>(ext, first_check());
        },
    );
    item(
        &mut items,
        runs,
        "MOVE_ALARM",
        "`on_initialize` moving one referendum left over to a later block (with the\n`MAX_SERVICED_PER_BLOCK` serviced ones only read: ended already).",
        |ext, i| {
            let base = 3 * i * referenda::MAX_SERVICED_PER_BLOCK as usize;
            let mut list = Vec::new();
            for k in 0..=referenda::MAX_SERVICED_PER_BLOCK as usize {
                let index = submit(ext, base + k);
                if k < referenda::MAX_SERVICED_PER_BLOCK as usize {
                    ok(ext, Origin::Root, Call::Cancel { index });
                }
                list.push(index);
            }
            put(ext, &referenda::storage::alarms(first_check()), &list);
            let moved = list.last().copied().unwrap_or_default();
            if let Some(referenda::ReferendumInfo::Ongoing(mut s)) = referenda::referendum_info(ext, moved) {
                let mut old = referenda::alarms(ext, s.alarm.unwrap_or_default());
                old.retain(|x| *x != moved);
                put(ext, &referenda::storage::alarms(s.alarm.unwrap_or_default()), &old);
                s.alarm = Some(first_check());
                put(ext, &referenda::storage::referendum_info_for(moved), &referenda::ReferendumInfo::Ongoing(s));
            }
        },
        |ext, ()| {
            referenda::service_alarms::<Bench>(ext, first_check());
        },
    );
    Benchmarks {
        title: "Weights of the referenda pallet's calls and hook",
        method: vec![
            format!("weight = median time of the worst-case path ({runs} runs),"),
            format!("against an in-memory state of {POPULATION} accounts, plus"),
        ],
        items,
    }
}

/// Every CAES votes aye on `index`.
fn passing(ext: &mut dyn Externalities, index: ReferendumIndex) {
    let all = caesar::total_issuance(ext);
    let tally = Tally {
        ayes: all,
        nays: 0,
        support: all,
    };
    put(ext, &cv::storage::tally_of(index), &tally);
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
                "SUBMIT",
                "PLACE_DECISION_DEPOSIT",
                "REFUND_DEPOSIT",
                "CANCEL",
                "KILL",
                "SERVICE_BASE",
                "SERVICE_REFERENDUM",
                "MOVE_ALARM"
            ]
        );
    }

    /// Write this pallet's `weights.rs` as the runtime's command would write it.
    #[test]
    #[ignore]
    fn render_weights() {
        use hm_support::bench::{machine, Prices, MEASURED_DB_READ_PS, MEASURED_DB_WRITE_PS};
        let config = hm_support::bench::BenchConfig { quick: false };
        let prices = Prices {
            read: MEASURED_DB_READ_PS,
            write: MEASURED_DB_WRITE_PS,
        };
        let text = super::benchmarks(&config).render(&prices, &machine());
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/src/weights.rs"), text).unwrap();
    }
}
