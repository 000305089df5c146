//! The calls of the preimage pallet, their weights and their dispatch.
use crate::{preimages, signer_or_root, weights, MAX_PREIMAGE_BYTES};
use alloc::vec::Vec;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::H256;
use hm_support::{with_transaction, DispatchResult, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Signed: store `bytes` under their hash, reserving the deposit unless the hash
    /// is requested.
    #[codec(index = 0)]
    NotePreimage { bytes: Vec<u8> },
    /// The depositor (or root): remove unrequested bytes and return their deposit.
    #[codec(index = 1)]
    UnnotePreimage { hash: H256 },
    /// Root: keep the bytes of `hash` (and let anyone note them for free).
    #[codec(index = 2)]
    RequestPreimage { hash: H256 },
    /// Root: withdraw one request.
    #[codec(index = 3)]
    UnrequestPreimage { hash: H256 },
}

impl Call {
    pub fn weight(&self) -> Weight {
        match self {
            Call::NotePreimage { bytes } => note_weight(bytes.len()),
            Call::UnnotePreimage { .. } => weights::UNNOTE_PREIMAGE,
            Call::RequestPreimage { .. } => weights::REQUEST_PREIMAGE,
            Call::UnrequestPreimage { .. } => weights::UNREQUEST_PREIMAGE,
        }
    }
}

/// `note_preimage` of `len` bytes: linear between the benchmarked 1-byte and
/// `MAX_PREIMAGE_BYTES` cases (hashing and storing are linear in the length). Longer
/// calls are refused, but still weigh at least the maximum.
pub fn note_weight(len: usize) -> Weight {
    let len = u128::try_from(len).unwrap_or(u128::MAX);
    let span = weights::NOTE_PREIMAGE_MAX.saturating_sub(weights::NOTE_PREIMAGE_MIN);
    let extra = u128::from(span).saturating_mul(len) / u128::from(MAX_PREIMAGE_BYTES);
    Weight::try_from(extra)
        .unwrap_or(Weight::MAX)
        .saturating_add(weights::NOTE_PREIMAGE_MIN)
}

/// Run `call` as `origin`. Atomic: a failing call leaves the state as it was.
pub fn dispatch(ext: &mut dyn Externalities, origin: Origin, call: Call) -> DispatchResult {
    with_transaction(ext, |ext| match call {
        Call::NotePreimage { bytes } => {
            let who = system::ensure_signed(origin)?;
            preimages::note(ext, &who, &bytes)?;
            Ok(())
        }
        Call::UnnotePreimage { hash } => Ok(preimages::unnote(
            ext,
            signer_or_root(origin).as_ref(),
            &hash,
        )?),
        Call::RequestPreimage { hash } => {
            system::ensure_root(origin)?;
            Ok(preimages::request(ext, &hash)?)
        }
        Call::UnrequestPreimage { hash } => {
            system::ensure_root(origin)?;
            Ok(preimages::unrequest(ext, &hash)?)
        }
    })
}
