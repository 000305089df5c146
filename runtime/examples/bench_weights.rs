//! Measures the weight of every call, and of the per-extrinsic base, and
//! produces the `weights.rs` files from the measurements.
//!
//! ```text
//! cargo run --release -p hm-runtime --example bench_weights              # print the files
//! cargo run --release -p hm-runtime --example bench_weights -- --write   # rewrite them in the tree
//!     [--db-read-ps N] [--db-write-ps N]                                  # storage access prices
//! ```
//!
//! Method (as Substrate's benchmarks): run each call's worst-case path many
//! times against an in-memory state holding a realistic number of accounts,
//! take the median execution time, and add a fixed price for every storage
//! read and write the call makes (counted by a wrapper around the state),
//! since on the node each access goes to RocksDB and the JMT rather than a
//! `BTreeMap`. Signatures are verified for real (Falcon-1024 via hm-crypto).
use hm_crypto::Keypair;
use hm_pallet_caesar as caesar;
use hm_pallet_system as system;
use hm_primitives::{
    AccountId, Balance, SignedExtra, SignedPart, Signer, UncheckedExtrinsic, H256, UNITS,
};
use hm_runtime::{BlockContext, Call, Origin};
use hm_support::bench::{self, measure, CountingExt, Measurement, Prices};
use hm_support::Externalities;
use parity_scale_codec::Encode;
use std::path::Path;

/// Accounts in the benchmark state.
const POPULATION: u32 = 100_000;
/// Timed runs per call.
const RUNS: usize = 2_000;
/// Timed runs of a whole extrinsic (each verifies a Falcon signature).
const EXTRINSIC_RUNS: usize = 500;

const ED: Balance = UNITS / 1_000;
const GENESIS_BALANCE: Balance = 1_000 * UNITS;
const GENESIS_HASH: H256 = H256([1; 32]);
const COMMAND: &str = "cargo run --release -p hm-runtime --example bench_weights -- --write";

fn account(tag: u8, i: u32) -> AccountId {
    let mut id = [tag; 32];
    id[..4].copy_from_slice(&i.to_le_bytes());
    AccountId(id)
}

/// Genesis with `POPULATION` funded accounts `account(0, i)`; `root` holds the root key.
fn populated_state(root: AccountId, extra: &[(AccountId, Balance)]) -> CountingExt {
    let mut ext = CountingExt::new(hm_crypto::falcon::verify_raw);
    let mut balances: Vec<_> = (0..POPULATION)
        .map(|i| (account(0, i), GENESIS_BALANCE))
        .collect();
    balances.extend_from_slice(extra);
    system::GenesisConfig {
        root_key: Some(root),
        ..Default::default()
    }
    .build(&mut ext)
    .expect("system genesis");
    caesar::GenesisConfig {
        existential_deposit: ED,
        balances,
    }
    .build(&mut ext)
    .expect("caesar genesis");
    system::on_initialize(&mut ext, 1, &H256::ZERO, 0, &account(0, 0));
    ext
}

/// Clear the previous run's events and start a fresh block, as every block does.
fn new_block(ext: &mut CountingExt, i: usize) {
    if i % 64 == 0 {
        system::on_initialize(ext, 1, &H256::ZERO, 0, &account(0, 0));
    }
}

fn bench_caesar() -> Vec<Measurement> {
    let root = account(9, 0);
    let mut out = Vec::new();

    // Worst case: the receiver is new (Endowed) and the sender is reaped (DustLost).
    let mut ext = populated_state(root, &[]);
    let (median_ps, reads, writes) = measure(&mut ext, RUNS, new_block, |ext, i| {
        // Leaves the sender half an ED: below it, so the sender is reaped.
        let call = caesar::Call::Transfer {
            dest: account(1, i as u32),
            value: GENESIS_BALANCE - ED / 2,
        };
        assert_eq!(
            caesar::dispatch(ext, Origin::Signed(account(0, i as u32)), call),
            Ok(())
        );
    });
    out.push(Measurement {
        constant: "TRANSFER",
        doc: "`transfer`, worst case: creates the receiver and reaps the sender.",
        median_ps,
        reads,
        writes,
    });

    // Worst case: the receiver is new; the sender must stay alive.
    let mut ext = populated_state(root, &[]);
    let (median_ps, reads, writes) = measure(&mut ext, RUNS, new_block, |ext, i| {
        let call = caesar::Call::TransferKeepAlive {
            dest: account(1, i as u32),
            value: ED,
        };
        assert_eq!(
            caesar::dispatch(ext, Origin::Signed(account(0, i as u32)), call),
            Ok(())
        );
    });
    out.push(Measurement {
        constant: "TRANSFER_KEEP_ALIVE",
        doc: "`transfer_keep_alive`, worst case: creates the receiver.",
        median_ps,
        reads,
        writes,
    });

    // Worst case: the account is new (Endowed + BalanceSet).
    let mut ext = populated_state(root, &[]);
    let (median_ps, reads, writes) = measure(&mut ext, RUNS, new_block, |ext, i| {
        let call = caesar::Call::SetBalance {
            who: account(1, i as u32),
            free: 10 * ED,
        };
        assert_eq!(caesar::dispatch(ext, Origin::Root, call), Ok(()));
    });
    out.push(Measurement {
        constant: "SET_BALANCE",
        doc: "`set_balance`, worst case: creates the account.",
        median_ps,
        reads,
        writes,
    });
    out
}

fn bench_system() -> Vec<Measurement> {
    let root = account(9, 0);
    let mut out = Vec::new();

    let mut ext = populated_state(root, &[]);
    let (median_ps, reads, writes) = measure(&mut ext, RUNS, new_block, |ext, i| {
        let parameters = system::Parameters {
            max_block_length: 5_000_000 + i as u32,
            ..Default::default()
        };
        assert_eq!(
            system::dispatch(
                ext,
                Origin::Root,
                system::Call::SetParameters { parameters }
            ),
            Ok(())
        );
    });
    out.push(Measurement {
        constant: "SET_PARAMETERS",
        doc: "`set_parameters`.",
        median_ps,
        reads,
        writes,
    });

    let mut ext = populated_state(root, &[]);
    let (median_ps, reads, writes) = measure(&mut ext, RUNS, new_block, |ext, i| {
        let new = Some(account(9, i as u32));
        assert_eq!(
            system::dispatch(ext, Origin::Root, system::Call::SetRootKey { new }),
            Ok(())
        );
    });
    out.push(Measurement {
        constant: "SET_ROOT_KEY",
        doc: "`set_root_key`.",
        median_ps,
        reads,
        writes,
    });

    let mut ext = populated_state(root, &[]);
    let (median_ps, reads, writes) = measure(&mut ext, RUNS, new_block, |ext, i| {
        let call = system::Call::Remark { data: Vec::new() };
        assert_eq!(
            system::dispatch(ext, Origin::Signed(account(0, i as u32)), call),
            Ok(())
        );
    });
    out.push(Measurement {
        constant: "REMARK",
        doc: "`remark` (its bytes are paid by the length fee).",
        median_ps,
        reads,
        writes,
    });
    out
}

fn bench_runtime(remark: &Measurement) -> Vec<Measurement> {
    let root = account(9, 0);
    let mut out = Vec::new();

    // What `Call::Root` adds to its inner call: the root-key check.
    let mut ext = populated_state(root, &[]);
    let (median_ps, reads, writes) = measure(
        &mut ext,
        RUNS,
        |_, _| {},
        |ext, _| {
            assert_eq!(system::ensure_root_key(ext, Origin::Signed(root)), Ok(()));
        },
    );
    out.push(Measurement {
        constant: "ROOT_DISPATCH",
        doc: "What `Call::Root` adds to the inner call's weight: the root-key check.",
        median_ps,
        reads,
        writes,
    });

    // A whole extrinsic around a `remark`, minus the remark. Worst case: the signer's
    // first transaction (its key is stored) and a block author that is credited for
    // the first time.
    let signer = hm_crypto::dev_keypair("alice").expect("dev key");
    let xt = signed_remark(&signer);
    let mut ext = populated_state(root, &[(signer.account_id(), 1_000_000 * UNITS)]);
    let prepare = |ext: &mut CountingExt, i: usize| {
        system::on_initialize(ext, 1, &H256::ZERO, 0, &account(2, i as u32));
        ext.storage_remove(&system::storage::public_key(&signer.account_id()));
        ext.storage_remove(&system::storage::account_nonce(&signer.account_id()));
    };
    let (median_ps, reads, writes) = measure(&mut ext, EXTRINSIC_RUNS, prepare, |ext, i| {
        let ctx = BlockContext {
            number: 1,
            timestamp_ms: 0,
            parent_hash: H256::ZERO,
            author: account(2, i as u32),
            genesis_hash: GENESIS_HASH,
        };
        let outcome =
            hm_runtime::apply_extrinsic(ext, &ctx, &xt).expect("benchmark extrinsic is valid");
        assert_eq!(outcome.result, Ok(()));
    });
    out.push(Measurement {
        constant: "EXTRINSIC_BASE",
        doc: "Every extrinsic: decode, Falcon-1024 signature check, key registration, fee, nonce, events.",
        median_ps: median_ps.saturating_sub(remark.median_ps),
        reads: reads.saturating_sub(remark.reads),
        writes: writes.saturating_sub(remark.writes),
    });
    out
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
        hm_runtime::VERSION.spec_version,
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

fn render(title: &str, items: &[Measurement], prices: &Prices) -> String {
    let method = [
        format!(
            "weight = median time of the worst-case path ({RUNS} runs; {EXTRINSIC_RUNS} for whole"
        ),
        format!("extrinsics) against an in-memory state of {POPULATION} accounts, plus"),
    ];
    bench::render(title, COMMAND, &method, items, prices)
}

fn main() {
    let (write, prices) = match bench::parse_args() {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("bench_weights: {e}");
            std::process::exit(2);
        }
    };
    let system = bench_system();
    let caesar = bench_caesar();
    let remark = system
        .iter()
        .find(|m| m.constant == "REMARK")
        .expect("remark is benchmarked");
    let runtime = bench_runtime(remark);

    let runtime_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = runtime_dir.parent().unwrap_or(runtime_dir);
    let files = [
        (
            root.join("pallets/system/src/weights.rs"),
            render("Weights of the System pallet's calls", &system, &prices),
        ),
        (
            root.join("pallets/caesar/src/weights.rs"),
            render("Weights of the Caesar pallet's calls", &caesar, &prices),
        ),
        (
            root.join("runtime/src/weights.rs"),
            render("Runtime-level weights", &runtime, &prices),
        ),
    ];
    for (path, content) in &files {
        if write {
            if let Err(e) = std::fs::write(path, content) {
                eprintln!("bench_weights: cannot write {}: {e}", path.display());
                std::process::exit(1);
            }
            eprintln!("wrote {}", path.display());
        } else {
            println!("// ===== {}\n{content}", path.display());
        }
    }
}
