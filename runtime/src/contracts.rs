//! The contracts pallet's queries in the runtime: dry runs and getters for RPC.
use crate::{ContractRuntimeCalls, EventRecord};
use alloc::vec::Vec;
use hm_pallet_contracts as contracts;
use hm_pallet_contracts::Config;
use hm_primitives::{AccountId, Balance, H256};
use hm_support::Externalities;
use parity_scale_codec::Decode;

pub use contracts::{
    contract_address, CodeInfo, ContractError, ContractInfo, DryRunResult, StorageDeposit,
    UploadDryRun,
};

/// A dry run with its events decoded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ContractsDryRun {
    /// Output, revert flag, gas, storage deposit, error, new address, debug text; its
    /// `events` are the raw records of `events` below.
    pub result: DryRunResult,
    pub events: Vec<EventRecord>,
}

fn with_events(result: DryRunResult) -> ContractsDryRun {
    let events = result
        .events
        .iter()
        .filter_map(|raw| EventRecord::decode(&mut &raw[..]).ok())
        .collect();
    ContractsDryRun { result, events }
}

/// `contracts_call` / `contracts_estimateGas`: what `Contracts::call` would do if
/// `origin` submitted it on this state. Nothing persists.
pub fn contracts_dry_run_call(
    ext: &mut dyn Externalities,
    origin: AccountId,
    dest: AccountId,
    value: Balance,
    gas_limit: u64,
    storage_deposit_limit: Option<Balance>,
    input: Vec<u8>,
) -> ContractsDryRun {
    with_events(contracts::dry_run_call(
        ext,
        origin,
        dest,
        value,
        gas_limit,
        storage_deposit_limit,
        input,
        ContractRuntimeCalls::runtime_calls(),
    ))
}

/// What `Contracts::instantiate` would do; `result.contract` is the address. Nothing persists.
#[allow(clippy::too_many_arguments)] // the extrinsic's arguments plus the state
pub fn contracts_dry_run_instantiate(
    ext: &mut dyn Externalities,
    origin: AccountId,
    code_hash: H256,
    value: Balance,
    gas_limit: u64,
    storage_deposit_limit: Option<Balance>,
    input: Vec<u8>,
    salt: Vec<u8>,
) -> ContractsDryRun {
    with_events(contracts::dry_run_instantiate(
        ext,
        origin,
        code_hash,
        value,
        gas_limit,
        storage_deposit_limit,
        input,
        salt,
        ContractRuntimeCalls::runtime_calls(),
    ))
}

/// What `Contracts::upload_code` would do (gas, deposit, and the validator's reason for a
/// refusal). Nothing persists.
pub fn contracts_dry_run_upload(
    ext: &mut dyn Externalities,
    origin: AccountId,
    code: &[u8],
    storage_deposit_limit: Option<Balance>,
) -> UploadDryRun {
    contracts::dry_run_upload(ext, origin, code, storage_deposit_limit)
}

/// `contracts_getCode`: the wasm stored under `code_hash`.
pub fn contracts_code(ext: &dyn Externalities, code_hash: &H256) -> Option<Vec<u8>> {
    contracts::code(ext, code_hash)
}

pub fn contracts_code_info(ext: &dyn Externalities, code_hash: &H256) -> Option<CodeInfo> {
    contracts::code_info(ext, code_hash)
}

pub fn contracts_contract_info(
    ext: &dyn Externalities,
    address: &AccountId,
) -> Option<ContractInfo> {
    contracts::contract_info(ext, address)
}

/// `contracts_getStorage`: the value under `key` in the contract's storage.
pub fn contracts_storage(
    ext: &dyn Externalities,
    address: &AccountId,
    key: &[u8],
) -> Option<Vec<u8>> {
    contracts::contract_storage(ext, address, key)
}

/// Raw state key of a contract's storage entry, for `state_getStorage` and read proofs.
pub fn contracts_storage_key(address: &AccountId, key: &[u8]) -> Vec<u8> {
    contracts::storage::contract_storage(address, key)
}
