//! State reads and the pure root computation that precedes a commit.
use crate::columns::STATE_FLAT;
use crate::error::{tree_error, StorageError};
use crate::proof::MAX_STATE_VALUE_BYTES;
use crate::tree::{key_hash, root_to_h256, StateTree, TreeStore};
use crate::{cf, ChainDb};
use hm_primitives::H256;
use jmt::storage::TreeUpdateBatch;
use jmt::{KeyHash, RootHash};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Storage key -> `Some(new value)` or `None` (deleted). When a key appears more
/// than once, the last entry wins.
pub type StateChanges = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// A `(key, value)` pair of the latest state.
pub type StateEntry = (Vec<u8>, Vec<u8>);

/// The result of [`ChainDb::prepare_state`]: the root the changes give, and the
/// tree nodes and flat-state writes that [`ChainDb::commit_block`] stores.
#[derive(Clone)]
pub struct PreparedState {
    pub root: H256,
    pub version: u64,
    pub(crate) update: TreeUpdateBatch,
    /// Deduplicated changes, sorted by raw key.
    pub(crate) changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl PreparedState {
    /// Number of distinct keys this version changes.
    pub fn changed_keys(&self) -> usize {
        self.changes.len()
    }
}

impl std::fmt::Debug for PreparedState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedState")
            .field("root", &self.root)
            .field("version", &self.version)
            .field("changed_keys", &self.changes.len())
            .field("new_nodes", &self.update.node_batch.nodes().len())
            .finish()
    }
}

/// jmt asserts its internal invariants by panicking; a damaged node store must
/// surface as an error to the caller rather than take the node down.
pub(crate) fn guard_tree<T>(
    what: &str,
    f: impl FnOnce() -> anyhow::Result<T>,
) -> Result<T, StorageError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(tree_error),
        Err(_) => Err(StorageError::Tree(format!(
            "{what}: the tree hit a broken invariant"
        ))),
    }
}

/// Apply one version's value set to the tree, in memory.
///
/// Without deletions, jmt's batch insertion walks each touched node once and
/// hashes it once per version; the general path re-hashes the whole root path
/// for every key. Both build the same canonical tree (jmt tests the batch path
/// against the interleaved one, and so do ours), so the root does not depend on
/// which ran. The batch path cannot delete, hence the fallback.
fn compute_update(
    tree: &StateTree<'_>,
    value_set: Vec<(KeyHash, Option<Vec<u8>>)>,
    version: u64,
) -> Result<(RootHash, TreeUpdateBatch), StorageError> {
    if value_set.is_empty() || value_set.iter().any(|(_, v)| v.is_none()) {
        return guard_tree("prepare_state", || tree.put_value_set(value_set, version));
    }
    let inserts: Vec<(KeyHash, Vec<u8>)> = value_set
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let (roots, update) = guard_tree("prepare_state", || {
        tree.batch_put_value_sets(vec![inserts], None, version)
    })?;
    let root = roots
        .into_iter()
        .next()
        .ok_or_else(|| StorageError::Tree("batch insertion returned no root".into()))?;
    Ok((root, update))
}

impl ChainDb {
    /// Value of `key` in the latest committed state.
    pub fn state_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self
            .db
            .get_pinned_cf(cf(&self.db, STATE_FLAT)?, key)?
            .map(|v| v.to_vec()))
    }

    /// Value of `key` in state version `version` (block number `version`).
    pub fn state_get_at(&self, key: &[u8], version: u64) -> Result<Option<Vec<u8>>, StorageError> {
        self.ensure_committed(version)?;
        let read = TreeStore::new(&self.db)?.value_at(&key_hash(key), version);
        self.unless_pruned_meanwhile(version, read)
    }

    /// State root of version `version`.
    pub fn state_root(&self, version: u64) -> Result<H256, StorageError> {
        self.ensure_committed(version)?;
        let store = TreeStore::new(&self.db)?;
        let tree = StateTree::new(&store);
        let read = match tree.get_root_hash_option(version).map_err(tree_error) {
            Ok(Some(root)) => Ok(root_to_h256(root)),
            Ok(None) => Err(StorageError::MissingState(version)),
            Err(e) => Err(e),
        };
        self.unless_pruned_meanwhile(version, read)
    }

    /// `Ok` when state version `version` can be read: committed and not pruned.
    pub fn check_state_available(&self, version: u64) -> Result<(), StorageError> {
        self.ensure_committed(version)
    }

    /// Up to `limit` `(key, value)` pairs of the latest state whose keys start
    /// with `prefix`, in key order, beginning after `start_after` when given.
    pub fn state_prefix_scan(
        &self,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<StateEntry>, StorageError> {
        let mut iter = self.db.raw_iterator_cf(cf(&self.db, STATE_FLAT)?);
        match start_after {
            Some(after) if after >= prefix => {
                iter.seek(after);
                if iter.key() == Some(after) {
                    iter.next();
                }
            }
            _ => iter.seek(prefix),
        }
        let mut out = Vec::new();
        while out.len() < limit {
            match iter.item() {
                Some((k, v)) if k.starts_with(prefix) => out.push((k.to_vec(), v.to_vec())),
                _ => break,
            }
            iter.next();
        }
        iter.status()?;
        Ok(out)
    }

    /// Compute the root that `changes` applied on top of version `version - 1`
    /// give at `version` (version 0 starts from the empty state), WITHOUT writing
    /// anything. Pure: repeated calls give the same result and reads are unaffected.
    pub fn prepare_state(
        &self,
        version: u64,
        changes: &StateChanges,
    ) -> Result<PreparedState, StorageError> {
        if let Some(base) = version.checked_sub(1) {
            self.ensure_committed(base)?;
        }
        let mut deduped: BTreeMap<&[u8], Option<&Vec<u8>>> = BTreeMap::new();
        for (key, value) in changes {
            if let Some(v) = value {
                if v.len() > MAX_STATE_VALUE_BYTES {
                    return Err(StorageError::ValueTooLarge {
                        len: v.len(),
                        max: MAX_STATE_VALUE_BYTES,
                    });
                }
            }
            deduped.insert(key.as_slice(), value.as_ref());
        }
        // Feed the tree in key-hash order: neighbouring updates share paths, so
        // the nodes they touch are still in the tree's cache.
        let mut value_set: Vec<(KeyHash, Option<Vec<u8>>)> = deduped
            .iter()
            .map(|(k, v)| (key_hash(k), v.cloned()))
            .collect();
        value_set.sort_unstable_by_key(|(k, _)| *k);

        let store = TreeStore::new(&self.db)?;
        let tree = StateTree::new(&store);
        let (root, update) = compute_update(&tree, value_set, version)?;
        let changes = deduped
            .into_iter()
            .map(|(k, v)| (k.to_vec(), v.cloned()))
            .collect();
        Ok(PreparedState {
            root: root_to_h256(root),
            version,
            update,
            changes,
        })
    }

    /// Only versions up to the best block are state; the best pointer is the
    /// authority, whatever the tree's column families hold above it. Versions
    /// below the pruning window are gone.
    pub(crate) fn ensure_committed(&self, version: u64) -> Result<(), StorageError> {
        match self.pointers.read().best {
            Some((best, _)) if version <= best => self.ensure_not_pruned(version),
            _ => Err(StorageError::MissingState(version)),
        }
    }
}
