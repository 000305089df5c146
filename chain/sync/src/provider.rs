//! The serving side: answers peers' sync requests from the local chain.
use hm_client::Client;
use hm_network::{ChainStatus, SyncProvider};
use hm_primitives::{SignedBlock, H256};
use parity_scale_codec::Encode;
use std::sync::{Arc, OnceLock};

/// Serves votes for `SyncRequest::Votes`: the BFT engine's `votes_for`.
pub type VoteSource = Arc<dyn Fn(u64, u32, u8, Option<H256>) -> Vec<Vec<u8>> + Send + Sync>;

/// Test builds only: ways to serve sync requests dishonestly.
#[cfg(feature = "byzantine")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServeMisbehaviour {
    /// Serve justifications cut down to one precommit.
    WeakJustifications,
    /// Claim a finalized height of [`LYING_SYNC_HEIGHT`] and serve no blocks.
    LyingSync,
}

/// The finalized height a `LyingSync` server claims.
#[cfg(feature = "byzantine")]
pub const LYING_SYNC_HEIGHT: u64 = 1_000_000;

/// Answers peers' sync requests from the local chain.
pub struct ChainProvider {
    client: Arc<Client>,
    votes: OnceLock<VoteSource>,
    #[cfg(feature = "byzantine")]
    misbehaviour: OnceLock<ServeMisbehaviour>,
}

impl ChainProvider {
    pub fn new(client: Arc<Client>) -> Self {
        ChainProvider {
            client,
            votes: OnceLock::new(),
            #[cfg(feature = "byzantine")]
            misbehaviour: OnceLock::new(),
        }
    }

    /// Test builds only: misbehave as `kind` from now on.
    #[cfg(feature = "byzantine")]
    pub fn set_misbehaviour(&self, kind: ServeMisbehaviour) {
        let _ = self.misbehaviour.set(kind);
    }

    #[cfg(feature = "byzantine")]
    fn misbehaving(&self, kind: ServeMisbehaviour) -> bool {
        self.misbehaviour.get() == Some(&kind)
    }

    #[cfg(feature = "byzantine")]
    fn weaken(&self, mut block: SignedBlock) -> SignedBlock {
        if !self.misbehaving(ServeMisbehaviour::WeakJustifications) {
            return block;
        }
        if let Some(j) = block.justification.as_ref() {
            if let Ok(mut j) = hm_consensus_bft::Justification::from_primitive(j) {
                j.precommits.truncate(1);
                block.justification = Some(j.to_primitive());
            }
        }
        block
    }

    /// Set once the engine exists (the network starts first).
    pub fn set_vote_source(&self, votes: VoteSource) {
        let _ = self.votes.set(votes);
    }
}

impl SyncProvider for ChainProvider {
    fn status(&self) -> ChainStatus {
        let info = self.client.chain_info();
        #[cfg(feature = "byzantine")]
        if self.misbehaving(ServeMisbehaviour::LyingSync) {
            return ChainStatus {
                genesis_hash: info.genesis_hash,
                best_number: LYING_SYNC_HEIGHT,
                best_hash: H256([0xee; 32]),
                finalized_number: LYING_SYNC_HEIGHT,
                finalized_hash: H256([0xee; 32]),
            };
        }
        ChainStatus {
            genesis_hash: info.genesis_hash,
            best_number: info.best_number,
            best_hash: info.best_hash,
            finalized_number: info.finalized_number,
            finalized_hash: info.finalized_hash,
        }
    }

    /// Finalized blocks only: a justification is what lets the receiver trust them.
    fn blocks(&self, from: u64, max: u32) -> Vec<Vec<u8>> {
        #[cfg(feature = "byzantine")]
        if self.misbehaving(ServeMisbehaviour::LyingSync) {
            return Vec::new();
        }
        let finalized = self.client.chain_info().finalized_number;
        let db = self.client.db();
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let last = from.saturating_add(u64::from(max.min(hm_network::MAX_BLOCKS_PER_RESPONSE)));
        for number in from.max(1)..last.min(finalized.saturating_add(1)) {
            let block: SignedBlock = match db.hash_by_number(number).and_then(|h| match h {
                Some(h) => db.signed_block(&h),
                None => Ok(None),
            }) {
                Ok(Some(block)) => block,
                _ => break,
            };
            #[cfg(feature = "byzantine")]
            let block = self.weaken(block);
            let encoded = block.encode();
            bytes = bytes.saturating_add(encoded.len());
            if bytes > hm_network::MAX_RESPONSE_BYTES && !out.is_empty() {
                break;
            }
            out.push(encoded);
        }
        out
    }

    fn votes(&self, height: u64, round: u32, step: u8, block_hash: Option<H256>) -> Vec<Vec<u8>> {
        match self.votes.get() {
            Some(source) => source(height, round, step, block_hash),
            None => Vec::new(),
        }
    }
}
