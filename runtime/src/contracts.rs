//! The contracts pallet in the runtime: dispatch with the weight actually used, the fee
//! refund for unused gas, and the queries RPC serves (dry runs and getters).
//!
//! Fees: an extrinsic pays for its declared weight up front (a contract call declares its
//! whole gas limit). When a call reports that it used less ([`contracts::DispatchOutcome`]),
//! the fee of the unused weight goes back to the signer and the block's weight counter
//! is lowered by it, so the signer pays for the gas it used, on success and on failure.
//! The up-front fee was credited to the block author (or burned when the author could
//! not receive it), so the refund comes from the same place: the author sends it back,
//! or, for a burned fee, it is minted back. Issuance stays equal to the sum of balances.
use crate::{caesar, dispatch, system, weights, Call, EventRecord};
use alloc::vec::Vec;
use hm_pallet_caesar::Liveness;
use hm_pallet_contracts as contracts;
use hm_pallet_system::Origin;
use hm_primitives::{AccountId, Balance, H256};
use hm_support::{put, with_transaction, DispatchResult, Externalities, Weight};
use parity_scale_codec::Decode;

pub use contracts::{
    contract_address, CodeInfo, ContractError, ContractInfo, DryRunResult, StorageDeposit,
    UploadDryRun,
};

/// Dispatch `call` in its own overlay (rolled back on `Err`) and return the call's weight
/// after execution, when the call reports one (contract calls do).
pub(crate) fn dispatch_with_weight(
    ext: &mut dyn Externalities,
    origin: Origin,
    call: Call,
) -> (DispatchResult, Option<Weight>) {
    let mut actual = None;
    let result = with_transaction(ext, |ext| match call {
        Call::Contracts(call) => {
            let outcome = contracts::dispatch(ext, origin, call);
            actual = outcome.actual_weight;
            outcome.result
        }
        call => dispatch(ext, origin, call),
    });
    (result, actual)
}

/// Who received the fee just withdrawn from the signer: the block author when the credit
/// went through (its account exists after it), `None` when the fee was burned.
pub(crate) fn fee_recipient(ext: &dyn Externalities) -> Option<AccountId> {
    system::author(ext).filter(|author| caesar::account(ext, author).is_some())
}

/// What the signer is charged once the call reported `actual_call_weight`: the weight and
/// fee of the extrinsic, lowered (and the difference refunded) when less was used.
#[allow(clippy::too_many_arguments)] // the extrinsic's accounting, all of it needed
pub(crate) fn refund_unused_weight(
    ext: &mut dyn Externalities,
    who: &AccountId,
    fee_recipient: Option<AccountId>,
    declared: Weight,
    actual_call_weight: Option<Weight>,
    fee: Balance,
    len: usize,
    tip: Balance,
) -> (Weight, Balance) {
    let Some(call_weight) = actual_call_weight else {
        return (declared, fee);
    };
    let actual = weights::EXTRINSIC_BASE
        .saturating_add(call_weight)
        .min(declared);
    let Some(actual_fee) = system::parameters(ext).fees.fee(len, actual, tip) else {
        return (declared, fee);
    };
    let unused = declared - actual;
    let block_weight = system::block_weight(ext).saturating_sub(unused);
    put(ext, &system::storage::block_weight(), &block_weight);
    let refund = fee.saturating_sub(actual_fee);
    if refund == 0 {
        return (actual, fee);
    }
    let refunded = with_transaction(ext, |ext| match fee_recipient {
        // The signer authored the block: it paid the fee to itself.
        Some(author) if author == *who => Ok(()),
        // A fresh author account may not keep enough to stay alive; then it goes, as a
        // fee too small to credit would have been burned.
        Some(author) => caesar::transfer(ext, &author, who, refund, Liveness::KeepAlive)
            .or_else(|_| caesar::transfer(ext, &author, who, refund, Liveness::AllowDeath)),
        None => caesar::deposit(ext, who, refund),
    });
    match refunded {
        Ok(()) => (actual, actual_fee),
        Err(_) => (actual, fee),
    }
}

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
