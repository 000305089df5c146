//! Runtime calls a contract makes with `call_runtime` (docs/contracts-abi.md): the
//! SCALE encoding of the chain's `Call` for the pallets contracts may call, Caesar (1),
//! Tokens (4) and the DEX (5), and the errors that come back.
//!
//! ```ignore
//! use hm_contract_sdk::runtime::{self, Asset};
//! let swap = runtime::dex_swap_exact_in(&[Asset::Token(7), Asset::Native], 1_000, 990, owner, deadline);
//! hm_contract_sdk::env::call_runtime(&swap)?;
//! ```
//! The call runs with the contract's address as its signed origin, so the contract
//! spends its own CAES and tokens, or a token approval granted to its address.

use alloc::vec::Vec;

use parity_scale_codec::{Compact, Decode, Encode};

use crate::{AccountId, Balance};

/// Index of the Caesar (native CAES) pallet in the runtime.
pub const CAESAR: u8 = 1;
/// Index of the tokens pallet.
pub const TOKENS: u8 = 4;
/// Index of the DEX pallet.
pub const DEX: u8 = 5;

/// A token of the tokens pallet.
pub type TokenId = u32;

/// What the DEX trades: CAES or a token (the DEX's `AssetKind`). Encodes as
/// `0` or `1 ‖ token id (u32 LE)`, the same bytes as `Option<u32>`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode)]
pub enum Asset {
    #[codec(index = 0)]
    Native,
    #[codec(index = 1)]
    Token(TokenId),
}

/// Why a runtime call did not succeed (ABI status 8 or 9).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum RuntimeCallError {
    /// Status 8: it ran and failed with the pallet's error `error` (indices as in the
    /// metadata); its changes were rolled back.
    Failed { pallet: u8, error: u8 },
    /// Status 9: not a call contracts may make, or not one call at all; nothing ran.
    Refused,
    /// A status this SDK does not know.
    UnknownStatus(i32),
}

impl RuntimeCallError {
    /// Maps a `call_runtime` status; `return_data` is read only for status 8.
    pub fn check(status: i32, return_data: impl FnOnce() -> Vec<u8>) -> Result<(), Self> {
        Err(match status {
            0 => return Ok(()),
            8 => match return_data()[..] {
                [pallet, error] => RuntimeCallError::Failed { pallet, error },
                _ => RuntimeCallError::UnknownStatus(8),
            },
            9 => RuntimeCallError::Refused,
            other => RuntimeCallError::UnknownStatus(other),
        })
    }
}

fn call(pallet: u8, call: u8, args: impl Encode) -> Vec<u8> {
    (pallet, call, args).encode()
}

/// `Caesar::transfer_keep_alive`: send CAES, refusing to reap the contract.
pub fn caesar_transfer_keep_alive(dest: &AccountId, value: Balance) -> Vec<u8> {
    call(CAESAR, 1, (dest, Compact(value)))
}

/// `Tokens::transfer`: send `amount` of `token`.
pub fn tokens_transfer(token: TokenId, dest: &AccountId, amount: Balance) -> Vec<u8> {
    call(TOKENS, 7, (token, dest, Compact(amount)))
}

/// `Tokens::transfer_approved`: move `amount` of `owner`'s `token`, which `owner`
/// approved this contract to spend, to `destination`.
pub fn tokens_transfer_approved(
    token: TokenId,
    owner: &AccountId,
    destination: &AccountId,
    amount: Balance,
) -> Vec<u8> {
    call(TOKENS, 11, (token, owner, destination, Compact(amount)))
}

/// `Dex::swap_exact_in`: swap exactly `amount_in` of `path[0]` for at least
/// `amount_out_min` of the last asset, paid to `send_to`, no later than block
/// `deadline`.
pub fn dex_swap_exact_in(
    path: &[Asset],
    amount_in: Balance,
    amount_out_min: Balance,
    send_to: &AccountId,
    deadline: u64,
) -> Vec<u8> {
    let args = (
        path,
        Compact(amount_in),
        Compact(amount_out_min),
        send_to,
        deadline,
    );
    call(DEX, 3, args)
}

/// `Dex::swap_exact_out`: swap at most `amount_in_max` of `path[0]` for exactly
/// `amount_out` of the last asset, paid to `send_to`, no later than block `deadline`.
pub fn dex_swap_exact_out(
    path: &[Asset],
    amount_out: Balance,
    amount_in_max: Balance,
    send_to: &AccountId,
    deadline: u64,
) -> Vec<u8> {
    let args = (
        path,
        Compact(amount_out),
        Compact(amount_in_max),
        send_to,
        deadline,
    );
    call(DEX, 4, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Bytes the runtime's `Call` encodes to for the same arguments (checked against the
    // runtime by the limit-order example's end-to-end test).
    #[test]
    fn encodings_match_the_runtime_layout() {
        let to = AccountId([7; 32]);
        let mut expected = vec![1, 1];
        expected.extend([7; 32]);
        expected.push(0x28); // compact(10)
        assert_eq!(caesar_transfer_keep_alive(&to, 10), expected);

        let swap = dex_swap_exact_in(&[Asset::Token(2), Asset::Native], 4, 3, &to, 9);
        let mut expected = vec![5, 3, 0x08, 1, 2, 0, 0, 0, 0, 0x10, 0x0c];
        expected.extend([7; 32]);
        expected.extend(9u64.to_le_bytes());
        assert_eq!(swap, expected);
        assert_eq!(Asset::Token(5).encode(), Some(5u32).encode());
        assert_eq!(Asset::Native.encode(), None::<u32>.encode());
    }

    #[test]
    fn statuses_map_to_errors() {
        assert_eq!(RuntimeCallError::check(0, Vec::new), Ok(()));
        assert_eq!(
            RuntimeCallError::check(8, || vec![5, 10]),
            Err(RuntimeCallError::Failed {
                pallet: 5,
                error: 10
            })
        );
        assert_eq!(
            RuntimeCallError::check(8, Vec::new),
            Err(RuntimeCallError::UnknownStatus(8))
        );
        assert_eq!(
            RuntimeCallError::check(9, || unreachable!()),
            Err(RuntimeCallError::Refused)
        );
        assert_eq!(
            RuntimeCallError::check(42, Vec::new),
            Err(RuntimeCallError::UnknownStatus(42))
        );
    }
}
