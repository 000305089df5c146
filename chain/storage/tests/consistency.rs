//! Startup consistency: damage a closed database through a raw RocksDB handle,
//! then reopen and check that it heals or refuses as documented.
mod common;

use common::{build_chain, cf, commit, edit, expect_refusal, set, temp_db};
use hm_primitives::{blake3_256, H256};
use hm_storage::layout::*;
use hm_storage::{ChainDb, StorageError};
use parity_scale_codec::Encode;

#[test]
fn clean_database_reports_nothing_to_heal() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    let db = ChainDb::open(dir.path()).unwrap();
    let report = db.check_consistency().unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.best, Some((4, hashes[4])));
    assert_eq!(report.finalized, Some((4, hashes[4])));
    assert_eq!(report.genesis, Some(hashes[0]));
}

#[test]
fn best_pointer_ahead_of_blocks_is_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    edit(dir.path(), |raw| {
        raw.put_cf(cf(raw, META), META_BEST, (9u64, H256([9; 32])).encode())
            .unwrap();
    });
    let db = ChainDb::open(dir.path()).unwrap();
    assert_eq!(db.best().unwrap(), Some((4, hashes[4])));
    assert_eq!(db.state_get(b"a").unwrap(), Some(b"4".to_vec()));
    assert!(db.check_consistency().unwrap().is_clean());
    commit(&db, &vec![set(b"a", b"5")]);
}

#[test]
fn deleted_best_header_rolls_back_blocks_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    edit(dir.path(), |raw| {
        raw.delete_cf(cf(raw, HEADERS), hashes[4].as_bytes())
            .unwrap()
    });

    let db = ChainDb::open(dir.path()).unwrap();
    assert_eq!(db.best().unwrap(), Some((3, hashes[3])));
    assert_eq!(db.finalized().unwrap(), Some((3, hashes[3])));
    // The flat state is back at version 3.
    assert_eq!(db.state_get(b"a").unwrap(), Some(b"3".to_vec()));
    assert_eq!(db.state_get(b"b").unwrap(), Some(b"keep".to_vec()));
    assert_eq!(db.state_get(b"c").unwrap(), None);
    // Block 4 is gone from every index.
    assert_eq!(db.hash_by_number(4).unwrap(), None);
    assert_eq!(db.body(&hashes[4]).unwrap(), None);
    assert_eq!(db.transaction_location(&blake3_256(b"xt-a")).unwrap(), None);
    assert!(matches!(
        db.state_root(4),
        Err(StorageError::MissingState(4))
    ));
    assert!(db.check_consistency().unwrap().is_clean());

    // A different block 4 commits cleanly, and none of the old one's state leaks.
    let new4 = commit(&db, &vec![set(b"a", b"other")]);
    assert_ne!(new4, hashes[4]);
    assert_eq!(db.state_get_at(b"c", 4).unwrap(), None);
    assert_eq!(db.state_get_at(b"b", 4).unwrap(), Some(b"keep".to_vec()));
    let (_scratch_dir, scratch) = temp_db();
    let expected = scratch
        .prepare_state(0, &vec![set(b"a", b"other"), set(b"b", b"keep")])
        .unwrap()
        .root;
    assert_eq!(db.state_root(4).unwrap(), expected);
    drop(db);
    assert!(ChainDb::open(dir.path())
        .unwrap()
        .check_consistency()
        .unwrap()
        .is_clean());
}

#[test]
fn finalized_pointer_ahead_of_best_is_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    edit(dir.path(), |raw| {
        raw.put_cf(
            cf(raw, META),
            META_FINALIZED,
            (12u64, H256([1; 32])).encode(),
        )
        .unwrap();
    });
    let db = ChainDb::open(dir.path()).unwrap();
    assert_eq!(db.finalized().unwrap(), Some((4, hashes[4])));
    assert_eq!(db.best().unwrap(), Some((4, hashes[4])));
}

#[test]
fn best_pointer_behind_the_index_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    edit(dir.path(), |raw| {
        raw.put_cf(cf(raw, META), META_BEST, (2u64, hashes[2]).encode())
            .unwrap();
    });
    expect_refusal(dir.path(), "refusing to discard committed blocks");
}

#[test]
fn missing_genesis_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    edit(dir.path(), |raw| {
        raw.delete_cf(cf(raw, HEADERS), hashes[0].as_bytes())
            .unwrap()
    });
    expect_refusal(dir.path(), "genesis header");
}

#[test]
fn index_that_disagrees_with_parent_links_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    build_chain(dir.path());
    edit(dir.path(), |raw| {
        raw.put_cf(cf(raw, NUMBER_TO_HASH), number_key(3), [3u8; 32])
            .unwrap();
    });
    expect_refusal(dir.path(), "parent");
}

#[test]
fn flat_state_that_disagrees_with_the_tree_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    build_chain(dir.path());
    edit(dir.path(), |raw| {
        raw.put_cf(cf(raw, STATE_FLAT), b"c", b"tampered").unwrap()
    });
    expect_refusal(dir.path(), "disagree");
}

#[test]
fn stray_pointer_on_an_empty_database_is_refused() {
    let (dir, db) = temp_db();
    drop(db);
    edit(dir.path(), |raw| {
        raw.put_cf(cf(raw, META), META_GENESIS, [1u8; 32]).unwrap()
    });
    expect_refusal(dir.path(), "genesis pointer");
}

#[test]
fn undecodable_pointer_is_reported_as_corruption() {
    let dir = tempfile::tempdir().unwrap();
    build_chain(dir.path());
    edit(dir.path(), |raw| {
        raw.put_cf(cf(raw, META), META_BEST, [1u8, 2, 3]).unwrap()
    });
    assert!(matches!(
        ChainDb::open(dir.path()),
        Err(StorageError::Corrupt(_))
    ));
}

#[test]
fn foreign_schema_version_is_refused() {
    let (dir, db) = temp_db();
    drop(db);
    edit(dir.path(), |raw| {
        raw.put_cf(cf(raw, META), META_SCHEMA, 99u32.to_be_bytes())
            .unwrap()
    });
    assert!(matches!(
        ChainDb::open(dir.path()),
        Err(StorageError::UnsupportedSchema { found: 99, .. })
    ));
}
