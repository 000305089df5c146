//! Startup consistency check (reth's `check_consistency`): compare the pointers,
//! the block index, the headers and the state tree, then the finalized head's
//! justification and the recent transaction index (`indices.rs`); heal what can be
//! healed without guessing, refuse the rest with a precise message.
//!
//! Commits are single atomic batches, so disagreement means the files were
//! edited or damaged. The one safe repair is rolling a pointer that runs ahead
//! of its data back to the highest block that is fully stored: on a linear,
//! final-only chain that block and its ancestors are valid, and anything above
//! it can be fetched again from peers. Anything that would mean discarding
//! stored blocks, or choosing between two stored versions of the truth, is
//! refused instead.
use crate::columns::{self, number_key};
use crate::error::{corrupt, StorageError};
use crate::tree::{first_node_key_of, key_hash, root_to_h256, value_key, StateTree, TreeStore};
use crate::{cf, decode_stored, encode_pointer, h256_from, ChainDb, Pointers};
use hm_primitives::{blake3_256, H256};
use rocksdb::WriteBatch;
use std::collections::BTreeSet;

/// What [`ChainDb::check_consistency`] found, and what it repaired.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsistencyReport {
    pub best: Option<(u64, H256)>,
    pub finalized: Option<(u64, H256)>,
    pub genesis: Option<H256>,
    /// One line per repair; empty when the database was already consistent.
    pub healed: Vec<String>,
}

impl ConsistencyReport {
    pub fn is_clean(&self) -> bool {
        self.healed.is_empty()
    }
}

struct RawMeta {
    best: Option<(u64, H256)>,
    finalized: Option<(u64, H256)>,
    genesis: Option<H256>,
    state_version: Option<u64>,
    oldest_state: Option<u64>,
}

/// Whether block `k` is stored completely: index, header, body, state journal
/// and the tree root the header commits to.
enum Presence {
    Present(H256),
    Missing(String),
}

fn refuse(msg: String) -> StorageError {
    StorageError::Inconsistent(msg)
}

fn u64_from(bytes: &[u8], what: &str) -> Result<u64, StorageError> {
    <[u8; 8]>::try_from(bytes)
        .map(u64::from_be_bytes)
        .map_err(|_| corrupt(format!("{what}: expected 8 bytes, found {}", bytes.len())))
}

impl ChainDb {
    /// Check that the stores agree; heal a pointer that is ahead of its data
    /// (logged with `warn!`), refuse anything else with `Inconsistent`.
    pub fn check_consistency(&self) -> Result<ConsistencyReport, StorageError> {
        let _guard = self.write_lock.lock();
        let meta = self.read_meta()?;
        let last_indexed = self.last_number_in(columns::NUMBER_TO_HASH)?;
        let Some((best_n, best_hash)) = meta.best else {
            self.check_empty(&meta, last_indexed)?;
            *self.pointers.write() = Pointers::default();
            return Ok(ConsistencyReport::default());
        };
        let state_version = meta.state_version.ok_or_else(|| {
            refuse(format!(
                "best block is #{best_n} but the state version pointer is missing"
            ))
        })?;
        if let Some(last) = last_indexed.filter(|last| *last > best_n) {
            return Err(refuse(format!(
                "the block index reaches #{last} but the best pointer is #{best_n}; \
                 refusing to discard committed blocks"
            )));
        }
        if state_version > best_n {
            return Err(refuse(format!(
                "the flat state is at version {state_version} but the best block is #{best_n}"
            )));
        }
        let top = last_indexed.ok_or_else(|| {
            refuse(format!(
                "the best pointer is #{best_n} but the block index is empty"
            ))
        })?;
        let oldest_state = meta.oldest_state.unwrap_or(0);
        if oldest_state > best_n {
            return Err(refuse(format!(
                "states below #{oldest_state} are pruned, but the best block is #{best_n}"
            )));
        }
        let (tip, tip_hash, gaps) = self.highest_present_block(top, oldest_state)?;
        if tip == best_n && tip_hash != best_hash {
            return Err(refuse(format!(
                "the best pointer names {best_hash:?} but the index names {tip_hash:?} for #{tip}"
            )));
        }
        if state_version < tip {
            return Err(refuse(format!(
                "the flat state is at version {state_version}, behind block #{tip}"
            )));
        }

        let mut healed = Vec::new();
        let mut finalized = meta.finalized;
        if tip < best_n {
            // The finalized block is an ancestor of whatever was final above `tip`.
            finalized = finalized.map(|f| if f.0 > tip { (tip, tip_hash) } else { f });
            self.roll_back_to(tip, tip_hash, state_version, finalized)?;
            healed.push(format!(
                "best pointer #{best_n} {best_hash:?} was ahead of the stored blocks ({gaps}); \
                 rolled back to #{tip} {tip_hash:?}"
            ));
            if finalized != meta.finalized {
                healed.push(format!(
                    "finalized pointer rolled back to #{tip} {tip_hash:?}"
                ));
            }
        } else if let Some((f, fh)) = finalized.filter(|(f, _)| *f > tip) {
            finalized = Some((tip, tip_hash));
            let mut batch = WriteBatch::default();
            batch.put_cf(
                cf(&self.db, columns::META)?,
                columns::META_FINALIZED,
                encode_pointer(&(tip, tip_hash)),
            );
            self.sync_write(batch)?;
            healed.push(format!(
                "finalized pointer #{f} {fh:?} was ahead of the best block; set to #{tip} {tip_hash:?}"
            ));
        }

        if let Some((f, fh)) = finalized {
            if self.hash_by_number(f)? != Some(fh) {
                return Err(refuse(format!(
                    "finalized block #{f} {fh:?} is not in the block index"
                )));
            }
            if self.header(&fh)?.is_none_or(|h| h.number != f) {
                return Err(refuse(format!(
                    "finalized block #{f} {fh:?} has no stored header"
                )));
            }
        }
        let genesis = self.check_genesis(meta.genesis)?;
        self.check_flat_state_at(tip)?;
        let finalized = self.check_finality_proof(finalized, &mut healed)?;
        self.check_tx_index(tip, &mut healed)?;
        for line in &healed {
            tracing::warn!("chain database healed: {line}");
        }

        let pointers = Pointers {
            best: Some((tip, tip_hash)),
            finalized,
            genesis: Some(genesis),
            oldest_state,
        };
        *self.pointers.write() = pointers;
        Ok(ConsistencyReport {
            best: pointers.best,
            finalized,
            genesis: Some(genesis),
            healed,
        })
    }

    fn read_meta(&self) -> Result<RawMeta, StorageError> {
        let meta = cf(&self.db, columns::META)?;
        let get = |key: &[u8]| self.db.get_pinned_cf(meta, key);
        Ok(RawMeta {
            best: get(columns::META_BEST)?
                .map(|b| decode_stored(&b, "best pointer"))
                .transpose()?,
            finalized: get(columns::META_FINALIZED)?
                .map(|b| decode_stored(&b, "finalized pointer"))
                .transpose()?,
            genesis: get(columns::META_GENESIS)?
                .map(|b| h256_from(&b, "genesis pointer"))
                .transpose()?,
            state_version: get(columns::META_STATE_VERSION)?
                .map(|b| u64_from(&b, "state version pointer"))
                .transpose()?,
            oldest_state: get(columns::META_OLDEST_STATE)?
                .map(|b| u64_from(&b, "oldest state pointer"))
                .transpose()?,
        })
    }

    /// Highest block number keyed in a number-keyed column family.
    fn last_number_in(&self, column: &str) -> Result<Option<u64>, StorageError> {
        let mut iter = self.db.raw_iterator_cf(cf(&self.db, column)?);
        iter.seek_to_last();
        let last = iter.key().map(|k| u64_from(k, column)).transpose()?;
        iter.status()?;
        Ok(last)
    }

    fn check_empty(&self, meta: &RawMeta, last_indexed: Option<u64>) -> Result<(), StorageError> {
        let stray = [
            ("finalized pointer", meta.finalized.is_some()),
            ("genesis pointer", meta.genesis.is_some()),
            ("state version pointer", meta.state_version.is_some()),
            ("oldest state pointer", meta.oldest_state.is_some()),
            ("block index", last_indexed.is_some()),
        ];
        if let Some((what, _)) = stray.iter().find(|(_, present)| *present) {
            return Err(refuse(format!(
                "there is no best block pointer, but the {what} is set"
            )));
        }
        for column in [columns::HEADERS, columns::STATE_FLAT, columns::JMT_NODES] {
            let mut iter = self.db.raw_iterator_cf(cf(&self.db, column)?);
            iter.seek_to_first();
            if iter.valid() {
                return Err(refuse(format!(
                    "there is no best block pointer, but column {column} holds data"
                )));
            }
            iter.status()?;
        }
        Ok(())
    }

    /// The highest fully stored block at or below `top`; blocks whose state was pruned
    /// (below `oldest_state`) cannot be rolled back to.
    fn highest_present_block(
        &self,
        top: u64,
        oldest_state: u64,
    ) -> Result<(u64, H256, String), StorageError> {
        let mut gaps: Vec<String> = Vec::new();
        for k in (oldest_state..=top).rev() {
            match self.block_presence(k)? {
                Presence::Present(hash) => return Ok((k, hash, gaps.join("; "))),
                Presence::Missing(why) if gaps.len() < 8 => gaps.push(why),
                Presence::Missing(_) => {}
            }
        }
        Err(refuse(format!(
            "no block from #{oldest_state} (the oldest unpruned state) to #{top} is fully \
             stored ({})",
            gaps.join("; ")
        )))
    }

    fn block_presence(&self, k: u64) -> Result<Presence, StorageError> {
        let Some(hash) = self.hash_by_number(k)? else {
            return Ok(Presence::Missing(format!("#{k}: not indexed")));
        };
        let Some(header) = self.header(&hash)? else {
            return Ok(Presence::Missing(format!("#{k}: header {hash:?} missing")));
        };
        if header.number != k {
            return Err(refuse(format!(
                "index #{k} names {hash:?}, whose header is #{}",
                header.number
            )));
        }
        if header.hash() != hash {
            return Err(corrupt(format!(
                "header stored as {hash:?} hashes to {:?}",
                header.hash()
            )));
        }
        if !self.has(columns::BODIES, hash.as_bytes())? {
            return Ok(Presence::Missing(format!("#{k}: body missing")));
        }
        if !self.has(columns::STATE_JOURNAL, &number_key(k))? {
            return Ok(Presence::Missing(format!("#{k}: state journal missing")));
        }
        let store = TreeStore::new(&self.db)?;
        let root = StateTree::new(&store)
            .get_root_hash_option(k)
            .map_err(crate::error::tree_error)?;
        let Some(root) = root.map(root_to_h256) else {
            return Ok(Presence::Missing(format!(
                "#{k}: state version {k} missing"
            )));
        };
        if root != header.state_root {
            return Err(refuse(format!(
                "state version {k} has root {root:?} but block #{k} commits to {:?}",
                header.state_root
            )));
        }
        if let Some(parent) = k.checked_sub(1) {
            let indexed = self.hash_by_number(parent)?;
            if indexed != Some(header.parent_hash) {
                return Err(refuse(format!(
                    "block #{k}'s parent is {:?} but the index holds {indexed:?} for #{parent}",
                    header.parent_hash
                )));
            }
        }
        Ok(Presence::Present(hash))
    }

    fn check_genesis(&self, genesis: Option<H256>) -> Result<H256, StorageError> {
        let genesis = genesis.ok_or_else(|| refuse("the genesis pointer is missing".into()))?;
        let indexed = self.hash_by_number(0)?;
        if indexed != Some(genesis) {
            return Err(refuse(format!(
                "the genesis pointer is {genesis:?} but the index holds {indexed:?} for #0"
            )));
        }
        if self.header(&genesis)?.is_none_or(|h| h.number != 0) {
            return Err(refuse(format!("the genesis header {genesis:?} is missing")));
        }
        Ok(genesis)
    }

    /// The keys the tip block changed must read the same from the flat state
    /// and from the tree: a cheap probe that the two agree at the tip.
    fn check_flat_state_at(&self, tip: u64) -> Result<(), StorageError> {
        let keys: Vec<Vec<u8>> = self
            .get_decoded(columns::STATE_JOURNAL, &number_key(tip), "state journal")?
            .ok_or_else(|| refuse(format!("the state journal of #{tip} is missing")))?;
        let store = TreeStore::new(&self.db)?;
        for key in keys {
            let flat = self.state_get(&key)?;
            if flat != store.value_at(&key_hash(&key), tip)? {
                return Err(refuse(format!(
                    "flat state and state tree disagree at #{tip} for key 0x{}",
                    hex_prefix(&key)
                )));
            }
        }
        Ok(())
    }

    /// One synced batch that makes `tip` the best block again: revert the flat
    /// state from `state_version` using the journals, drop tree nodes and values
    /// above `tip`, drop the blocks indexed above it, and reset the pointers.
    fn roll_back_to(
        &self,
        tip: u64,
        tip_hash: H256,
        state_version: u64,
        finalized: Option<(u64, H256)>,
    ) -> Result<(), StorageError> {
        let db = &self.db;
        let mut batch = WriteBatch::default();
        let store = TreeStore::new(db)?;
        let values = cf(db, columns::JMT_VALUES)?;
        let mut touched: BTreeSet<Vec<u8>> = BTreeSet::new();
        for v in tip.saturating_add(1)..=state_version {
            let keys: Vec<Vec<u8>> = self
                .get_decoded(columns::STATE_JOURNAL, &number_key(v), "state journal")?
                .ok_or_else(|| {
                    refuse(format!(
                        "cannot revert the flat state from version {state_version} to {tip}: \
                         the journal of version {v} is missing"
                    ))
                })?;
            for key in keys {
                batch.delete_cf(values, value_key(&key_hash(&key), v));
                touched.insert(key);
            }
        }
        let flat = cf(db, columns::STATE_FLAT)?;
        for key in &touched {
            match store.value_at(&key_hash(key), tip)? {
                Some(value) => batch.put_cf(flat, key, value),
                None => batch.delete_cf(flat, key),
            }
        }

        let above = number_key(tip.saturating_add(1));
        let end = [0xffu8; 9];
        let index = cf(db, columns::NUMBER_TO_HASH)?;
        let mut iter = db.raw_iterator_cf(index);
        iter.seek(above);
        while let Some(hash_bytes) = iter.value() {
            let hash = h256_from(hash_bytes, "block number index")?;
            self.stage_block_removal(&mut batch, &hash)?;
            iter.next();
        }
        iter.status()?;
        batch.delete_range_cf(index, &above[..], &end[..]);
        batch.delete_range_cf(cf(db, columns::STATE_JOURNAL)?, &above[..], &end[..]);
        batch.delete_range_cf(
            cf(db, columns::JMT_NODES)?,
            first_node_key_of(tip.saturating_add(1)).to_vec(),
            vec![0xffu8; 64],
        );
        self.stage_stale_rollback(&mut batch, tip)?;

        let meta = cf(db, columns::META)?;
        batch.put_cf(meta, columns::META_BEST, encode_pointer(&(tip, tip_hash)));
        batch.put_cf(meta, columns::META_STATE_VERSION, tip.to_be_bytes());
        match finalized {
            Some(f) => batch.put_cf(meta, columns::META_FINALIZED, encode_pointer(&f)),
            None => batch.delete_cf(meta, columns::META_FINALIZED),
        }
        self.sync_write(batch)
    }

    fn stage_block_removal(&self, batch: &mut WriteBatch, hash: &H256) -> Result<(), StorageError> {
        let tx_index = cf(&self.db, columns::TX_INDEX)?;
        if let Some(body) = self.body(hash)? {
            for xt in body {
                let xt_hash = blake3_256(&xt);
                let location: Option<(H256, u32)> =
                    self.get_decoded(columns::TX_INDEX, xt_hash.as_bytes(), "transaction index")?;
                if location.is_some_and(|(block, _)| block == *hash) {
                    batch.delete_cf(tx_index, xt_hash.as_bytes());
                }
            }
        }
        for column in [columns::HEADERS, columns::BODIES, columns::JUSTIFICATIONS] {
            batch.delete_cf(cf(&self.db, column)?, hash.as_bytes());
        }
        Ok(())
    }
}

fn hex_prefix(key: &[u8]) -> String {
    key.iter().take(40).map(|b| format!("{b:02x}")).collect()
}
