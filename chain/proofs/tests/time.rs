//! PoTime: round trips, and each kind of tampering fails with its own error.
use hm_primitives::H256;
use hm_proofs::{time, PoTime, ProofError, MAX_POH_CHECKPOINTS, MAX_POH_ITERATIONS};

fn seed() -> H256 {
    time::poh_seed(&H256([1; 32]), &H256([2; 32]))
}

fn both_verifiers(seed: &H256, t: u64, k: u32, proof: &PoTime) -> Result<(), ProofError> {
    let parallel = time::verify(seed, t, k, proof);
    assert_eq!(parallel, time::verify_sequential(seed, t, k, proof));
    parallel
}

#[test]
fn round_trip_for_many_shapes() {
    for (t, k) in [
        (1u64, 0u32),
        (2, 1),
        (100, 0),
        (100, 3),
        (1000, 7),
        (257, 256),
        (5000, 15),
    ] {
        let proof = time::generate(&seed(), t, k).unwrap();
        assert_eq!(proof.checkpoints.len(), k as usize);
        both_verifiers(&seed(), t, k, &proof).unwrap();
    }
}

#[test]
fn output_does_not_depend_on_checkpoint_count() {
    let a = time::generate(&seed(), 999, 0).unwrap();
    let b = time::generate(&seed(), 999, 8).unwrap();
    assert_eq!(a.output, b.output);
}

#[test]
fn seed_chains_from_parent_output_and_hash() {
    let base = time::poh_seed(&H256([1; 32]), &H256([2; 32]));
    assert_ne!(base, time::poh_seed(&H256([9; 32]), &H256([2; 32])));
    assert_ne!(base, time::poh_seed(&H256([1; 32]), &H256([9; 32])));
    assert_ne!(base, time::poh_seed(&H256([2; 32]), &H256([1; 32])));
}

#[test]
fn wrong_checkpoint_count_is_refused() {
    let proof = time::generate(&seed(), 1000, 4).unwrap();
    let mut extra = proof.clone();
    extra.checkpoints.push(H256::ZERO);
    assert_eq!(
        both_verifiers(&seed(), 1000, 4, &extra),
        Err(ProofError::PohCheckpointCount {
            expected: 4,
            got: 5
        })
    );
    let mut missing = proof;
    missing.checkpoints.pop();
    assert_eq!(
        both_verifiers(&seed(), 1000, 4, &missing),
        Err(ProofError::PohCheckpointCount {
            expected: 4,
            got: 3
        })
    );
}

#[test]
fn each_tampered_checkpoint_is_named() {
    let proof = time::generate(&seed(), 1000, 6).unwrap();
    for index in 0..6u32 {
        let mut bad = proof.clone();
        bad.checkpoints[index as usize].0[31] ^= 1;
        assert_eq!(
            both_verifiers(&seed(), 1000, 6, &bad),
            Err(ProofError::PohCheckpointMismatch { index })
        );
    }
}

#[test]
fn swapped_checkpoints_are_refused() {
    let mut proof = time::generate(&seed(), 1000, 6).unwrap();
    proof.checkpoints.swap(2, 3);
    assert_eq!(
        both_verifiers(&seed(), 1000, 6, &proof),
        Err(ProofError::PohCheckpointMismatch { index: 2 })
    );
}

#[test]
fn tampered_output_is_refused() {
    for k in [0u32, 1, 5] {
        let mut proof = time::generate(&seed(), 1000, k).unwrap();
        proof.output.0[0] ^= 0x80;
        assert_eq!(
            both_verifiers(&seed(), 1000, k, &proof),
            Err(ProofError::PohOutputMismatch)
        );
    }
}

#[test]
fn wrong_seed_or_length_is_refused() {
    let proof = time::generate(&seed(), 1000, 3).unwrap();
    assert_eq!(
        both_verifiers(&H256([7; 32]), 1000, 3, &proof),
        Err(ProofError::PohCheckpointMismatch { index: 0 })
    );
    // One step more or fewer than the chain requires.
    assert!(both_verifiers(&seed(), 1001, 3, &proof).is_err());
    assert!(both_verifiers(&seed(), 999, 3, &proof).is_err());
    // A shorter segment passed off with k = 0.
    let short = time::generate(&seed(), 999, 0).unwrap();
    assert_eq!(
        both_verifiers(&seed(), 1000, 0, &short),
        Err(ProofError::PohOutputMismatch)
    );
}

#[test]
fn absurd_parameters_are_refused_before_any_work() {
    let proof = PoTime {
        checkpoints: vec![],
        output: H256::ZERO,
    };
    for (t, k) in [
        (0u64, 0u32),
        (MAX_POH_ITERATIONS + 1, 0),
        (u64::MAX, 0),
        (10, MAX_POH_CHECKPOINTS + 1),
        (10, u32::MAX),
        (3, 3),
    ] {
        assert!(matches!(
            time::generate(&seed(), t, k),
            Err(ProofError::ParamOutOfRange { .. })
        ));
        assert!(matches!(
            both_verifiers(&seed(), t, k, &proof),
            Err(ProofError::ParamOutOfRange { .. })
        ));
    }
}
