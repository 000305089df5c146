//! State write cost per key: prepare_state + commit_block of blocks that touch
//! `KEYS_PER_BLOCK` keys, next to raw RocksDB puts of the same sizes measured in
//! the same run (the baseline we always print).
//!
//! cargo run --release -p hm-storage --example state_bench -- [base_keys] [blocks] [keys_per_block] [deletes_per_block]
//!
//! Any deletion in a block moves the root computation off jmt's batch path
//! (see `compute_update`), so `deletes_per_block > 0` measures the slower path.
use hm_primitives::{AccountId, Block, Header, SignedBlock, H256};
use hm_storage::{ChainDb, StateChanges};
use std::time::{Duration, Instant};

const KEY_BYTES: usize = 80; // 48-byte pallet/item/hash prefix + 32-byte account
const VALUE_BYTES: usize = 48; // nonce + free + reserved balance

/// splitmix64: deterministic, dependency-free key choice.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn key(i: u64) -> Vec<u8> {
    let mut k = vec![0x11u8; 48];
    let h = blake3::hash(&i.to_le_bytes());
    k.extend_from_slice(&h.as_bytes()[..KEY_BYTES - 48]);
    k
}

fn value(seed: u64) -> Vec<u8> {
    let mut v = seed.to_le_bytes().to_vec();
    v.resize(VALUE_BYTES, 0xab);
    v
}

fn commit(db: &ChainDb, changes: &StateChanges) -> (Duration, Duration) {
    let (number, parent_hash) = match db.best().expect("best") {
        None => (0, H256::ZERO),
        Some((n, h)) => (n + 1, h),
    };
    let start = Instant::now();
    let prepared = db.prepare_state(number, changes).expect("prepare");
    let prepare_time = start.elapsed();
    let header = Header {
        parent_hash,
        number,
        state_root: prepared.root,
        extrinsics_root: Block::compute_extrinsics_root(&[]),
        timestamp_ms: number,
        proposer: AccountId([0; 32]),
        consensus: vec![],
        seal: vec![],
    };
    let block = SignedBlock {
        block: Block {
            header,
            extrinsics: vec![],
        },
        justification: None,
    };
    let start = Instant::now();
    db.commit_block(&block, prepared, true).expect("commit");
    (prepare_time, start.elapsed())
}

fn per_key_us(d: Duration, keys: usize) -> f64 {
    d.as_secs_f64() * 1e6 / keys as f64
}

fn raw_rocksdb_baseline(keys_per_block: usize, rng: &mut Rng) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut opts = rocksdb::Options::default();
    opts.create_if_missing(true);
    opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
    let db = rocksdb::DB::open(&opts, dir.path()).expect("open raw");
    let keys: Vec<Vec<u8>> = (0..keys_per_block).map(|_| key(rng.next())).collect();
    let start = Instant::now();
    for k in &keys {
        db.put(k, value(1)).expect("put");
    }
    let single = per_key_us(start.elapsed(), keys.len());
    let mut batch = rocksdb::WriteBatch::default();
    let start = Instant::now();
    for k in &keys {
        batch.put(k, value(2));
    }
    let mut sync = rocksdb::WriteOptions::default();
    sync.set_sync(true);
    db.write_opt(batch, &sync).expect("write");
    (single, per_key_us(start.elapsed(), keys.len()))
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numeric argument"))
        .collect();
    let base_keys = args.first().copied().unwrap_or(200_000);
    let blocks = args.get(1).copied().unwrap_or(10) as usize;
    let keys_per_block = args.get(2).copied().unwrap_or(10_000) as usize;
    let deletes_per_block = args.get(3).copied().unwrap_or(0) as usize;

    let dir = tempfile::tempdir().expect("tempdir");
    let db = ChainDb::open(dir.path()).expect("open");
    let mut next_key = 0u64;
    let chunk = 50_000;
    let setup = Instant::now();
    while next_key < base_keys {
        let n = chunk.min(base_keys - next_key);
        let changes: StateChanges = (next_key..next_key + n)
            .map(|i| (key(i), Some(value(i))))
            .collect();
        commit(&db, &changes);
        next_key += n;
    }
    println!(
        "setup: {base_keys} keys in {:.1} s; measuring {blocks} blocks of {keys_per_block} keys \
         ({deletes_per_block} deletions, the rest 70% updates / 30% inserts)",
        setup.elapsed().as_secs_f64()
    );

    let mut rng = Rng(42);
    let (mut prepare_total, mut commit_total) = (Duration::ZERO, Duration::ZERO);
    for b in 0..blocks {
        let mut changes: StateChanges = (0..keys_per_block.saturating_sub(deletes_per_block))
            .map(|i| {
                if i % 10 < 7 && next_key > 0 {
                    (key(rng.next() % next_key), Some(value(b as u64)))
                } else {
                    next_key += 1;
                    (key(next_key - 1), Some(value(b as u64)))
                }
            })
            .collect();
        changes.extend((0..deletes_per_block).map(|_| (key(rng.next() % next_key.max(1)), None)));
        let (p, c) = commit(&db, &changes);
        println!(
            "block {b}: prepare {:.1} ms, commit {:.1} ms ({:.2} µs/key)",
            p.as_secs_f64() * 1e3,
            c.as_secs_f64() * 1e3,
            per_key_us(p + c, keys_per_block)
        );
        prepare_total += p;
        commit_total += c;
    }
    let keys = blocks * keys_per_block;
    let (raw_single, raw_batch) = raw_rocksdb_baseline(keys_per_block, &mut rng);
    println!("--- per key, averaged over {blocks} blocks ---");
    println!(
        "prepare_state (JMT root)       {:>8.2} µs/key",
        per_key_us(prepare_total, keys)
    );
    println!(
        "commit_block (synced batch)    {:>8.2} µs/key",
        per_key_us(commit_total, keys)
    );
    println!(
        "prepare + commit               {:>8.2} µs/key",
        per_key_us(prepare_total + commit_total, keys)
    );
    println!("raw RocksDB put (same run)     {:>8.2} µs/key", raw_single);
    println!("raw RocksDB synced batch       {:>8.2} µs/key", raw_batch);
}
