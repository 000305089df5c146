//! Helpers shared by the integration tests: build and commit blocks on a ChainDb.
#![allow(dead_code)]
use hm_primitives::{AccountId, Block, Header, Justification, SignedBlock, H256};
use hm_storage::{ChainDb, PreparedState, StateChanges, StorageError};
use std::path::Path;

pub fn temp_db() -> (tempfile::TempDir, ChainDb) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = ChainDb::open(dir.path()).expect("open");
    (dir, db)
}

pub fn reopen(path: &Path) -> ChainDb {
    ChainDb::open(path).expect("reopen")
}

/// The next block on top of `db`'s best, with `changes` prepared and its header
/// committing to the prepared root.
pub fn next_block(
    db: &ChainDb,
    changes: &StateChanges,
    extrinsics: Vec<Vec<u8>>,
) -> (SignedBlock, PreparedState) {
    let (number, parent_hash) = match db.best().unwrap() {
        None => (0, H256::ZERO),
        Some((n, h)) => (n + 1, h),
    };
    let prepared = db.prepare_state(number, changes).expect("prepare");
    let header = Header {
        parent_hash,
        number,
        state_root: prepared.root,
        extrinsics_root: Block::compute_extrinsics_root(&extrinsics),
        timestamp_ms: 1_700_000_000_000 + number,
        proposer: AccountId([7; 32]),
        consensus: vec![],
        seal: vec![1, 2, 3],
    };
    let block = SignedBlock {
        block: Block { header, extrinsics },
        justification: Some(Justification {
            engine_id: *b"test",
            data: number.to_le_bytes().to_vec(),
        }),
    };
    (block, prepared)
}

/// Commit a final block with `changes` and no extrinsics; returns its hash.
pub fn commit(db: &ChainDb, changes: &StateChanges) -> H256 {
    let (block, prepared) = next_block(db, changes, vec![]);
    db.commit_block(&block, prepared, true).expect("commit");
    block.block.header.hash()
}

pub fn set(key: &[u8], value: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    (key.to_vec(), Some(value.to_vec()))
}

pub fn del(key: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    (key.to_vec(), None)
}

/// Raw RocksDB handle on a closed ChainDb directory, for corruption tests.
pub fn raw_db(path: &Path) -> rocksdb::DB {
    let opts = rocksdb::Options::default();
    rocksdb::DB::open_cf(&opts, path, hm_storage::layout::ALL).expect("raw open")
}

/// Five final blocks; block `i` sets `a` = i; block 4 also deletes `b`, adds `c`
/// and carries two extrinsics. Returns the block hashes.
pub fn build_chain(path: &Path) -> Vec<H256> {
    let db = ChainDb::open(path).unwrap();
    let mut hashes = vec![commit(&db, &vec![set(b"a", b"0"), set(b"b", b"keep")])];
    for i in 1..4u8 {
        hashes.push(commit(&db, &vec![set(b"a", &[b'0' + i])]));
    }
    let (block, prepared) = next_block(
        &db,
        &vec![set(b"a", b"4"), del(b"b"), set(b"c", b"new")],
        vec![b"xt-a".to_vec(), b"xt-b".to_vec()],
    );
    hashes.push(block.block.header.hash());
    db.commit_block(&block, prepared, true).unwrap();
    hashes
}

pub fn edit(path: &Path, f: impl FnOnce(&rocksdb::DB)) {
    let raw = raw_db(path);
    f(&raw);
}

pub fn cf<'a>(raw: &'a rocksdb::DB, name: &str) -> &'a rocksdb::ColumnFamily {
    raw.cf_handle(name).unwrap()
}

pub fn expect_refusal(path: &Path, needle: &str) {
    match ChainDb::open(path) {
        Err(StorageError::Inconsistent(msg)) => assert!(msg.contains(needle), "message: {msg}"),
        Err(other) => panic!("expected Inconsistent containing {needle:?}, got {other}"),
        Ok(_) => panic!("expected Inconsistent containing {needle:?}, but open succeeded"),
    }
}
