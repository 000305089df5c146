//! On-disk plot layout.
//!
//! ```text
//! offset 0    header (128 bytes):
//!               magic "HMPLOT\r\n" | version u32 LE | k u8 | 3 zero bytes
//!               | seed 32 | root 32 | blake3(bytes 0..80) 32 | 16 zero bytes
//! offset 128  level 0: the 2^k leaves, 32 bytes each, in index order
//!             level 1: 2^(k-1) inner nodes
//!             ...
//!             level k: the root
//! ```
//! Every level is stored, so an opening is `k + 2` random reads and no hashing.
use super::PlotError;
use hm_primitives::H256;

pub(crate) const MAGIC: [u8; 8] = *b"HMPLOT\r\n";
pub(crate) const VERSION: u32 = 1;
pub(crate) const HEADER_LEN: u64 = 128;
const CHECKSUMMED: usize = 80;
const NODE: u64 = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PlotHeader {
    pub(crate) k: u8,
    pub(crate) seed: H256,
    pub(crate) root: H256,
}

impl PlotHeader {
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN as usize] {
        let mut out = [0u8; HEADER_LEN as usize];
        out[..8].copy_from_slice(&MAGIC);
        out[8..12].copy_from_slice(&VERSION.to_le_bytes());
        out[12] = self.k;
        out[16..48].copy_from_slice(&self.seed.0);
        out[48..80].copy_from_slice(&self.root.0);
        let checksum = blake3::hash(&out[..CHECKSUMMED]);
        out[80..112].copy_from_slice(checksum.as_bytes());
        out
    }

    pub(crate) fn decode(bytes: &[u8; HEADER_LEN as usize]) -> Result<Self, PlotError> {
        let field = |range: core::ops::Range<usize>| bytes.get(range).unwrap_or(&[]);
        if field(0..8) != MAGIC {
            return Err(PlotError::BadHeader("not a HyperMesh plot (bad magic)"));
        }
        let mut version = [0u8; 4];
        version.copy_from_slice(field(8..12));
        let version = u32::from_le_bytes(version);
        if version != VERSION {
            return Err(PlotError::UnsupportedVersion(version));
        }
        if blake3::hash(field(0..CHECKSUMMED)).as_bytes()[..] != *field(80..112) {
            return Err(PlotError::BadHeader("header checksum mismatch"));
        }
        if field(13..16).iter().chain(field(112..128)).any(|&b| b != 0) {
            return Err(PlotError::BadHeader("reserved header bytes are not zero"));
        }
        let k = bytes[12];
        crate::space::check_params(k, 1).map_err(PlotError::Params)?;
        let mut seed = H256::ZERO;
        seed.0.copy_from_slice(field(16..48));
        let mut root = H256::ZERO;
        root.0.copy_from_slice(field(48..80));
        Ok(PlotHeader { k, seed, root })
    }
}

/// Nodes at `level` of a `2^k`-leaf tree. Callers keep `level <= k <= MAX_PLOT_K`.
pub(crate) fn level_len(k: u8, level: u8) -> u64 {
    1u64 << (k - level)
}

/// Byte offset of node 0 of `level`: the header plus `2^k + .. + 2^(k-level+1)` nodes.
pub(crate) fn level_offset(k: u8, level: u8) -> u64 {
    let nodes_before = (1u64 << (k + 1)) - (1u64 << (k + 1 - level));
    HEADER_LEN + NODE * nodes_before
}

/// Exact length of a complete plot file.
pub(crate) fn file_len(k: u8) -> u64 {
    HEADER_LEN + NODE * ((1u64 << (k + 1)) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_checksum() {
        let h = PlotHeader {
            k: 12,
            seed: H256([1; 32]),
            root: H256([2; 32]),
        };
        let bytes = h.encode();
        assert_eq!(PlotHeader::decode(&bytes).unwrap(), h);
        for i in 0..bytes.len() {
            let mut bad = bytes;
            bad[i] ^= 0x01;
            assert!(
                PlotHeader::decode(&bad).is_err(),
                "flip at byte {i} accepted"
            );
        }
    }

    #[test]
    fn layout_is_contiguous() {
        for k in [1u8, 5, 16, 40] {
            assert_eq!(level_offset(k, 0), HEADER_LEN);
            for level in 0..k {
                assert_eq!(
                    level_offset(k, level + 1),
                    level_offset(k, level) + NODE * level_len(k, level)
                );
            }
            assert_eq!(level_offset(k, k) + NODE, file_len(k));
        }
    }
}
