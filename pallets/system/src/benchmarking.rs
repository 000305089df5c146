//! Benchmarks of the System pallet's calls (feature `runtime-benchmarks`), run by the
//! runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]).
use crate::{self as system, Call, Origin};
use hm_primitives::H256;
use hm_support::bench::{
    account, measure, refuse_signatures, BenchConfig, Benchmarks, CountingExt, Measurement,
    POPULATION,
};
use hm_support::put;

/// Timed runs per call.
const RUNS: usize = 2_000;

/// The account that holds the root key in benchmark states.
pub fn root() -> hm_primitives::AccountId {
    account(9, 0)
}

/// Start a fresh block every 64 runs (untimed), clearing the event log as every block does.
pub fn new_block(ext: &mut CountingExt, i: usize) {
    if i % 64 == 0 {
        system::on_initialize(ext, 1, &H256::ZERO, 0, &account(0, 0));
    }
}

/// System genesis with [`root`] as the root key and `POPULATION` accounts that have
/// transacted (a nonce each), then block 1 started.
fn populated_state() -> CountingExt {
    let mut ext = CountingExt::new(refuse_signatures);
    system::GenesisConfig {
        root_key: Some(root()),
        ..Default::default()
    }
    .build(&mut ext)
    .expect("system genesis");
    for i in 0..POPULATION {
        put(
            &mut ext,
            &system::storage::account_nonce(&account(0, i)),
            &1u64,
        );
    }
    new_block(&mut ext, 0);
    ext
}

fn root_ok(ext: &mut CountingExt, call: Call) {
    assert_eq!(system::dispatch(ext, Origin::Root, call), Ok(()));
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let runs = config.runs(RUNS);
    let mut items = Vec::new();

    let mut ext = populated_state();
    let m = measure(&mut ext, runs, new_block, |ext, i| {
        let parameters = system::Parameters {
            max_block_length: 5_000_000 + i as u32,
            ..Default::default()
        };
        root_ok(ext, Call::SetParameters { parameters });
    });
    items.push(Measurement::new("SET_PARAMETERS", "`set_parameters`.", m));

    let mut ext = populated_state();
    let m = measure(&mut ext, runs, new_block, |ext, i| {
        let new = Some(account(9, i as u32));
        root_ok(ext, Call::SetRootKey { new });
    });
    items.push(Measurement::new("SET_ROOT_KEY", "`set_root_key`.", m));

    let mut ext = populated_state();
    let m = measure(&mut ext, runs, new_block, |ext, i| {
        let call = Call::Remark { data: Vec::new() };
        let origin = Origin::Signed(account(0, i as u32));
        assert_eq!(system::dispatch(ext, origin, call), Ok(()));
    });
    items.push(Measurement::new(
        "REMARK",
        "`remark` (its bytes are paid by the length fee).",
        m,
    ));

    Benchmarks {
        title: "Weights of the System pallet's calls",
        method: vec![
            format!("weight = median time of the worst-case path ({runs} runs) against an"),
            format!("in-memory state of {POPULATION} accounts, plus"),
        ],
        items,
    }
}
