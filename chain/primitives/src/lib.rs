//! HyperMesh primitives: the SCALE types that are hashed, stored and sent.
//!
//! `no_std` + `alloc`, so the runtime and pallets can share them. Nothing here
//! does I/O or reads a clock; signature *verification* lives in `hm-crypto` and
//! reaches the runtime as a host function.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod account;
pub mod amount;
pub mod balance_string;
pub mod block;
pub mod extrinsic;
pub mod hash;
pub mod merkle;
pub mod storage_key;
pub mod validity;

pub use account::{AccountId, AddressError, FalconPublicKey, FalconSignature, ADDRESS_HRP};
pub use amount::{format_caes, parse_caes, parse_units, AmountError, CAES_DECIMALS, UNITS};
pub use block::{Block, BlockId, Header, Justification, SignedBlock};
pub use extrinsic::{signing_message, SignedExtra, SignedPart, Signer, UncheckedExtrinsic};
pub use hash::{blake3_128, blake3_256, H256};
pub use validity::{InvalidTransaction, ValidTransaction};

/// Block height.
pub type BlockNumber = u64;
/// CAES amount in plancks (10^-12 CAES).
pub type Balance = u128;
/// Per-account transaction counter.
pub type Nonce = u64;
/// Milliseconds since the Unix epoch, taken from block headers only.
pub type Moment = u64;

/// Largest SCALE-encoded extrinsic the pool or a block accepts (reth uses 128 KB).
pub const MAX_EXTRINSIC_BYTES: usize = 128 * 1024;
/// Largest SCALE-encoded block body.
pub const MAX_BLOCK_BYTES: usize = 16 * 1024 * 1024;
/// Nesting limit for every SCALE decode of outside input (ANCHORS: 256).
pub const DECODE_DEPTH_LIMIT: u32 = 256;

/// Decode `T` from untrusted bytes: size-capped, depth-limited, and all input consumed.
pub fn decode_untrusted<T: parity_scale_codec::DecodeLimit>(
    bytes: &[u8],
    max_len: usize,
) -> Result<T, DecodeError> {
    if bytes.len() > max_len {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: max_len,
        });
    }
    T::decode_all_with_depth_limit(DECODE_DEPTH_LIMIT, &mut &bytes[..])
        .map_err(|e| DecodeError::Malformed(alloc::format!("{e}")))
}

/// Why untrusted bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    TooLarge { len: usize, max: usize },
    Malformed(alloc::string::String),
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DecodeError::TooLarge { len, max } => {
                write!(f, "{len} bytes exceeds the {max}-byte limit")
            }
            DecodeError::Malformed(e) => write!(f, "malformed SCALE encoding: {e}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for DecodeError {}
