//! Measures what one storage access really costs on the node's store, so the
//! weight benchmark can price accesses from this machine instead of from
//! other systems' figures.
//!
//! ```text
//! cargo run --release -p hm-runtime --example calibrate_storage
//! ```
//!
//! Method: a RocksDB + JMT `ChainDb` holding 100k accounts executes blocks of
//! signed transfers exactly as the node does (overlay over the flat state, then
//! one JMT batch and one synced commit per block). The runtime's storage
//! accesses are counted through the overlay.
//! - read price = median time of a point read of an existing account from the store;
//! - write price = (JMT prepare + synced commit of the block) ÷ writes the runtime
//!   made in it. Repeated writes to one key within a block reach the store once,
//!   and this amortisation is exactly what a block pays for them.
//!
//! It ends by printing the flags to pass to `bench_weights`.
use hm_crypto::Keypair;
use hm_primitives::{
    storage_key::map_key, AccountId, Block, Header, SignedBlock, SignedExtra, SignedPart, Signer,
    UncheckedExtrinsic, H256, UNITS,
};
use hm_runtime::{BlockContext, GenesisAccount, GenesisConfig};
use hm_storage::ChainDb;
use hm_support::Externalities;
use parity_scale_codec::Encode;
use std::{cell::Cell, collections::BTreeMap, time::Instant};

const POPULATION: u32 = 100_000;
/// Comfortably below what the default block weight admits.
const SENDERS: usize = 700;
const BLOCKS: u64 = 5;
const GENESIS_HASH: H256 = H256([1; 32]);

/// The node's execution overlay, counting the runtime's accesses.
struct CountingOverlay<'a> {
    db: &'a ChainDb,
    changes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    reads: Cell<u64>,
    writes: u64,
}

impl Externalities for CountingOverlay<'_> {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.reads.set(self.reads.get() + 1);
        match self.changes.get(key) {
            Some(v) => v.clone(),
            None => self.db.state_get(key).expect("state read"),
        }
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) {
        self.writes += 1;
        self.changes.insert(key.to_vec(), Some(value.to_vec()));
    }
    fn storage_remove(&mut self, key: &[u8]) {
        self.writes += 1;
        self.changes.insert(key.to_vec(), None);
    }
    fn falcon_verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        hm_crypto::falcon::verify_raw(pk, msg, sig)
    }
}

fn plain_account(i: u32) -> AccountId {
    let mut id = [0u8; 32];
    id[..4].copy_from_slice(&i.to_le_bytes());
    AccountId(id)
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = ChainDb::open(dir.path()).expect("open store");
    eprintln!("generating {SENDERS} Falcon key pairs ...");
    let senders: Vec<Keypair> = (0..SENDERS).map(|_| Keypair::generate()).collect();
    let mut accounts: Vec<GenesisAccount> = (0..POPULATION)
        .map(|i| GenesisAccount {
            account: plain_account(i),
            public_key: None,
            balance: 1_000 * UNITS,
        })
        .collect();
    accounts.extend(senders.iter().map(|kp| GenesisAccount {
        account: kp.account_id(),
        public_key: Some(format!("0x{}", hex::encode(kp.public().as_bytes()))),
        balance: 1_000 * UNITS,
    }));
    let genesis = hm_runtime::genesis_storage(&GenesisConfig::with_defaults(accounts, None))
        .expect("genesis");
    let changes: Vec<_> = genesis.into_iter().map(|(k, v)| (k, Some(v))).collect();
    let prepared = db.prepare_state(0, &changes).expect("genesis root");
    let mut parent = Header {
        parent_hash: H256::ZERO,
        number: 0,
        state_root: prepared.root,
        extrinsics_root: Block::compute_extrinsics_root(&[]),
        timestamp_ms: 0,
        proposer: AccountId::default(),
        consensus: vec![],
        seal: vec![],
    };
    let genesis_block = SignedBlock {
        block: Block {
            header: parent.clone(),
            extrinsics: vec![],
        },
        justification: None,
    };
    db.commit_block(&genesis_block, prepared, true)
        .expect("commit genesis");

    let mut write_prices = Vec::new();
    let mut per_block = Vec::new();
    for n in 1..=BLOCKS {
        let xts: Vec<Vec<u8>> = senders
            .iter()
            .enumerate()
            .map(|(i, kp)| {
                let dest = plain_account((i as u32 * 97 + n as u32 * 7919) % POPULATION);
                let call = hm_runtime::Call::Caesar(hm_pallet_caesar::Call::Transfer {
                    dest,
                    value: UNITS,
                });
                let extra = SignedExtra {
                    nonce: n - 1,
                    tip: 0,
                    valid_until: 1_000,
                };
                let msg = hm_primitives::signing_message(
                    &GENESIS_HASH,
                    hm_runtime::VERSION.spec_version,
                    &kp.account_id(),
                    &extra,
                    &call,
                );
                let signed = SignedPart {
                    signer: Signer::Id(kp.account_id()),
                    extra,
                    signature: kp.sign(msg.as_bytes()),
                };
                UncheckedExtrinsic {
                    signed: Some(signed),
                    call,
                }
                .encode()
            })
            .collect();
        let ctx = BlockContext {
            number: n,
            timestamp_ms: n * 1000,
            parent_hash: parent.hash(),
            author: senders[0].account_id(),
            genesis_hash: GENESIS_HASH,
        };
        let mut overlay = CountingOverlay {
            db: &db,
            changes: BTreeMap::new(),
            reads: Cell::new(0),
            writes: 0,
        };
        hm_runtime::initialize_block(&mut overlay, &ctx);
        for xt in &xts {
            hm_runtime::apply_extrinsic(&mut overlay, &ctx, xt).expect("transfer applies");
        }
        hm_runtime::finalize_block(&mut overlay, &ctx);
        let (writes, reads) = (overlay.writes, overlay.reads.get());
        let changes: Vec<_> = overlay.changes.into_iter().collect();
        let distinct = changes.len();

        let started = Instant::now();
        let prepared = db.prepare_state(n, &changes).expect("prepare");
        let header = Header {
            parent_hash: parent.hash(),
            number: n,
            state_root: prepared.root,
            extrinsics_root: Block::compute_extrinsics_root(&xts),
            timestamp_ms: n * 1000,
            proposer: ctx.author,
            consensus: vec![],
            seal: vec![],
        };
        let block = SignedBlock {
            block: Block {
                header: header.clone(),
                extrinsics: xts,
            },
            justification: None,
        };
        db.commit_block(&block, prepared, true).expect("commit");
        let store_ps = started.elapsed().as_nanos() as u64 * 1_000;
        write_prices.push(store_ps / writes.max(1));
        per_block.push((reads, writes, distinct, store_ps));
        parent = header;
    }

    // Point reads of existing accounts, spread over the key space.
    let mut read_samples = Vec::new();
    for round in 0..20u32 {
        let keys: Vec<Vec<u8>> = (0..1_000u32)
            .map(|i| {
                let who = plain_account((i * 7_919 + round * 104_729) % POPULATION);
                map_key(b"Caesar", b"Account", &who.encode())
            })
            .collect();
        let started = Instant::now();
        for k in &keys {
            assert!(db.state_get(k).expect("read").is_some());
        }
        read_samples.push(started.elapsed().as_nanos() as u64 * 1_000 / keys.len() as u64);
    }

    for (i, (reads, writes, distinct, store_ps)) in per_block.iter().enumerate() {
        println!(
            "block {}: {SENDERS} transfers, {reads} reads, {writes} writes ({distinct} distinct keys), prepare+commit {:.1} ms",
            i + 1,
            *store_ps as f64 / 1e9
        );
    }
    let read_ps = median(read_samples);
    let write_ps = median(write_prices);
    println!("read price:  {read_ps} ps (median point read of an existing account)");
    println!("write price: {write_ps} ps (median block prepare+commit ÷ runtime writes)");
    println!("cargo run --release -p hm-runtime --features runtime-benchmarks --example bench_weights -- --write --db-read-ps {read_ps} --db-write-ps {write_ps}");
}
