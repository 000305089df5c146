//! Benchmarks of the conviction-voting calls (feature `runtime-benchmarks`), to be run by
//! the runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]) once
//! `runtime/src/benchmarking.rs` lists `pallets/conviction-voting/src/weights.rs`. Each
//! call is timed on its worst-case path: records of `MAX_VOTES` votes, delegations that
//! update `MAX_VOTES` tallies. Polls are read from storage ([`BenchPolls`]), one read per
//! status, as the referenda pallet will.
use crate::{
    self as cv, AccountVote, Call, Class, Config, Conviction, PollIndex, PollStatus, Vote,
    MAX_VOTES,
};
use hm_pallet_caesar::benchmarking::populate;
use hm_pallet_system::{benchmarking::new_block, Origin};
use hm_primitives::{storage_key::map_key, AccountId, Balance, UNITS};
use hm_support::bench::{
    account, measure_prepared, BenchConfig, Benchmarks, CountingExt, Measurement, POPULATION,
};
use hm_support::{get, put, Externalities};
use parity_scale_codec::Encode;

/// Timed runs per call (each prepares `MAX_VOTES` votes).
const RUNS: usize = 100;
const CLASS: Class = 0;

/// Polls whose status the benchmarks store.
pub struct BenchPolls;

fn poll_key(poll: PollIndex) -> Vec<u8> {
    map_key(b"BenchPolls", b"Status", &poll.encode())
}

impl Config for BenchPolls {
    fn poll_status(ext: &dyn Externalities, poll: PollIndex) -> Option<PollStatus> {
        get(ext, &poll_key(poll))
    }
}

fn ok(ext: &mut CountingExt, who: AccountId, call: Call) {
    let result = cv::dispatch::<BenchPolls>(ext, Origin::Signed(who), call.clone());
    assert!(result.is_ok(), "{call:?}: {result:?}");
}

/// The voter (or delegator) and the delegate of run `i`.
fn voter(i: usize) -> AccountId {
    account(0, (2 * i as u32) % POPULATION)
}
fn delegate_of(i: usize) -> AccountId {
    account(0, (2 * i as u32 + 1) % POPULATION)
}

/// The polls of run `i`, all ongoing in `CLASS`.
fn polls(i: usize) -> core::ops::Range<PollIndex> {
    let first = i as PollIndex * MAX_VOTES;
    first..first + MAX_VOTES
}

fn aye(balance: Balance) -> AccountVote {
    AccountVote::Standard {
        vote: Vote {
            aye: true,
            conviction: Conviction::Locked6x,
        },
        balance,
    }
}

/// `who` votes on all the polls of run `i`.
fn full_record(ext: &mut CountingExt, who: AccountId, i: usize) {
    for poll in polls(i) {
        put(ext, &poll_key(poll), &PollStatus::Ongoing { class: CLASS });
        let vote = aye(UNITS + Balance::from(poll % 7));
        ok(ext, who, Call::Vote { poll, vote });
    }
}

/// Time the call `prepare` returns, as one weights item, on a state of funded accounts.
fn item(
    items: &mut Vec<Measurement>,
    runs: usize,
    constant: &'static str,
    doc: &str,
    mut prepare: impl FnMut(&mut CountingExt, usize) -> (AccountId, Call),
) {
    let mut ext = CountingExt::new(hm_support::bench::refuse_signatures);
    populate(&mut ext, 1_000 * UNITS, &[]);
    let m = measure_prepared(
        &mut ext,
        runs,
        |ext, i| {
            new_block(ext, i);
            prepare(ext, i)
        },
        |ext, (who, call)| ok(ext, who, call),
    );
    items.push(Measurement::new(constant, doc, m));
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let runs = config.runs(RUNS);
    let mut items = Vec::new();
    let first = |i: usize| polls(i).start;

    item(
        &mut items,
        runs,
        "VOTE",
        "`vote` replacing a vote in a full record (`MAX_VOTES`).",
        |ext, i| {
            full_record(ext, voter(i), i);
            let vote = aye(2 * UNITS);
            (
                voter(i),
                Call::Vote {
                    poll: first(i),
                    vote,
                },
            )
        },
    );
    item(
        &mut items,
        runs,
        "REMOVE_VOTE",
        "`remove_vote` from a full record, on an ongoing poll.",
        |ext, i| {
            full_record(ext, voter(i), i);
            (
                voter(i),
                Call::RemoveVote {
                    class: None,
                    poll: first(i),
                },
            )
        },
    );
    item(
        &mut items,
        runs,
        "REMOVE_OTHER_VOTE",
        "`remove_other_vote` from a full record, on a lost poll.",
        |ext, i| {
            full_record(ext, voter(i), i);
            let lost = PollStatus::Completed {
                ended_at: 0,
                approved: false,
            };
            put(ext, &poll_key(first(i)), &lost);
            let call = Call::RemoveOtherVote {
                target: voter(i),
                class: CLASS,
                poll: first(i),
            };
            (delegate_of(i), call)
        },
    );
    let delegate = |i: usize| Call::Delegate {
        class: CLASS,
        to: delegate_of(i),
        conviction: Conviction::Locked6x,
        balance: 10 * UNITS,
    };
    item(
        &mut items,
        runs,
        "DELEGATE",
        "`delegate` to a target with `MAX_VOTES` standard votes on ongoing polls.",
        |ext, i| {
            full_record(ext, delegate_of(i), i);
            (voter(i), delegate(i))
        },
    );
    item(
        &mut items,
        runs,
        "UNDELEGATE",
        "`undelegate` from a target with `MAX_VOTES` standard votes on ongoing polls.",
        |ext, i| {
            full_record(ext, delegate_of(i), i);
            ok(ext, voter(i), delegate(i));
            (voter(i), Call::Undelegate { class: CLASS })
        },
    );
    item(
        &mut items,
        runs,
        "UNLOCK",
        "`unlock` of a class whose votes were removed.",
        |ext, i| {
            let poll = first(i);
            put(ext, &poll_key(poll), &PollStatus::Ongoing { class: CLASS });
            ok(
                ext,
                voter(i),
                Call::Vote {
                    poll,
                    vote: aye(UNITS),
                },
            );
            ok(ext, voter(i), Call::RemoveVote { class: None, poll });
            (
                delegate_of(i),
                Call::Unlock {
                    class: CLASS,
                    target: voter(i),
                },
            )
        },
    );

    Benchmarks {
        title: "Weights of the conviction-voting pallet's calls",
        method: vec![
            format!("weight = median time of the worst-case path ({runs} runs), records of {MAX_VOTES} votes,"),
            format!("against an in-memory state of {POPULATION} accounts, plus"),
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
                "VOTE",
                "REMOVE_VOTE",
                "REMOVE_OTHER_VOTE",
                "DELEGATE",
                "UNDELEGATE",
                "UNLOCK"
            ]
        );
    }
}
