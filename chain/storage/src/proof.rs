//! Read proofs: what a full node serves and what a light client checks.
//!
//! Wire format (SCALE): `StateProof::V1 { value: Option<Vec<u8>>, merkle: Vec<u8> }`
//! where `merkle` is jmt's borsh encoding of its `SparseMerkleProof` over BLAKE3.
//! The claimed value travels with the proof; verification recomputes the root
//! from it, so a client never has to trust the serving node.
use crate::error::{ProofError, StorageError};
use crate::state::guard_tree;
use crate::tree::{key_hash, Blake3Hasher, StateTree, TreeStore};
use crate::ChainDb;
use hm_primitives::{decode_untrusted, DecodeError, H256};
use jmt::proof::SparseMerkleProof;
use jmt::RootHash;
use parity_scale_codec::{Decode, Encode};

/// Largest state value the store accepts. Every stored value must stay provable,
/// so this bounds proof size too. Generous: runtime code blobs are a few MiB.
pub const MAX_STATE_VALUE_BYTES: usize = 8 * 1024 * 1024;

/// Largest proof [`verify_read_proof`] decodes: one maximal value plus a
/// 256-sibling path (each at most 65 bytes) and framing.
pub const MAX_READ_PROOF_BYTES: usize = MAX_STATE_VALUE_BYTES + 64 * 1024;

#[derive(Encode, Decode)]
enum StateProof {
    #[codec(index = 1)]
    V1 {
        value: Option<Vec<u8>>,
        merkle: Vec<u8>,
    },
}

impl ChainDb {
    /// Proof that `key` has its value (or none) in state version `version`.
    pub fn read_proof(&self, key: &[u8], version: u64) -> Result<Vec<u8>, StorageError> {
        self.ensure_committed(version)?;
        let store = TreeStore::new(&self.db)?;
        let tree = StateTree::new(&store);
        let read = guard_tree("read_proof", || tree.get_with_proof(key_hash(key), version));
        let (value, proof) = self.unless_pruned_meanwhile(version, read)?;
        let merkle = borsh::to_vec(&proof).map_err(|e| StorageError::Codec(e.to_string()))?;
        Ok(StateProof::V1 { value, merkle }.encode())
    }
}

/// Check `proof` against `root` for `key`: `Ok(Some(value))` proves the value,
/// `Ok(None)` proves absence. Never panics on hostile bytes.
pub fn verify_read_proof(
    root: &H256,
    key: &[u8],
    proof: &[u8],
) -> Result<Option<Vec<u8>>, ProofError> {
    let StateProof::V1 { value, merkle } =
        decode_untrusted::<StateProof>(proof, MAX_READ_PROOF_BYTES).map_err(|e| match e {
            DecodeError::TooLarge { len, max } => ProofError::TooLarge { len, max },
            DecodeError::Malformed(m) => ProofError::Malformed(m),
        })?;
    // borsh::from_slice refuses trailing bytes; borsh caps preallocation, so a
    // hostile length prefix cannot allocate more than the input justifies.
    let merkle: SparseMerkleProof<Blake3Hasher> = borsh::from_slice(&merkle)
        .map_err(|e| ProofError::Malformed(format!("merkle path: {e}")))?;
    merkle
        .verify(RootHash(root.0), key_hash(key), value.as_deref())
        .map_err(|e| ProofError::Mismatch(format!("{e:#}")))?;
    Ok(value)
}
