//! Blocks, indices, pointers and commit validation.
mod common;

use common::{commit, next_block, reopen, set, temp_db};
use hm_primitives::{blake3_256, Justification, H256};
use hm_storage::{purge, ChainDb, StorageError};

#[test]
fn empty_database_has_no_chain() {
    let (_dir, db) = temp_db();
    assert_eq!(db.best().unwrap(), None);
    assert_eq!(db.finalized().unwrap(), None);
    assert_eq!(db.genesis_hash().unwrap(), None);
    assert_eq!(db.hash_by_number(0).unwrap(), None);
    assert!(db.check_consistency().unwrap().is_clean());
    assert!(matches!(
        db.state_root(0),
        Err(StorageError::MissingState(0))
    ));
}

#[test]
fn commit_and_read_back_blocks() {
    let (_dir, db) = temp_db();
    let genesis = commit(&db, &vec![set(b"a", b"1")]);
    let xts = vec![b"tx-one".to_vec(), b"tx-two".to_vec(), vec![]];
    let (block, prepared) = next_block(&db, &vec![set(b"b", b"2")], xts.clone());
    let hash = block.block.header.hash();
    db.commit_block(&block, prepared, false).unwrap();

    assert_eq!(db.genesis_hash().unwrap(), Some(genesis));
    assert_eq!(db.best().unwrap(), Some((1, hash)));
    assert_eq!(db.finalized().unwrap(), Some((0, genesis)));
    assert_eq!(db.hash_by_number(0).unwrap(), Some(genesis));
    assert_eq!(db.hash_by_number(1).unwrap(), Some(hash));
    assert_eq!(db.hash_by_number(2).unwrap(), None);
    assert_eq!(
        db.header(&hash).unwrap().as_ref(),
        Some(&block.block.header)
    );
    assert_eq!(db.body(&hash).unwrap(), Some(xts.clone()));
    assert_eq!(db.justification(&hash).unwrap(), block.justification);
    assert_eq!(db.signed_block(&hash).unwrap(), Some(block.clone()));
    assert_eq!(db.signed_block(&H256([9; 32])).unwrap(), None);
    for (i, xt) in xts.iter().enumerate() {
        assert_eq!(
            db.transaction_location(&blake3_256(xt)).unwrap(),
            Some((hash, i as u32))
        );
    }
    assert_eq!(
        db.transaction_location(&blake3_256(b"unknown")).unwrap(),
        None
    );
}

#[test]
fn commit_refuses_blocks_that_do_not_extend_best() {
    let (_dir, db) = temp_db();
    // First block must be number 0.
    let (mut block, prepared) = next_block(&db, &vec![], vec![]);
    block.block.header.number = 1;
    let err = db.commit_block(&block, prepared, true).unwrap_err();
    assert!(matches!(err, StorageError::InvalidBlock(_)), "{err}");
    commit(&db, &vec![set(b"k", b"v")]);

    // Wrong number.
    let (mut block, prepared) = next_block(&db, &vec![], vec![]);
    block.block.header.number = 2;
    assert!(matches!(
        db.commit_block(&block, prepared, true),
        Err(StorageError::InvalidBlock(_))
    ));
    // Wrong parent.
    let (mut block, prepared) = next_block(&db, &vec![], vec![]);
    block.block.header.parent_hash = H256([1; 32]);
    let err = db.commit_block(&block, prepared, true).unwrap_err();
    assert!(err.to_string().contains("parent"), "{err}");
    // Root that differs from the prepared one.
    let (mut block, prepared) = next_block(&db, &vec![set(b"k", b"w")], vec![]);
    block.block.header.state_root = H256([3; 32]);
    let err = db.commit_block(&block, prepared, true).unwrap_err();
    assert!(err.to_string().contains("state root"), "{err}");
    // State prepared for another version.
    let (block, _) = next_block(&db, &vec![], vec![]);
    let stale = db.prepare_state(0, &vec![]).unwrap();
    let err = db.commit_block(&block, stale, true).unwrap_err();
    assert!(err.to_string().contains("version"), "{err}");

    // Nothing above was written.
    assert_eq!(db.best().unwrap().map(|b| b.0), Some(0));
    assert_eq!(db.state_get(b"k").unwrap(), Some(b"v".to_vec()));
    assert!(db.check_consistency().unwrap().is_clean());
}

#[test]
fn finalize_advances_pointer_and_stores_justification() {
    let (_dir, db) = temp_db();
    let genesis = commit(&db, &vec![]);
    let mut hashes = vec![genesis];
    for i in 0..3u8 {
        let (block, prepared) = next_block(&db, &vec![set(b"x", &[i])], vec![]);
        hashes.push(block.block.header.hash());
        db.commit_block(&block, prepared, false).unwrap();
    }
    assert_eq!(db.finalized().unwrap(), Some((0, genesis)));

    let j = Justification {
        engine_id: *b"bft0",
        data: vec![4, 2],
    };
    db.finalize(&hashes[2], Some(&j)).unwrap();
    assert_eq!(db.finalized().unwrap(), Some((2, hashes[2])));
    assert_eq!(db.justification(&hashes[2]).unwrap(), Some(j.clone()));

    // An older block: justification stored, pointer unchanged.
    db.finalize(&hashes[1], Some(&j)).unwrap();
    assert_eq!(db.finalized().unwrap(), Some((2, hashes[2])));
    assert_eq!(db.justification(&hashes[1]).unwrap(), Some(j));

    db.finalize(&hashes[3], None).unwrap();
    assert_eq!(db.finalized().unwrap(), Some((3, hashes[3])));
    assert!(matches!(
        db.finalize(&H256([5; 32]), None),
        Err(StorageError::UnknownBlock(_))
    ));
}

#[test]
fn reopen_keeps_blocks_state_and_pointers() {
    let dir = tempfile::tempdir().unwrap();
    let (hashes, roots) = {
        let db = ChainDb::open(dir.path()).unwrap();
        let mut hashes = vec![];
        let mut roots = vec![];
        for i in 0..5u32 {
            hashes.push(commit(
                &db,
                &vec![set(&i.to_le_bytes(), b"v"), set(b"n", &i.to_le_bytes())],
            ));
            roots.push(db.state_root(u64::from(i)).unwrap());
        }
        (hashes, roots)
    };
    let db = reopen(dir.path());
    let report = db.check_consistency().unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.best, Some((4, hashes[4])));
    assert_eq!(db.best().unwrap(), Some((4, hashes[4])));
    assert_eq!(db.finalized().unwrap(), Some((4, hashes[4])));
    assert_eq!(db.genesis_hash().unwrap(), Some(hashes[0]));
    for (i, hash) in hashes.iter().enumerate() {
        assert_eq!(db.hash_by_number(i as u64).unwrap(), Some(*hash));
        assert_eq!(db.state_root(i as u64).unwrap(), roots[i]);
    }
    assert_eq!(
        db.state_get(b"n").unwrap(),
        Some(4u32.to_le_bytes().to_vec())
    );
    assert_eq!(
        db.state_get_at(b"n", 2).unwrap(),
        Some(2u32.to_le_bytes().to_vec())
    );
    // The chain continues after a reopen.
    commit(&db, &vec![set(b"n", b"after")]);
    assert_eq!(db.best().unwrap().map(|b| b.0), Some(5));
}

#[test]
fn purge_deletes_a_database_but_not_other_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = ChainDb::open(&path).unwrap();
        commit(&db, &vec![set(b"a", b"b")]);
    }
    purge(&path).unwrap();
    assert!(!path.exists());
    purge(&path).unwrap(); // already gone: fine

    let precious = dir.path().join("home");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("notes.txt"), b"keep me").unwrap();
    assert!(purge(&precious).is_err());
    assert!(precious.join("notes.txt").exists());
}

#[test]
fn chain_db_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ChainDb>();
}
