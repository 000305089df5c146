//! Data types of the preimage pallet.
use hm_primitives::{AccountId, Balance};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// What is known of a hash. Stored while its bytes are noted or it is requested, so:
/// - `len: None` (requested before anyone noted the bytes) has no depositor and at
///   least one request;
/// - `requests: 0` (noted, unrequested) has a depositor: bytes nobody pays for and
///   nobody needs are removed.
///
/// `len` is an `Option` (unlike `pallet-preimage`'s split into two variants) so one
/// record serves both states.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct RequestStatus {
    /// Who reserved the deposit for the bytes, and how much; `None` when they were
    /// noted for free (the hash was requested then) or are not noted yet.
    pub depositor: Option<(AccountId, Balance)>,
    /// Length of the noted bytes; `None` while only requested.
    pub len: Option<u32>,
    /// Requests standing: while any does, the bytes cannot be unnoted.
    pub requests: u32,
}
