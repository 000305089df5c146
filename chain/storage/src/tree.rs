//! The Jellyfish Merkle Tree over RocksDB: BLAKE3 hasher, key layouts, node
//! reader and the writer that turns a `TreeUpdateBatch` into WriteBatch entries.
use crate::columns::{JMT_NODES, JMT_VALUES};
use crate::error::{corrupt, StorageError};
use hm_primitives::H256;
use jmt::storage::{LeafNode, NibblePath, Node, NodeKey, TreeReader, TreeUpdateBatch};
use jmt::{JellyfishMerkleTree, KeyHash, OwnedValue, RootHash, Version};
use rocksdb::{ColumnFamily, ReadOptions, WriteBatch, DB};

/// Root of the empty state: jmt's SPARSE_MERKLE_PLACEHOLDER_HASH, the ASCII bytes
/// `SPARSE_MERKLE_PLACEHOLDER_HASH__`. A genesis that writes nothing has this root.
pub const EMPTY_STATE_ROOT: H256 = H256(*b"SPARSE_MERKLE_PLACEHOLDER_HASH__");

/// BLAKE3-256 for the tree (DESIGN §3: BLAKE3 everywhere). Key hashes, value
/// hashes and node hashes all use it.
pub struct Blake3Hasher(blake3::Hasher);

impl jmt::SimpleHasher for Blake3Hasher {
    fn new() -> Self {
        Blake3Hasher(blake3::Hasher::new())
    }

    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finalize(self) -> [u8; 32] {
        *self.0.finalize().as_bytes()
    }
}

pub(crate) type StateTree<'a> = JellyfishMerkleTree<'a, TreeStore<'a>, Blake3Hasher>;

/// Where `key` lives in the tree. Built directly rather than with
/// `KeyHash::with`, which emits a debug event per key on the hot path.
pub fn key_hash(key: &[u8]) -> KeyHash {
    KeyHash(*blake3::hash(key).as_bytes())
}

pub(crate) fn root_to_h256(root: RootHash) -> H256 {
    H256(root.0)
}

pub(crate) fn node_key_bytes(key: &NodeKey) -> Result<Vec<u8>, StorageError> {
    let path = borsh::to_vec(key.nibble_path()).map_err(|e| StorageError::Codec(e.to_string()))?;
    let mut out = Vec::with_capacity(8 + path.len());
    out.extend_from_slice(&key.version().to_be_bytes());
    out.extend_from_slice(&path);
    Ok(out)
}

fn decode_node_key(bytes: &[u8]) -> Result<NodeKey, StorageError> {
    let (version, path) = bytes
        .split_first_chunk::<8>()
        .ok_or_else(|| corrupt(format!("tree node key of {} bytes", bytes.len())))?;
    let path: NibblePath =
        borsh::from_slice(path).map_err(|e| corrupt(format!("tree node key path: {e}")))?;
    Ok(NodeKey::new(u64::from_be_bytes(*version), path))
}

pub(crate) fn value_key(key_hash: &KeyHash, version: Version) -> [u8; 40] {
    let mut out = [0u8; 40];
    out[..32].copy_from_slice(&key_hash.0);
    out[32..].copy_from_slice(&version.to_be_bytes());
    out
}

const VALUE_DELETED: u8 = 0;
const VALUE_PRESENT: u8 = 1;

fn encode_value(value: Option<&[u8]>) -> Vec<u8> {
    match value {
        None => vec![VALUE_DELETED],
        Some(v) => {
            let mut out = Vec::with_capacity(1 + v.len());
            out.push(VALUE_PRESENT);
            out.extend_from_slice(v);
            out
        }
    }
}

fn decode_value(bytes: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
    match bytes.split_first() {
        Some((&VALUE_DELETED, [])) => Ok(None),
        Some((&VALUE_PRESENT, rest)) => Ok(Some(rest.to_vec())),
        _ => Err(corrupt("tree value with an unknown tag")),
    }
}

/// Read access to the tree's column families. Committed versions are immutable,
/// so readers need no lock against a concurrent commit of a newer version.
pub(crate) struct TreeStore<'a> {
    db: &'a DB,
    nodes: &'a ColumnFamily,
    values: &'a ColumnFamily,
}

impl<'a> TreeStore<'a> {
    pub(crate) fn new(db: &'a DB) -> Result<Self, StorageError> {
        Ok(TreeStore {
            db,
            nodes: crate::cf(db, JMT_NODES)?,
            values: crate::cf(db, JMT_VALUES)?,
        })
    }

    pub(crate) fn node(&self, key: &NodeKey) -> Result<Option<Node>, StorageError> {
        match self.db.get_pinned_cf(self.nodes, node_key_bytes(key)?)? {
            None => Ok(None),
            Some(bytes) => borsh::from_slice(&bytes)
                .map(Some)
                .map_err(|e| corrupt(format!("tree node {key:?}: {e}"))),
        }
    }

    /// The newest value of `key_hash` at or below `max_version`.
    pub(crate) fn value_at(
        &self,
        key_hash: &KeyHash,
        max_version: Version,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        match self.newest_entry(key_hash, max_version)? {
            Some((_, value)) => decode_value(&value),
            None => Ok(None),
        }
    }

    /// The version of the newest entry (value or deletion) of `key_hash` at or below
    /// `max_version`.
    pub(crate) fn value_version_at(
        &self,
        key_hash: &KeyHash,
        max_version: Version,
    ) -> Result<Option<Version>, StorageError> {
        Ok(self
            .newest_entry(key_hash, max_version)?
            .map(|(version, _)| version))
    }

    fn newest_entry(
        &self,
        key_hash: &KeyHash,
        max_version: Version,
    ) -> Result<Option<(Version, Vec<u8>)>, StorageError> {
        let mut opts = ReadOptions::default();
        opts.set_iterate_lower_bound(value_key(key_hash, 0).to_vec());
        let mut iter = self.db.raw_iterator_cf_opt(self.values, opts);
        iter.seek_for_prev(value_key(key_hash, max_version));
        let found = match iter.item() {
            Some((k, v)) if k.starts_with(&key_hash.0) => {
                let version = k
                    .get(32..)
                    .and_then(|v| <[u8; 8]>::try_from(v).ok())
                    .ok_or_else(|| corrupt(format!("tree value key of {} bytes", k.len())))?;
                Some((u64::from_be_bytes(version), v.to_vec()))
            }
            _ => None,
        };
        iter.status()?;
        Ok(found)
    }
}

impl TreeReader for TreeStore<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        Ok(self.node(node_key)?)
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        Ok(self.value_at(&key_hash, max_version)?)
    }

    /// Only state restore (from a snapshot) asks for this; a full scan is
    /// acceptable there and keeps the hot paths free of extra indices.
    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        let mut best: Option<(NodeKey, LeafNode)> = None;
        let mut iter = self.db.raw_iterator_cf(self.nodes);
        iter.seek_to_first();
        while let Some((k, v)) = iter.item() {
            if let Node::Leaf(leaf) =
                borsh::from_slice::<Node>(v).map_err(|e| corrupt(format!("tree node: {e}")))?
            {
                if best
                    .as_ref()
                    .is_none_or(|(_, b)| leaf.key_hash() > b.key_hash())
                {
                    best = Some((decode_node_key(k)?, leaf));
                }
            }
            iter.next();
        }
        iter.status()?;
        Ok(best)
    }
}

/// Stage a tree update's new nodes and values into `batch` (the stale-node index is
/// `pruning`'s business).
pub(crate) fn write_tree_update(
    db: &DB,
    batch: &mut WriteBatch,
    update: &TreeUpdateBatch,
) -> Result<(), StorageError> {
    let nodes = crate::cf(db, JMT_NODES)?;
    let values = crate::cf(db, JMT_VALUES)?;
    for (key, node) in update.node_batch.nodes() {
        let bytes = borsh::to_vec(node).map_err(|e| StorageError::Codec(e.to_string()))?;
        batch.put_cf(nodes, node_key_bytes(key)?, bytes);
    }
    for ((version, key_hash), value) in update.node_batch.values() {
        batch.put_cf(
            values,
            value_key(key_hash, *version),
            encode_value(value.as_deref()),
        );
    }
    Ok(())
}

/// First node key of `version`: every node of a version sorts at or after it.
pub(crate) fn first_node_key_of(version: Version) -> [u8; 8] {
    version.to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_encoding_round_trips_and_rejects_unknown_tags() {
        assert_eq!(decode_value(&encode_value(None)).unwrap(), None);
        assert_eq!(
            decode_value(&encode_value(Some(b"abc"))).unwrap(),
            Some(b"abc".to_vec())
        );
        assert_eq!(
            decode_value(&encode_value(Some(b""))).unwrap(),
            Some(vec![])
        );
        assert!(decode_value(&[]).is_err());
        assert!(decode_value(&[2, 1]).is_err());
        assert!(decode_value(&[0, 1]).is_err());
    }

    #[test]
    fn node_keys_sort_by_version_first() {
        let path: NibblePath = std::iter::empty().collect();
        let a = node_key_bytes(&NodeKey::new(1, path.clone())).unwrap();
        let b = node_key_bytes(&NodeKey::new(256, path)).unwrap();
        assert!(a < b);
        assert!(a.as_slice() >= first_node_key_of(1).as_slice());
        assert_eq!(decode_node_key(&b).unwrap().version(), 256);
        assert!(decode_node_key(&[1, 2, 3]).is_err());
    }

    #[test]
    fn empty_root_is_the_jmt_empty_tree_hash() {
        assert_eq!(
            EMPTY_STATE_ROOT.0,
            StateTree::EMPTY_ROOT.0,
            "documented empty root must match the tree's"
        );
    }
}
