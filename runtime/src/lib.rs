//! The HyperMesh runtime: composes the pallets into one state transition
//! function and exposes the API the node calls (block execution, transaction
//! validation, genesis and state queries).
//!
//! Deterministic and `no_std`: state and signature checks go through the
//! `Externalities` every entry point is given.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod consensus_api;
mod contracts;
mod extrinsic;
mod genesis;
mod unsigned;
pub mod weights;

pub use consensus_api::{
    current_validator_set, epoch_index, epoch_length, epoch_start, next_validator_set,
    proof_params, staking_config, staking_ledger, staking_pot_account, stash_of_consensus_key,
    validator_info, validator_set_for_block, ConsensusValidator,
};
pub use contracts::{
    contract_address, contracts_code, contracts_code_info, contracts_contract_info,
    contracts_dry_run_call, contracts_dry_run_instantiate, contracts_dry_run_upload,
    contracts_storage, contracts_storage_key, CodeInfo, ContractError, ContractInfo,
    ContractsDryRun, DryRunResult, StorageDeposit, UploadDryRun,
};
pub use extrinsic::{
    apply_extrinsic, fee_info, validate_transaction, ApplyOutcome, FeeInfo, MAX_FUTURE_NONCES,
};
pub use genesis::{
    build_genesis, genesis_storage, GenesisAccount, GenesisConfig, RawStorage,
    DEFAULT_EXISTENTIAL_DEPOSIT,
};
pub use hm_consensus_bft::DuplicateVoteEvidence;
pub use hm_pallet_contracts as pallet_contracts;
pub use hm_pallet_staking::{
    EpochIndex, GenesisConfig as StakingGenesis, GenesisValidator, PlotCommitment, StakingConfig,
    StakingLedger, UnlockChunk, ValidatorInfo, ValidatorSetEntry,
};
pub use hm_pallet_system::{FeeParams, Origin, Parameters, Phase};
pub use hm_proofs::ProofParams;
pub use unsigned::{
    evidence_sender, report_equivocation_extrinsic, EVIDENCE_LONGEVITY,
    MAX_UNSIGNED_EXTRINSIC_BYTES,
};

use alloc::{boxed::Box, vec::Vec};
use hm_pallet_caesar as caesar;
use hm_pallet_contracts as contracts_pallet;
use hm_pallet_staking as staking;
use hm_pallet_system as system;
use hm_primitives::{AccountId, Balance, BlockNumber, FalconPublicKey, Moment, Nonce, H256};
use hm_support::{DispatchResult, Externalities, Weight};
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

// The pallet indices below are also the `pallet` of each pallet's DispatchErrors
// and events; they must agree with the enums.
const _: () = assert!(system::PALLET_INDEX == 0 && caesar::PALLET_INDEX == 1);
const _: () = assert!(staking::PALLET_INDEX == 2);
const _: () = assert!(contracts_pallet::PALLET_INDEX == 3);

/// Every call the runtime dispatches.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum Call {
    #[codec(index = 0)]
    System(system::Call),
    #[codec(index = 1)]
    Caesar(caesar::Call),
    /// Signed calls, plus `ReportEquivocation`, which is accepted only unsigned.
    #[codec(index = 2)]
    Staking(staking::Call),
    /// Upload code, instantiate and call contracts (signed only).
    #[codec(index = 3)]
    Contracts(contracts_pallet::Call),
    /// Dispatch the inner call with the root origin. Only the account holding
    /// the root key may make it; anyone else's fails with `BadOrigin` (and pays).
    #[codec(index = 255)]
    Root(Box<Call>),
}

impl Call {
    /// Weight charged for dispatching this call (the per-extrinsic base is separate).
    pub fn weight(&self) -> Weight {
        match self {
            Call::System(call) => call.weight(),
            Call::Caesar(call) => call.weight(),
            Call::Staking(call) => call.weight(),
            Call::Contracts(call) => call.weight(),
            Call::Root(inner) => weights::ROOT_DISPATCH.saturating_add(inner.weight()),
        }
    }
}

/// Run `call` as `origin`. The caller rolls its state changes back on `Err`.
pub fn dispatch(ext: &mut dyn Externalities, origin: Origin, call: Call) -> DispatchResult {
    match call {
        Call::System(call) => system::dispatch(ext, origin, call),
        Call::Caesar(call) => caesar::dispatch(ext, origin, call),
        Call::Staking(call) => staking::dispatch(ext, origin, call),
        Call::Contracts(call) => contracts_pallet::dispatch(ext, origin, call).result,
        Call::Root(inner) => {
            system::ensure_root_key(ext, origin)?;
            dispatch(ext, Origin::Root, *inner)
        }
    }
}

/// A signed or unsigned extrinsic of this runtime.
pub type Extrinsic = hm_primitives::UncheckedExtrinsic<Call>;

/// Events of all pallets. The index of each variant is the pallet's index.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum RuntimeEvent {
    #[codec(index = 0)]
    System(system::Event),
    #[codec(index = 1)]
    Caesar(caesar::Event),
    #[codec(index = 2)]
    Staking(staking::Event),
    #[codec(index = 3)]
    Contracts(contracts_pallet::Event),
}

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
    staking::on_initialize(ext, ctx.number);
    // The hooks run whatever the block holds; their weight is taken first.
    // Far below any sane block limit, so refusal is not expected; the hooks
    // still run if it happens.
    let hooks_weight = staking::hooks_weight(ext, ctx.number);
    let _ = system::reserve_block_resources(ext, hooks_weight, 0);
}

/// Rewards the author's stash (`ctx.author` is the proposer's consensus key)
/// and, at an epoch's last block, commits the next validator set.
pub fn finalize_block(ext: &mut dyn Externalities, ctx: &BlockContext) {
    staking::on_finalize(ext, ctx.number);
    system::on_finalize(ext);
}

/// `(free, reserved, next nonce)` of an account.
pub fn account_summary(ext: &dyn Externalities, who: &AccountId) -> (Balance, Balance, Nonce) {
    let data = caesar::account(ext, who).unwrap_or_default();
    (data.free, data.reserved, system::account_nonce(ext, who))
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
