//! Read proofs: served by the database, checked without one.
mod common;

use common::{commit, del, set, temp_db};
use hm_primitives::H256;
use hm_storage::{verify_read_proof, ProofError, StorageError, MAX_READ_PROOF_BYTES};
use parity_scale_codec::{Compact, Encode};
use proptest::prelude::*;

fn populated() -> (tempfile::TempDir, hm_storage::ChainDb) {
    let (dir, db) = temp_db();
    let changes = (0u32..500)
        .map(|i| set(&i.to_le_bytes(), &i.to_be_bytes()))
        .collect();
    commit(&db, &changes);
    commit(
        &db,
        &vec![set(b"big", &[7u8; 300_000]), del(&3u32.to_le_bytes())],
    );
    (dir, db)
}

#[test]
fn proofs_verify_for_present_and_absent_keys() {
    let (_dir, db) = populated();
    let root = db.state_root(1).unwrap();
    let key = 42u32.to_le_bytes();
    let proof = db.read_proof(&key, 1).unwrap();
    assert_eq!(
        verify_read_proof(&root, &key, &proof),
        Ok(Some(42u32.to_be_bytes().to_vec()))
    );

    let big = db.read_proof(b"big", 1).unwrap();
    assert_eq!(
        verify_read_proof(&root, b"big", &big)
            .unwrap()
            .map(|v| v.len()),
        Some(300_000)
    );

    for absent in [b"no such key".as_slice(), &3u32.to_le_bytes(), &[]] {
        let proof = db.read_proof(absent, 1).unwrap();
        assert_eq!(
            verify_read_proof(&root, absent, &proof),
            Ok(None),
            "{absent:?}"
        );
    }
}

#[test]
fn historical_proofs_verify_against_their_own_root() {
    let (_dir, db) = populated();
    let key = 3u32.to_le_bytes();
    let old_root = db.state_root(0).unwrap();
    let new_root = db.state_root(1).unwrap();
    let old = db.read_proof(&key, 0).unwrap();
    assert_eq!(
        verify_read_proof(&old_root, &key, &old),
        Ok(Some(3u32.to_be_bytes().to_vec()))
    );
    assert!(matches!(
        verify_read_proof(&new_root, &key, &old),
        Err(ProofError::Mismatch(_))
    ));
    let new = db.read_proof(&key, 1).unwrap();
    assert_eq!(verify_read_proof(&new_root, &key, &new), Ok(None));
    assert!(matches!(
        db.read_proof(&key, 2),
        Err(StorageError::MissingState(2))
    ));
}

#[test]
fn empty_state_proves_absence() {
    let (_dir, db) = temp_db();
    commit(&db, &vec![]);
    let root = db.state_root(0).unwrap();
    let proof = db.read_proof(b"anything", 0).unwrap();
    assert_eq!(verify_read_proof(&root, b"anything", &proof), Ok(None));
}

#[test]
fn proofs_fail_for_wrong_root_or_key() {
    let (_dir, db) = populated();
    let root = db.state_root(1).unwrap();
    let key = 42u32.to_le_bytes();
    let proof = db.read_proof(&key, 1).unwrap();
    let wrong_root = H256([0xab; 32]);
    assert!(matches!(
        verify_read_proof(&wrong_root, &key, &proof),
        Err(ProofError::Mismatch(_))
    ));
    let other_key = 43u32.to_le_bytes();
    assert!(matches!(
        verify_read_proof(&root, &other_key, &proof),
        Err(ProofError::Mismatch(_))
    ));
    // An absence proof for a key that exists must not verify for that key.
    let absent_proof = db.read_proof(b"no such key", 1).unwrap();
    assert!(verify_read_proof(&root, &key, &absent_proof).is_err());
}

#[test]
fn forged_values_fail() {
    let (_dir, db) = populated();
    let root = db.state_root(1).unwrap();
    let key = 42u32.to_le_bytes();
    let proof = db.read_proof(&key, 1).unwrap();
    // The value is the last 4 bytes before the merkle path; flip a bit in every
    // position in turn: each forgery must be refused, none may panic.
    for i in 0..proof.len() {
        let mut forged = proof.clone();
        forged[i] ^= 0x01;
        assert!(
            verify_read_proof(&root, &key, &forged).is_err(),
            "bit flip at byte {i} verified"
        );
    }
    // Claiming absence for a present key.
    let mut absent_claim = vec![1u8, 0u8]; // V1, value: None
    absent_claim.extend_from_slice(&proof[2 + 1 + 4..]);
    assert!(verify_read_proof(&root, &key, &absent_claim).is_err());
}

#[test]
fn malformed_proof_bytes_are_errors() {
    let (_dir, db) = populated();
    let root = db.state_root(1).unwrap();
    let key = 42u32.to_le_bytes();
    let proof = db.read_proof(&key, 1).unwrap();
    for len in 0..proof.len() {
        assert!(
            verify_read_proof(&root, &key, &proof[..len]).is_err(),
            "truncated to {len}"
        );
    }
    let mut trailing = proof.clone();
    trailing.push(0);
    assert!(matches!(
        verify_read_proof(&root, &key, &trailing),
        Err(ProofError::Malformed(_))
    ));
    let oversized = vec![0u8; MAX_READ_PROOF_BYTES + 1];
    assert!(matches!(
        verify_read_proof(&root, &key, &oversized),
        Err(ProofError::TooLarge { .. })
    ));
    assert!(verify_read_proof(&root, &key, &[0xff; 64]).is_err());
    assert!(matches!(
        verify_read_proof(&root, &key, &[]),
        Err(ProofError::Malformed(_))
    ));
}

#[test]
fn hostile_length_prefixes_do_not_allocate_or_panic() {
    let root = H256([1; 32]);
    // SCALE: V1, value None, merkle claims u32::MAX bytes but carries 3.
    let mut bytes = vec![1u8, 0u8];
    bytes.extend(Compact(u32::MAX).encode());
    bytes.extend([1, 2, 3]);
    assert!(matches!(
        verify_read_proof(&root, b"k", &bytes),
        Err(ProofError::Malformed(_))
    ));
    // borsh inside: no leaf, then a sibling vector claiming u32::MAX entries.
    let mut merkle = vec![0u8];
    merkle.extend(u32::MAX.to_le_bytes());
    merkle.extend([0u8; 10]);
    let bytes = [vec![1u8, 0u8], merkle.encode()].concat();
    assert!(matches!(
        verify_read_proof(&root, b"k", &bytes),
        Err(ProofError::Malformed(_))
    ));
    // 257 null siblings: well-formed but longer than any path in a 256-bit tree.
    let mut merkle = vec![0u8];
    merkle.extend(257u32.to_le_bytes());
    merkle.extend([0u8; 257]);
    let bytes = [vec![1u8, 0u8], merkle.encode()].concat();
    assert!(matches!(
        verify_read_proof(&root, b"k", &bytes),
        Err(ProofError::Mismatch(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), key in proptest::collection::vec(any::<u8>(), 0..8)) {
        let _ = verify_read_proof(&H256([2; 32]), &key, &bytes);
        // Also with a valid-looking prefix so the inner decoder sees the bytes.
        let framed = [vec![1u8, 0u8], bytes.encode()].concat();
        let _ = verify_read_proof(&H256([2; 32]), &key, &framed);
    }
}
