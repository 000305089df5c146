//! The HyperMesh runtime: composes the pallets into one state transition
//! function and exposes the API the node calls (block execution, transaction
//! validation, genesis and state queries).
//!
//! Deterministic and `no_std`: state and signature checks go through the
//! `Externalities` every entry point is given.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod consensus_api;
mod contracts;
mod encoded_calls;
mod extrinsic;
mod fees;
mod genesis;
mod governance;
mod metadata;
mod runtime_api;
mod unsigned;
pub mod weights;

pub use consensus_api::{
    current_validator_set, epoch_index, epoch_length, epoch_start, next_validator_set,
    proof_params, staking_config, staking_ledger, stash_of_consensus_key, validator_info,
    validator_set_for_block, ConsensusValidator,
};
pub use contracts::{
    contract_address, contracts_code, contracts_code_info, contracts_contract_info,
    contracts_dry_run_call, contracts_dry_run_instantiate, contracts_dry_run_upload,
    contracts_storage, contracts_storage_key, CodeInfo, ContractError, ContractInfo,
    ContractsDryRun, DryRunResult, StorageDeposit, UploadDryRun,
};
pub use encoded_calls::{contract_may_call, ContractRuntimeCalls, SchedulerCalls};
pub use extrinsic::{
    apply_extrinsic, fee_info, validate_transaction, ApplyOutcome, FeeInfo, MAX_FUTURE_NONCES,
};
pub use genesis::{
    build_genesis, genesis_storage, GenesisAccount, GenesisConfig, GovernanceGenesis, RawStorage,
    DEFAULT_EXISTENTIAL_DEPOSIT,
};
pub use governance::{RuntimePolls, RuntimeReferenda};
pub use hm_consensus_bft::DuplicateVoteEvidence;
pub use hm_pallet_contracts as pallet_contracts;
pub use hm_pallet_conviction_voting as pallet_conviction_voting;
pub use hm_pallet_dex as pallet_dex;
pub use hm_pallet_preimage as pallet_preimage;
pub use hm_pallet_referenda as pallet_referenda;
pub use hm_pallet_scheduler as pallet_scheduler;
pub use hm_pallet_staking::{
    EpochIndex, GenesisConfig as StakingGenesis, GenesisValidator, PlotCommitment, StakingConfig,
    StakingLedger, UnlockChunk, ValidatorInfo, ValidatorSetEntry,
};
pub use hm_pallet_system::{FeeParams, Parameters, Phase};
pub use hm_pallet_tokens as pallet_tokens;
pub use hm_proofs::ProofParams;
pub use hm_support::Origin;
pub use metadata::{metadata, metadata_v15};
pub use runtime_api::{call_runtime_api, RuntimeApiError, MAX_API_ARGS_BYTES, RUNTIME_APIS};
pub use unsigned::{
    evidence_sender, report_equivocation_extrinsic, EVIDENCE_LONGEVITY,
    MAX_UNSIGNED_EXTRINSIC_BYTES,
};

use alloc::vec::Vec;
use hm_pallet_caesar as caesar;
use hm_pallet_contracts as contracts_pallet;
use hm_pallet_dex as dex;
use hm_pallet_staking as staking;
use hm_pallet_system as system;
use hm_pallet_tokens as tokens;
use hm_primitives::{AccountId, Balance, BlockNumber, FalconPublicKey, Moment, Nonce, H256};
use hm_support::{without_post_info, DispatchResult, DispatchResultWithPostInfo, Externalities};
use parity_scale_codec::{Decode, Encode};

/// Identity of the runtime, as `state_getRuntimeVersion` reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RuntimeVersion {
    pub spec_name: &'static str,
    pub impl_name: &'static str,
    pub authoring_version: u32,
    /// Signed into every transaction: bumping it invalidates signatures made for older runtimes.
    pub spec_version: u32,
    pub impl_version: u32,
    pub transaction_version: u32,
}

pub const VERSION: RuntimeVersion = RuntimeVersion {
    spec_name: "hypermesh",
    impl_name: "hypermesh-node",
    authoring_version: 1,
    spec_version: 1,
    impl_version: 1,
    transaction_version: 1,
};

hm_support::construct_runtime! {
    root_call: Root = 255,
    weight: weights::ROOT_DISPATCH,
    dispatch: dispatch_as_root;
    pallets: {
        System(system): system::Pallet = 0,
        Caesar(caesar): caesar::Pallet = 1,
        Staking(staking): staking::Pallet = 2,
        Contracts(contracts): contracts_pallet::Pallet<ContractRuntimeCalls> = 3,
        Tokens(tokens): tokens::Pallet = 4,
        Dex(dex): dex::Pallet = 5,
        Preimage(preimage): hm_pallet_preimage::Pallet = 6,
        Scheduler(scheduler): hm_pallet_scheduler::Pallet<SchedulerCalls> = 7,
        ConvictionVoting(conviction_voting): hm_pallet_conviction_voting::Pallet<RuntimePolls> = 8,
        Referenda(referenda): hm_pallet_referenda::Pallet<RuntimeReferenda> = 9,
    }
}

/// The root call: only the account holding the root key may make it; anyone
/// else's fails with `BadOrigin` (and pays).
fn dispatch_as_root(
    ext: &mut dyn Externalities,
    origin: Origin,
    call: Call,
) -> DispatchResultWithPostInfo {
    system::ensure_root_key(ext, origin)?;
    dispatch_call(ext, Origin::Root, call)
}

/// Run `call` as `origin`. The caller rolls its state changes back on `Err`.
pub fn dispatch(ext: &mut dyn Externalities, origin: Origin, call: Call) -> DispatchResult {
    without_post_info(dispatch_call(ext, origin, call))
}

/// Every pallet's invariants over `ext`'s state (`Pallet::try_state`): the
/// first that fails, with its pallet's name. Tests run it after every block.
pub fn try_state(ext: &dyn Externalities) -> Result<(), (&'static str, &'static str)> {
    try_state_pallets(ext)
}

/// A signed or unsigned extrinsic of this runtime.
pub type Extrinsic = hm_primitives::UncheckedExtrinsic<Call>;

/// One entry of a block's event log.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct EventRecord {
    pub phase: Phase,
    pub event: RuntimeEvent,
}

/// What the block header says about the block being executed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BlockContext {
    pub number: BlockNumber,
    pub timestamp_ms: Moment,
    pub parent_hash: H256,
    /// The proposer; transaction fees are credited to it.
    pub author: AccountId,
    pub genesis_hash: H256,
}

/// Where a transaction is validated: against the best block's state, for
/// inclusion in block `best_number + 1`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TxContext {
    pub genesis_hash: H256,
    pub best_number: BlockNumber,
}

pub fn initialize_block(ext: &mut dyn Externalities, ctx: &BlockContext) {
    system::on_initialize(
        ext,
        ctx.number,
        &ctx.parent_hash,
        ctx.timestamp_ms,
        &ctx.author,
    );
    // The hooks run whatever the block holds; their weight (with what their
    // `on_finalize` will use) is taken first. Far below any sane block limit, so
    // refusal is not expected; the hooks still run if it happens.
    let hooks_weight = on_initialize_pallets(ext, ctx.number);
    let _ = system::reserve_block_resources(ext, hooks_weight, 0);
}

/// Rewards the author's stash (`ctx.author` is the proposer's consensus key)
/// and, at an epoch's last block, commits the next validator set.
pub fn finalize_block(ext: &mut dyn Externalities, ctx: &BlockContext) {
    on_finalize_pallets(ext, ctx.number);
    system::on_finalize(ext);
}

/// `(free, reserved, next nonce)` of an account.
pub fn account_summary(ext: &dyn Externalities, who: &AccountId) -> (Balance, Balance, Nonce) {
    let data = caesar::account(ext, who).unwrap_or_default();
    (data.free, data.reserved, system::account_nonce(ext, who))
}

/// The part of `who`'s free balance its balance locks hold (the largest active lock).
pub fn locked_balance(ext: &dyn Externalities, who: &AccountId) -> Balance {
    caesar::frozen_balance(ext, who).min(caesar::free_balance(ext, who))
}

/// Raw key of `Caesar::Account(who)`, for `state_getStorage` and read proofs.
/// The value there is a SCALE `AccountData { free: u128, reserved: u128 }`.
pub fn account_storage_key(who: &AccountId) -> Vec<u8> {
    caesar::storage::account(who)
}

/// The public key stored on-chain for `who`.
pub fn public_key_of(ext: &dyn Externalities, who: &AccountId) -> Option<FalconPublicKey> {
    system::public_key(ext, who)
}

/// Events of the block last executed on `ext` (or being executed).
pub fn events(ext: &dyn Externalities) -> Vec<EventRecord> {
    system::event_records(ext)
        .iter()
        .filter_map(|raw| EventRecord::decode(&mut &raw[..]).ok())
        .collect()
}

pub fn total_issuance(ext: &dyn Externalities) -> Balance {
    caesar::total_issuance(ext)
}

/// Chain parameters (fees, block limits) in force.
pub fn parameters(ext: &dyn Externalities) -> Parameters {
    system::parameters(ext)
}
