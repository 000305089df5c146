//! Dry runs: execute as an extrinsic would, report everything, keep nothing.
//!
//! Each runs inside an overlay that is always discarded, so it is safe on any state
//! (callers may pass the node's query overlay as it is). The block number and timestamp
//! are those of the state's block (the best block, for RPC queries).
use crate::exec::{self, Outcome, Request};
use crate::{ContractError, DryRunResult, EncodedCalls, Error, UploadDryRun};
use alloc::vec::Vec;
use hm_pallet_system as system;
use hm_primitives::{AccountId, Balance, H256};
use hm_support::{with_transaction, Externalities};

/// Event records deposited since the log held `from` records.
fn events_since(ext: &dyn Externalities, from: usize) -> Vec<Vec<u8>> {
    system::event_records(ext).into_iter().skip(from).collect()
}

fn discarded(
    ext: &mut dyn Externalities,
    run: impl FnOnce(&mut dyn Externalities) -> Outcome,
) -> DryRunResult {
    let mut result = None;
    let _: Result<(), ()> = with_transaction(ext, |ext| {
        let before = system::event_records(ext).len();
        let outcome = run(ext);
        let events = if outcome.result.is_ok() {
            events_since(ext, before)
        } else {
            Vec::new()
        };
        result = Some(DryRunResult {
            output: outcome.output,
            reverted: outcome.reverted,
            gas_used: outcome.gas_used,
            gas_required: outcome.gas_used.saturating_add(outcome.gas_headroom),
            storage_deposit: outcome.storage_deposit,
            events,
            error: outcome.result.err(),
            contract: outcome.contract,
            debug_messages: outcome.debug_messages,
        });
        Err(())
    });
    result.unwrap_or_else(|| DryRunResult {
        error: Some(ContractError {
            error: Error::NodeFault,
            detail: "the dry run did not run".into(),
        }),
        ..DryRunResult::default()
    })
}

/// What `Call::Call` would do if `origin` submitted it now.
#[allow(clippy::too_many_arguments)] // the extrinsic's arguments plus the state
pub fn dry_run_call(
    ext: &mut dyn Externalities,
    origin: AccountId,
    dest: AccountId,
    value: Balance,
    gas_limit: u64,
    storage_deposit_limit: Option<Balance>,
    input: Vec<u8>,
    runtime_calls: Option<&'static dyn EncodedCalls>,
) -> DryRunResult {
    let request = Request {
        origin,
        value,
        gas_limit,
        storage_deposit_limit,
        input,
        runtime_calls,
    };
    discarded(ext, |ext| exec::call(ext, request, &dest, true))
}

/// What `Call::Instantiate` would do if `origin` submitted it now; `contract` is the
/// address it would create.
#[allow(clippy::too_many_arguments)] // the extrinsic's arguments plus the state
pub fn dry_run_instantiate(
    ext: &mut dyn Externalities,
    origin: AccountId,
    code_hash: H256,
    value: Balance,
    gas_limit: u64,
    storage_deposit_limit: Option<Balance>,
    input: Vec<u8>,
    salt: Vec<u8>,
    runtime_calls: Option<&'static dyn EncodedCalls>,
) -> DryRunResult {
    let request = Request {
        origin,
        value,
        gas_limit,
        storage_deposit_limit,
        input,
        runtime_calls,
    };
    discarded(ext, |ext| {
        exec::instantiate(ext, request, &code_hash, &salt, true)
    })
}

/// What `Call::UploadCode` would do, with the executor's full reason for a refusal.
pub fn dry_run_upload(
    ext: &mut dyn Externalities,
    origin: AccountId,
    code: &[u8],
    storage_deposit_limit: Option<Balance>,
) -> UploadDryRun {
    crate::code::dry_run_upload(ext, &origin, code, storage_deposit_limit)
}
