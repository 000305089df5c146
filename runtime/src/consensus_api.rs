//! The runtime API of the BFT engine (and of staking RPC): validator sets,
//! epochs and proof parameters, read from a state.
//!
//! The engine asks about block `n` with the state after block `n - 1` (the
//! parent's), so every block is checked against what the chain had decided
//! before it: the set committed by an epoch's last block takes over at the
//! next block, and a change of the proof parameters applies from the block
//! after the one that made it.
use crate::{staking, system};
use alloc::vec::Vec;
use hm_primitives::{AccountId, BlockNumber, FalconPublicKey};
use hm_proofs::ProofParams;
use hm_support::Externalities;
use parity_scale_codec::{Decode, Encode};
use staking::{
    EpochIndex, PlotCommitment, StakingConfig, StakingLedger, ValidatorInfo, ValidatorSetEntry,
};

/// One validator that counts for a block, with what the engine needs to check
/// its votes, seals and PoSpace openings.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct ConsensusValidator {
    /// The account whose bond backs it; block rewards go here.
    pub stash: AccountId,
    /// The account of the key that signs votes and seals (the header's `proposer`).
    pub consensus_key: AccountId,
    /// The consensus key itself; hashes to `consensus_key`.
    pub public_key: FalconPublicKey,
    /// Voting power, frozen for the epoch at its election.
    pub power: u64,
    /// The registered plot the validator's PoSpace openings must match.
    pub plot: PlotCommitment,
}

/// The validators that count for block `number`, read from its parent's state:
/// elected for `number`'s epoch, plot still registered, not slashed, in the
/// election's order (strongest bond first, ties to the lower stash).
pub fn validator_set_for_block(
    parent_state: &dyn Externalities,
    number: BlockNumber,
) -> Vec<ConsensusValidator> {
    staking::counted_validators_for_block(parent_state, number)
        .into_iter()
        .filter_map(|(entry, registration)| {
            // Stored by `validate` or genesis; a member without one could not be verified.
            let public_key = system::public_key(parent_state, &entry.consensus_key)?;
            Some(ConsensusValidator {
                stash: entry.stash,
                consensus_key: entry.consensus_key,
                public_key,
                power: entry.power,
                plot: registration.plot,
            })
        })
        .collect()
}

/// The four-proof parameters in force.
pub fn proof_params(ext: &dyn Externalities) -> ProofParams {
    staking::proof_params(ext)
}

/// Blocks per epoch (at least 1).
pub fn epoch_length(ext: &dyn Externalities) -> BlockNumber {
    staking::config(ext).epoch_length.max(1)
}

/// The first block of `number`'s epoch, where the proposer schedule restarts.
pub fn epoch_start(ext: &dyn Externalities, number: BlockNumber) -> BlockNumber {
    // `number % length <= number`: no underflow.
    number - number % epoch_length(ext)
}

/// Index of the epoch the state is in.
pub fn epoch_index(ext: &dyn Externalities) -> EpochIndex {
    staking::epoch_index(ext)
}

pub fn staking_config(ext: &dyn Externalities) -> StakingConfig {
    staking::config(ext)
}

/// What `stash` has bonded and is unbonding.
pub fn staking_ledger(ext: &dyn Externalities, stash: &AccountId) -> Option<StakingLedger> {
    staking::ledger(ext, stash)
}

/// Registration and bond of a validator candidate, by stash.
pub fn validator_info(ext: &dyn Externalities, stash: &AccountId) -> Option<ValidatorInfo> {
    staking::validator_info(ext, stash)
}

/// The stash a consensus key validates for.
pub fn stash_of_consensus_key(ext: &dyn Externalities, key: &AccountId) -> Option<AccountId> {
    staking::stash_of_consensus_key(ext, key)
}

/// The set elected for the current epoch, as elected (before any slash or chill).
pub fn current_validator_set(ext: &dyn Externalities) -> Vec<ValidatorSetEntry> {
    staking::validator_set(ext)
}

/// The set the last block of the epoch committed for the next one (the
/// current set until then).
pub fn next_validator_set(ext: &dyn Externalities) -> Vec<ValidatorSetEntry> {
    staking::next_validator_set(ext)
}
