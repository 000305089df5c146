//! Entry-point plumbing used by [`crate::contract!`], and the SDK's revert reasons.
//!
//! Revert data is the contract's SCALE-encoded error when a message returns `Err`. When
//! the SDK itself refuses a call it reverts with one of the ASCII `hm:` reasons below;
//! they cannot be confused with a SCALE-encoded error enum of fewer than 104 variants
//! (`b'h'` = 104 would be its first byte).

pub use crate::codec::split_selector;

/// Input shorter than a selector, or a selector no message has.
pub const REVERT_UNKNOWN_SELECTOR: &[u8] = b"hm:unknown-selector";
/// Arguments did not decode as the message's parameter types (or had trailing bytes).
pub const REVERT_INVALID_INPUT: &[u8] = b"hm:invalid-input";
/// Value was sent to a message or deploy not marked `payable`.
pub const REVERT_NON_PAYABLE: &[u8] = b"hm:non-payable";
/// The contract panicked (failed assertion, overflow check, out of memory).
pub const REVERT_PANIC: &[u8] = b"hm:panic";
/// A stored value did not decode as its declared type.
pub const REVERT_STORAGE_DECODE: &[u8] = b"hm:storage-decode";
/// A storage map key was longer than 128 bytes.
pub const REVERT_KEY_TOO_LONG: &[u8] = b"hm:key-too-long";

#[cfg(target_arch = "wasm32")]
mod entry {
    use parity_scale_codec::{Decode, Encode};

    use super::*;
    use crate::{codec, env, Selector};

    /// The selector and argument bytes of call input; reverts if there is no selector.
    pub fn message_input(input: &[u8]) -> (Selector, &[u8]) {
        split_selector(input).unwrap_or_else(|| env::revert(REVERT_UNKNOWN_SELECTOR))
    }

    /// Decodes a message's argument tuple; reverts on malformed input.
    pub fn decode_args<T: Decode>(bytes: &[u8]) -> T {
        codec::decode_exact(bytes).unwrap_or_else(|_| env::revert(REVERT_INVALID_INPUT))
    }

    /// Reverts if the call carries value (for entry points not marked `payable`).
    pub fn reject_value() {
        if env::value_transferred() != 0 {
            env::revert(REVERT_NON_PAYABLE);
        }
    }

    /// Reverts: no message has this selector.
    pub fn unknown_selector() -> ! {
        env::revert(REVERT_UNKNOWN_SELECTOR)
    }

    /// Ends the frame with `value` as output.
    pub fn return_encoded<T: Encode>(value: &T) -> ! {
        env::return_value(&value.encode())
    }

    /// `Ok` returns its value; `Err` reverts with the encoded error.
    pub fn return_result<T: Encode, E: Encode>(result: Result<T, E>) -> ! {
        match result {
            Ok(value) => env::return_value(&value.encode()),
            Err(error) => env::revert(&error.encode()),
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use entry::*;
