//! Block commit and finalization: each is one synced WriteBatch.
use crate::columns::{self, number_key};
use crate::error::StorageError;
use crate::state::PreparedState;
use crate::tree::write_tree_update;
use crate::{cf, encode_pointer, ChainDb};
use hm_primitives::{blake3_256, Justification, SignedBlock, H256};
use parity_scale_codec::Encode;
use rocksdb::WriteBatch;

fn reject(msg: String) -> StorageError {
    StorageError::InvalidBlock(msg)
}

impl ChainDb {
    /// Store `block` with its prepared state in ONE synced WriteBatch: header,
    /// body, justification, number and extrinsic indices, tree nodes and values,
    /// flat state, state journal, the best pointer, the finalized pointer when
    /// `finalized`, and the stale index and pruning of the state window. Refuses a block that is not `best + 1` (or 0 on an
    /// empty database), whose parent is not the best block, or whose prepared
    /// state is for another version or root. Genesis has no parent to check.
    /// The extrinsics root is the importer's to verify; this stores what it is given.
    pub fn commit_block(
        &self,
        block: &SignedBlock,
        prepared: PreparedState,
        finalized: bool,
    ) -> Result<(), StorageError> {
        let _guard = self.write_lock.lock();
        let header = &block.block.header;
        let number = header.number;
        let hash = header.hash();
        let pointers = *self.pointers.read();

        let expected = match pointers.best {
            None => 0,
            Some((best, _)) => best
                .checked_add(1)
                .ok_or_else(|| reject("block number space exhausted".into()))?,
        };
        if number != expected {
            return Err(reject(format!(
                "block #{number} {hash:?} does not follow best; expected #{expected}"
            )));
        }
        if let Some((_, best_hash)) = pointers.best {
            if header.parent_hash != best_hash {
                return Err(reject(format!(
                    "block #{number} has parent {:?}, but the best block is {best_hash:?}",
                    header.parent_hash
                )));
            }
        }
        if prepared.version != number {
            return Err(reject(format!(
                "state was prepared for version {}, block is #{number}",
                prepared.version
            )));
        }
        if prepared.root != header.state_root {
            return Err(reject(format!(
                "prepared state root {:?} differs from header state root {:?}",
                prepared.root, header.state_root
            )));
        }

        let db = &self.db;
        let mut batch = WriteBatch::default();
        batch.put_cf(cf(db, columns::HEADERS)?, hash.as_bytes(), header.encode());
        batch.put_cf(
            cf(db, columns::BODIES)?,
            hash.as_bytes(),
            block.block.extrinsics.encode(),
        );
        if let Some(justification) = &block.justification {
            batch.put_cf(
                cf(db, columns::JUSTIFICATIONS)?,
                hash.as_bytes(),
                justification.encode(),
            );
        }
        batch.put_cf(
            cf(db, columns::NUMBER_TO_HASH)?,
            number_key(number),
            hash.as_bytes(),
        );
        let tx_index = cf(db, columns::TX_INDEX)?;
        for (index, xt) in block.block.extrinsics.iter().enumerate() {
            let index = u32::try_from(index).map_err(|_| {
                reject(format!("block #{number} has more than u32::MAX extrinsics"))
            })?;
            batch.put_cf(tx_index, blake3_256(xt).as_bytes(), (hash, index).encode());
        }

        write_tree_update(db, &mut batch, &prepared.update)?;
        let previous_oldest = pointers.oldest_state;
        let oldest = self.stage_pruning(&mut batch, &prepared, number)?;
        let flat = cf(db, columns::STATE_FLAT)?;
        for (key, value) in &prepared.changes {
            match value {
                Some(v) => batch.put_cf(flat, key, v),
                None => batch.delete_cf(flat, key),
            }
        }
        let journal: Vec<&Vec<u8>> = prepared.changes.iter().map(|(k, _)| k).collect();
        batch.put_cf(
            cf(db, columns::STATE_JOURNAL)?,
            number_key(number),
            journal.encode(),
        );

        let meta = cf(db, columns::META)?;
        let pointer = (number, hash);
        batch.put_cf(meta, columns::META_BEST, encode_pointer(&pointer));
        batch.put_cf(meta, columns::META_STATE_VERSION, number.to_be_bytes());
        if finalized {
            batch.put_cf(meta, columns::META_FINALIZED, encode_pointer(&pointer));
        }
        if number == 0 {
            batch.put_cf(meta, columns::META_GENESIS, hash.as_bytes());
        }
        // Readers re-check the window after a read, so it moves before the data goes.
        self.pointers.write().oldest_state = oldest;
        if let Err(e) = self.sync_write(batch) {
            self.pointers.write().oldest_state = previous_oldest;
            return Err(e);
        }

        let mut pointers = self.pointers.write();
        pointers.best = Some(pointer);
        if finalized {
            pointers.finalized = Some(pointer);
        }
        if number == 0 {
            pointers.genesis = Some(hash);
        }
        tracing::debug!(
            number,
            ?hash,
            keys = prepared.changes.len(),
            finalized,
            "block committed"
        );
        Ok(())
    }

    /// Mark an already-committed block final and store its justification, in
    /// one synced write. Finalizing a block below the finalized one only stores
    /// the justification: on a linear chain its ancestors are final already.
    pub fn finalize(
        &self,
        hash: &H256,
        justification: Option<&Justification>,
    ) -> Result<(), StorageError> {
        let _guard = self.write_lock.lock();
        let header = self
            .header(hash)?
            .ok_or(StorageError::UnknownBlock(*hash))?;
        let number = header.number;
        if self.hash_by_number(number)? != Some(*hash) {
            return Err(StorageError::UnknownBlock(*hash));
        }
        let current = self.pointers.read().finalized;
        let advances = current.is_none_or(|(f, _)| number > f);

        let mut batch = WriteBatch::default();
        if let Some(j) = justification {
            batch.put_cf(
                cf(&self.db, columns::JUSTIFICATIONS)?,
                hash.as_bytes(),
                j.encode(),
            );
        }
        let pointer = (number, *hash);
        if advances {
            batch.put_cf(
                cf(&self.db, columns::META)?,
                columns::META_FINALIZED,
                encode_pointer(&pointer),
            );
        }
        if batch.is_empty() {
            return Ok(());
        }
        self.sync_write(batch)?;
        if advances {
            self.pointers.write().finalized = Some(pointer);
        }
        Ok(())
    }
}
