//! State pruning: keep the tree of the last N versions only (`--state-pruning`).
//!
//! Each commit records what it made stale: the tree nodes jmt reports replaced
//! (`TreeUpdateBatch::stale_node_index_batch`) and the previous value of every key
//! it changed. An entry stale since version `s` is unreachable from every version
//! `>= s`, so once the oldest kept version reaches `s` it is deleted, in the same
//! synced WriteBatch as the commit that moves the window: a crash leaves either
//! both or neither. Reads below the window get [`StorageError::StatePruned`].
//!
//! Switching an archive database to pruning prunes only what was committed after
//! the switch (archive commits record nothing); switching back keeps everything
//! from then on, but what was already pruned stays gone.
use crate::columns::{self, number_key, JMT_NODES, JMT_STALE, JMT_VALUES};
use crate::error::{corrupt, StorageError};
use crate::state::PreparedState;
use crate::tree::{key_hash, node_key_bytes, value_key, TreeStore};
use crate::{cf, ChainDb};
use rocksdb::{ReadOptions, WriteBatch};
use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;

/// How many states (tree versions) a database keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatePruning {
    /// Every version stays readable.
    Archive,
    /// Only the last N versions (the best block's and N - 1 before it).
    KeepLast(NonZeroU64),
}

/// States kept by default, as Substrate does.
pub const DEFAULT_KEPT_STATES: u64 = 256;

impl Default for StatePruning {
    fn default() -> Self {
        StatePruning::KeepLast(NonZeroU64::new(DEFAULT_KEPT_STATES).unwrap_or(NonZeroU64::MIN))
    }
}

impl StatePruning {
    /// Oldest version kept once `best` is committed (0 for an archive).
    pub fn oldest_kept(&self, best: u64) -> u64 {
        match self {
            StatePruning::Archive => 0,
            StatePruning::KeepLast(n) => best.saturating_add(1).saturating_sub(n.get()),
        }
    }
}

impl fmt::Display for StatePruning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatePruning::Archive => f.write_str("archive"),
            StatePruning::KeepLast(n) => write!(f, "{n}"),
        }
    }
}

impl FromStr for StatePruning {
    type Err = String;

    /// `archive`, or a number of states to keep (at least 1).
    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("archive") {
            return Ok(StatePruning::Archive);
        }
        let n: u64 = s.parse().map_err(|_| {
            format!("expected `archive` or a number of states to keep, found {s:?}")
        })?;
        NonZeroU64::new(n)
            .map(StatePruning::KeepLast)
            .ok_or_else(|| "at least 1 state must be kept (the best block's)".to_string())
    }
}

/// The message of [`StorageError::StatePruned`].
pub(crate) fn pruned_message(version: &u64, oldest: &u64, keep: &Option<u64>) -> String {
    match keep {
        Some(n) => format!(
            "state of block #{version} is pruned; this node keeps the last {n} states \
             (--state-pruning)"
        ),
        None => format!(
            "state of block #{version} is pruned; the oldest state this node holds is \
             #{oldest} (it ran with --state-pruning before)"
        ),
    }
}

const STALE_NODE: u8 = 0;
const STALE_VALUE: u8 = 1;

/// `stale since (u64 BE) ‖ kind ‖ the node or value key`: version order first, so the
/// entries a window move releases are one contiguous range.
fn stale_key(since: u64, kind: u8, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(9 + key.len());
    out.extend_from_slice(&since.to_be_bytes());
    out.push(kind);
    out.extend_from_slice(key);
    out
}

impl ChainDb {
    /// Stage into `batch` the stale entries `prepared` (version `number`) creates and,
    /// when pruning, the deletions that move the window to keep `number` as best.
    /// Returns the new oldest kept version.
    pub(crate) fn stage_pruning(
        &self,
        batch: &mut WriteBatch,
        prepared: &PreparedState,
        number: u64,
    ) -> Result<u64, StorageError> {
        let previous_oldest = self.pointers.read().oldest_state;
        let StatePruning::KeepLast(_) = self.pruning else {
            return Ok(previous_oldest);
        };
        let oldest = self.pruning.oldest_kept(number).max(previous_oldest);
        let db = &self.db;
        let nodes = cf(db, JMT_NODES)?;
        let values = cf(db, JMT_VALUES)?;
        let stale = cf(db, JMT_STALE)?;

        // What this version makes stale is released at once only when the window is a
        // single version; otherwise it waits in the index.
        let release_now = number <= oldest;
        for index in &prepared.update.stale_node_index_batch {
            let node = node_key_bytes(&index.node_key)?;
            if release_now {
                batch.delete_cf(nodes, &node);
            } else {
                batch.put_cf(stale, stale_key(number, STALE_NODE, &node), b"");
            }
        }
        if let Some(previous) = number.checked_sub(1) {
            let store = TreeStore::new(db)?;
            for (key, _) in &prepared.changes {
                let hash = key_hash(key);
                let Some(old_version) = store.value_version_at(&hash, previous)? else {
                    continue;
                };
                let old = value_key(&hash, old_version);
                if release_now {
                    batch.delete_cf(values, old);
                } else {
                    batch.put_cf(stale, stale_key(number, STALE_VALUE, &old), b"");
                }
            }
        }

        if oldest > previous_oldest {
            self.stage_release(batch, previous_oldest, oldest)?;
            batch.put_cf(
                cf(db, columns::META)?,
                columns::META_OLDEST_STATE,
                oldest.to_be_bytes(),
            );
        }
        Ok(oldest)
    }

    /// Delete everything stale since a version in `(previous_oldest, oldest]`, and the
    /// state journals of versions below `oldest`.
    fn stage_release(
        &self,
        batch: &mut WriteBatch,
        previous_oldest: u64,
        oldest: u64,
    ) -> Result<(), StorageError> {
        let db = &self.db;
        let nodes = cf(db, JMT_NODES)?;
        let values = cf(db, JMT_VALUES)?;
        let stale = cf(db, JMT_STALE)?;
        let from = previous_oldest.saturating_add(1).to_be_bytes();
        let until = oldest.saturating_add(1).to_be_bytes();
        let mut opts = ReadOptions::default();
        opts.set_iterate_lower_bound(from.to_vec());
        opts.set_iterate_upper_bound(until.to_vec());
        let mut iter = db.raw_iterator_cf_opt(stale, opts);
        iter.seek_to_first();
        while let Some(entry) = iter.key() {
            match entry.get(8..).and_then(<[u8]>::split_first) {
                Some((&STALE_NODE, node)) => batch.delete_cf(nodes, node),
                Some((&STALE_VALUE, value)) => batch.delete_cf(values, value),
                _ => {
                    return Err(corrupt(format!(
                        "stale index entry of {} bytes",
                        entry.len()
                    )))
                }
            }
            batch.delete_cf(stale, entry);
            iter.next();
        }
        iter.status()?;
        let journal = cf(db, columns::STATE_JOURNAL)?;
        for version in previous_oldest..oldest {
            batch.delete_cf(journal, number_key(version));
        }
        Ok(())
    }

    /// Stage removal of the stale entries that versions above `tip` recorded: rolling
    /// those versions back makes what they replaced live again.
    pub(crate) fn stage_stale_rollback(
        &self,
        batch: &mut WriteBatch,
        tip: u64,
    ) -> Result<(), StorageError> {
        let from = tip.saturating_add(1).to_be_bytes();
        batch.delete_range_cf(cf(&self.db, JMT_STALE)?, &from[..], &[0xffu8; 9][..]);
        Ok(())
    }

    /// `Ok` when state version `version` has not been pruned.
    pub(crate) fn ensure_not_pruned(&self, version: u64) -> Result<(), StorageError> {
        let oldest = self.pointers.read().oldest_state;
        if version >= oldest {
            return Ok(());
        }
        let keep = match self.pruning {
            StatePruning::KeepLast(n) => Some(n.get()),
            StatePruning::Archive => None,
        };
        Err(StorageError::StatePruned {
            version,
            oldest,
            keep,
        })
    }

    /// `result` of a read of version `version`, unless the window moved past it while
    /// it ran (the read may then have seen half-deleted data).
    pub(crate) fn unless_pruned_meanwhile<T>(
        &self,
        version: u64,
        result: Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        self.ensure_not_pruned(version)?;
        result
    }

    /// The pruning mode this database was opened with.
    pub fn state_pruning(&self) -> StatePruning {
        self.pruning
    }

    /// Oldest state version still readable.
    pub fn oldest_state(&self) -> u64 {
        self.pointers.read().oldest_state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_archive_and_counts() {
        assert_eq!("archive".parse(), Ok(StatePruning::Archive));
        assert_eq!(
            "256".parse::<StatePruning>().map(|p| p.oldest_kept(1000)),
            Ok(745)
        );
        assert!("0".parse::<StatePruning>().is_err());
        assert!("-1".parse::<StatePruning>().is_err());
        assert!("all".parse::<StatePruning>().is_err());
        assert_eq!(StatePruning::default().to_string(), "256");
    }

    #[test]
    fn window_starts_at_zero_until_it_fills() {
        let keep4: StatePruning = "4".parse().unwrap();
        assert_eq!(keep4.oldest_kept(0), 0);
        assert_eq!(keep4.oldest_kept(3), 0);
        assert_eq!(keep4.oldest_kept(4), 1);
        assert_eq!(StatePruning::Archive.oldest_kept(u64::MAX), 0);
    }

    #[test]
    fn stale_keys_sort_by_version() {
        assert!(stale_key(1, STALE_VALUE, &[0xff; 40]) < stale_key(2, STALE_NODE, &[0]));
    }
}
