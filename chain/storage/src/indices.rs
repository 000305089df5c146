//! Start-up checks of what the block import writes beside blocks and state: the
//! finalized head's justification and the transaction index.
//!
//! Both are bounded to recent blocks so start-up cost does not grow with the chain:
//! the finalized head is what the node proves finality with (to peers, to RPC, and
//! to itself after a restart), and the newest blocks are the ones a crash could
//! have left half-indexed. Older transaction index entries are still checked at
//! read time ([`ChainDb::transaction_location`] reports only stored blocks).
use crate::columns;
use crate::error::{corrupt, StorageError};
use crate::{cf, encode_pointer, ChainDb};
use hm_primitives::{blake3_256, Justification, H256};
use parity_scale_codec::{DecodeAll, Encode};
use rocksdb::WriteBatch;

/// Blocks up to the tip whose transactions must all be indexed.
pub const TX_INDEX_CHECK_DEPTH: u64 = 16;
/// How far below a finalized head without a valid justification the check looks for
/// one to fall back on.
pub const JUSTIFICATION_FALLBACK_DEPTH: u64 = 64;

fn refuse(msg: String) -> StorageError {
    StorageError::Inconsistent(msg)
}

impl ChainDb {
    /// Whether block `hash` has a justification that decodes.
    fn has_valid_justification(&self, hash: &H256) -> Result<bool, StorageError> {
        let stored = self
            .db
            .get_pinned_cf(cf(&self.db, columns::JUSTIFICATIONS)?, hash.as_bytes())?;
        Ok(stored.is_some_and(|bytes| Justification::decode_all(&mut &bytes[..]).is_ok()))
    }

    /// A finalized head above genesis must carry a justification that decodes: every
    /// import that finalizes a block stores one. One that lacks it (deleted, or bytes
    /// that no longer decode) is healed by moving the finalized pointer back to the
    /// highest block below that has one (genesis needs none), within
    /// [`JUSTIFICATION_FALLBACK_DEPTH`] blocks; the bad bytes are deleted. Returns the
    /// finalized pointer to use.
    pub(crate) fn check_finality_proof(
        &self,
        finalized: Option<(u64, H256)>,
        healed: &mut Vec<String>,
    ) -> Result<Option<(u64, H256)>, StorageError> {
        let Some((f, fh)) = finalized.filter(|(f, _)| *f > 0) else {
            return Ok(finalized);
        };
        if self.has_valid_justification(&fh)? {
            return Ok(finalized);
        }
        let lowest = f.saturating_sub(JUSTIFICATION_FALLBACK_DEPTH);
        for k in (lowest..f).rev() {
            let hash = self.hash_by_number(k)?.ok_or_else(|| {
                refuse(format!(
                    "block #{k} below the finalized head is not indexed"
                ))
            })?;
            if k > 0 && !self.has_valid_justification(&hash)? {
                continue;
            }
            let mut batch = WriteBatch::default();
            batch.delete_cf(cf(&self.db, columns::JUSTIFICATIONS)?, fh.as_bytes());
            batch.put_cf(
                cf(&self.db, columns::META)?,
                columns::META_FINALIZED,
                encode_pointer(&(k, hash)),
            );
            self.sync_write(batch)?;
            healed.push(format!(
                "finalized block #{f} {fh:?} has no valid justification; finalized pointer \
                 moved back to #{k} {hash:?}, the highest block below it that has one"
            ));
            return Ok(Some((k, hash)));
        }
        Err(refuse(format!(
            "finalized block #{f} {fh:?} has no valid justification, nor has any of the \
             {JUSTIFICATION_FALLBACK_DEPTH} blocks below it; restore the database from a \
             backup, or purge-chain and sync again"
        )))
    }

    /// Every extrinsic of the last [`TX_INDEX_CHECK_DEPTH`] blocks up to `tip` must be
    /// indexed to a stored block holding it at that index (this one, or a later one that
    /// included the same bytes). Missing entries, entries naming blocks that are not
    /// stored, and entries that do not decode are re-pointed at the block, in one batch.
    pub(crate) fn check_tx_index(
        &self,
        tip: u64,
        healed: &mut Vec<String>,
    ) -> Result<(), StorageError> {
        let tx_index = cf(&self.db, columns::TX_INDEX)?;
        let mut batch = WriteBatch::default();
        let mut repaired = 0usize;
        let lowest = tip.saturating_sub(TX_INDEX_CHECK_DEPTH.saturating_sub(1));
        for k in lowest..=tip {
            let hash = self
                .hash_by_number(k)?
                .ok_or_else(|| refuse(format!("block #{k} is not indexed")))?;
            let body = self
                .body(&hash)?
                .ok_or_else(|| refuse(format!("block #{k} {hash:?} has no body")))?;
            for (index, xt) in body.iter().enumerate() {
                let index = u32::try_from(index).map_err(|_| {
                    corrupt(format!("block #{k} has more than u32::MAX extrinsics"))
                })?;
                let xt_hash = blake3_256(xt);
                if !self.indexed_at_or_after(&xt_hash, &hash, index, k)? {
                    batch.put_cf(tx_index, xt_hash.as_bytes(), (hash, index).encode());
                    repaired = repaired.saturating_add(1);
                }
            }
        }
        if repaired == 0 {
            return Ok(());
        }
        self.sync_write(batch)?;
        healed.push(format!(
            "transaction index: {repaired} entries of blocks #{lowest}..=#{tip} were missing, \
             undecodable or named blocks that are not stored; re-indexed"
        ));
        Ok(())
    }

    /// Whether the index entry of `xt_hash` names (`block`, `index`), or a stored block
    /// above #`number` whose body holds the same extrinsic at the named index.
    fn indexed_at_or_after(
        &self,
        xt_hash: &H256,
        block: &H256,
        index: u32,
        number: u64,
    ) -> Result<bool, StorageError> {
        let stored = self
            .db
            .get_pinned_cf(cf(&self.db, columns::TX_INDEX)?, xt_hash.as_bytes())?;
        let Some(location) =
            stored.and_then(|bytes| <(H256, u32)>::decode_all(&mut &bytes[..]).ok())
        else {
            return Ok(false);
        };
        if location == (*block, index) {
            return Ok(true);
        }
        let (other, other_index) = location;
        let Some(header) = self.header(&other)? else {
            return Ok(false);
        };
        if header.number <= number || self.hash_by_number(header.number)? != Some(other) {
            return Ok(false);
        }
        let held = self.body(&other)?.and_then(|body| {
            usize::try_from(other_index)
                .ok()
                .and_then(|i| body.get(i).map(|xt| blake3_256(xt)))
        });
        Ok(held == Some(*xt_hash))
    }
}
