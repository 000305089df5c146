//! The weight benchmarks (feature `runtime-benchmarks`): the runtime-level items
//! (`EXTRINSIC_BASE`, `ROOT_DISPATCH`) and [`weights_files`], which runs every pallet's
//! `benchmarking::benchmarks` and renders every `weights.rs`. The `bench_weights`
//! example ([`hm_support::bench::COMMAND`]) prints or writes what it returns.
//!
//! Method (as Substrate's benchmarks): run each call's worst-case path many times
//! against an in-memory state holding a realistic number of accounts, take the median
//! execution time, and add a fixed price for every storage read and write the call makes
//! (counted by a wrapper around the state), since on the node each access goes to
//! RocksDB and the JMT rather than a `BTreeMap`. Signatures are verified for real
//! (Falcon-1024 via hm-crypto).
use crate::{BlockContext, Call, Origin};
use alloc::{format, string::String, vec, vec::Vec};
use hm_crypto::Keypair;
use hm_pallet_caesar as caesar;
use hm_pallet_contracts as contracts;
use hm_pallet_dex as dex;
use hm_pallet_staking as staking;
use hm_pallet_system as system;
use hm_pallet_tokens as tokens;
use hm_primitives::{SignedExtra, SignedPart, Signer, UncheckedExtrinsic, H256, UNITS};
use hm_support::bench::{
    self, account, measure, BenchConfig, Benchmarks, CountingExt, Measurement, Prices, POPULATION,
};
use hm_support::Externalities;
use parity_scale_codec::Encode;

/// Timed runs of the root-key check.
const RUNS: usize = 2_000;
/// Timed runs of a whole extrinsic (each verifies a Falcon signature).
const EXTRINSIC_RUNS: usize = 500;
const GENESIS_HASH: H256 = H256([1; 32]);

/// One generated file: its path from the repository root and its text.
pub struct WeightsFile {
    pub path: &'static str,
    pub text: String,
}

/// Every pallet's `weights.rs` and the runtime's, measured now with `config`.
pub fn weights_files(config: &BenchConfig, prices: &Prices) -> Vec<WeightsFile> {
    let machine = bench::machine();
    let system = system::benchmarking::benchmarks(config);
    let runtime = benchmarks(config, &system);
    let all = [
        ("pallets/system/src/weights.rs", system),
        (
            "pallets/caesar/src/weights.rs",
            caesar::benchmarking::benchmarks(config),
        ),
        (
            "pallets/tokens/src/weights.rs",
            tokens::benchmarking::benchmarks(config),
        ),
        (
            "pallets/dex/src/weights.rs",
            dex::benchmarking::benchmarks(config),
        ),
        (
            "pallets/preimage/src/weights.rs",
            hm_pallet_preimage::benchmarking::benchmarks(config),
        ),
        (
            "pallets/scheduler/src/weights.rs",
            hm_pallet_scheduler::benchmarking::benchmarks(config),
        ),
        (
            "pallets/conviction-voting/src/weights.rs",
            hm_pallet_conviction_voting::benchmarking::benchmarks(config),
        ),
        (
            "pallets/referenda/src/weights.rs",
            hm_pallet_referenda::benchmarking::benchmarks(config),
        ),
        (
            "pallets/staking/src/weights.rs",
            staking::benchmarking::benchmarks(config),
        ),
        (
            "pallets/contracts/src/weights.rs",
            contracts::benchmarking::benchmarks(config),
        ),
        ("runtime/src/weights.rs", runtime),
    ];
    all.into_iter()
        .map(|(path, benchmarks)| WeightsFile {
            path,
            text: benchmarks.render(prices, &machine),
        })
        .collect()
}

/// The runtime-level items; `EXTRINSIC_BASE` excludes the `REMARK` of `system`'s results.
pub fn benchmarks(config: &BenchConfig, system: &Benchmarks) -> Benchmarks {
    let remark = system.get("REMARK").expect("System benchmarks `remark`");
    let runs = config.runs(RUNS);
    let extrinsic_runs = config.runs(EXTRINSIC_RUNS);
    let root = system::benchmarking::root();
    let mut items = Vec::new();

    // What `Call::Root` adds to its inner call: the root-key check.
    let mut ext = CountingExt::new(hm_crypto::falcon::verify_raw);
    caesar::benchmarking::populate(&mut ext, UNITS, &[]);
    let m = measure(
        &mut ext,
        runs,
        |_, _| {},
        |ext, _| {
            assert_eq!(system::ensure_root_key(ext, Origin::Signed(root)), Ok(()));
        },
    );
    items.push(Measurement::new(
        "ROOT_DISPATCH",
        "What `Call::Root` adds to the inner call's weight: the root-key check.",
        m,
    ));

    // A whole extrinsic around a `remark`, minus the remark. Worst case: the signer's
    // first transaction (its key is stored) and a block author that is credited for
    // the first time.
    let signer = hm_crypto::dev_keypair("alice").expect("dev key");
    let xt = signed_remark(&signer);
    let mut ext = CountingExt::new(hm_crypto::falcon::verify_raw);
    caesar::benchmarking::populate(&mut ext, UNITS, &[(signer.account_id(), 1_000_000 * UNITS)]);
    let prepare = |ext: &mut CountingExt, i: usize| {
        system::on_initialize(ext, 1, &H256::ZERO, 0, &account(2, i as u32));
        ext.storage_remove(&system::storage::public_key(&signer.account_id()));
        ext.storage_remove(&system::storage::account_nonce(&signer.account_id()));
    };
    let (median_ps, reads, writes) = measure(&mut ext, extrinsic_runs, prepare, |ext, i| {
        let ctx = BlockContext {
            number: 1,
            timestamp_ms: 0,
            parent_hash: H256::ZERO,
            author: account(2, i as u32),
            genesis_hash: GENESIS_HASH,
        };
        let outcome = crate::apply_extrinsic(ext, &ctx, &xt).expect("benchmark extrinsic is valid");
        assert_eq!(outcome.result, Ok(()));
    });
    items.push(Measurement::new(
        "EXTRINSIC_BASE",
        "Every extrinsic: decode, Falcon-1024 signature check, key registration, fee, nonce, events.",
        (
            median_ps.saturating_sub(remark.median_ps),
            reads.saturating_sub(remark.reads),
            writes.saturating_sub(remark.writes),
        ),
    ));

    Benchmarks {
        title: "Runtime-level weights",
        method: vec![
            format!(
                "weight = median time of the worst-case path ({runs} runs; {extrinsic_runs} for whole"
            ),
            format!("extrinsics) against an in-memory state of {POPULATION} accounts, plus"),
        ],
        items,
    }
}

fn signed_remark(signer: &Keypair) -> Vec<u8> {
    let call = Call::System(system::Call::Remark { data: Vec::new() });
    let extra = SignedExtra {
        nonce: 0,
        tip: 0,
        valid_until: u64::MAX,
    };
    let who = signer.account_id();
    let message = hm_primitives::signing_message(
        &GENESIS_HASH,
        crate::VERSION.spec_version,
        &who,
        &extra,
        &call,
    );
    let signature = signer.sign(message.as_bytes());
    let signed = SignedPart {
        signer: Signer::FullKey(signer.public().clone()),
        extra,
        signature,
    };
    UncheckedExtrinsic {
        signed: Some(signed),
        call,
    }
    .encode()
}
