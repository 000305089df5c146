//! Preimage: call bytes noted on chain by their hash, in the manner of Substrate's
//! `pallet-preimage`, so a large call (a 1–2 MB runtime upgrade) need not travel inside
//! a proposal or a scheduled task: those carry the hash and length, and the bytes are
//! fetched here when the call runs.
//!
//! # Deposits and requests
//! Anyone may note bytes, reserving [`BASE_DEPOSIT`] + [`PER_BYTE_DEPOSIT`] per byte
//! (Caesar's `reserve`), so the state cannot be filled for free; the depositor unnotes
//! them to get the deposit back. The system (root, or another pallet: the scheduler
//! for its tasks, later referenda) *requests* a hash it needs; a requested hash is
//! noted free of charge by whoever provides the bytes, and cannot be unnoted while any
//! request stands, so the bytes a task needs cannot vanish before it runs.
//!
//! When the last request goes ([`unrequest`]), as Substrate does:
//! - bytes noted without a deposit are removed (nobody pays for keeping them);
//! - bytes with a depositor are kept until the depositor unnotes them, returning the
//!   deposit. They are paid for, so keeping them harms no one, and removing them
//!   behind the depositor's back would surprise another proposal using the same hash.
//!   A used referendum call thus costs its depositor nothing but one `unnote_preimage`.
//!
//! The deposit stays reserved while a noted preimage is requested. [`TotalDeposits`]
//! tracks every deposit held, and `try_state` checks it against the records.
//!
//! [`TotalDeposits`]: storage::total_deposits
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod calls;
mod invariants;
#[cfg(test)]
mod mock;
mod preimages;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use calls::{dispatch, Call};
pub use preimages::{note, request, unnote, unrequest};
pub use types::*;

use alloc::vec::Vec;
use frame_metadata::v15::{PalletConstantMetadata, StorageEntryMetadata};
use hm_pallet_system as system;
use hm_primitives::{
    storage_key::{map_key, value_key},
    AccountId, Balance, H256, UNITS,
};
use hm_support::{get, Externalities, Origin, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

// ---------------------------------------------------------------------------
// Config and constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"Preimage";
/// Index of this pallet in the runtime's `Call` and event enums.
pub const PALLET_INDEX: u8 = 6;
/// Largest preimage, in bytes: what one signed extrinsic can carry
/// (`MAX_EXTRINSIC_BYTES`, 128 KiB, less room for the signature and the call's
/// envelope). A runtime upgrade (1–2 MB of wasm) needs more: chunked noting is the
/// governance work still to come.
pub const MAX_PREIMAGE_BYTES: u32 = 120 * 1024;
/// CAES reserved for any preimage: the records it adds.
pub const BASE_DEPOSIT: Balance = UNITS;
/// CAES reserved per byte, as contracts' code deposit: 120 KiB costs about 1.2 CAES.
pub const PER_BYTE_DEPOSIT: Balance = UNITS / 100_000;

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `PreimageFor: H256 -> bytes`, stored raw (not SCALE) so reading it copies nothing.
    pub fn preimage_for(hash: &H256) -> Vec<u8> {
        map_key(PALLET, b"PreimageFor", &hash.encode())
    }
    /// `StatusFor: H256 -> RequestStatus`.
    pub fn status_for(hash: &H256) -> Vec<u8> {
        map_key(PALLET, b"StatusFor", &hash.encode())
    }
    /// `TotalDeposits: Balance`, the sum of the deposits of every `StatusFor`.
    pub fn total_deposits() -> Vec<u8> {
        value_key(PALLET, b"TotalDeposits")
    }
}

/// The deposit for noting `len` bytes.
pub fn deposit_for(len: u32) -> Option<Balance> {
    PER_BYTE_DEPOSIT
        .checked_mul(Balance::from(len))?
        .checked_add(BASE_DEPOSIT)
}

/// The record of `hash`: who paid for it, its length, how many requests stand.
pub fn status(ext: &dyn Externalities, hash: &H256) -> Option<RequestStatus> {
    get(ext, &storage::status_for(hash))
}

/// The bytes noted for `hash`.
pub fn preimage(ext: &dyn Externalities, hash: &H256) -> Option<Vec<u8>> {
    ext.storage_get(&storage::preimage_for(hash))
}

/// The length of the bytes noted for `hash`, read from the record (no bytes copied).
pub fn len(ext: &dyn Externalities, hash: &H256) -> Option<u32> {
    status(ext, hash).and_then(|s| s.len)
}

/// Whether the bytes of `hash` are noted.
pub fn is_available(ext: &dyn Externalities, hash: &H256) -> bool {
    len(ext, hash).is_some()
}

/// Whether some pallet (or root) requested `hash`.
pub fn is_requested(ext: &dyn Externalities, hash: &H256) -> bool {
    status(ext, hash).is_some_and(|s| s.requests > 0)
}

/// Every deposit this pallet holds.
pub fn total_deposits(ext: &dyn Externalities) -> Balance {
    get(ext, &storage::total_deposits()).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// The bytes of `hash` are now stored.
    #[codec(index = 0)]
    Noted { hash: H256 },
    /// `hash` went from no request to one: its bytes are kept, and noted for free.
    #[codec(index = 1)]
    Requested { hash: H256 },
    /// The bytes of `hash` were removed.
    #[codec(index = 2)]
    Cleared { hash: H256 },
}

fn deposit_event(ext: &mut dyn Externalities, event: Event) {
    system::deposit_event(ext, PALLET_INDEX, &event);
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
#[repr(u8)]
pub enum Error {
    /// Longer than `MAX_PREIMAGE_BYTES`.
    TooBig = 0,
    /// No bytes: nothing to note.
    Empty = 1,
    /// These bytes are noted already.
    AlreadyNoted = 2,
    /// No bytes are noted for this hash.
    NotNoted = 3,
    /// Only the depositor (or root) may unnote.
    NotAuthorized = 4,
    /// The hash is requested: its bytes must stay until every request is withdrawn.
    Requested = 5,
    /// The hash is not requested.
    NotRequested = 6,
    /// The signer cannot reserve the deposit.
    CannotPayDeposit = 7,
    /// A count or the deposit total would overflow.
    Overflow = 8,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::TooBig => "the preimage is longer than MaxPreimageBytes",
            Error::Empty => "the preimage is empty",
            Error::AlreadyNoted => "the preimage is noted already",
            Error::NotNoted => "no preimage is noted for this hash",
            Error::NotAuthorized => "only the depositor may unnote this preimage",
            Error::Requested => "the preimage is requested and must stay",
            Error::NotRequested => "the preimage is not requested",
            Error::CannotPayDeposit => "the signer cannot reserve the deposit",
            Error::Overflow => "a preimage count or deposit total overflows",
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);

// ---------------------------------------------------------------------------
// The pallet in the runtime's list

pub struct Pallet;

impl hm_support::Pallet for Pallet {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "Preimage";
    type Call = Call;
    type Event = Event;
    type Error = Error;
    type GenesisConfig = ();

    fn call_weight(call: &Call) -> Weight {
        call.weight()
    }

    fn dispatch(
        ext: &mut dyn Externalities,
        origin: Origin,
        call: Call,
    ) -> hm_support::DispatchResultWithPostInfo {
        hm_support::with_declared_weight(dispatch(ext, origin, call))
    }

    fn build_genesis(_ext: &mut dyn Externalities, _config: &()) -> Result<(), &'static str> {
        Ok(())
    }

    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        invariants::check(ext)
    }

    fn storage_metadata() -> Vec<StorageEntryMetadata> {
        use hm_support::metadata::{storage_map, storage_value};
        alloc::vec![
            storage_map::<H256, Vec<u8>>(
                "PreimageFor",
                &["The bytes noted for a hash (raw bytes, not SCALE)."]
            ),
            storage_map::<H256, RequestStatus>(
                "StatusFor",
                &["Depositor, length and request count of a hash."]
            ),
            storage_value::<Balance>("TotalDeposits", &["Every deposit held."]),
        ]
    }

    fn constants_metadata() -> Vec<PalletConstantMetadata> {
        use hm_support::metadata::constant;
        alloc::vec![
            constant(
                "MaxPreimageBytes",
                &MAX_PREIMAGE_BYTES,
                &["Longest preimage."]
            ),
            constant(
                "BaseDeposit",
                &BASE_DEPOSIT,
                &["CAES reserved per preimage."]
            ),
            constant(
                "PerByteDeposit",
                &PER_BYTE_DEPOSIT,
                &["CAES reserved per byte."]
            ),
        ]
    }
}

/// The signer of `origin`, or `None` for root.
fn signer_or_root(origin: Origin) -> Option<AccountId> {
    match origin {
        Origin::Signed(who) => Some(who),
        Origin::Root => None,
    }
}
