//! The whole `ConsensusProof`: prove/verify, SCALE round trip, hostile bytes.
use hm_primitives::{AccountId, DecodeError, H256};
use hm_proofs::{
    plot_seed, prove, ConsensusProof, MemoryPlot, PlotStore, ProofError, ProofParams, VerifyInputs,
    MAX_CONSENSUS_PROOF_BYTES, MAX_OPENINGS, MAX_PLOT_K, MAX_POH_CHECKPOINTS,
};
use parity_scale_codec::{Compact, Encode};
use proptest::prelude::*;
use std::sync::OnceLock;

const PARAMS: ProofParams = ProofParams {
    poh_iterations: 2_000,
    poh_checkpoints: 3,
    plot_k: 8,
    openings: 4,
    work_difficulty: 1 << 12,
};

struct Fixture {
    proof: ConsensusProof,
    inputs: VerifyInputs,
}

fn proposer() -> AccountId {
    AccountId([21; 32])
}

fn plot() -> &'static MemoryPlot {
    static PLOT: OnceLock<MemoryPlot> = OnceLock::new();
    PLOT.get_or_init(|| MemoryPlot::build(&plot_seed(&proposer()), PARAMS.plot_k).unwrap())
}

/// What a node would use: a hash over "the header" with time and space in place.
fn pre_seal_of(parent: &H256, time: &hm_proofs::PoTime, space: &hm_proofs::PoSpace) -> H256 {
    let mut h = blake3::Hasher::new();
    h.update(&parent.0);
    h.update(&time.encode());
    h.update(&space.encode());
    H256(*h.finalize().as_bytes())
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let parent_hash = H256([1; 32]);
        let parent_time_output = H256([2; 32]);
        let proof = prove(
            &PARAMS,
            &parent_hash,
            &parent_time_output,
            &proposer(),
            plot(),
            u64::MAX,
            |time, space| pre_seal_of(&parent_hash, time, space),
        )
        .unwrap();
        let inputs = VerifyInputs {
            parent_hash,
            parent_time_output,
            proposer: proposer(),
            plot_root: plot().root(),
            plot_seed: plot().seed(),
            pre_seal: pre_seal_of(&parent_hash, &proof.time, &proof.space),
        };
        Fixture { proof, inputs }
    })
}

#[test]
fn prove_verify_and_scale_round_trip() {
    let f = fixture();
    f.proof.verify(&PARAMS, &f.inputs).unwrap();
    let bytes = f.proof.encode();
    assert!(bytes.len() <= MAX_CONSENSUS_PROOF_BYTES);
    assert_eq!(ConsensusProof::decode_untrusted(&bytes).unwrap(), f.proof);
    // Proving is deterministic: same inputs, same bytes.
    let again = prove(
        &PARAMS,
        &f.inputs.parent_hash,
        &f.inputs.parent_time_output,
        &proposer(),
        plot(),
        u64::MAX,
        |time, space| pre_seal_of(&f.inputs.parent_hash, time, space),
    )
    .unwrap();
    assert_eq!(again, f.proof);
}

#[test]
fn each_component_failure_surfaces() {
    let f = fixture();
    let check = |proof: &ConsensusProof, inputs: &VerifyInputs| proof.verify(&PARAMS, inputs);

    let mut bad = f.proof.clone();
    bad.time.output.0[0] ^= 1;
    // The space challenge is drawn from the claimed output, so the indices
    // move first; either way the proof fails.
    assert!(check(&bad, &f.inputs).is_err());

    let mut bad = f.proof.clone();
    bad.time.checkpoints[1].0[0] ^= 1;
    assert_eq!(
        check(&bad, &f.inputs),
        Err(ProofError::PohCheckpointMismatch { index: 1 })
    );

    let mut bad = f.proof.clone();
    bad.space.openings[2].path[3].0[0] ^= 1;
    assert_eq!(
        check(&bad, &f.inputs),
        Err(ProofError::PathMismatch { opening: 2 })
    );

    let mut inputs = f.inputs;
    inputs.pre_seal.0[0] ^= 1;
    assert_eq!(check(&f.proof, &inputs), Err(ProofError::WorkAboveTarget));

    let mut inputs = f.inputs;
    inputs.parent_time_output.0[0] ^= 1;
    assert_eq!(
        check(&f.proof, &inputs),
        Err(ProofError::PohCheckpointMismatch { index: 0 })
    );

    let mut inputs = f.inputs;
    inputs.proposer.0[0] ^= 1;
    assert!(matches!(
        check(&f.proof, &inputs),
        Err(ProofError::OpeningIndexMismatch { .. })
    ));

    let mut inputs = f.inputs;
    inputs.plot_root.0[0] ^= 1;
    assert!(matches!(
        check(&f.proof, &inputs),
        Err(ProofError::PathMismatch { .. })
    ));

    let other = ProofParams {
        poh_iterations: PARAMS.poh_iterations + 1,
        ..PARAMS
    };
    assert!(f.proof.verify(&other, &f.inputs).is_err());
    let invalid = ProofParams {
        openings: 0,
        ..PARAMS
    };
    assert!(matches!(
        f.proof.verify(&invalid, &f.inputs),
        Err(ProofError::ParamOutOfRange { .. })
    ));
}

#[test]
fn hostile_encodings_are_refused() {
    let bytes = fixture().proof.encode();
    // Trailing garbage, truncation, empty.
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(ConsensusProof::decode_untrusted(&trailing).is_err());
    assert!(ConsensusProof::decode_untrusted(&bytes[..bytes.len() - 1]).is_err());
    assert!(ConsensusProof::decode_untrusted(&[]).is_err());
    // Over the size cap, before any parsing.
    assert!(matches!(
        ConsensusProof::decode_untrusted(&vec![0u8; MAX_CONSENSUS_PROOF_BYTES + 1]),
        Err(DecodeError::TooLarge { .. })
    ));
    // Length prefixes over each bound (the items need not even be present).
    let huge_checkpoints = Compact(MAX_POH_CHECKPOINTS + 1).encode();
    assert!(ConsensusProof::decode_untrusted(&huge_checkpoints).is_err());
    let mut huge_openings = Compact(0u32).encode();
    huge_openings.extend_from_slice(&[0u8; 32]);
    huge_openings.extend(Compact(MAX_OPENINGS + 1).encode());
    assert!(ConsensusProof::decode_untrusted(&huge_openings).is_err());
    let mut huge_path = Compact(0u32).encode();
    huge_path.extend_from_slice(&[0u8; 32]);
    huge_path.extend(Compact(1u32).encode());
    huge_path.extend_from_slice(&[0u8; 8 + 64]);
    huge_path.extend(Compact(u32::from(MAX_PLOT_K) + 1).encode());
    assert!(ConsensusProof::decode_untrusted(&huge_path).is_err());
    let mut max_len = Compact(0u32).encode();
    max_len.extend_from_slice(&[0u8; 32]);
    max_len.extend(Compact(u32::MAX).encode());
    assert!(ConsensusProof::decode_untrusted(&max_len).is_err());
}

#[test]
fn largest_allowed_proof_fits_the_cap() {
    let opening = hm_proofs::Opening {
        index: u64::MAX,
        leaf: H256::ZERO,
        prev_leaf: H256::ZERO,
        path: vec![H256::ZERO; MAX_PLOT_K as usize],
        prev_branch: vec![H256::ZERO; MAX_PLOT_K as usize],
    };
    let largest = ConsensusProof {
        time: hm_proofs::PoTime {
            checkpoints: vec![H256::ZERO; MAX_POH_CHECKPOINTS as usize],
            output: H256::ZERO,
        },
        space: hm_proofs::PoSpace {
            openings: vec![opening; MAX_OPENINGS as usize],
        },
        work: hm_proofs::PoWork { nonce: u64::MAX },
    };
    let bytes = largest.encode();
    assert!(bytes.len() <= MAX_CONSENSUS_PROOF_BYTES);
    assert_eq!(ConsensusProof::decode_untrusted(&bytes).unwrap(), largest);
    // It decodes, but verification refuses it without hashing T steps.
    assert!(largest.verify(&PARAMS, &fixture().inputs).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(proof) = ConsensusProof::decode_untrusted(&bytes) {
            prop_assert!(proof.verify(&PARAMS, &fixture().inputs).is_err());
        }
    }

    #[test]
    fn any_mutation_outside_the_nonce_fails(position in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let f = fixture();
        let mut bytes = f.proof.encode();
        let at = position.index(bytes.len());
        bytes[at] ^= flip;
        if let Ok(proof) = ConsensusProof::decode_untrusted(&bytes) {
            let verdict = proof.verify(&PARAMS, &f.inputs);
            if verdict.is_ok() {
                // Only another valid nonce may pass: time and space are fully checked.
                prop_assert_eq!(&proof.time, &f.proof.time);
                prop_assert_eq!(&proof.space, &f.proof.space);
                prop_assert_ne!(proof.work, f.proof.work);
            }
        }
    }

    #[test]
    fn random_structured_proofs_never_panic(
        checkpoints in proptest::collection::vec(any::<[u8; 32]>(), 0..6),
        output in any::<[u8; 32]>(),
        index in any::<u64>(),
        path_len in 0usize..12,
        branch_len in 0usize..12,
        openings in 0usize..6,
        nonce in any::<u64>(),
    ) {
        let opening = hm_proofs::Opening {
            index,
            leaf: H256(output),
            prev_leaf: H256(output),
            path: vec![H256(output); path_len],
            prev_branch: vec![H256(output); branch_len],
        };
        let proof = ConsensusProof {
            time: hm_proofs::PoTime {
                checkpoints: checkpoints.into_iter().map(H256).collect(),
                output: H256(output),
            },
            space: hm_proofs::PoSpace { openings: vec![opening; openings] },
            work: hm_proofs::PoWork { nonce },
        };
        prop_assert!(proof.verify(&PARAMS, &fixture().inputs).is_err());
        let indices = [index % 256];
        let _ = hm_proofs::space::verify_at(&H256(output), &H256(output), 8, &indices, &proof.space);
    }
}
