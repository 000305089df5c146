//! Block import: the one path every block takes, authored here or received.
use crate::Client;
use hm_consensus_api::{VerifyContext, VerifyError};
use hm_primitives::{
    blake3_256, Block, Header, InvalidTransaction, SignedBlock, H256, MAX_BLOCK_BYTES,
    MAX_EXTRINSIC_BYTES,
};
use hm_runtime::BlockContext;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("block {number} does not extend the best block {best_number} ({best_hash:?})")]
    NotNext {
        number: u64,
        best_number: u64,
        best_hash: H256,
    },
    #[error("block body is {0} bytes, over the block limit")]
    TooLarge(usize),
    #[error("extrinsics root does not match the body")]
    ExtrinsicsRoot,
    #[error("header rejected: {0}")]
    Verify(#[from] VerifyError),
    #[error("a final block must carry a justification")]
    MissingJustification,
    #[error("extrinsic {index} is invalid: {reason}")]
    InvalidExtrinsic {
        index: usize,
        reason: InvalidTransaction,
    },
    #[error("state root mismatch: header says {header:?}, execution gives {computed:?}")]
    StateRoot { header: H256, computed: H256 },
    #[error("state error: {0}")]
    State(String),
    #[error(transparent)]
    Storage(#[from] hm_storage::StorageError),
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub hash: H256,
    pub number: u64,
    /// Hashes of the block's extrinsics, for the pool.
    pub extrinsic_hashes: Vec<H256>,
    pub already_known: bool,
    pub elapsed: Duration,
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Client {
    /// Verify and execute `block` on top of the best block without committing it: how a
    /// validator checks a proposal before voting for it. The executed state is kept, so
    /// importing the same block next (after its commit) does not execute it again.
    pub fn check_block(&self, block: &Block) -> Result<H256, ImportError> {
        let _guard = self.import_lock.lock();
        let hash = block.header.hash();
        let parent = self.next_parent(&block.header)?;
        check_body(block)?;
        self.verify_header(&block.header, &parent, None)?;
        let prepared = self.execute_checked(block, &parent)?;
        *self.checked.lock() = Some((hash, prepared));
        Ok(hash)
    }

    /// Verify, execute and commit `signed` on top of the best block, in one synced write.
    /// `finalize` marks it final; it then needs a valid justification.
    pub fn import_block(
        &self,
        signed: SignedBlock,
        finalize: bool,
    ) -> Result<ImportOutcome, ImportError> {
        let started = Instant::now();
        let _guard = self.import_lock.lock();
        let header = &signed.block.header;
        let hash = header.hash();
        let extrinsic_hashes: Vec<H256> = signed
            .block
            .extrinsics
            .iter()
            .map(|x| blake3_256(x))
            .collect();
        if self.db.header(&hash)?.is_some() {
            return Ok(ImportOutcome {
                hash,
                number: header.number,
                extrinsic_hashes,
                already_known: true,
                elapsed: started.elapsed(),
            });
        }
        let parent = self.next_parent(header)?;
        if finalize && signed.justification.is_none() {
            return Err(ImportError::MissingJustification);
        }
        // A block `check_block` accepted on this same parent needs only its justification checked.
        let checked = self
            .checked
            .lock()
            .take()
            .filter(|(checked_hash, _)| *checked_hash == hash);
        let computed = match checked {
            Some((_, prepared)) => {
                self.verify_header(
                    header,
                    &parent,
                    signed.justification.as_ref().map(|j| (j, true)),
                )?;
                prepared
            }
            None => {
                check_body(&signed.block)?;
                self.verify_header(
                    header,
                    &parent,
                    signed.justification.as_ref().map(|j| (j, false)),
                )?;
                self.execute_checked(&signed.block, &parent)?
            }
        };
        self.db.commit_block(&signed, computed, finalize)?;

        {
            let mut info = self.info.write();
            info.best_hash = hash;
            info.best_number = header.number;
            if finalize {
                info.finalized_hash = hash;
                info.finalized_number = header.number;
            }
        }
        // Nobody listening is fine.
        let _ = self.imported_tx.send(header.clone());
        if finalize {
            let _ = self.finalized_tx.send(header.clone());
        }
        Ok(ImportOutcome {
            hash,
            number: header.number,
            extrinsic_hashes,
            already_known: false,
            elapsed: started.elapsed(),
        })
    }

    /// The best header, if `header` builds directly on it.
    fn next_parent(&self, header: &Header) -> Result<Header, ImportError> {
        let parent = self.best_header()?;
        let info = self.chain_info();
        if header.number != parent.number + 1 || header.parent_hash != info.best_hash {
            return Err(ImportError::NotNext {
                number: header.number,
                best_number: info.best_number,
                best_hash: info.best_hash,
            });
        }
        Ok(parent)
    }

    /// Consensus checks of `header` against the parent's state, and of `justification`
    /// when given; `(justification, true)` skips the header (already checked).
    fn verify_header(
        &self,
        header: &Header,
        parent: &Header,
        justification: Option<(&hm_primitives::Justification, bool)>,
    ) -> Result<(), ImportError> {
        let public_key_of = |who: &hm_primitives::AccountId| self.public_key_of(who);
        // The best block is the parent, so the committed state is the parent's state.
        let parent_state = self.overlay();
        let ctx = VerifyContext {
            public_key_of: &public_key_of,
            parent_state: &parent_state,
            now_ms: now_ms(),
        };
        let header_checked = matches!(justification, Some((_, true)));
        if !header_checked {
            self.verifier.verify_header(header, parent, &ctx)?;
        }
        if let Some((j, _)) = justification {
            self.verifier.verify_justification(header, j, &ctx)?;
        }
        Ok(())
    }

    /// Execute `block` and compare the state root with its header's.
    fn execute_checked(
        &self,
        block: &Block,
        parent: &Header,
    ) -> Result<hm_storage::PreparedState, ImportError> {
        let computed = self.execute(block, parent)?;
        if computed.root != block.header.state_root {
            return Err(ImportError::StateRoot {
                header: block.header.state_root,
                computed: computed.root,
            });
        }
        Ok(computed)
    }

    /// Re-execute every extrinsic; any invalid one makes the whole block invalid.
    fn execute(
        &self,
        block: &Block,
        parent: &Header,
    ) -> Result<hm_storage::PreparedState, ImportError> {
        let header = &block.header;
        let ctx = BlockContext {
            number: header.number,
            timestamp_ms: header.timestamp_ms,
            parent_hash: parent.hash(),
            author: header.proposer,
            genesis_hash: self.chain_info().genesis_hash,
        };
        let mut overlay = self.overlay();
        hm_runtime::initialize_block(&mut overlay, &ctx);
        for (index, xt) in block.extrinsics.iter().enumerate() {
            hm_runtime::apply_extrinsic(&mut overlay, &ctx, xt)
                .map_err(|reason| ImportError::InvalidExtrinsic { index, reason })?;
        }
        hm_runtime::finalize_block(&mut overlay, &ctx);
        let changes = overlay.into_changes().map_err(ImportError::State)?;
        Ok(self.db.prepare_state(header.number, &changes)?)
    }
}

fn check_body(block: &Block) -> Result<(), ImportError> {
    let mut total = 0usize;
    for xt in &block.extrinsics {
        if xt.len() > MAX_EXTRINSIC_BYTES {
            return Err(ImportError::TooLarge(xt.len()));
        }
        total = total.saturating_add(xt.len());
    }
    if total > MAX_BLOCK_BYTES {
        return Err(ImportError::TooLarge(total));
    }
    if Block::compute_extrinsics_root(&block.extrinsics) != block.header.extrinsics_root {
        return Err(ImportError::ExtrinsicsRoot);
    }
    Ok(())
}
