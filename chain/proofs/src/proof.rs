//! The `ConsensusProof` a header carries, and checking all of it at once.
use crate::{
    error::ProofError,
    params::ProofParams,
    space::{self, PoSpace, SpaceChallenge},
    time::{self, PoTime},
    work::{self, PoWork},
    MAX_CONSENSUS_PROOF_BYTES,
};
use hm_primitives::{AccountId, DecodeError, H256};
use parity_scale_codec::{Decode, Encode};

/// WHEN, WHERE and WHAT/HOW of a header. WHO (PoStake) is the proposer's
/// Falcon seal over the sealed header plus its bond, which the node checks.
/// `Decode` is bounded by the crate limits (every vector is capped).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct ConsensusProof {
    pub time: PoTime,
    pub space: PoSpace,
    pub work: PoWork,
}

/// What a verifier knows independently of the proof.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VerifyInputs {
    pub parent_hash: H256,
    /// The parent's `time.output` (the node's convention for block 1, e.g. zero).
    pub parent_time_output: H256,
    pub proposer: AccountId,
    /// Plot commitment and seed registered on-chain for `proposer`.
    pub plot_root: H256,
    pub plot_seed: H256,
    /// Header hash without the work nonce and the seal (the node defines the bytes).
    pub pre_seal: H256,
}

impl ConsensusProof {
    /// Decode from untrusted bytes: size-capped, depth-limited, all bytes consumed.
    pub fn decode_untrusted(bytes: &[u8]) -> Result<Self, DecodeError> {
        hm_primitives::decode_untrusted(bytes, MAX_CONSENSUS_PROOF_BYTES)
    }

    /// Check all three proofs, cheapest first so a bogus header costs little:
    /// work (1 hash), then space (`m·(k+2)` hashes), then time (`T` hashes).
    /// The space challenge uses the claimed PoH output, which the time check
    /// then authenticates.
    ///
    /// A forged proof that passes work costs the verifier up to `T` hashes
    /// while costing its maker only ~`difficulty`: check the Falcon seal and
    /// the proposer's turn first, so only an identifiable validator can make
    /// a node do that work. With `std` this blocks on the rayon pool; call it
    /// from a blocking context, not an async task.
    pub fn verify(&self, params: &ProofParams, inputs: &VerifyInputs) -> Result<(), ProofError> {
        params.validate()?;
        work::verify(&inputs.pre_seal, &params.work_target()?, &self.work)?;
        let challenge = SpaceChallenge {
            parent_hash: inputs.parent_hash,
            time_output: self.time.output,
            proposer: inputs.proposer,
        };
        space::verify(
            &inputs.plot_root,
            &inputs.plot_seed,
            params.plot_k,
            params.openings,
            &challenge,
            &self.space,
        )?;
        let seed = time::poh_seed(&inputs.parent_time_output, &inputs.parent_hash);
        time::verify(
            &seed,
            params.poh_iterations,
            params.poh_checkpoints,
            &self.time,
        )
    }
}

/// Why [`prove`] could not build a proof.
#[cfg(feature = "std")]
#[derive(Debug)]
pub enum ProveError<E> {
    Params(ProofError),
    /// The plot is not the one the chain parameters call for.
    PlotMismatch {
        plot_k: u8,
        params_k: u8,
    },
    Open(space::OpenError<E>),
    /// No nonce met the target within the allowed tries.
    WorkNotFound {
        tries: u64,
    },
}

#[cfg(feature = "std")]
impl<E: core::fmt::Display> core::fmt::Display for ProveError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ProveError::Params(e) => write!(f, "{e}"),
            ProveError::PlotMismatch { plot_k, params_k } => write!(
                f,
                "plot has 2^{plot_k} leaves but the chain requires 2^{params_k}"
            ),
            ProveError::Open(e) => write!(f, "{e}"),
            ProveError::WorkNotFound { tries } => {
                write!(f, "no PoWork nonce found in {tries} tries")
            }
        }
    }
}

#[cfg(feature = "std")]
impl<E: core::fmt::Debug + core::fmt::Display> std::error::Error for ProveError<E> {}

/// Build a full proof as a proposer: PoH from the parent, openings drawn
/// from its output, then the nonce over `pre_seal(&time, &space)`, which the
/// node computes over its header with these two proofs in place and no nonce.
#[cfg(feature = "std")]
pub fn prove<P: space::PlotStore>(
    params: &ProofParams,
    parent_hash: &H256,
    parent_time_output: &H256,
    proposer: &AccountId,
    plot: &P,
    max_work_tries: u64,
    pre_seal: impl FnOnce(&PoTime, &PoSpace) -> H256,
) -> Result<ConsensusProof, ProveError<P::Error>> {
    params.validate().map_err(ProveError::Params)?;
    if plot.k() != params.plot_k {
        return Err(ProveError::PlotMismatch {
            plot_k: plot.k(),
            params_k: params.plot_k,
        });
    }
    let seed = time::poh_seed(parent_time_output, parent_hash);
    let time = time::generate(&seed, params.poh_iterations, params.poh_checkpoints)
        .map_err(ProveError::Params)?;
    let indices = space::challenge_indices(
        parent_hash,
        &time.output,
        proposer,
        params.plot_k,
        params.openings,
    )
    .map_err(ProveError::Params)?;
    let space = space::open(plot, &indices).map_err(ProveError::Open)?;
    let target = params.work_target().map_err(ProveError::Params)?;
    let work = work::solve(&pre_seal(&time, &space), &target, max_work_tries).ok_or(
        ProveError::WorkNotFound {
            tries: max_work_tries,
        },
    )?;
    Ok(ConsensusProof { time, space, work })
}
