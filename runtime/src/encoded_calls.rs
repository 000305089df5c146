//! The runtime's [`EncodedCalls`]: how pallets that hold calls as SCALE bytes have them
//! decoded, weighed and dispatched, and which calls each may make.
//!
//! - Contracts (`call_runtime`, as the contract's signed origin) may call the economy's
//!   pallets, Caesar, tokens and the DEX. Everything else is refused before it runs:
//!   system and staking (a contract is no validator and changes no chain parameter),
//!   contracts themselves (a runtime call back into a contract would bypass the call
//!   stack's depth and reentrancy checks), and the root wrapper. Root-only calls of the
//!   allowed pallets (`Caesar::set_balance`, the DEX's protocol fee) dispatch and fail
//!   with `BadOrigin`, as for any signer.
//! - The scheduler runs any call, with the origin it was scheduled with (root for
//!   enactments): only root may schedule, so what it runs is root's choice already.
use crate::{dispatch_call, Call};
use hm_pallet_contracts as contracts;
use hm_pallet_scheduler as scheduler;
use hm_pallet_system as system;
use hm_primitives::DECODE_DEPTH_LIMIT;
use hm_support::{DispatchResultWithPostInfo, EncodedCalls, Externalities, Origin, Weight};
use parity_scale_codec::DecodeLimit;

/// `call` decoded, when it is exactly one call (nesting bounded, nothing trailing).
fn decode(call: &[u8]) -> Option<Call> {
    Call::decode_all_with_depth_limit(DECODE_DEPTH_LIMIT, &mut &call[..]).ok()
}

fn contract_allowed(call: &Call) -> bool {
    matches!(call, Call::Caesar(_) | Call::Tokens(_) | Call::Dex(_))
}

fn any_call(_: &Call) -> bool {
    true
}

/// `call` decoded, when it is exactly one call of a pallet contracts may call.
pub fn contract_may_call(call: &[u8]) -> Option<Call> {
    decode(call).filter(contract_allowed)
}

/// One call, decoded and accepted by `allowed`, then weighed or dispatched.
struct FilteredCalls {
    allowed: fn(&Call) -> bool,
}

impl EncodedCalls for FilteredCalls {
    fn weigh(&self, call: &[u8]) -> Option<Weight> {
        decode(call).filter(self.allowed).map(|call| call.weight())
    }

    fn dispatch(
        &self,
        ext: &mut dyn Externalities,
        origin: Origin,
        call: &[u8],
    ) -> DispatchResultWithPostInfo {
        // The pallet weighed the same bytes first, so this refusal is a bug if ever seen.
        let call = decode(call)
            .filter(self.allowed)
            .ok_or(system::Error::BadOrigin)?;
        dispatch_call(ext, origin, call)
    }
}

static CONTRACT_RUNTIME_CALLS: FilteredCalls = FilteredCalls {
    allowed: contract_allowed,
};
static SCHEDULER_CALLS: FilteredCalls = FilteredCalls { allowed: any_call };

/// The calls contracts may make, named in the contracts pallet's place in the list.
pub struct ContractRuntimeCalls;

impl contracts::Config for ContractRuntimeCalls {
    fn runtime_calls() -> Option<&'static dyn EncodedCalls> {
        Some(&CONTRACT_RUNTIME_CALLS)
    }
}

/// The calls the scheduler runs: any one call.
pub struct SchedulerCalls;

impl scheduler::Config for SchedulerCalls {
    fn calls() -> Option<&'static dyn EncodedCalls> {
        Some(&SCHEDULER_CALLS)
    }
}
