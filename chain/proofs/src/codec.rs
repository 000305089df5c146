//! Bounded SCALE decoding: a hostile length prefix is refused before any
//! allocation, so decoding a proof costs at most its declared limits.
use alloc::vec::Vec;
use parity_scale_codec::{Compact, Decode, Error, Input};

/// Decode a SCALE `Vec<T>` (compact length prefix, then the items) holding at
/// most `max` items. Same wire format as `Vec<T>::decode`.
pub(crate) fn decode_bounded_vec<T: Decode, I: Input>(
    input: &mut I,
    max: u32,
    what: &'static str,
) -> Result<Vec<T>, Error> {
    let len = <Compact<u32>>::decode(input)?.0;
    if len > max {
        return Err(Error::from(what));
    }
    let mut items = Vec::with_capacity(len as usize);
    for _ in 0..len {
        items.push(T::decode(input)?);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_primitives::H256;
    use parity_scale_codec::Encode;

    #[test]
    fn same_wire_format_as_vec() {
        let v = alloc::vec![H256([1; 32]), H256([2; 32])];
        let bytes = v.encode();
        let back: Vec<H256> = decode_bounded_vec(&mut &bytes[..], 2, "x").unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn refuses_over_limit_before_reading_items() {
        let bytes = Compact(u32::MAX).encode();
        let r: Result<Vec<H256>, _> = decode_bounded_vec(&mut &bytes[..], 8, "too many");
        assert!(r.is_err());
        let bytes = alloc::vec![H256::ZERO; 3].encode();
        let r: Result<Vec<H256>, _> = decode_bounded_vec(&mut &bytes[..], 2, "too many");
        assert!(r.is_err());
    }

    #[test]
    fn truncated_items_fail() {
        let mut bytes = alloc::vec![H256([5; 32]); 2].encode();
        bytes.truncate(bytes.len() - 1);
        let r: Result<Vec<H256>, _> = decode_bounded_vec(&mut &bytes[..], 4, "x");
        assert!(r.is_err());
    }
}
