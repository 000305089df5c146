//! PoWork: solve, verify, and failure on any change.
use hm_primitives::H256;
use hm_proofs::{work, PoWork, ProofError, WorkTarget};

fn pre_seal(n: u64) -> H256 {
    H256(*blake3::hash(&n.to_le_bytes()).as_bytes())
}

#[test]
fn solve_then_verify() {
    let target = WorkTarget::from_difficulty(1_000).unwrap();
    for n in 0..20 {
        let found = work::solve(&pre_seal(n), &target, u64::MAX).unwrap();
        work::verify(&pre_seal(n), &target, &found).unwrap();
        assert!(target.is_met_by(&work::work_hash(&pre_seal(n), found.nonce)));
        // The search returns the first passing nonce.
        for nonce in 0..found.nonce {
            assert_eq!(
                work::verify(&pre_seal(n), &target, &PoWork { nonce }),
                Err(ProofError::WorkAboveTarget)
            );
        }
    }
}

#[test]
fn nonce_is_bound_to_pre_seal_and_target() {
    let target = WorkTarget::from_difficulty(1 << 16).unwrap();
    let found = work::solve(&pre_seal(1), &target, u64::MAX).unwrap();
    assert_eq!(
        work::verify(&pre_seal(2), &target, &found),
        Err(ProofError::WorkAboveTarget)
    );
    let harder = WorkTarget::from_difficulty(1 << 40).unwrap();
    assert_eq!(
        work::verify(&pre_seal(1), &harder, &found),
        Err(ProofError::WorkAboveTarget)
    );
    // Difficulty 1 accepts anything.
    let any = WorkTarget::from_difficulty(1).unwrap();
    work::verify(&pre_seal(1), &any, &PoWork { nonce: 12345 }).unwrap();
}

#[test]
fn bounded_search_gives_up() {
    let impossible = WorkTarget(H256::ZERO);
    assert_eq!(work::solve(&pre_seal(3), &impossible, 10_000), None);
    assert_eq!(work::solve(&pre_seal(3), &impossible, 0), None);
    let target = WorkTarget::from_difficulty(64).unwrap();
    let first = work::solve(&pre_seal(3), &target, u64::MAX).unwrap();
    assert_eq!(work::solve(&pre_seal(3), &target, first.nonce), None);
    assert_eq!(
        work::solve(&pre_seal(3), &target, first.nonce + 1),
        Some(first)
    );
    // Disjoint ranges, including wrap-around at u64::MAX.
    let later = work::solve_from(&pre_seal(3), &target, first.nonce + 1, u64::MAX).unwrap();
    assert!(later.nonce > first.nonce);
    let wrapped = work::solve_from(&pre_seal(3), &target, u64::MAX - 2, u64::MAX).unwrap();
    work::verify(&pre_seal(3), &target, &wrapped).unwrap();
}

#[test]
fn pass_rate_follows_difficulty() {
    // Deterministic inputs: 2^18 hashes against difficulty 2^8 should pass ~1024 times.
    let target = WorkTarget::from_difficulty(256).unwrap();
    let passes = (0..1u64 << 18)
        .filter(|&nonce| target.is_met_by(&work::work_hash(&pre_seal(7), nonce)))
        .count();
    assert!((850..1200).contains(&passes), "{passes}");
}

#[test]
fn leading_zero_bits_agree_with_difficulty() {
    assert_eq!(
        WorkTarget::from_leading_zero_bits(20).unwrap(),
        WorkTarget::from_difficulty(1 << 20).unwrap()
    );
    let target = WorkTarget::from_leading_zero_bits(12).unwrap();
    let found = work::solve(&pre_seal(9), &target, u64::MAX).unwrap();
    let hash = work::work_hash(&pre_seal(9), found.nonce);
    assert_eq!(hash.0[0], 0);
    assert!(hash.0[1] < 0x10);
}
