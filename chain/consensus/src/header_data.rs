//! What a BFT header carries in `Header.consensus`, and the hash its PoWork covers.
use hm_primitives::{blake3_256, decode_untrusted, Header, H256};
use hm_proofs::{ConsensusProof, PoSpace, PoTime, MAX_CONSENSUS_PROOF_BYTES};
use parity_scale_codec::{Decode, Encode};

/// Largest `Header.consensus` a BFT header may carry.
pub const MAX_HEADER_DATA_BYTES: usize = 4 + MAX_CONSENSUS_PROOF_BYTES;

/// PoTime's "parent time output" for block 1: hm-proofs leaves the genesis
/// convention to the node, and the seed `H(0 ‖ genesis_hash)` is chain-specific anyway.
pub const GENESIS_TIME_OUTPUT: H256 = H256::ZERO;

/// Domain tag of the PoWork input, so it can never equal a block hash.
const PRE_SEAL_DOMAIN: &[u8] = b"hypermesh/bft/pre-seal/v1";

/// SCALE content of `Header.consensus` for the BFT engine: the round the block
/// was proposed in (whose proposer must have sealed it) and the proofs.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct BftHeaderData {
    pub round: u32,
    pub proof: ConsensusProof,
}

/// Why `Header.consensus` is not BFT header data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderDataError {
    #[error("consensus data is malformed: {0}")]
    Malformed(String),
    #[error("consensus data is not canonically encoded")]
    NonCanonical,
}

impl BftHeaderData {
    /// Decode from an untrusted header: size-capped, all bytes consumed, and
    /// the canonical encoding, so one content has exactly one block hash.
    pub fn from_header(header: &Header) -> Result<Self, HeaderDataError> {
        Self::decode_bytes(&header.consensus)
    }

    pub fn decode_bytes(bytes: &[u8]) -> Result<Self, HeaderDataError> {
        let data: BftHeaderData = decode_untrusted(bytes, MAX_HEADER_DATA_BYTES)
            .map_err(|e| HeaderDataError::Malformed(e.to_string()))?;
        if data.encoded_size() != bytes.len() || data.encode() != bytes {
            return Err(HeaderDataError::NonCanonical);
        }
        Ok(data)
    }

    /// The PoTime output a child of `parent` chains from.
    pub fn time_output_of(parent: &Header) -> Result<H256, HeaderDataError> {
        if parent.number == 0 {
            return Ok(GENESIS_TIME_OUTPUT);
        }
        Ok(Self::from_header(parent)?.proof.time.output)
    }
}

/// The 32 bytes PoWork is solved over: the header (seal excluded, as always)
/// with consensus data that holds the round, PoTime and PoSpace but no nonce.
/// The nonce cannot depend on itself, and every other header field, the state
/// root included, is fixed before the work starts.
pub fn pre_seal_hash(header: &Header, round: u32, time: &PoTime, space: &PoSpace) -> H256 {
    let without_nonce = Header {
        consensus: (round, time, space).encode(),
        seal: Vec::new(),
        ..header.clone()
    };
    let mut input = PRE_SEAL_DOMAIN.to_vec();
    input.extend_from_slice(without_nonce.hash().as_bytes());
    blake3_256(&input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_primitives::AccountId;
    use hm_proofs::{Opening, PoWork};
    use parity_scale_codec::Compact;

    fn data() -> BftHeaderData {
        BftHeaderData {
            round: 3,
            proof: ConsensusProof {
                time: PoTime {
                    checkpoints: vec![H256([1; 32]); 2],
                    output: H256([2; 32]),
                },
                space: PoSpace {
                    openings: vec![Opening {
                        index: 5,
                        leaf: H256([3; 32]),
                        prev_leaf: H256([4; 32]),
                        path: vec![H256([5; 32]); 3],
                        prev_branch: vec![],
                    }],
                },
                work: PoWork { nonce: 77 },
            },
        }
    }

    fn header(consensus: Vec<u8>) -> Header {
        Header {
            parent_hash: H256([9; 32]),
            number: 4,
            state_root: H256([8; 32]),
            extrinsics_root: H256([7; 32]),
            timestamp_ms: 1_000,
            proposer: AccountId([6; 32]),
            consensus,
            seal: vec![1, 2, 3],
        }
    }

    #[test]
    fn round_trip_and_time_output() {
        let d = data();
        let h = header(d.encode());
        assert_eq!(BftHeaderData::from_header(&h).unwrap(), d);
        assert_eq!(BftHeaderData::time_output_of(&h).unwrap(), H256([2; 32]));
        let genesis = Header {
            number: 0,
            ..header(vec![])
        };
        assert_eq!(
            BftHeaderData::time_output_of(&genesis).unwrap(),
            GENESIS_TIME_OUTPUT
        );
        // A non-genesis parent without data is refused, not read as zero.
        assert!(BftHeaderData::time_output_of(&header(vec![])).is_err());
    }

    #[test]
    fn hostile_bytes_are_refused() {
        let bytes = data().encode();
        for cut in 0..bytes.len() {
            assert!(BftHeaderData::decode_bytes(&bytes[..cut]).is_err(), "{cut}");
        }
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(matches!(
            BftHeaderData::decode_bytes(&trailing),
            Err(HeaderDataError::Malformed(_))
        ));
        let oversized = vec![0u8; MAX_HEADER_DATA_BYTES + 1];
        assert!(matches!(
            BftHeaderData::decode_bytes(&oversized),
            Err(HeaderDataError::Malformed(_))
        ));
        // A checkpoint count far over the limit fails before allocating.
        let mut huge = 3u32.encode();
        huge.extend(Compact(u32::MAX).encode());
        assert!(BftHeaderData::decode_bytes(&huge).is_err());
        // Garbage.
        assert!(BftHeaderData::decode_bytes(&[0xff; 64]).is_err());
    }

    #[test]
    fn non_canonical_compact_is_refused() {
        // The checkpoint count 2 as a two-byte compact (mode 0b01) instead of one byte.
        let d = data();
        let canonical = d.encode();
        let mut long_form = d.round.encode();
        long_form.extend_from_slice(&[(2u8 << 2) | 0b01, 0]);
        long_form.extend_from_slice(&canonical[5..]);
        assert!(BftHeaderData::decode_bytes(&long_form).is_err());
    }

    #[test]
    fn pre_seal_covers_everything_but_nonce_and_seal() {
        let d = data();
        let h = header(d.encode());
        let base = pre_seal_hash(&h, d.round, &d.proof.time, &d.proof.space);
        // The nonce and the seal do not enter.
        let mut other_nonce = d.clone();
        other_nonce.proof.work.nonce = 1;
        let h2 = Header {
            consensus: other_nonce.encode(),
            seal: vec![],
            ..h.clone()
        };
        assert_eq!(
            pre_seal_hash(&h2, d.round, &d.proof.time, &d.proof.space),
            base
        );
        // Every other field does.
        let variants = [
            Header {
                state_root: H256([0; 32]),
                ..h.clone()
            },
            Header {
                timestamp_ms: 1_001,
                ..h.clone()
            },
            Header {
                proposer: AccountId([0; 32]),
                ..h.clone()
            },
            Header {
                parent_hash: H256([0; 32]),
                ..h.clone()
            },
        ];
        for v in variants {
            assert_ne!(
                pre_seal_hash(&v, d.round, &d.proof.time, &d.proof.space),
                base
            );
        }
        assert_ne!(pre_seal_hash(&h, 4, &d.proof.time, &d.proof.space), base);
        assert_ne!(
            pre_seal_hash(&h, d.round, &d.proof.time, &PoSpace { openings: vec![] }),
            base
        );
        assert_ne!(base, h.hash());
    }
}
