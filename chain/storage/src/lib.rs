//! HyperMesh persistent store: blocks, justifications, indices, metadata and the
//! authenticated state, all in one RocksDB database.
//!
//! The chain is linear and blocks are committed only once final, so block `N`'s
//! state is Jellyfish Merkle Tree version `N` (genesis is version 0). The last N
//! versions stay readable, or all of them in archive mode ([`StatePruning`]). A block import
//! is one synced WriteBatch ([`ChainDb::commit_block`]); [`ChainDb::open`] checks
//! that the stores agree and heals or refuses ([`ChainDb::check_consistency`]).
//!
//! State reads of the latest block come from a flat key->value column family;
//! historical reads, roots and proofs come from the tree.

mod columns;
mod commit;
mod consistency;
mod error;
mod indices;
mod proof;
mod pruning;
mod state;
mod tree;

pub use columns::{DbConfig, SCHEMA_VERSION};
pub use consistency::ConsistencyReport;
pub use error::{ProofError, StorageError};
pub use indices::{JUSTIFICATION_FALLBACK_DEPTH, TX_INDEX_CHECK_DEPTH};
pub use proof::{verify_read_proof, MAX_READ_PROOF_BYTES, MAX_STATE_VALUE_BYTES};
pub use pruning::{StatePruning, DEFAULT_KEPT_STATES};
pub use state::{PreparedState, StateChanges, StateEntry};
pub use tree::{key_hash, Blake3Hasher, EMPTY_STATE_ROOT};

/// Column family names and key layouts, public so tools (and corruption tests)
/// can inspect a database with a raw RocksDB handle.
pub mod layout {
    pub use crate::columns::*;
}

use error::corrupt;
use hm_primitives::{Block, Header, Justification, SignedBlock, H256};
use parity_scale_codec::{Decode, DecodeAll, Encode};
use parking_lot::{Mutex, RwLock};
use rocksdb::{ColumnFamily, DB};
use std::path::{Path, PathBuf};

/// The node's database. `Send + Sync`; share it in an `Arc`.
pub struct ChainDb {
    db: DB,
    path: PathBuf,
    /// Cached copies of the meta pointers, replaced after every synced write.
    pointers: RwLock<Pointers>,
    /// Serialises writers so "is this block best+1?" and the write are atomic.
    write_lock: Mutex<()>,
    pruning: StatePruning,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pointers {
    pub best: Option<(u64, H256)>,
    pub finalized: Option<(u64, H256)>,
    pub genesis: Option<H256>,
    /// Oldest state version not pruned.
    pub oldest_state: u64,
}

pub(crate) fn cf<'a>(db: &'a DB, name: &str) -> Result<&'a ColumnFamily, StorageError> {
    db.cf_handle(name)
        .ok_or_else(|| corrupt(format!("column family {name} is missing")))
}

pub(crate) fn decode_stored<T: Decode>(bytes: &[u8], what: &str) -> Result<T, StorageError> {
    T::decode_all(&mut &bytes[..]).map_err(|e| corrupt(format!("{what}: {e}")))
}

pub(crate) fn h256_from(bytes: &[u8], what: &str) -> Result<H256, StorageError> {
    <[u8; 32]>::try_from(bytes)
        .map(H256)
        .map_err(|_| corrupt(format!("{what}: expected 32 bytes, found {}", bytes.len())))
}

impl ChainDb {
    /// Open (creating if missing) with default tuning, then check consistency.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        Self::open_with(path, &DbConfig::default())
    }

    pub fn open_with(path: &Path, config: &DbConfig) -> Result<Self, StorageError> {
        std::fs::create_dir_all(path)?;
        let opts = columns::db_options(config);
        let db = DB::open_cf_descriptors(&opts, path, columns::cf_descriptors(config))?;
        let chain_db = ChainDb {
            db,
            path: path.to_path_buf(),
            pointers: RwLock::new(Pointers::default()),
            write_lock: Mutex::new(()),
            pruning: config.state_pruning,
        };
        chain_db.check_schema()?;
        let report = chain_db.check_consistency()?;
        tracing::debug!(best = ?report.best, finalized = ?report.finalized, "chain database opened");
        Ok(chain_db)
    }

    fn check_schema(&self) -> Result<(), StorageError> {
        let meta = cf(&self.db, columns::META)?;
        match self.db.get_pinned_cf(meta, columns::META_SCHEMA)? {
            Some(bytes) => {
                let found = u32::from_be_bytes(
                    bytes
                        .as_ref()
                        .try_into()
                        .map_err(|_| corrupt("schema version is not 4 bytes"))?,
                );
                if found != columns::SCHEMA_VERSION {
                    return Err(StorageError::UnsupportedSchema {
                        found,
                        expected: columns::SCHEMA_VERSION,
                    });
                }
                Ok(())
            }
            None => {
                let mut opts = rocksdb::WriteOptions::default();
                opts.set_sync(true);
                self.db.put_cf_opt(
                    meta,
                    columns::META_SCHEMA,
                    columns::SCHEMA_VERSION.to_be_bytes(),
                    &opts,
                )?;
                Ok(())
            }
        }
    }

    /// Directory the database lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn genesis_hash(&self) -> Result<Option<H256>, StorageError> {
        Ok(self.pointers.read().genesis)
    }

    /// The best block, which is always the last committed one.
    pub fn best(&self) -> Result<Option<(u64, H256)>, StorageError> {
        Ok(self.pointers.read().best)
    }

    pub fn finalized(&self) -> Result<Option<(u64, H256)>, StorageError> {
        Ok(self.pointers.read().finalized)
    }

    pub fn header(&self, hash: &H256) -> Result<Option<Header>, StorageError> {
        self.get_decoded(columns::HEADERS, hash.as_bytes(), "header")
    }

    pub fn hash_by_number(&self, n: u64) -> Result<Option<H256>, StorageError> {
        let cf = cf(&self.db, columns::NUMBER_TO_HASH)?;
        match self.db.get_pinned_cf(cf, columns::number_key(n))? {
            None => Ok(None),
            Some(bytes) => h256_from(&bytes, "block number index").map(Some),
        }
    }

    pub fn body(&self, hash: &H256) -> Result<Option<Vec<Vec<u8>>>, StorageError> {
        self.get_decoded(columns::BODIES, hash.as_bytes(), "block body")
    }

    pub fn justification(&self, hash: &H256) -> Result<Option<Justification>, StorageError> {
        self.get_decoded(columns::JUSTIFICATIONS, hash.as_bytes(), "justification")
    }

    pub fn signed_block(&self, hash: &H256) -> Result<Option<SignedBlock>, StorageError> {
        let Some(header) = self.header(hash)? else {
            return Ok(None);
        };
        let extrinsics = self
            .body(hash)?
            .ok_or_else(|| corrupt(format!("block {hash:?} has a header but no body")))?;
        Ok(Some(SignedBlock {
            block: Block { header, extrinsics },
            justification: self.justification(hash)?,
        }))
    }

    /// Block and index of an extrinsic, by `blake3(extrinsic bytes)`.
    pub fn transaction_location(
        &self,
        xt_hash: &H256,
    ) -> Result<Option<(H256, u32)>, StorageError> {
        let location: Option<(H256, u32)> =
            self.get_decoded(columns::TX_INDEX, xt_hash.as_bytes(), "transaction index")?;
        match location {
            // Only report blocks that are still stored (a heal may have dropped one).
            Some((block, _)) if self.has(columns::HEADERS, block.as_bytes())? => Ok(location),
            _ => Ok(None),
        }
    }

    pub(crate) fn get_decoded<T: Decode>(
        &self,
        column: &str,
        key: &[u8],
        what: &str,
    ) -> Result<Option<T>, StorageError> {
        match self.db.get_pinned_cf(cf(&self.db, column)?, key)? {
            None => Ok(None),
            Some(bytes) => decode_stored(&bytes, what).map(Some),
        }
    }

    pub(crate) fn has(&self, column: &str, key: &[u8]) -> Result<bool, StorageError> {
        Ok(self.db.get_pinned_cf(cf(&self.db, column)?, key)?.is_some())
    }

    pub(crate) fn sync_write(&self, batch: rocksdb::WriteBatch) -> Result<(), StorageError> {
        let mut opts = rocksdb::WriteOptions::default();
        opts.set_sync(true);
        self.db.write_opt(batch, &opts)?;
        Ok(())
    }
}

pub(crate) fn encode_pointer(pointer: &(u64, H256)) -> Vec<u8> {
    pointer.encode()
}

/// Delete the database directory. Refuses a non-empty directory that does not
/// look like a RocksDB database, so a mistyped `--base-path` cannot wipe a home
/// directory. A missing directory is not an error.
pub fn purge(path: &Path) -> Result<(), StorageError> {
    if !path.exists() {
        return Ok(());
    }
    let is_empty = std::fs::read_dir(path)?.next().is_none();
    if !is_empty && !path.join("CURRENT").is_file() {
        return Err(StorageError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} is not a RocksDB database; refusing to delete it",
                path.display()
            ),
        )));
    }
    std::fs::remove_dir_all(path)?;
    Ok(())
}
