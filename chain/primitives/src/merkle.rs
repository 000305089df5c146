//! RFC 6962 Merkle tree hash over BLAKE3 (0x00 leaf prefix, 0x01 node prefix).
//! Used for the extrinsics root; TrustChain's transparency log reuses it.
use crate::hash::H256;

pub fn leaf_hash(data: &[u8]) -> H256 {
    let mut h = blake3::Hasher::new();
    h.update(&[0u8]);
    h.update(data);
    H256(*h.finalize().as_bytes())
}

pub fn node_hash(left: &H256, right: &H256) -> H256 {
    let mut h = blake3::Hasher::new();
    h.update(&[1u8]);
    h.update(&left.0);
    h.update(&right.0);
    H256(*h.finalize().as_bytes())
}

/// MTH(D[n]) of RFC 6962 §2.1: split at the largest power of two below n.
pub fn merkle_root<T: AsRef<[u8]>>(items: &[T]) -> H256 {
    match items.len() {
        0 => crate::hash::blake3_256(&[]),
        1 => leaf_hash(items[0].as_ref()),
        n => {
            let k = largest_power_of_two_below(n);
            node_hash(&merkle_root(&items[..k]), &merkle_root(&items[k..]))
        }
    }
}

fn largest_power_of_two_below(n: usize) -> usize {
    debug_assert!(n > 1);
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_depends_on_order_and_content() {
        let a = merkle_root(&[b"a".as_slice(), b"b", b"c"]);
        let b = merkle_root(&[b"b".as_slice(), b"a", b"c"]);
        assert_ne!(a, b);
        assert_eq!(
            a,
            node_hash(
                &node_hash(&leaf_hash(b"a"), &leaf_hash(b"b")),
                &leaf_hash(b"c")
            )
        );
    }

    #[test]
    fn leaf_and_node_domains_differ() {
        // A two-leaf tree must not equal a leaf whose data is the two child hashes.
        let l = leaf_hash(b"x");
        let r = leaf_hash(b"y");
        let mut concat = [0u8; 64];
        concat[..32].copy_from_slice(&l.0);
        concat[32..].copy_from_slice(&r.0);
        assert_ne!(node_hash(&l, &r), leaf_hash(&concat));
    }
}
