//! Benchmarks of the Caesar pallet's calls (feature `runtime-benchmarks`), run by the
//! runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]). Other pallets'
//! benchmarks build their funded states with [`populate`].
use crate::{self as caesar, Call};
use hm_pallet_system::{self as system, benchmarking::new_block, Origin};
use hm_primitives::{AccountId, Balance, UNITS};
use hm_support::bench::{
    account, measure, refuse_signatures, BenchConfig, Benchmarks, CountingExt, Measurement,
    POPULATION,
};

/// Timed runs per call.
const RUNS: usize = 2_000;
/// Existential deposit of benchmark states (the default chain's).
pub const ED: Balance = UNITS / 1_000;
/// Balance of each account of the population in Caesar's own benchmarks.
const GENESIS_BALANCE: Balance = 1_000 * UNITS;

/// Genesis of System (root key: [`system::benchmarking::root`]) and Caesar: `POPULATION`
/// accounts `account(0, i)` holding `balance` each, plus `extra`; then block 1 started.
pub fn populate(ext: &mut CountingExt, balance: Balance, extra: &[(AccountId, Balance)]) {
    let mut balances: Vec<_> = (0..POPULATION).map(|i| (account(0, i), balance)).collect();
    balances.extend_from_slice(extra);
    system::GenesisConfig {
        root_key: Some(system::benchmarking::root()),
        ..Default::default()
    }
    .build(ext)
    .expect("system genesis");
    caesar::GenesisConfig {
        existential_deposit: ED,
        balances,
    }
    .build(ext)
    .expect("caesar genesis");
    new_block(ext, 0);
}

fn populated_state() -> CountingExt {
    let mut ext = CountingExt::new(refuse_signatures);
    populate(&mut ext, GENESIS_BALANCE, &[]);
    ext
}

fn signed_ok(ext: &mut CountingExt, who: AccountId, call: Call) {
    assert_eq!(caesar::dispatch(ext, Origin::Signed(who), call), Ok(()));
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let runs = config.runs(RUNS);
    let mut items = Vec::new();

    // Worst case: the receiver is new (Endowed) and the sender is reaped (DustLost).
    let mut ext = populated_state();
    let m = measure(&mut ext, runs, new_block, |ext, i| {
        // Leaves the sender half an ED: below it, so the sender is reaped.
        let call = Call::Transfer {
            dest: account(1, i as u32),
            value: GENESIS_BALANCE - ED / 2,
        };
        signed_ok(ext, account(0, i as u32), call);
    });
    items.push(Measurement::new(
        "TRANSFER",
        "`transfer`, worst case: creates the receiver and reaps the sender.",
        m,
    ));

    // Worst case: the receiver is new; the sender must stay alive.
    let mut ext = populated_state();
    let m = measure(&mut ext, runs, new_block, |ext, i| {
        let call = Call::TransferKeepAlive {
            dest: account(1, i as u32),
            value: ED,
        };
        signed_ok(ext, account(0, i as u32), call);
    });
    items.push(Measurement::new(
        "TRANSFER_KEEP_ALIVE",
        "`transfer_keep_alive`, worst case: creates the receiver.",
        m,
    ));

    // Worst case: the account is new (Endowed + BalanceSet).
    let mut ext = populated_state();
    let m = measure(&mut ext, runs, new_block, |ext, i| {
        let call = Call::SetBalance {
            who: account(1, i as u32),
            free: 10 * ED,
        };
        assert_eq!(caesar::dispatch(ext, Origin::Root, call), Ok(()));
    });
    items.push(Measurement::new(
        "SET_BALANCE",
        "`set_balance`, worst case: creates the account.",
        m,
    ));

    Benchmarks {
        title: "Weights of the Caesar pallet's calls",
        method: vec![
            format!("weight = median time of the worst-case path ({runs} runs) against an"),
            format!("in-memory state of {POPULATION} accounts, plus"),
        ],
        items,
    }
}
