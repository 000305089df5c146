//! The boundary between the deterministic runtime and the node that hosts it.
//!
//! The runtime sees state and crypto only through [`Externalities`]: no globals,
//! no clock, no I/O. The node implements it over its state overlay; unit tests
//! implement it over a `BTreeMap` ([`MemoryExt`]).
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "std")]
pub mod bench;
mod construct_runtime;
pub mod metadata;
mod pallet;
pub mod storage;
pub mod transactional;

pub use pallet::{
    with_declared_weight, without_post_info, DispatchErrorWithPostInfo, DispatchResultWithPostInfo,
    EncodedCalls, Origin, Pallet, PostDispatchInfo,
};
pub use storage::{get, iter_prefix, put, remove, take, MemoryExt};
pub use transactional::with_transaction;

pub use hm_contracts_api::ContractEngine;

use alloc::{sync::Arc, vec::Vec};

/// State access and host functions available to runtime code.
pub trait Externalities {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>>;
    fn storage_set(&mut self, key: &[u8], value: &[u8]);
    fn storage_remove(&mut self, key: &[u8]);
    /// Falcon-1024 detached-signature verification (host function: PQClean is C and `std`).
    fn falcon_verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool;
    /// The node's contract executor (host function: wasmtime is `std`). `None` where
    /// there is none (tools, unit tests); the contracts pallet then refuses to run code.
    fn contract_engine(&self) -> Option<Arc<dyn ContractEngine>> {
        None
    }
    /// The first key after `key` in key order, for walking a prefix. Only
    /// invariant checks (`Pallet::try_state`) and tools walk state; the node's
    /// block execution has no need to, so its overlay answers `None`, and a
    /// check that needs to walk then reports a mismatch rather than passing.
    fn storage_next_key(&self, _key: &[u8]) -> Option<Vec<u8>> {
        None
    }
}

/// Computation charged for a call, in picoseconds of reference hardware (Substrate's unit).
pub type Weight = u64;

/// Why a dispatched call failed. A failed call still pays its fee; its state changes revert.
/// Encoded as `(pallet, error)`; the message is for logs and RPC only.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DispatchError {
    /// Pallet index in the runtime.
    pub pallet: u8,
    /// Error index within the pallet's error enum.
    pub error: u8,
    pub message: &'static str,
}

impl parity_scale_codec::Encode for DispatchError {
    fn encode_to<T: parity_scale_codec::Output + ?Sized>(&self, dest: &mut T) {
        dest.push_byte(self.pallet);
        dest.push_byte(self.error);
    }
}

impl Default for DispatchError {
    fn default() -> Self {
        DispatchError {
            pallet: u8::MAX,
            error: u8::MAX,
            message: "",
        }
    }
}

pub type DispatchResult = Result<(), DispatchError>;

/// `From<$error> for DispatchError` for a pallet's error enum: a fieldless enum
/// whose discriminant is the error index, with a `message(&self) -> &'static str`.
#[macro_export]
macro_rules! impl_dispatch_error {
    ($error:ty, $pallet_index:expr) => {
        impl From<$error> for $crate::DispatchError {
            fn from(e: $error) -> Self {
                $crate::DispatchError {
                    pallet: $pallet_index,
                    error: e as u8,
                    message: e.message(),
                }
            }
        }
    };
}
