//! The consensus facts of one height, read from its parent's state through the
//! runtime API: who validates, with which keys, plots and power, where the
//! epoch started, and the proof parameters. The only place this crate calls
//! into `hm_runtime` for consensus data.
use hm_consensus_bft::{Validator, ValidatorSet, ValidatorSetError};
use hm_primitives::{blake3_256, AccountId, FalconPublicKey, H256};
use hm_proofs::ProofParams;
use hm_support::Externalities;
use parity_scale_codec::Encode;
use std::collections::BTreeMap;

/// The PoSpace plot a validator registered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RegisteredPlot {
    pub root: H256,
    pub k: u8,
    pub seed: H256,
}

/// One validator of a height, as the engine needs it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Member {
    pub stash: AccountId,
    pub public_key: FalconPublicKey,
    pub plot: RegisteredPlot,
}

/// Everything consensus needs to know about one height.
#[derive(Clone, Debug)]
pub struct HeightFacts {
    pub number: u64,
    /// First block of the epoch `number` belongs to: the proposer schedule restarts there.
    pub epoch_start: u64,
    pub params: ProofParams,
    /// Voting set; a validator's id is its consensus key's account.
    pub set: ValidatorSet,
    /// Identity of `set`, for caches.
    pub set_hash: H256,
    members: BTreeMap<AccountId, Member>,
}

/// Why a parent state yields no usable facts for a height.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("no validator set for block {0}")]
    NoValidators(u64),
    #[error("validator set for block {number} is invalid: {error}")]
    InvalidSet {
        number: u64,
        error: ValidatorSetError,
    },
    #[error("validator {0}'s stored public key does not hash to its consensus key")]
    KeyMismatch(AccountId),
    #[error("epoch start {start} is after block {number}")]
    EpochStart { start: u64, number: u64 },
    #[error("chain proof parameters are invalid: {0}")]
    Params(String),
}

impl HeightFacts {
    /// Read the facts of block `number` from `parent_state` (the state after `number - 1`).
    pub fn read(parent_state: &dyn Externalities, number: u64) -> Result<Self, FactsError> {
        let listed = hm_runtime::validator_set_for_block(parent_state, number);
        if listed.is_empty() {
            return Err(FactsError::NoValidators(number));
        }
        let mut members = BTreeMap::new();
        let mut voters = Vec::with_capacity(listed.len());
        for v in listed {
            if v.public_key.account_id() != v.consensus_key {
                return Err(FactsError::KeyMismatch(v.consensus_key));
            }
            voters.push(Validator {
                id: v.consensus_key,
                power: v.power,
            });
            members.insert(
                v.consensus_key,
                Member {
                    stash: v.stash,
                    public_key: v.public_key,
                    plot: RegisteredPlot {
                        root: v.plot.root,
                        k: v.plot.k,
                        seed: v.plot.seed,
                    },
                },
            );
        }
        let set =
            ValidatorSet::new(voters).map_err(|error| FactsError::InvalidSet { number, error })?;
        let epoch_start = hm_runtime::epoch_start(parent_state, number);
        if epoch_start > number {
            return Err(FactsError::EpochStart {
                start: epoch_start,
                number,
            });
        }
        let params = hm_runtime::proof_params(parent_state);
        params
            .validate()
            .map_err(|e| FactsError::Params(e.to_string()))?;
        Ok(HeightFacts {
            number,
            epoch_start,
            params,
            set_hash: blake3_256(&set.encode()),
            set,
            members,
        })
    }

    pub fn member(&self, id: &AccountId) -> Option<&Member> {
        self.members.get(id)
    }

    pub fn public_key(&self, id: &AccountId) -> Option<&FalconPublicKey> {
        self.members.get(id).map(|m| &m.public_key)
    }

    /// Verify a Falcon signature by validator `id` of this height.
    pub fn verify_signature(&self, id: &AccountId, message: &[u8], signature: &[u8]) -> bool {
        self.public_key(id)
            .is_some_and(|pk| hm_crypto::falcon::verify_raw(pk.as_bytes(), message, signature))
    }
}

/// The unsigned extrinsic that reports `evidence` on-chain.
pub fn equivocation_report(evidence: &hm_consensus_bft::DuplicateVoteEvidence) -> Vec<u8> {
    hm_runtime::report_equivocation_extrinsic(evidence)
}
