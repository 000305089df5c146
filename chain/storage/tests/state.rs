//! Authenticated state: roots, purity of prepare, latest and historical reads.
mod common;

use common::{commit, del, next_block, set, temp_db};
use hm_storage::{StateChanges, StorageError, EMPTY_STATE_ROOT, MAX_STATE_VALUE_BYTES};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[test]
fn empty_genesis_has_the_documented_empty_root() {
    let (_dir, db) = temp_db();
    let prepared = db.prepare_state(0, &vec![]).unwrap();
    assert_eq!(prepared.root, EMPTY_STATE_ROOT);
    commit(&db, &vec![]);
    assert_eq!(db.state_root(0).unwrap(), EMPTY_STATE_ROOT);
    // Deleting the only key returns to the empty root.
    commit(&db, &vec![set(b"k", b"v")]);
    assert_ne!(db.state_root(1).unwrap(), EMPTY_STATE_ROOT);
    commit(&db, &vec![del(b"k")]);
    assert_eq!(db.state_root(2).unwrap(), EMPTY_STATE_ROOT);
}

#[test]
fn blocks_that_change_nothing_keep_the_root_and_advance_the_version() {
    let (_dir, db) = temp_db();
    commit(&db, &vec![set(b"a", b"1"), set(b"b", b"2")]);
    let root = db.state_root(0).unwrap();
    commit(&db, &vec![]);
    commit(&db, &vec![del(b"never-existed")]);
    commit(&db, &vec![set(b"a", b"1")]); // same value again
    for v in 1..=3 {
        assert_eq!(db.state_root(v).unwrap(), root, "version {v}");
    }
    commit(&db, &vec![set(b"c", b"3")]);
    assert_ne!(db.state_root(4).unwrap(), root);
}

#[test]
fn prepare_state_is_pure_and_repeatable() {
    let (_dir, db) = temp_db();
    commit(&db, &vec![set(b"a", b"1"), set(b"b", b"2")]);
    let root_before = db.state_root(0).unwrap();
    let changes = vec![set(b"a", b"10"), del(b"b"), set(b"c", b"3")];
    let first = db.prepare_state(1, &changes).unwrap();
    let second = db.prepare_state(1, &changes).unwrap();
    assert_eq!(first.root, second.root);
    assert_eq!(first.version, 1);
    // Nothing was written: reads, roots and pointers are unchanged.
    assert_eq!(db.state_get(b"a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(db.state_get(b"b").unwrap(), Some(b"2".to_vec()));
    assert_eq!(db.state_get(b"c").unwrap(), None);
    assert_eq!(db.state_root(0).unwrap(), root_before);
    assert!(matches!(
        db.state_root(1),
        Err(StorageError::MissingState(1))
    ));
    assert_eq!(db.best().unwrap().map(|b| b.0), Some(0));
    // Committing the second preparation gives the state the first predicted.
    let (block, prepared) = next_block(&db, &changes, vec![]);
    assert_eq!(prepared.root, first.root);
    db.commit_block(&block, second, true).unwrap();
    assert_eq!(db.state_root(1).unwrap(), first.root);
    assert_eq!(db.state_get(b"a").unwrap(), Some(b"10".to_vec()));
    assert_eq!(db.state_get(b"b").unwrap(), None);
}

#[test]
fn last_change_of_a_key_wins() {
    let (_dir, db) = temp_db();
    let dup = db
        .prepare_state(0, &vec![set(b"k", b"1"), del(b"k"), set(b"k", b"3")])
        .unwrap();
    let single = db.prepare_state(0, &vec![set(b"k", b"3")]).unwrap();
    assert_eq!(dup.root, single.root);
    assert_eq!(dup.changed_keys(), 1);
}

#[test]
fn prepare_refuses_missing_base_and_oversized_values() {
    let (_dir, db) = temp_db();
    assert!(matches!(
        db.prepare_state(1, &vec![]),
        Err(StorageError::MissingState(0))
    ));
    commit(&db, &vec![]);
    assert!(matches!(
        db.prepare_state(5, &vec![]),
        Err(StorageError::MissingState(4))
    ));
    let huge = vec![(b"code".to_vec(), Some(vec![0u8; MAX_STATE_VALUE_BYTES + 1]))];
    assert!(matches!(
        db.prepare_state(1, &huge),
        Err(StorageError::ValueTooLarge { .. })
    ));
    // The limit itself is accepted.
    let max = vec![(b"code".to_vec(), Some(vec![1u8; MAX_STATE_VALUE_BYTES]))];
    commit(&db, &max);
    assert_eq!(
        db.state_get(b"code").unwrap().map(|v| v.len()),
        Some(MAX_STATE_VALUE_BYTES)
    );
}

#[test]
fn historical_reads_see_each_version() {
    let (_dir, db) = temp_db();
    commit(&db, &vec![set(b"k", b"v0"), set(b"other", b"x")]);
    commit(&db, &vec![set(b"k", b"v1")]);
    commit(&db, &vec![del(b"k")]);
    commit(&db, &vec![set(b"unrelated", b"y")]);
    commit(&db, &vec![set(b"k", b"v4")]);
    let expect: [Option<&[u8]>; 5] = [Some(b"v0"), Some(b"v1"), None, None, Some(b"v4")];
    for (v, want) in expect.iter().enumerate() {
        assert_eq!(
            db.state_get_at(b"k", v as u64).unwrap().as_deref(),
            *want,
            "version {v}"
        );
        assert_eq!(
            db.state_get_at(b"other", v as u64).unwrap(),
            Some(b"x".to_vec())
        );
    }
    assert_eq!(db.state_get(b"k").unwrap(), Some(b"v4".to_vec()));
    assert!(matches!(
        db.state_get_at(b"k", 5),
        Err(StorageError::MissingState(5))
    ));
}

#[test]
fn prefix_scan_pages_through_latest_state() {
    let (_dir, db) = temp_db();
    let mut changes: StateChanges = (0u8..10).map(|i| set(&[b'p', i], &[i])).collect();
    changes.push(set(b"q", b"outside"));
    changes.push(set(b"o", b"outside"));
    commit(&db, &changes);
    let page = db.state_prefix_scan(b"p", None, 4).unwrap();
    assert_eq!(page.len(), 4);
    assert_eq!(page[0], (vec![b'p', 0], vec![0]));
    let rest = db.state_prefix_scan(b"p", Some(&page[3].0), 100).unwrap();
    assert_eq!(rest.len(), 6);
    assert_eq!(rest[0].0, vec![b'p', 4]);
    assert!(db.state_prefix_scan(b"z", None, 10).unwrap().is_empty());
    assert_eq!(db.state_prefix_scan(b"", None, 100).unwrap().len(), 12);
}

fn change_strategy() -> impl Strategy<Value = StateChanges> {
    // A small key space so blocks overwrite and delete each other's keys.
    let key = (0u8..48).prop_map(|k| vec![b'k', k]);
    let value = proptest::option::weighted(0.75, proptest::collection::vec(any::<u8>(), 0..40));
    proptest::collection::vec((key, value), 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Insert-only sets take jmt's batch path; adding a no-op deletion forces
    /// the interleaved path. Both must give the same root on the same base.
    #[test]
    fn batch_and_interleaved_paths_agree(
        base in proptest::collection::vec((0u16..400, proptest::collection::vec(any::<u8>(), 1..20)), 0..200),
        inserts in proptest::collection::vec((0u16..400, proptest::collection::vec(any::<u8>(), 0..20)), 1..100),
    ) {
        let (_dir, db) = temp_db();
        commit(&db, &base.iter().map(|(k, v)| set(&k.to_le_bytes(), v)).collect());
        let batch: StateChanges = inserts.iter().map(|(k, v)| set(&k.to_le_bytes(), v)).collect();
        let mut interleaved = batch.clone();
        interleaved.insert(0, del(b"never present"));
        let a = db.prepare_state(1, &batch).unwrap();
        let b = db.prepare_state(1, &interleaved).unwrap();
        prop_assert_eq!(a.root, b.root);
        let (block, _) = next_block(&db, &batch, vec![]);
        db.commit_block(&block, a, true).unwrap();
        for (k, _) in &inserts {
            let key = k.to_le_bytes();
            let proof = db.read_proof(&key, 1).unwrap();
            prop_assert_eq!(
                hm_storage::verify_read_proof(&b.root, &key, &proof).unwrap(),
                db.state_get(&key).unwrap()
            );
        }
    }

    /// Committing random change sets block by block gives, at every version, the
    /// root of building that version's whole state from scratch, and the reads
    /// match a plain map.
    #[test]
    fn incremental_roots_match_recomputation(blocks in proptest::collection::vec(change_strategy(), 1..8)) {
        let (_dir, db) = temp_db();
        let (_scratch_dir, scratch) = temp_db();
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let mut history = Vec::new();
        for changes in &blocks {
            commit(&db, changes);
            for (k, v) in changes {
                match v {
                    Some(v) => { model.insert(k.clone(), v.clone()); }
                    None => { model.remove(k); }
                }
            }
            let full: StateChanges = model.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
            let version = db.best().unwrap().unwrap().0;
            prop_assert_eq!(db.state_root(version).unwrap(), scratch.prepare_state(0, &full).unwrap().root);
            history.push(model.clone());
        }
        for k in 0u8..48 {
            let key = vec![b'k', k];
            prop_assert_eq!(db.state_get(&key).unwrap(), model.get(&key).cloned());
            for (version, snapshot) in history.iter().enumerate() {
                let version = version as u64;
                prop_assert_eq!(db.state_get_at(&key, version).unwrap(), snapshot.get(&key).cloned());
                // Proofs walk the stored tree, whichever insertion path built it.
                let proof = db.read_proof(&key, version).unwrap();
                let root = db.state_root(version).unwrap();
                prop_assert_eq!(
                    hm_storage::verify_read_proof(&root, &key, &proof).unwrap(),
                    snapshot.get(&key).cloned()
                );
            }
        }
    }
}
