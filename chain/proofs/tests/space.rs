//! PoSpace: challenges, openings and every kind of tampering.
use hm_primitives::{AccountId, H256};
use hm_proofs::{
    plot_seed,
    space::{self, OpenError},
    MemoryPlot, Opening, PlotStore, PoSpace, ProofError, SpaceChallenge,
};

const K: u8 = 8;
const M: u32 = 8;

fn owner() -> AccountId {
    AccountId([11; 32])
}

fn plot() -> MemoryPlot {
    MemoryPlot::build(&plot_seed(&owner()), K).unwrap()
}

fn challenge(n: u8) -> SpaceChallenge {
    SpaceChallenge {
        parent_hash: H256([n; 32]),
        time_output: H256([n.wrapping_add(1); 32]),
        proposer: owner(),
    }
}

fn indices(c: &SpaceChallenge) -> Vec<u64> {
    space::challenge_indices(&c.parent_hash, &c.time_output, &c.proposer, K, M).unwrap()
}

fn check(plot: &MemoryPlot, c: &SpaceChallenge, proof: &PoSpace) -> Result<(), ProofError> {
    space::verify(&plot.root(), &plot.seed(), K, M, c, proof)
}

#[test]
fn challenge_indices_are_reproducible_in_range_and_input_bound() {
    let c = challenge(1);
    let a = indices(&c);
    assert_eq!(a, indices(&c));
    assert_eq!(a.len(), M as usize);
    assert!(a.iter().all(|&i| i < 1 << K));
    let mut other = c;
    other.parent_hash.0[0] ^= 1;
    assert_ne!(a, indices(&other));
    let mut other = c;
    other.time_output.0[0] ^= 1;
    assert_ne!(a, indices(&other));
    let mut other = c;
    other.proposer.0[0] ^= 1;
    assert_ne!(a, indices(&other));
    // k and m are part of the draw, so a smaller plot is not a prefix game.
    let wide =
        space::challenge_indices(&c.parent_hash, &c.time_output, &c.proposer, 40, M).unwrap();
    assert!(wide.iter().any(|&i| i >= 1 << K));
}

#[test]
fn challenge_parameters_are_bounded() {
    let c = challenge(1);
    for (k, m) in [(0u8, 1u32), (41, 1), (8, 0), (8, 65), (8, u32::MAX)] {
        assert!(matches!(
            space::challenge_indices(&c.parent_hash, &c.time_output, &c.proposer, k, m),
            Err(ProofError::ParamOutOfRange { .. })
        ));
    }
}

#[test]
fn openings_round_trip_and_are_reproducible() {
    let plot = plot();
    for n in 0..50u8 {
        let c = challenge(n);
        let proof = space::open(&plot, &indices(&c)).unwrap();
        assert_eq!(proof, space::open(&plot, &indices(&c)).unwrap());
        check(&plot, &c, &proof).unwrap();
    }
}

#[test]
fn every_index_opens_including_edges() {
    let plot = plot();
    let all: Vec<u64> = (0..1u64 << K).collect();
    let proof = space::open(&plot, &all).unwrap();
    space::verify_at(&plot.root(), &plot.seed(), K, &all, &proof).unwrap();
    let first = &proof.openings[0];
    assert_eq!(first.prev_leaf, H256::ZERO);
    assert!(first.prev_branch.is_empty());
    // Branch length is the number of trailing zeros of the index.
    assert_eq!(proof.openings[128].prev_branch.len(), 7);
    assert_eq!(proof.openings[255].prev_branch.len(), 0);
}

#[test]
fn open_refuses_out_of_range_indices() {
    assert!(matches!(
        space::open(&plot(), &[1 << K]),
        Err(OpenError::IndexOutOfRange { .. })
    ));
}

/// A valid proof at `indices` with one opening altered by `tamper`.
fn tampered(at: &[u64], which: usize, tamper: impl FnOnce(&mut Opening)) -> Result<(), ProofError> {
    let plot = plot();
    let mut proof = space::open(&plot, at).unwrap();
    tamper(&mut proof.openings[which]);
    space::verify_at(&plot.root(), &plot.seed(), K, at, &proof)
}

#[test]
fn wrong_leaf_fails() {
    assert_eq!(
        tampered(&[3, 77], 1, |o| o.leaf.0[5] ^= 1),
        Err(ProofError::LeafNotChained { opening: 1 })
    );
    assert_eq!(
        tampered(&[0], 0, |o| o.leaf.0[5] ^= 1),
        Err(ProofError::LeafNotChained { opening: 0 })
    );
}

#[test]
fn wrong_prev_leaf_fails() {
    assert_eq!(
        tampered(&[77], 0, |o| o.prev_leaf.0[0] ^= 1),
        Err(ProofError::LeafNotChained { opening: 0 })
    );
    assert_eq!(
        tampered(&[0], 0, |o| o.prev_leaf = H256([1; 32])),
        Err(ProofError::NonCanonicalPrevLeaf { opening: 0 })
    );
}

#[test]
fn every_wrong_path_sibling_fails() {
    for index in [0u64, 1, 2, 77, 128, 255] {
        for level in 0..K as usize {
            assert_eq!(
                tampered(&[index], 0, |o| o.path[level].0[9] ^= 1),
                Err(ProofError::PathMismatch { opening: 0 }),
                "index {index} level {level}"
            );
        }
    }
}

#[test]
fn wrong_prev_branch_fails() {
    for index in [2u64, 4, 128] {
        let len = index.trailing_zeros() as usize;
        for level in 0..len {
            assert_eq!(
                tampered(&[index], 0, |o| o.prev_branch[level].0[3] ^= 1),
                Err(ProofError::PrevLeafNotInPlot { opening: 0 })
            );
        }
    }
}

#[test]
fn wrong_path_or_branch_length_fails() {
    let err = |got| ProofError::PathLength {
        opening: 0,
        expected: K as u32,
        got,
    };
    assert_eq!(
        tampered(&[5], 0, |o| {
            o.path.pop();
        }),
        Err(err(7))
    );
    assert_eq!(tampered(&[5], 0, |o| o.path.push(H256::ZERO)), Err(err(9)));
    assert_eq!(tampered(&[5], 0, |o| o.path.clear()), Err(err(0)));
    assert_eq!(
        tampered(&[4], 0, |o| {
            o.prev_branch.pop();
        }),
        Err(ProofError::PrevBranchLength {
            opening: 0,
            expected: 2,
            got: 1
        })
    );
    assert_eq!(
        tampered(&[5], 0, |o| o.prev_branch.push(H256::ZERO)),
        Err(ProofError::PrevBranchLength {
            opening: 0,
            expected: 0,
            got: 1
        })
    );
}

#[test]
fn wrong_index_fails_even_with_a_valid_opening() {
    let plot = plot();
    let c = challenge(3);
    let mut proof = space::open(&plot, &indices(&c)).unwrap();
    let expected = proof.openings[2].index;
    let other = (expected + 1) % (1 << K);
    // A genuine opening of a different leaf.
    proof.openings[2] = space::open(&plot, &[other]).unwrap().openings.remove(0);
    assert_eq!(
        check(&plot, &c, &proof),
        Err(ProofError::OpeningIndexMismatch {
            opening: 2,
            expected,
            got: other
        })
    );
}

#[test]
fn wrong_count_fails() {
    let plot = plot();
    let c = challenge(4);
    let proof = space::open(&plot, &indices(&c)).unwrap();
    let mut fewer = proof.clone();
    fewer.openings.pop();
    assert_eq!(
        check(&plot, &c, &fewer),
        Err(ProofError::OpeningCount {
            expected: M,
            got: M as usize - 1
        })
    );
    let mut more = proof;
    more.openings.push(more.openings[0].clone());
    assert_eq!(
        check(&plot, &c, &more),
        Err(ProofError::OpeningCount {
            expected: M,
            got: M as usize + 1
        })
    );
}

#[test]
fn proof_for_another_challenge_root_or_seed_fails() {
    let plot = plot();
    let proof = space::open(&plot, &indices(&challenge(5))).unwrap();
    assert!(matches!(
        check(&plot, &challenge(6), &proof),
        Err(ProofError::OpeningIndexMismatch { .. })
    ));
    let c = challenge(5);
    assert!(matches!(
        space::verify(&H256([1; 32]), &plot.seed(), K, M, &c, &proof),
        Err(ProofError::PathMismatch { .. })
    ));
    assert!(matches!(
        space::verify(&plot.root(), &H256([1; 32]), K, M, &c, &proof),
        Err(ProofError::LeafNotChained { .. })
    ));
    // Someone else's plot of the same size.
    let theirs = MemoryPlot::build(&plot_seed(&AccountId([12; 32])), K).unwrap();
    assert!(check(&theirs, &c, &proof).is_err());
}
