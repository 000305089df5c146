//! Start-up checks of the finalized head's justification and the transaction index:
//! damage a closed database, reopen, and check it heals or refuses precisely.
mod common;

use common::{build_chain, cf, commit, edit, expect_refusal, set};
use hm_primitives::{blake3_256, H256};
use hm_storage::layout::*;
use hm_storage::{ChainDb, JUSTIFICATION_FALLBACK_DEPTH, TX_INDEX_CHECK_DEPTH};
use parity_scale_codec::Encode;

#[test]
fn finalized_head_without_justification_falls_back_to_the_highest_justified_block() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    edit(dir.path(), |raw| {
        let justifications = cf(raw, JUSTIFICATIONS);
        raw.delete_cf(justifications, hashes[4].as_bytes()).unwrap();
        // Block 3's bytes no longer decode: it cannot be the fallback either.
        raw.put_cf(justifications, hashes[3].as_bytes(), [0xff, 0xff])
            .unwrap();
    });
    let db = ChainDb::open(dir.path()).unwrap();
    assert_eq!(db.finalized().unwrap(), Some((2, hashes[2])));
    assert_eq!(
        db.best().unwrap(),
        Some((4, hashes[4])),
        "no block is dropped"
    );
    assert!(db.justification(&hashes[2]).unwrap().is_some());
    let report = db.check_consistency().unwrap();
    assert!(report.is_clean(), "healed once, clean after: {report:?}");
    drop(db);

    // With only the head's justification gone, the block below it takes over.
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    edit(dir.path(), |raw| {
        raw.delete_cf(cf(raw, JUSTIFICATIONS), hashes[4].as_bytes())
            .unwrap();
    });
    let db = ChainDb::open(dir.path()).unwrap();
    assert_eq!(db.finalized().unwrap(), Some((3, hashes[3])));
}

#[test]
fn genesis_is_the_last_fallback_and_needs_no_justification() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    edit(dir.path(), |raw| {
        for hash in &hashes[1..] {
            raw.delete_cf(cf(raw, JUSTIFICATIONS), hash.as_bytes())
                .unwrap();
        }
    });
    let db = ChainDb::open(dir.path()).unwrap();
    assert_eq!(db.finalized().unwrap(), Some((0, hashes[0])));
}

#[test]
fn finalized_head_without_any_justification_nearby_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let last = JUSTIFICATION_FALLBACK_DEPTH + 2;
    let hashes: Vec<H256> = {
        let db = ChainDb::open(dir.path()).unwrap();
        (0..=last)
            .map(|i| commit(&db, &vec![set(b"n", &i.to_le_bytes())]))
            .collect()
    };
    edit(dir.path(), |raw| {
        for hash in &hashes[1..] {
            raw.delete_cf(cf(raw, JUSTIFICATIONS), hash.as_bytes())
                .unwrap();
        }
    });
    expect_refusal(
        dir.path(),
        &format!(
            "finalized block #{last} {:?} has no valid justification",
            hashes[last as usize]
        ),
    );
}

#[test]
fn missing_dangling_and_undecodable_tx_index_entries_are_reindexed() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    let (a, b) = (blake3_256(b"xt-a"), blake3_256(b"xt-b"));
    edit(dir.path(), |raw| {
        let index = cf(raw, TX_INDEX);
        raw.delete_cf(index, a.as_bytes()).unwrap();
        raw.put_cf(index, b.as_bytes(), (H256([0xEE; 32]), 1u32).encode())
            .unwrap();
    });
    let db = ChainDb::open(dir.path()).unwrap();
    assert_eq!(db.transaction_location(&a).unwrap(), Some((hashes[4], 0)));
    assert_eq!(db.transaction_location(&b).unwrap(), Some((hashes[4], 1)));
    assert!(db.check_consistency().unwrap().is_clean());
    drop(db);

    edit(dir.path(), |raw| {
        raw.put_cf(cf(raw, TX_INDEX), a.as_bytes(), [1, 2, 3])
            .unwrap();
    });
    let db = ChainDb::open(dir.path()).unwrap();
    assert_eq!(db.transaction_location(&a).unwrap(), Some((hashes[4], 0)));
}

#[test]
fn an_entry_naming_a_later_block_with_the_same_extrinsic_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    build_chain(dir.path());
    let later = {
        let db = ChainDb::open(dir.path()).unwrap();
        let (block, prepared) =
            common::next_block(&db, &vec![set(b"a", b"5")], vec![b"xt-a".to_vec()]);
        db.commit_block(&block, prepared, true).unwrap();
        block.block.header.hash()
    };
    let db = ChainDb::open(dir.path()).unwrap();
    let report = db.check_consistency().unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(
        db.transaction_location(&blake3_256(b"xt-a")).unwrap(),
        Some((later, 0))
    );
}

#[test]
fn the_tx_index_check_is_bounded_to_recent_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = build_chain(dir.path());
    {
        let db = ChainDb::open(dir.path()).unwrap();
        for i in 0..TX_INDEX_CHECK_DEPTH {
            commit(&db, &vec![set(b"pad", &i.to_le_bytes())]);
        }
    }
    // Block 4 is now out of the checked window: its lost entry stays lost, and reads
    // report it as unknown rather than wrong.
    edit(dir.path(), |raw| {
        raw.delete_cf(cf(raw, TX_INDEX), blake3_256(b"xt-a").as_bytes())
            .unwrap();
    });
    let db = ChainDb::open(dir.path()).unwrap();
    assert!(db.check_consistency().unwrap().is_clean());
    assert_eq!(db.transaction_location(&blake3_256(b"xt-a")).unwrap(), None);
    assert_eq!(
        db.transaction_location(&blake3_256(b"xt-b")).unwrap(),
        Some((hashes[4], 1))
    );
}
