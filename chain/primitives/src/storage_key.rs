//! Storage key layout: `blake3_128(pallet) ‖ blake3_128(item) ‖ blake3_128(key) ‖ key`.
//! The hashed prefix spreads keys evenly; the raw key suffix keeps them iterable.
use crate::hash::blake3_128;
use alloc::vec::Vec;

/// Key of a single-value storage item.
pub fn value_key(pallet: &[u8], item: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(32);
    k.extend_from_slice(&blake3_128(pallet));
    k.extend_from_slice(&blake3_128(item));
    k
}

/// Key of one entry of a storage map. `key` is the SCALE encoding of the map key.
pub fn map_key(pallet: &[u8], item: &[u8], key: &[u8]) -> Vec<u8> {
    let mut k = value_key(pallet, item);
    k.reserve(16 + key.len());
    k.extend_from_slice(&blake3_128(key));
    k.extend_from_slice(key);
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keys_share_the_item_prefix() {
        let a = map_key(b"Caesar", b"Account", &[1, 2, 3]);
        let b = map_key(b"Caesar", b"Account", &[4]);
        assert_eq!(a[..32], b[..32]);
        assert_eq!(&a[48..], &[1, 2, 3]);
        assert_ne!(
            value_key(b"Caesar", b"Account"),
            value_key(b"System", b"Account")
        );
    }
}
