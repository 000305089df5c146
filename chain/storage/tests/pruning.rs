//! `--state-pruning`: the last N states stay readable, older ones fail precisely, their
//! stale tree nodes and values are deleted with the commit that moves the window, and
//! reopening (after a clean stop, an unfinished commit or a heal) stays consistent.
mod common;

use common::{cf, edit, next_block, raw_db, set};
use hm_primitives::H256;
use hm_storage::layout::*;
use hm_storage::{verify_read_proof, ChainDb, DbConfig, StatePruning, StorageError};
use std::path::Path;

fn config(pruning: &str) -> DbConfig {
    DbConfig {
        state_pruning: pruning.parse().unwrap(),
        ..DbConfig::default()
    }
}

fn open(path: &Path, pruning: &str) -> ChainDb {
    ChainDb::open_with(path, &config(pruning)).unwrap()
}

/// Block `n` sets `counter` = n and rewrites the same 50 keys, so every version makes
/// the previous version's nodes and values stale.
fn commit_numbered(db: &ChainDb) -> H256 {
    let n = db.best().unwrap().map_or(0, |(best, _)| best + 1);
    let mut changes = vec![set(b"counter", &n.to_le_bytes())];
    changes.extend((0u64..50).map(|i| set(&i.to_le_bytes(), &n.to_le_bytes())));
    let (block, prepared) = next_block(db, &changes, vec![]);
    db.commit_block(&block, prepared, true).unwrap();
    block.block.header.hash()
}

fn counter_at(db: &ChainDb, version: u64) -> Result<Option<Vec<u8>>, StorageError> {
    db.state_get_at(b"counter", version)
}

fn assert_pruned(result: Result<impl std::fmt::Debug, StorageError>, version: u64, keep: u64) {
    match result {
        Err(e @ StorageError::StatePruned { .. }) => assert_eq!(
            e.to_string(),
            format!(
                "state of block #{version} is pruned; this node keeps the last {keep} states \
                 (--state-pruning)"
            )
        ),
        other => panic!("expected version {version} to be pruned, got {other:?}"),
    }
}

/// Entries in column family `name` of the closed database at `path`.
fn count(path: &Path, name: &str) -> usize {
    let raw = raw_db(path);
    let mut iter = raw.raw_iterator_cf(cf(&raw, name));
    iter.seek_to_first();
    let mut n = 0;
    while iter.valid() {
        n += 1;
        iter.next();
    }
    n
}

#[test]
fn reads_inside_the_window_work_and_older_ones_fail_precisely() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), "4");
    let hashes: Vec<H256> = (0..12).map(|_| commit_numbered(&db)).collect();
    assert_eq!(db.oldest_state(), 8);
    for v in 8..12u64 {
        assert_eq!(counter_at(&db, v).unwrap(), Some(v.to_le_bytes().to_vec()));
        let root = db.header(&hashes[v as usize]).unwrap().unwrap().state_root;
        assert_eq!(db.state_root(v).unwrap(), root);
        let proof = db.read_proof(b"counter", v).unwrap();
        assert_eq!(
            verify_read_proof(&root, b"counter", &proof).unwrap(),
            Some(v.to_le_bytes().to_vec())
        );
    }
    for v in 0..8u64 {
        assert_pruned(counter_at(&db, v), v, 4);
        assert_pruned(db.state_root(v), v, 4);
        assert_pruned(db.read_proof(b"counter", v), v, 4);
        assert_pruned(db.check_state_available(v), v, 4);
    }
    // Blocks themselves are kept; only their state goes.
    assert!(db.signed_block(&hashes[0]).unwrap().is_some());
    // The window survives a restart.
    drop(db);
    let db = open(dir.path(), "4");
    assert_eq!(db.oldest_state(), 8);
    assert_pruned(counter_at(&db, 7), 7, 4);
    assert_eq!(
        counter_at(&db, 8).unwrap(),
        Some(8u64.to_le_bytes().to_vec())
    );
}

#[test]
fn stale_nodes_and_values_are_deleted_and_storage_stops_growing() {
    let archive = tempfile::tempdir().unwrap();
    let pruned = tempfile::tempdir().unwrap();
    for (dir, mode) in [(&archive, "archive"), (&pruned, "4")] {
        let db = open(dir.path(), mode);
        for _ in 0..30 {
            commit_numbered(&db);
        }
    }
    let (archive_nodes, pruned_nodes) = (
        count(archive.path(), JMT_NODES),
        count(pruned.path(), JMT_NODES),
    );
    let (archive_values, pruned_values) = (
        count(archive.path(), JMT_VALUES),
        count(pruned.path(), JMT_VALUES),
    );
    assert!(
        pruned_nodes * 4 < archive_nodes,
        "{pruned_nodes} vs {archive_nodes}"
    );
    // 51 keys, each with a value per kept version at most.
    assert!(pruned_values <= 51 * 4, "{pruned_values} values kept");
    assert_eq!(archive_values, 51 * 30);
    // Only what versions 26.. made stale is still indexed, to go as the window moves.
    assert_eq!(count(archive.path(), JMT_STALE), 0);
    let stale_after_30 = count(pruned.path(), JMT_STALE);
    assert!(stale_after_30 > 0);

    // Steady state: 30 more blocks of the same shape leave the store no larger.
    {
        let db = open(pruned.path(), "4");
        for _ in 0..30 {
            commit_numbered(&db);
        }
    }
    assert!(count(pruned.path(), JMT_NODES) <= pruned_nodes);
    assert!(count(pruned.path(), JMT_VALUES) <= pruned_values);
    assert!(count(pruned.path(), JMT_STALE) <= stale_after_30);
    assert!(count(pruned.path(), STATE_JOURNAL) <= 4);
}

#[test]
fn keeping_one_state_prunes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), "1");
    for _ in 0..5 {
        commit_numbered(&db);
    }
    assert_eq!(
        counter_at(&db, 4).unwrap(),
        Some(4u64.to_le_bytes().to_vec())
    );
    assert_pruned(counter_at(&db, 3), 3, 1);
    drop(db);
    assert_eq!(count(dir.path(), JMT_VALUES), 51);
    assert_eq!(count(dir.path(), JMT_STALE), 0);
}

#[test]
fn an_unfinished_commit_leaves_the_window_where_it_was() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = open(dir.path(), "3");
        for _ in 0..8 {
            commit_numbered(&db);
        }
        // Block 8 is prepared but the node stops before committing it.
        let (_block, prepared) = next_block(&db, &vec![set(b"counter", b"never")], vec![]);
        assert_eq!(prepared.version, 8);
    }
    let db = open(dir.path(), "3");
    assert!(db.check_consistency().unwrap().is_clean());
    assert_eq!(db.best().unwrap().map(|b| b.0), Some(7));
    assert_eq!(db.oldest_state(), 5);
    for v in 5..8u64 {
        assert_eq!(counter_at(&db, v).unwrap(), Some(v.to_le_bytes().to_vec()));
        db.read_proof(b"counter", v).unwrap();
    }
    commit_numbered(&db);
    assert_eq!(db.oldest_state(), 6);
    assert_pruned(counter_at(&db, 5), 5, 3);
}

#[test]
fn a_heal_that_rolls_blocks_back_revives_what_they_made_stale() {
    let dir = tempfile::tempdir().unwrap();
    let hashes: Vec<H256> = {
        let db = open(dir.path(), "3");
        (0..8).map(|_| commit_numbered(&db)).collect()
    };
    // Block 7's header is lost: the heal rolls back to block 6.
    edit(dir.path(), |raw| {
        raw.delete_cf(cf(raw, HEADERS), hashes[7].as_bytes())
            .unwrap()
    });
    let db = open(dir.path(), "3");
    assert_eq!(db.best().unwrap(), Some((6, hashes[6])));
    // A different block 7 changes only `counter`; the 50 keys keep version 6's values,
    // which the lost block 7 had made stale. Moving the window past 7 must not delete them.
    let (block, prepared) = next_block(&db, &vec![set(b"counter", b"other")], vec![]);
    db.commit_block(&block, prepared, true).unwrap();
    for _ in 0..5 {
        let (block, prepared) = next_block(&db, &vec![set(b"counter", b"more")], vec![]);
        db.commit_block(&block, prepared, true).unwrap();
    }
    let best = db.best().unwrap().unwrap().0;
    assert!(db.oldest_state() > 7);
    let key = 3u64.to_le_bytes();
    assert_eq!(
        db.state_get_at(&key, best).unwrap(),
        Some(6u64.to_le_bytes().to_vec())
    );
    let root = db.state_root(best).unwrap();
    let proof = db.read_proof(&key, best).unwrap();
    assert_eq!(
        verify_read_proof(&root, &key, &proof).unwrap(),
        Some(6u64.to_le_bytes().to_vec())
    );
}

#[test]
fn switching_modes_keeps_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = open(dir.path(), "archive");
        for _ in 0..6 {
            commit_numbered(&db);
        }
        assert_eq!(db.oldest_state(), 0);
        assert_eq!(
            counter_at(&db, 0).unwrap(),
            Some(0u64.to_le_bytes().to_vec())
        );
    }
    {
        let db = open(dir.path(), "2");
        commit_numbered(&db);
        assert_eq!(db.oldest_state(), 5);
        assert_pruned(counter_at(&db, 4), 4, 2);
    }
    // Back to archive: nothing more is pruned, and what is gone says why.
    let db = open(dir.path(), "archive");
    for _ in 0..3 {
        commit_numbered(&db);
    }
    assert_eq!(db.oldest_state(), 5);
    assert_eq!(
        counter_at(&db, 5).unwrap(),
        Some(5u64.to_le_bytes().to_vec())
    );
    match counter_at(&db, 4) {
        Err(e @ StorageError::StatePruned { keep: None, .. }) => {
            assert!(
                e.to_string()
                    .contains("the oldest state this node holds is #5"),
                "{e}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(db.state_pruning(), StatePruning::Archive);
}
