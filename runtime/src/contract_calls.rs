//! The runtime calls contracts may make through `call_runtime` (the contracts pallet's
//! [`EncodedCalls`]): the economy's pallets, Caesar, tokens and the DEX, as the signed
//! origin of the contract's address.
//!
//! Everything else is refused before it runs: system and staking (a contract is no
//! validator and changes no chain parameter), contracts themselves (a runtime call
//! back into a contract would bypass the call stack's depth and reentrancy checks),
//! and the root wrapper. Root-only calls of the allowed pallets (`Caesar::set_balance`,
//! the DEX's protocol fee) dispatch and fail with `BadOrigin`, as for any signer.
use crate::{dispatch_call, Call};
use hm_pallet_contracts::Config;
use hm_pallet_system as system;
use hm_primitives::DECODE_DEPTH_LIMIT;
use hm_support::{DispatchResultWithPostInfo, EncodedCalls, Externalities, Origin, Weight};
use parity_scale_codec::DecodeLimit;

/// The runtime's [`EncodedCalls`] for contracts, named in the contracts pallet's place in the list.
pub struct ContractRuntimeCalls;

static CONTRACT_RUNTIME_CALLS: ContractRuntimeCalls = ContractRuntimeCalls;

impl Config for ContractRuntimeCalls {
    fn runtime_calls() -> Option<&'static dyn EncodedCalls> {
        Some(&CONTRACT_RUNTIME_CALLS)
    }
}

/// `call` decoded, when it is exactly one call of a pallet contracts may call.
pub fn contract_may_call(call: &[u8]) -> Option<Call> {
    let call = Call::decode_all_with_depth_limit(DECODE_DEPTH_LIMIT, &mut &call[..]).ok()?;
    matches!(call, Call::Caesar(_) | Call::Tokens(_) | Call::Dex(_)).then_some(call)
}

impl EncodedCalls for ContractRuntimeCalls {
    fn weigh(&self, call: &[u8]) -> Option<Weight> {
        contract_may_call(call).map(|call| call.weight())
    }

    fn dispatch(
        &self,
        ext: &mut dyn Externalities,
        origin: Origin,
        call: &[u8],
    ) -> DispatchResultWithPostInfo {
        // The pallet weighed the same bytes first, so this refusal is a bug if ever seen.
        let call = contract_may_call(call).ok_or(system::Error::BadOrigin)?;
        dispatch_call(ext, origin, call)
    }
}
