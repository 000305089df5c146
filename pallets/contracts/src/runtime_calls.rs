//! `call_runtime`: a contract dispatches a runtime call as its own signed origin, as
//! `pallet-contracts` does, so it can hold and move CAES and tokens and trade.
//!
//! The pallet does not know the runtime's `Call` type: the runtime implements
//! [`EncodedCalls`] (decoding, the filter of calls contracts may make, dispatch) and
//! names it in the pallet's [`Config`]. The pallet prices the call (its declared weight
//! must fit in the frame's gas, its actual weight is charged) and runs it in its own
//! overlay, so a failed call changes nothing, and in the frame's, so it rolls back with
//! the frame.
use crate::exec::Execution;
use crate::WEIGHT_PER_GAS;
use hm_contracts_api::RuntimeCallOutcome;
use hm_primitives::AccountId;
use hm_support::{with_transaction, EncodedCalls, Externalities, Origin, Weight};

/// How the runtime configures the pallet (FRAME's `Config`, reduced to what varies).
pub trait Config: 'static {
    /// What `call_runtime` dispatches to; `None` refuses every runtime call.
    fn runtime_calls() -> Option<&'static dyn EncodedCalls> {
        None
    }
}

/// No runtime calls: for tests and tools that run contracts without a runtime.
impl Config for () {}

/// Gas that pays for `weight`, rounded up so a call is never undercharged.
pub fn weight_to_gas(weight: Weight) -> u64 {
    weight.div_ceil(WEIGHT_PER_GAS)
}

/// Run `call` for `contract` with `gas_left` gas (see the module docs), recording in
/// `exec` what a gas limit must hold beyond the gas used.
pub(crate) fn call_runtime(
    ext: &mut dyn Externalities,
    exec: &mut Execution,
    contract: AccountId,
    call: &[u8],
    gas_left: u64,
) -> RuntimeCallOutcome {
    let Some(runtime) = exec.runtime_calls else {
        return RuntimeCallOutcome::Refused;
    };
    let Some(declared) = runtime.weigh(call) else {
        return RuntimeCallOutcome::Refused;
    };
    let declared_gas = weight_to_gas(declared);
    if declared_gas > gas_left {
        return RuntimeCallOutcome::OutOfGas;
    }
    let mut used = declared;
    let result = with_transaction(ext, |ext| {
        match runtime.dispatch(ext, Origin::Signed(contract), call) {
            Ok(post) => {
                used = post.charged_weight(declared);
                Ok(())
            }
            Err(failure) => {
                used = failure.post_info.charged_weight(declared);
                Err(failure.error)
            }
        }
    });
    let gas_used = weight_to_gas(used);
    exec.gas_headroom = exec.gas_headroom.max(declared_gas.saturating_sub(gas_used));
    RuntimeCallOutcome::Dispatched {
        gas_used,
        error: result.err().map(|e| (e.pallet, e.error)),
    }
}
