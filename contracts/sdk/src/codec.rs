//! SCALE input/output helpers.
//!
//! Call input is `selector ‖ SCALE(args)`, where the arguments are encoded as one tuple
//! (which SCALE encodes as the concatenation of its fields). Deploy input is `SCALE(args)`
//! with no selector. Output is `SCALE(value)`; revert data is `SCALE(error)` (see
//! [`crate::dispatch`] for the SDK's own revert reasons).

use alloc::vec::Vec;

use parity_scale_codec::{Decode, DecodeAll, Encode};

use crate::selector::Selector;

/// Decodes `bytes` as exactly one `T`: trailing bytes are an error, so one input has one
/// meaning.
pub fn decode_exact<T: Decode>(bytes: &[u8]) -> Result<T, parity_scale_codec::Error> {
    let mut cursor = bytes;
    T::decode_all(&mut cursor)
}

/// Splits call input into its selector and argument bytes; `None` if shorter than 4 bytes.
pub fn split_selector(input: &[u8]) -> Option<(Selector, &[u8])> {
    match input {
        [a, b, c, d, rest @ ..] => Some(([*a, *b, *c, *d], rest)),
        _ => None,
    }
}

/// The input for calling message `selector` with `args` (a tuple, or `()` for none).
pub fn encode_message<A: Encode>(selector: Selector, args: &A) -> Vec<u8> {
    let mut input = Vec::with_capacity(4 + args.size_hint());
    input.extend_from_slice(&selector);
    args.encode_to(&mut input);
    input
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{selector, AccountId};
    use alloc::vec;

    #[test]
    fn message_input_round_trips() {
        let to = AccountId([7; 32]);
        let input = encode_message(selector("transfer"), &(to, 1_000u128));
        assert_eq!(input.len(), 4 + 32 + 16);
        let (sel, args) = split_selector(&input).unwrap();
        assert_eq!(sel, selector("transfer"));
        let (decoded_to, value): (AccountId, u128) = decode_exact(args).unwrap();
        assert_eq!((decoded_to, value), (to, 1_000));
    }

    #[test]
    fn no_argument_message_is_just_the_selector() {
        assert_eq!(
            encode_message(selector("total_supply"), &()),
            selector("total_supply")
        );
        let () = decode_exact(&[]).unwrap();
    }

    #[test]
    fn short_input_has_no_selector() {
        for len in 0..4 {
            assert!(split_selector(&vec![0u8; len]).is_none());
        }
        assert_eq!(split_selector(&[1, 2, 3, 4]), Some(([1, 2, 3, 4], &[][..])));
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        assert!(decode_exact::<u32>(&[1, 0, 0, 0, 0]).is_err());
        assert!(decode_exact::<()>(&[0]).is_err());
    }

    #[test]
    fn truncated_input_is_rejected() {
        let bytes = (AccountId([1; 32]), 5u128).encode();
        for len in 0..bytes.len() {
            assert!(
                decode_exact::<(AccountId, u128)>(&bytes[..len]).is_err(),
                "len {len}"
            );
        }
    }

    #[test]
    fn hostile_length_prefixes_fail_without_allocating_the_claimed_size() {
        // Compact length u32::MAX with no elements behind it.
        let hostile = [0x03, 0xff, 0xff, 0xff, 0xff];
        assert!(decode_exact::<Vec<u8>>(&hostile).is_err());
        assert!(decode_exact::<Vec<AccountId>>(&hostile).is_err());
        // Claimed length larger than what follows.
        assert!(decode_exact::<Vec<u8>>(&[0x10, 1, 2]).is_err());
    }

    #[test]
    fn invalid_enum_and_bool_bytes_are_rejected() {
        assert!(decode_exact::<bool>(&[2]).is_err());
        assert!(decode_exact::<Option<u8>>(&[2, 0]).is_err());
    }
}
