//! Headers, blocks and justifications.
use crate::{account::AccountId, hash::H256, merkle::merkle_root, BlockNumber, Moment};
use alloc::vec::Vec;
use parity_scale_codec::{Decode, Encode};

/// A block header. Its hash is BLAKE3 over the SCALE encoding of every field
/// except `seal`, so the seal (a randomized Falcon signature over that hash)
/// never changes a block's identity.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Header {
    pub parent_hash: H256,
    #[codec(compact)]
    pub number: BlockNumber,
    pub state_root: H256,
    pub extrinsics_root: H256,
    /// Milliseconds since the Unix epoch; strictly increasing along the chain.
    pub timestamp_ms: Moment,
    pub proposer: AccountId,
    /// Engine-specific consensus proof (SCALE). Empty for dev authoring.
    pub consensus: Vec<u8>,
    /// Proposer's Falcon-1024 signature over [`Header::hash`].
    pub seal: Vec<u8>,
}

impl Header {
    /// Block hash: BLAKE3 of the pre-seal encoding.
    pub fn hash(&self) -> H256 {
        let mut h = blake3::Hasher::new();
        let mut feed = |bytes: &[u8]| {
            h.update(bytes);
        };
        self.parent_hash.using_encoded(&mut feed);
        parity_scale_codec::Compact(self.number).using_encoded(&mut feed);
        self.state_root.using_encoded(&mut feed);
        self.extrinsics_root.using_encoded(&mut feed);
        self.timestamp_ms.using_encoded(&mut feed);
        self.proposer.using_encoded(&mut feed);
        self.consensus.using_encoded(&mut feed);
        H256(*h.finalize().as_bytes())
    }
}

/// A block: header plus opaque SCALE-encoded extrinsics (the runtime decodes them).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Block {
    pub header: Header,
    pub extrinsics: Vec<Vec<u8>>,
}

impl Block {
    pub fn hash(&self) -> H256 {
        self.header.hash()
    }

    /// RFC 6962 Merkle root over the extrinsics' encodings.
    pub fn compute_extrinsics_root(extrinsics: &[Vec<u8>]) -> H256 {
        merkle_root(extrinsics)
    }
}

/// Proof of finality, engine-specific (dev: the author's signature; BFT: >2/3 precommits).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Justification {
    pub engine_id: [u8; 4],
    pub data: Vec<u8>,
}

/// A block together with its finality proof, as stored, exported and synced.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct SignedBlock {
    pub block: Block,
    pub justification: Option<Justification>,
}

/// Names a block by hash or height.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BlockId {
    Hash(H256),
    Number(BlockNumber),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            parent_hash: H256([1; 32]),
            number: 7,
            state_root: H256([2; 32]),
            extrinsics_root: H256([3; 32]),
            timestamp_ms: 1_700_000_000_000,
            proposer: AccountId([4; 32]),
            consensus: alloc::vec![9, 9],
            seal: alloc::vec![5; 10],
        }
    }

    #[test]
    fn hash_ignores_seal_but_covers_everything_else() {
        let a = header();
        let mut b = a.clone();
        b.seal = alloc::vec![6; 3];
        assert_eq!(a.hash(), b.hash());
        let mut c = a.clone();
        c.timestamp_ms += 1;
        assert_ne!(a.hash(), c.hash());
        let mut d = a.clone();
        d.consensus.push(0);
        assert_ne!(a.hash(), d.hash());
    }

    #[test]
    fn scale_round_trip() {
        let b = SignedBlock {
            block: Block {
                header: header(),
                extrinsics: alloc::vec![alloc::vec![1, 2, 3]],
            },
            justification: Some(Justification {
                engine_id: *b"dev0",
                data: alloc::vec![1],
            }),
        };
        let enc = b.encode();
        assert_eq!(SignedBlock::decode(&mut &enc[..]).unwrap(), b);
    }
}
