//! Staking: bonds in CAES, validator registration (consensus key + PoSpace
//! plot), per-epoch validator sets, block rewards and slashing.
//!
//! Bonded funds stay in the stash, under a Caesar balance lock
//! ([`STAKING_LOCK_ID`], no expiry) equal to the stash's [`StakingLedger`] total
//! (active plus unlocking chunks), as Substrate's pallet-staking does. They keep
//! counting in the stash's free balance and in the issuance, but transfers, fees
//! and reserves cannot take them. `bond`/`bond_extra` only lock what is usable
//! (not locked already); `unbond` leaves the lock as it is; `withdraw_unbonded`
//! lowers it, and removes it with the ledger. A slash burns from the offender's
//! own stash through [`caesar::burn_from`] (which ignores the lock) and lowers the
//! lock to the new ledger total. `TotalHeld` is the sum of the ledgers: what
//! staking locks.
//!
//! Epochs: block `n` is in epoch `n / epoch_length`. The last block of epoch
//! `e` elects and stores the set of epoch `e + 1` (`on_finalize`); the first
//! block of epoch `e + 1` makes it current (`on_initialize`).
//!
//! The pallet also holds the chain's four-proof parameters
//! ([`hm_proofs::ProofParams`], root may change all but `plot_k`) and turns
//! duplicate-vote evidence ([`hm_consensus_bft::DuplicateVoteEvidence`]) into
//! slashes after checking both Falcon signatures against the offender's
//! consensus key (`evidence.rs`).
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod election;
mod evidence;
mod genesis;
mod ledger;
mod proof_params;
mod runtime_pallet;
mod slashing;
mod types;
pub mod weights;

#[cfg(test)]
mod epoch_tests;
#[cfg(test)]
mod evidence_tests;
#[cfg(test)]
mod genesis_tests;
#[cfg(test)]
mod invariant_tests;
#[cfg(test)]
mod ledger_tests;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod params_tests;
#[cfg(test)]
mod slashing_tests;
#[cfg(test)]
mod tests;

pub use election::{counted_validators_for_block, validator_set_for_block};
pub use evidence::{
    evidence_deadline, evidence_weight, report_evidence, verify_evidence, EvidenceRefusal,
};
pub use genesis::{GenesisConfig, GenesisValidator};
pub use hm_consensus_bft::DuplicateVoteEvidence;
pub use hm_proofs::ProofParams;
pub use proof_params::proof_params;
pub use runtime_pallet::Pallet;
pub use slashing::{
    check_equivocation, mul_ppm, report_equivocation, report_equivocation_weight, slash,
    slash_fraction_ppm,
};
pub use types::*;

use alloc::vec::Vec;
use hm_pallet_caesar::{self as caesar, LockIdentifier};
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{
    blake3_256,
    storage_key::{map_key, value_key},
    AccountId, Balance, BlockNumber, FalconPublicKey, FalconSignature, H256, UNITS,
};
use hm_support::{
    get, put, with_transaction, DispatchError, DispatchResult, Externalities, Weight,
};
use parity_scale_codec::{Decode, Encode};

// ---------------------------------------------------------------------------
// Config and constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"Staking";
/// Index of this pallet in the runtime's `Call` and event enums.
pub const PALLET_INDEX: u8 = 2;
/// Caesar lock on every stash, for its ledger total.
pub const STAKING_LOCK_ID: LockIdentifier = *b"staking ";
/// Domain of the message a consensus key signs to prove it belongs to a stash.
pub const KEY_PROOF_CONTEXT: &[u8] = b"hm/staking/validate";
/// Unbonding chunks per ledger (Substrate's `MaxUnlockingChunks`).
pub const MAX_UNLOCKING_CHUNKS: usize = 32;
/// Validator candidates at once; bounds `validate` and the election.
pub const MAX_CANDIDATES: u32 = 1024;
/// Largest plot: 2^40 leaves of 32 bytes is 32 TiB.
pub const MAX_PLOT_K: u8 = 40;
/// Evidence of an offence in the previous epoch must still find the funds.
pub const MIN_UNBONDING_PERIOD: u32 = 2;
/// Bounds the pruning work when the period is shortened.
pub const MAX_UNBONDING_PERIOD: u32 = 1_000;
/// One unit of voting power per whole CAES of active bond.
pub const POWER_UNIT: Balance = UNITS;
/// CometBFT's `MaxTotalVotingPower` (i64::MAX / 8): the weighted round-robin's
/// priorities stay in range. Each validator's power is capped at this over `max_validators`.
pub const MAX_TOTAL_POWER: Power = (i64::MAX as u64) / 8;

/// What a consensus key signs in `validate`: binds the key to this stash and plot.
pub fn key_ownership_message(stash: &AccountId, plot: &PlotCommitment) -> H256 {
    let mut message = Vec::with_capacity(KEY_PROOF_CONTEXT.len() + 32 + 65);
    message.extend_from_slice(KEY_PROOF_CONTEXT);
    stash.encode_to(&mut message);
    plot.encode_to(&mut message);
    blake3_256(&message)
}

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `Config: StakingConfig`.
    pub fn config() -> Vec<u8> {
        value_key(PALLET, b"Config")
    }
    /// `Ledger: AccountId -> StakingLedger`, keyed by stash.
    pub fn ledger(stash: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"Ledger", &stash.encode())
    }
    /// `TotalHeld: Balance`, Σ ledger totals: what staking locks in the stashes.
    pub fn total_held() -> Vec<u8> {
        value_key(PALLET, b"TotalHeld")
    }
    /// `Validator: AccountId -> ValidatorRegistration`, keyed by stash.
    pub fn validator(stash: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"Validator", &stash.encode())
    }
    /// `Candidates: Vec<AccountId>`, sorted: registered, unslashed stashes.
    pub fn candidates() -> Vec<u8> {
        value_key(PALLET, b"Candidates")
    }
    /// `KeyOwner: AccountId -> AccountId`, consensus key id to stash; one stash per key.
    pub fn key_owner(consensus_key: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"KeyOwner", &consensus_key.encode())
    }
    /// `PlotOwner: H256 -> AccountId`, plot seed to stash; one validator per plot.
    pub fn plot_owner(seed: &H256) -> Vec<u8> {
        map_key(PALLET, b"PlotOwner", &seed.encode())
    }
    /// `CurrentEpoch: EpochIndex`.
    pub fn current_epoch() -> Vec<u8> {
        value_key(PALLET, b"CurrentEpoch")
    }
    /// `Validators: Vec<ValidatorSetEntry>`, the set of the current epoch.
    pub fn validators() -> Vec<u8> {
        value_key(PALLET, b"Validators")
    }
    /// `PreviousValidators: Vec<ValidatorSetEntry>`, the set of the epoch before,
    /// to map evidence from just before a boundary to stashes.
    pub fn previous_validators() -> Vec<u8> {
        value_key(PALLET, b"PreviousValidators")
    }
    /// `NextValidators: Vec<ValidatorSetEntry>`, committed by the last block of the epoch.
    pub fn next_validators() -> Vec<u8> {
        value_key(PALLET, b"NextValidators")
    }
    /// `EpochOffenders: Vec<OffenceRecord>`, punished this epoch.
    pub fn epoch_offenders() -> Vec<u8> {
        value_key(PALLET, b"EpochOffenders")
    }
    /// `ReportedOffence: OffenceKey -> BlockNumber`, the equivocation dedup set
    /// (the value is the block that included the report).
    pub fn reported_offence(key: &OffenceKey) -> Vec<u8> {
        map_key(PALLET, b"ReportedOffence", &key.encode())
    }
    /// `OffenceBucket: EpochIndex -> Vec<OffenceKey>`, reports by offence epoch, for pruning.
    pub fn offence_bucket(epoch: EpochIndex) -> Vec<u8> {
        map_key(PALLET, b"OffenceBucket", &epoch.encode())
    }
    /// `NextPruneEpoch: EpochIndex`, oldest offence epoch whose bucket still exists.
    pub fn next_prune_epoch() -> Vec<u8> {
        value_key(PALLET, b"NextPruneEpoch")
    }
    /// `ProofParams: hm_proofs::ProofParams`, the four-proof parameters in force.
    pub fn proof_params() -> Vec<u8> {
        value_key(PALLET, b"ProofParams")
    }
}

/// Parameters in force. Genesis always stores them; before that, inert defaults
/// that elect nobody new and mint nothing.
pub fn config(ext: &dyn Externalities) -> StakingConfig {
    get(ext, &storage::config()).unwrap_or(StakingConfig {
        epoch_length: 1,
        unbonding_period: MIN_UNBONDING_PERIOD,
        min_validator_bond: POWER_UNIT,
        max_validators: 1,
        block_reward: 0,
        min_plot_k: MAX_PLOT_K,
    })
}

pub fn ledger(ext: &dyn Externalities, stash: &AccountId) -> Option<StakingLedger> {
    get(ext, &storage::ledger(stash))
}

pub fn total_held(ext: &dyn Externalities) -> Balance {
    get(ext, &storage::total_held()).unwrap_or(0)
}

pub fn registration(ext: &dyn Externalities, stash: &AccountId) -> Option<ValidatorRegistration> {
    get(ext, &storage::validator(stash))
}

pub fn candidates(ext: &dyn Externalities) -> Vec<AccountId> {
    get(ext, &storage::candidates()).unwrap_or_default()
}

/// The stash a consensus key validates for.
pub fn stash_of_consensus_key(ext: &dyn Externalities, key: &AccountId) -> Option<AccountId> {
    get(ext, &storage::key_owner(key))
}

pub fn epoch_index(ext: &dyn Externalities) -> EpochIndex {
    get(ext, &storage::current_epoch()).unwrap_or(0)
}

/// Epoch of block `number`.
pub fn epoch_of(ext: &dyn Externalities, number: BlockNumber) -> EpochIndex {
    number / config(ext).epoch_length.max(1)
}

/// The current epoch's set, with consensus keys.
pub fn validator_set(ext: &dyn Externalities) -> Vec<ValidatorSetEntry> {
    get(ext, &storage::validators()).unwrap_or_default()
}

/// The set of epoch `epoch` when it is the current or the previous one.
pub fn validator_set_of_epoch(
    ext: &dyn Externalities,
    epoch: EpochIndex,
) -> Option<Vec<ValidatorSetEntry>> {
    let current = epoch_index(ext);
    if epoch == current {
        Some(validator_set(ext))
    } else if epoch.checked_add(1) == Some(current) {
        get(ext, &storage::previous_validators())
    } else {
        None
    }
}

/// The set committed for the next epoch.
pub fn next_validator_set(ext: &dyn Externalities) -> Vec<ValidatorSetEntry> {
    get(ext, &storage::next_validators()).unwrap_or_default()
}

/// `(stash, voting power)` of the current epoch's validators, strongest first.
pub fn current_validators(ext: &dyn Externalities) -> Vec<(AccountId, Power)> {
    validator_set(ext)
        .into_iter()
        .map(|v| (v.stash, v.power))
        .collect()
}

pub fn validator_info(ext: &dyn Externalities, stash: &AccountId) -> Option<ValidatorInfo> {
    let reg = registration(ext, stash)?;
    Some(ValidatorInfo {
        consensus_key: reg.consensus_key,
        plot: reg.plot,
        bonded: ledger(ext, stash).map_or(0, |l| l.active),
        slashed: reg.slashed,
    })
}

pub fn epoch_offenders(ext: &dyn Externalities) -> Vec<OffenceRecord> {
    get(ext, &storage::epoch_offenders()).unwrap_or_default()
}

pub fn is_reported(ext: &dyn Externalities, key: &OffenceKey) -> bool {
    ext.storage_get(&storage::reported_offence(key)).is_some()
}

fn next_prune_epoch(ext: &dyn Externalities) -> EpochIndex {
    get(ext, &storage::next_prune_epoch()).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub enum Event {
    /// `amount` of the stash's free balance locked into its active bond (`bond` and `bond_extra`).
    #[codec(index = 0)]
    Bonded { stash: AccountId, amount: Balance },
    #[codec(index = 1)]
    Unbonded {
        stash: AccountId,
        amount: Balance,
        matures_at: EpochIndex,
    },
    /// Matured chunks unlocked in the stash.
    #[codec(index = 2)]
    Withdrawn { stash: AccountId, amount: Balance },
    #[codec(index = 3)]
    ValidatorRegistered {
        stash: AccountId,
        consensus_key: AccountId,
        plot: PlotCommitment,
    },
    /// No longer a candidate: by `chill`, or evicted by a stronger candidate.
    #[codec(index = 4)]
    Chilled { stash: AccountId },
    #[codec(index = 5)]
    Rewarded { stash: AccountId, amount: Balance },
    /// `amount` taken from the stash's ledger and burned from its free balance.
    #[codec(index = 6)]
    Slashed {
        stash: AccountId,
        amount: Balance,
        fraction: Ppm,
    },
    #[codec(index = 7)]
    OffenceReported {
        offender: AccountId,
        height: BlockNumber,
        round: u32,
        fraction: Ppm,
        offenders_in_epoch: u32,
    },
    #[codec(index = 8)]
    NewEpoch { index: EpochIndex, validators: u32 },
    /// `fallback`: no candidate was eligible, so the current set carries over.
    #[codec(index = 9)]
    NextValidatorsCommitted {
        epoch: EpochIndex,
        validators: u32,
        total_power: Power,
        fallback: bool,
    },
    #[codec(index = 10)]
    ConfigSet { config: StakingConfig },
    #[codec(index = 11)]
    ProofParamsSet { params: ProofParams },
}

fn deposit_event(ext: &mut dyn Externalities, event: Event) {
    system::deposit_event(ext, PALLET_INDEX, &event);
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Clone, Copy, PartialEq, Eq, Debug, scale_info::TypeInfo)]
#[repr(u8)]
pub enum Error {
    NotBonded = 0,
    AlreadyBonded = 1,
    BondTooSmall = 2,
    ZeroAmount = 3,
    InsufficientBond = 4,
    NoMoreChunks = 5,
    NothingToWithdraw = 6,
    BelowMinimumBond = 7,
    InvalidPlot = 8,
    BadKeyProof = 9,
    KeyInUse = 10,
    PlotInUse = 11,
    TooManyCandidates = 12,
    NotRegistered = 13,
    InvalidConfig = 14,
    InvalidFraction = 15,
    DuplicateReport = 16,
    AlreadyPunished = 17,
    FutureOffence = 18,
    EvidenceTooOld = 19,
    NothingToSlash = 20,
    NotInValidatorSet = 21,
    Overflow = 22,
    // 23 was `PotUnderfunded`, retired with the pot (bonds are locks in the stash now);
    // not reused, so an old encoded error never reads as another.
    InvalidProofParams = 24,
    /// `bond`/`bond_extra` of more than the stash's usable (unlocked) free balance.
    InsufficientUsableBalance = 25,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::NotBonded => "the account has no bond",
            Error::AlreadyBonded => "the account is bonded already; use bond_extra",
            Error::BondTooSmall => "a bond must be at least the existential deposit",
            Error::ZeroAmount => "the amount must be positive",
            Error::InsufficientBond => "the active bond is smaller than the amount",
            Error::NoMoreChunks => "too many unbonding chunks; withdraw first",
            Error::NothingToWithdraw => "no unbonding chunk has matured",
            Error::BelowMinimumBond => {
                "a validator's active bond must stay at the minimum; chill first"
            }
            Error::InvalidPlot => "plot size out of range or not the chain's plot_k",
            Error::BadKeyProof => "the consensus key did not sign the stash and plot",
            Error::KeyInUse => "the consensus key validates for another stash",
            Error::PlotInUse => "the plot seed is registered by another stash",
            Error::TooManyCandidates => {
                "candidate list full and this bond is not stronger than the weakest"
            }
            Error::NotRegistered => "the account is not a registered validator",
            Error::InvalidConfig => "staking parameters out of range, or a changed epoch length",
            Error::InvalidFraction => "a slash fraction exceeds one million parts per million",
            Error::DuplicateReport => "this offence was reported already",
            Error::AlreadyPunished => "the offender was punished this epoch already",
            Error::FutureOffence => "the offence height is ahead of the chain",
            Error::EvidenceTooOld => "the offence is older than the unbonding period",
            Error::NothingToSlash => "the offender holds no bond",
            Error::NotInValidatorSet => "the author is not in the current validator set",
            Error::Overflow => "balance overflow",
            Error::InvalidProofParams => {
                "proof parameters out of range, a changed plot_k, or plot_k below min_plot_k"
            }
            Error::InsufficientUsableBalance => {
                "the amount exceeds the stash's usable (unlocked) free balance"
            }
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);

// ---------------------------------------------------------------------------
// Calls

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub enum Call {
    /// Lock `value` of the caller's usable free balance as a new bond.
    #[codec(index = 0)]
    Bond {
        #[codec(compact)]
        value: Balance,
    },
    #[codec(index = 1)]
    BondExtra {
        #[codec(compact)]
        value: Balance,
    },
    /// Start unbonding `value`; it can be withdrawn `unbonding_period` epochs later.
    #[codec(index = 2)]
    Unbond {
        #[codec(compact)]
        value: Balance,
    },
    #[codec(index = 3)]
    WithdrawUnbonded,
    /// Become a validator candidate. `proof` is the consensus key's signature
    /// over [`key_ownership_message`]`(caller, plot)`.
    #[codec(index = 4)]
    Validate {
        consensus_key: FalconPublicKey,
        plot: PlotCommitment,
        proof: FalconSignature,
    },
    #[codec(index = 5)]
    Chill,
    /// Root only: replace the parameters (the epoch length cannot change).
    #[codec(index = 6)]
    SetConfig { config: StakingConfig },
    /// Unsigned only (the runtime checks and applies it; any origin here is refused):
    /// two conflicting signed votes of one validator, which slash its stash.
    #[codec(index = 7)]
    ReportEquivocation { evidence: DuplicateVoteEvidence },
    /// Root only: replace the four-proof parameters (`plot_k` cannot change:
    /// every registered plot would stop verifying).
    #[codec(index = 8)]
    SetProofParams { params: ProofParams },
}

impl Call {
    pub fn weight(&self) -> Weight {
        match self {
            Call::Bond { .. } => weights::BOND,
            Call::BondExtra { .. } => weights::BOND_EXTRA,
            Call::Unbond { .. } => weights::UNBOND,
            Call::WithdrawUnbonded => weights::WITHDRAW_UNBONDED,
            Call::Validate { .. } => weights::VALIDATE,
            Call::Chill => weights::CHILL,
            Call::SetConfig { .. } => weights::SET_CONFIG,
            // The runtime charges the exact weight with the epoch's offender count.
            Call::ReportEquivocation { .. } => {
                weights::VERIFY_EVIDENCE.saturating_add(report_equivocation_weight(0))
            }
            Call::SetProofParams { .. } => weights::SET_PROOF_PARAMS,
        }
    }
}

/// Run `call`; on `Err` nothing it wrote remains.
pub fn dispatch(ext: &mut dyn Externalities, origin: Origin, call: Call) -> DispatchResult {
    with_transaction(ext, |ext| match call {
        Call::SetConfig { config } => {
            system::ensure_root(origin)?;
            set_config(ext, config)
        }
        Call::SetProofParams { params } => {
            system::ensure_root(origin)?;
            proof_params::set_proof_params(ext, params)
        }
        // Evidence carries its own proof; no account may submit it as a signed call.
        Call::ReportEquivocation { .. } => Err(system::Error::BadOrigin.into()),
        call => {
            let who = system::ensure_signed(origin)?;
            match call {
                Call::Bond { value } => ledger::bond(ext, who, value),
                Call::BondExtra { value } => ledger::bond_extra(ext, who, value),
                Call::Unbond { value } => ledger::unbond(ext, who, value),
                Call::WithdrawUnbonded => ledger::withdraw_unbonded(ext, who),
                Call::Validate {
                    consensus_key,
                    plot,
                    proof,
                } => election::validate(ext, who, &consensus_key, plot, &proof),
                Call::Chill => election::chill(ext, who),
                Call::SetConfig { .. }
                | Call::SetProofParams { .. }
                | Call::ReportEquivocation { .. } => Err(system::Error::BadOrigin.into()),
            }
        }
    })
}

fn set_config(ext: &mut dyn Externalities, new: StakingConfig) -> DispatchResult {
    if !new.is_sane() || new.epoch_length != config(ext).epoch_length {
        return Err(Error::InvalidConfig.into());
    }
    // Above the chain's plot size, no one could register a plot that verifies.
    if new.min_plot_k > proof_params(ext).plot_k {
        return Err(Error::InvalidConfig.into());
    }
    put(ext, &storage::config(), &new);
    deposit_event(ext, Event::ConfigSet { config: new });
    Ok(())
}

/// Mint `amount` to the stash behind `author` (a consensus key id or a stash of
/// the current set). Issuance rises by exactly `amount`. Returns the stash paid.
pub fn reward_author(
    ext: &mut dyn Externalities,
    author: &AccountId,
    amount: Balance,
) -> Result<AccountId, DispatchError> {
    let set = validator_set(ext);
    let stash = set
        .iter()
        .find(|v| v.consensus_key == *author)
        .or_else(|| set.iter().find(|v| v.stash == *author))
        .map(|v| v.stash)
        .ok_or(Error::NotInValidatorSet)?;
    if amount == 0 {
        return Ok(stash);
    }
    caesar::deposit(ext, &stash, amount)?;
    deposit_event(ext, Event::Rewarded { stash, amount });
    Ok(stash)
}

// ---------------------------------------------------------------------------
// Hooks

/// Weight of this pallet's `on_initialize` and `on_finalize` for block
/// `number`: the epoch rotation at an epoch's first block, the election at
/// its last, the author's reward in every block.
pub fn hooks_weight(ext: &dyn Externalities, number: BlockNumber) -> Weight {
    initialize_weight(ext, number).saturating_add(finalize_weight(ext, number))
}

/// Weight of `on_initialize` for block `number`: the epoch rotation, at an epoch's first block.
pub fn initialize_weight(ext: &dyn Externalities, number: BlockNumber) -> Weight {
    let epoch_length = config(ext).epoch_length.max(1);
    if number != 0 && number % epoch_length == 0 {
        weights::ON_INITIALIZE_EPOCH
    } else {
        0
    }
}

/// Weight of `on_finalize` for block `number`: the reward, plus the election at an epoch's last block.
pub fn finalize_weight(ext: &dyn Externalities, number: BlockNumber) -> Weight {
    let epoch_length = config(ext).epoch_length.max(1);
    let last_of_epoch = number
        .checked_add(1)
        .is_some_and(|next| next % epoch_length == 0);
    if last_of_epoch {
        weights::ON_FINALIZE_ELECTION
    } else {
        weights::ON_FINALIZE
    }
}

/// Call from the runtime's `initialize_block`, after System's: the first block
/// of an epoch makes the committed set current and prunes expired evidence.
pub fn on_initialize(ext: &mut dyn Externalities, number: BlockNumber) {
    let cfg = config(ext);
    let epoch_length = cfg.epoch_length.max(1);
    if number == 0 || number % epoch_length != 0 {
        return;
    }
    let epoch = number / epoch_length;
    let set = next_validator_set(ext);
    let count = u32::try_from(set.len()).unwrap_or(u32::MAX);
    let previous = validator_set(ext);
    put(ext, &storage::previous_validators(), &previous);
    put(ext, &storage::validators(), &set);
    put(ext, &storage::current_epoch(), &epoch);
    ext.storage_remove(&storage::epoch_offenders());
    slashing::prune_offences(ext, epoch, cfg.unbonding_period);
    deposit_event(
        ext,
        Event::NewEpoch {
            index: epoch,
            validators: count,
        },
    );
}

/// Call from the runtime's `finalize_block`, before System's and after any
/// slashing of this block: rewards the author, and the last block of an epoch
/// commits the next set. A reward that cannot be paid (author outside the set,
/// a new stash account below the ED) is skipped.
pub fn on_finalize(ext: &mut dyn Externalities, number: BlockNumber) {
    let cfg = config(ext);
    if let Some(author) = system::author(ext) {
        let _ = with_transaction(ext, |ext| reward_author(ext, &author, cfg.block_reward));
    }
    let epoch_length = cfg.epoch_length.max(1);
    if let Some(next) = number.checked_add(1) {
        if next % epoch_length == 0 {
            election::commit_next_validators(ext, next / epoch_length);
        }
    }
}

// ---------------------------------------------------------------------------
// Genesis: [`GenesisConfig`] in genesis.rs (chain-spec JSON and its checks).
