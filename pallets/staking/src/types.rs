//! Data types of the Staking pallet.
use crate::{MAX_CANDIDATES, MAX_PLOT_K, MAX_UNBONDING_PERIOD, MIN_UNBONDING_PERIOD, POWER_UNIT};
use alloc::vec::Vec;
use hm_primitives::{AccountId, Balance, BlockNumber, H256};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use serde::{Deserialize, Serialize};

/// Epoch index: epoch `e` holds blocks `e * epoch_length ..= (e + 1) * epoch_length - 1`.
pub type EpochIndex = u64;
/// Parts per million: 1_000_000 is the whole.
pub type Ppm = u32;
/// Consensus voting power: whole CAES of active bond.
pub type Power = u64;

/// One million: a fraction of `PPM` parts per million is the whole.
pub const PPM: Ppm = 1_000_000;

/// The PoSpace plot a validator proves with: `2^k` chained leaves from `seed`, Merkle `root`.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    MaxEncodedLen,
    Serialize,
    Deserialize,
    scale_info::TypeInfo,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlotCommitment {
    pub root: H256,
    pub k: u8,
    pub seed: H256,
}

/// Staking parameters, fixed at genesis; root may change all but `epoch_length`.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo,
)]
pub struct StakingConfig {
    /// Blocks per epoch; the validator set changes only between epochs.
    pub epoch_length: BlockNumber,
    /// Epochs an unbonding chunk waits before it can be withdrawn; evidence is
    /// accepted for offences this recent, so unbonding funds stay slashable.
    pub unbonding_period: u32,
    /// Active bond a validator candidate must keep.
    pub min_validator_bond: Balance,
    /// Validator set size limit; the strongest candidates by active bond fill it.
    pub max_validators: u32,
    /// Plancks minted to the block author's stash per block.
    pub block_reward: Balance,
    /// Smallest plot a validator may register (`2^min_plot_k` leaves).
    pub min_plot_k: u8,
}

impl StakingConfig {
    /// Refuse parameters that would break an invariant of the pallet.
    pub fn is_sane(&self) -> bool {
        self.epoch_length >= 1
            && (MIN_UNBONDING_PERIOD..=MAX_UNBONDING_PERIOD).contains(&self.unbonding_period)
            // Every eligible validator then has at least one unit of voting power.
            && self.min_validator_bond >= POWER_UNIT
            && (1..=MAX_CANDIDATES).contains(&self.max_validators)
            && (1..=MAX_PLOT_K).contains(&self.min_plot_k)
    }
}

/// Funds on their way out of the bond.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo,
)]
pub struct UnlockChunk {
    pub value: Balance,
    /// First epoch in which `withdraw_unbonded` releases it.
    pub matures_at: EpochIndex,
}

/// What a stash has bonded; its `total()` is locked in the stash under [`crate::STAKING_LOCK_ID`].
/// `total()` of every ledger sums to `TotalHeld`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, scale_info::TypeInfo)]
pub struct StakingLedger {
    /// Bonded and counted as voting power.
    pub active: Balance,
    /// Unbonding, ordered by `matures_at` (ascending, one chunk per epoch).
    pub unlocking: Vec<UnlockChunk>,
}

impl StakingLedger {
    /// `active + Σ unlocking`, or `None` on overflow (never for ledgers the pallet wrote).
    pub fn total(&self) -> Option<Balance> {
        self.unlocking
            .iter()
            .try_fold(self.active, |sum, chunk| sum.checked_add(chunk.value))
    }
}

/// A stash's intent to validate.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo,
)]
pub struct ValidatorRegistration {
    /// `AccountId` of the Falcon-1024 key that signs votes and seals; the key is in System's `PublicKey`.
    pub consensus_key: AccountId,
    pub plot: PlotCommitment,
    /// Set by a slash; a slashed validator is not elected until it calls `validate` again.
    pub slashed: bool,
}

/// One member of an elected validator set, frozen for its epoch.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo,
)]
pub struct ValidatorSetEntry {
    pub stash: AccountId,
    /// The key the engine verifies this validator's votes and seals with, for the whole epoch.
    pub consensus_key: AccountId,
    pub power: Power,
}

/// What `validator_info` answers about a registered validator.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ValidatorInfo {
    pub consensus_key: AccountId,
    pub plot: PlotCommitment,
    /// Active bond.
    pub bonded: Balance,
    pub slashed: bool,
}

/// An offender punished in the current epoch, kept so that later offenders
/// in the same epoch can raise its slash to the epoch's fraction.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo,
)]
pub struct OffenceRecord {
    pub offender: AccountId,
    /// Ledger total when first punished this epoch: the base every fraction applies to.
    pub exposure: Balance,
    /// Fraction already taken from `exposure`.
    pub applied: Ppm,
}

/// Dedup key of an equivocation: one slash per (offender, height, round).
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo,
)]
pub struct OffenceKey {
    pub offender: AccountId,
    pub height: BlockNumber,
    pub round: u32,
}
