//! SDK for HyperMesh WASM contracts.
//!
//! A contract is a `no_std` cdylib built for `wasm32-unknown-unknown` that imports only the
//! `hm` host module (docs/contracts-abi.md) and exports `memory`, `deploy` and `call`. This
//! crate provides:
//! * [`env`]: safe wrappers over every `hm` host function (wasm32 only);
//! * [`contract!`]: generates `deploy`/`call` and dispatches on 4-byte selectors
//!   (`blake3(name)[..4]`, see [`selector()`]);
//! * [`StorageValue`] and [`StorageMap`]: typed, SCALE-encoded storage;
//! * [`event!`] and [`Event`]: events with up to four topics;
//! * [`CallBuilder`] and [`InstantiateBuilder`]: cross-contract calls with typed statuses;
//! * [`runtime`]: runtime calls (CAES, tokens, DEX swaps) for `env::call_runtime`;
//! * a bump allocator and a panic handler that reverts (wasm32, default features).
//!
//! Host functions exist only on wasm32: on other targets this crate offers the pure parts
//! (selectors, codecs, key derivation, status mapping) so they can be unit-tested.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod allocator;
pub mod call;
pub mod codec;
pub mod dispatch;
pub mod event;
mod macros;
pub mod runtime;
pub mod selector;
pub mod storage;

#[cfg(target_arch = "wasm32")]
pub mod env;
#[cfg(all(target_arch = "wasm32", feature = "panic-handler", not(test)))]
mod panic;
#[cfg(target_arch = "wasm32")]
pub mod sys;

/// The SCALE codec, re-exported so contracts need no direct dependency. Derives need
/// `#[codec(crate = hm_contract_sdk::scale)]`.
pub use parity_scale_codec as scale;
pub use parity_scale_codec::{Decode, Encode};

pub use call::{CallBuilder, CallError, InstantiateBuilder, Instantiated};
pub use event::{Event, Topics};
pub use selector::{event_signature, selector, Selector};
pub use storage::{StorageMap, StorageValue};

#[cfg(target_arch = "wasm32")]
pub use call::contract_address;
#[cfg(target_arch = "wasm32")]
pub use event::emit;

/// CAES amounts (the chain's `Balance`).
pub type Balance = u128;

/// 32-byte hashes (BLAKE3), code hashes and event topics.
pub type Hash = [u8; 32];

/// A 32-byte account address; SCALE-encodes as its 32 raw bytes, like the chain's
/// `AccountId`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Encode, Decode)]
pub struct AccountId(pub [u8; 32]);

impl From<[u8; 32]> for AccountId {
    fn from(bytes: [u8; 32]) -> Self {
        AccountId(bytes)
    }
}

impl AsRef<[u8]> for AccountId {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_id_encodes_as_raw_bytes() {
        let id = AccountId([0xab; 32]);
        assert_eq!(id.encode(), [0xab; 32]);
        assert_eq!(codec::decode_exact::<AccountId>(&[0xab; 32]), Ok(id));
        assert!(codec::decode_exact::<AccountId>(&[0xab; 31]).is_err());
    }
}
