//! Block building: apply pool transactions on top of the best block.
use crate::overlay::TxFailure;
use crate::Client;
use hm_primitives::{blake3_256, AccountId, Block, Header, InvalidTransaction, H256};
use hm_runtime::BlockContext;

/// An unsealed block and what happened to the candidate transactions.
#[derive(Debug)]
pub struct BuiltBlock {
    pub block: Block,
    /// Hashes of the extrinsics in the block, in order.
    pub included: Vec<H256>,
    /// Candidates left out of the block, with why; the pool should drop and ban them.
    pub rejected: Vec<(H256, Rejection)>,
}

/// Why a candidate transaction was left out of a block.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The runtime refused it.
    #[error("invalid: {0}")]
    Invalid(InvalidTransaction),
    /// Executing it made this node's contract executor fault (a wall-clock backstop, a
    /// native stack overflow, a compiler failure, no executor). Such a result differs
    /// between nodes, so the transaction is rolled back and left out, and the block goes
    /// on without it rather than failing as a whole.
    #[error("node fault while executing it: {0}")]
    NodeFault(String),
}

impl Client {
    /// Build the next block from `candidates` (in pool order). The header has no
    /// seal yet; the engine seals it and then imports it like any other block.
    pub fn build_block(
        &self,
        proposer: AccountId,
        timestamp_ms: u64,
        candidates: Vec<(H256, Vec<u8>)>,
        consensus: Vec<u8>,
    ) -> Result<BuiltBlock, crate::ImportError> {
        let parent = self.best_header()?;
        let number = parent.number + 1;
        let ctx = BlockContext {
            number,
            timestamp_ms,
            parent_hash: parent.hash(),
            author: proposer,
            genesis_hash: self.chain_info().genesis_hash,
        };
        let mut overlay = self.overlay();
        hm_runtime::initialize_block(&mut overlay, &ctx);
        let mut extrinsics = Vec::with_capacity(candidates.len());
        let mut included = Vec::with_capacity(candidates.len());
        let mut rejected = Vec::new();
        for (hash, xt) in candidates {
            // A transaction that turns out invalid, or that makes the executor fault, must
            // leave no trace in the block's state.
            match overlay.transactional(|ext| hm_runtime::apply_extrinsic(ext, &ctx, &xt)) {
                Ok(_) => {
                    debug_assert_eq!(hash, blake3_256(&xt));
                    included.push(hash);
                    extrinsics.push(xt);
                }
                // The block is full: this transaction stays in the pool for the next one.
                Err(TxFailure::Failed(InvalidTransaction::ExhaustsResources)) => break,
                Err(TxFailure::Failed(invalid)) => {
                    rejected.push((hash, Rejection::Invalid(invalid)))
                }
                Err(TxFailure::NodeFault(fault)) => {
                    tracing::warn!(tx = ?hash, %fault, "left a transaction out of the block: it made the contract executor fault");
                    rejected.push((hash, Rejection::NodeFault(fault)));
                }
            }
        }
        hm_runtime::finalize_block(&mut overlay, &ctx);
        let changes = overlay.into_changes().map_err(crate::ImportError::State)?;
        let prepared = self.db.prepare_state(number, &changes)?;
        let header = Header {
            parent_hash: ctx.parent_hash,
            number,
            state_root: prepared.root,
            extrinsics_root: Block::compute_extrinsics_root(&extrinsics),
            timestamp_ms,
            proposer,
            consensus,
            seal: Vec::new(),
        };
        Ok(BuiltBlock {
            block: Block { header, extrinsics },
            included,
            rejected,
        })
    }
}
