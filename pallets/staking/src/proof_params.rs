//! The chain's four-proof parameters (`T`, checkpoints, `k`, `m`, difficulty).
//!
//! Set at genesis from the chain spec; root may change them with
//! `SetProofParams`. The engine verifies block `n` with the parameters in the
//! state after block `n - 1`, so a change applies from the next block on.
//! `plot_k` never changes: every registered plot is `2^plot_k` leaves, and
//! openings drawn for another `k` would not verify against their roots.
use crate::*;

/// The parameters in force. Genesis always stores them; before that, the
/// local-testnet values (a state without a genesis has no validators to use them).
pub fn proof_params(ext: &dyn Externalities) -> ProofParams {
    get(ext, &storage::proof_params()).unwrap_or(ProofParams::LOCAL_TESTNET)
}

pub(crate) fn set_proof_params(ext: &mut dyn Externalities, new: ProofParams) -> DispatchResult {
    if new.validate().is_err() || new.plot_k != proof_params(ext).plot_k {
        return Err(Error::InvalidProofParams.into());
    }
    put(ext, &storage::proof_params(), &new);
    deposit_event(ext, Event::ProofParamsSet { params: new });
    Ok(())
}
