//! Catch-up sync: a node behind its peers downloads finalized blocks with their
//! justifications by range, and imports them through the one import path (which
//! verifies header, proofs, justification and state root). A peer that serves a bad
//! block is reported and the range is asked of another.
use hm_client::Client;
use hm_network::{ChainStatus, NetworkHandle, PeerId, SyncProvider, SyncRequest, SyncResponse};
use hm_primitives::{decode_untrusted, SignedBlock, H256};
use parity_scale_codec::Encode;
use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, OnceLock,
    },
    time::{Duration, Instant},
};

/// Blocks asked for per request; the server caps it too.
const BLOCKS_PER_REQUEST: u32 = 64;
/// How often peers are asked for their status while idle.
const STATUS_INTERVAL: Duration = Duration::from_millis(1000);
/// How long a status request may take.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);
/// A block one behind a peer is normally being committed by the engine right now; sync
/// fetches it only if it is still missing after this long.
const ONE_BEHIND_GRACE: Duration = Duration::from_millis(1500);
/// How often progress is logged while syncing.
const LOG_INTERVAL: Duration = Duration::from_secs(3);

/// Serves votes for `SyncRequest::Votes`: the BFT engine's `votes_for`.
pub type VoteSource = Arc<dyn Fn(u64, u32, u8, Option<H256>) -> Vec<Vec<u8>> + Send + Sync>;

/// Answers peers' sync requests from the local chain.
pub struct ChainProvider {
    client: Arc<Client>,
    votes: OnceLock<VoteSource>,
    #[cfg(feature = "byzantine")]
    weak_justifications: AtomicBool,
}

impl ChainProvider {
    pub fn new(client: Arc<Client>) -> Self {
        ChainProvider {
            client,
            votes: OnceLock::new(),
            #[cfg(feature = "byzantine")]
            weak_justifications: AtomicBool::new(false),
        }
    }

    /// Test builds only: serve justifications cut down to one precommit.
    #[cfg(feature = "byzantine")]
    pub fn set_weak_justifications(&self, on: bool) {
        self.weak_justifications.store(on, Ordering::Relaxed);
    }

    #[cfg(feature = "byzantine")]
    fn weaken(&self, mut block: SignedBlock) -> SignedBlock {
        if !self.weak_justifications.load(Ordering::Relaxed) {
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
        let finalized = self.client.chain_info().finalized_number;
        let db = self.client.db();
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let last = from.saturating_add(u64::from(max.min(hm_network::MAX_BLOCKS_PER_RESPONSE)));
        for number in from.max(1)..last.min(finalized.saturating_add(1)) {
            let block = match db.hash_by_number(number).and_then(|h| match h {
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

/// Sync progress for `system_syncState` and `system_health`.
#[derive(Default)]
pub struct SyncProgress {
    starting: AtomicU64,
    highest: AtomicU64,
    syncing: AtomicBool,
}

impl SyncProgress {
    pub fn is_syncing(&self) -> bool {
        self.syncing.load(Ordering::Relaxed)
    }

    pub fn starting_block(&self) -> u64 {
        self.starting.load(Ordering::Relaxed)
    }

    /// Highest finalized block any peer reported (at least our own).
    pub fn highest_block(&self, ours: u64) -> u64 {
        self.highest.load(Ordering::Relaxed).max(ours)
    }
}

/// Follow peers until the task is dropped.
pub async fn run(client: Arc<Client>, network: NetworkHandle, progress: Arc<SyncProgress>) {
    progress
        .starting
        .store(client.chain_info().finalized_number, Ordering::Relaxed);
    let mut last_log = Instant::now();
    let mut window = (Instant::now(), client.chain_info().finalized_number);
    // When we first saw ourselves exactly one block behind, and at which block.
    let mut one_behind: Option<(u64, Instant)> = None;
    loop {
        let Some((peer, status)) = best_peer(&network).await else {
            progress.syncing.store(false, Ordering::Relaxed);
            tokio::time::sleep(STATUS_INTERVAL).await;
            continue;
        };
        progress
            .highest
            .fetch_max(status.finalized_number, Ordering::Relaxed);
        let ours = client.chain_info();
        let lag = status
            .finalized_number
            .saturating_sub(ours.finalized_number);
        if lag != 1 || one_behind.is_some_and(|(at, _)| at != ours.finalized_number) {
            one_behind = None;
        }
        let wait_for_engine = lag == 1
            && one_behind
                .get_or_insert((ours.finalized_number, Instant::now()))
                .1
                .elapsed()
                < ONE_BEHIND_GRACE;
        if lag == 0 || wait_for_engine {
            progress.syncing.store(false, Ordering::Relaxed);
            tokio::time::sleep(if lag == 0 {
                STATUS_INTERVAL
            } else {
                STATUS_INTERVAL / 4
            })
            .await;
            continue;
        }
        // One block behind is normal while a height is being decided; further is syncing.
        progress.syncing.store(
            status.finalized_number > ours.finalized_number + 1,
            Ordering::Relaxed,
        );
        let request = SyncRequest::Blocks {
            from: ours.best_number + 1,
            max: BLOCKS_PER_REQUEST,
        };
        match network.request(peer, request).await {
            Ok(SyncResponse::Blocks(blocks)) if !blocks.is_empty() => {
                import_range(&client, &network, peer, blocks).await;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => {
                tracing::debug!(%peer, "block request failed: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        if last_log.elapsed() >= LOG_INTERVAL {
            let now = client.chain_info().finalized_number;
            let rate = (now.saturating_sub(window.1)) as f64 / window.0.elapsed().as_secs_f64();
            tracing::info!(
                "⚙️  syncing #{now} of #{} ({rate:.1} blocks/s)",
                progress.highest_block(now)
            );
            window = (Instant::now(), now);
            last_log = Instant::now();
        }
    }
}

/// The connected peer with the highest finalized block, asking each for a fresh status
/// at once; a peer that does not answer in time (paused, overloaded) is passed over.
async fn best_peer(network: &NetworkHandle) -> Option<(PeerId, ChainStatus)> {
    let asks = network.peers().await.into_iter().map(|peer| async move {
        let answer = tokio::time::timeout(
            STATUS_TIMEOUT,
            network.request(peer.peer_id, SyncRequest::Status),
        )
        .await;
        match answer {
            Ok(Ok(SyncResponse::Status(status))) => Some((peer.peer_id, status)),
            _ => None,
        }
    });
    futures::future::join_all(asks)
        .await
        .into_iter()
        .flatten()
        .max_by_key(|(_, status)| status.finalized_number)
}

/// Decode and import `blocks` in order; stop at the first bad one and report the peer.
async fn import_range(
    client: &Arc<Client>,
    network: &NetworkHandle,
    peer: PeerId,
    blocks: Vec<Vec<u8>>,
) {
    let client = client.clone();
    // Import verifies proofs and executes: keep it off the async workers.
    let outcome = tokio::task::spawn_blocking(move || {
        for bytes in blocks {
            let block: SignedBlock = match decode_untrusted(&bytes, hm_network::MAX_RESPONSE_BYTES)
            {
                Ok(b) => b,
                Err(e) => return Err(format!("undecodable block: {e}")),
            };
            let number = block.block.header.number;
            if block.justification.is_none() {
                return Err(format!("block #{number} came without a justification"));
            }
            match client.import_block(block, true) {
                Ok(_) => {}
                // The engine imported it meanwhile (or an earlier response did).
                Err(hm_client::ImportError::NotNext { best_number, .. })
                    if best_number >= number => {}
                Err(e) => return Err(format!("block #{number} rejected: {e}")),
            }
        }
        Ok(())
    })
    .await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(reason)) => {
            tracing::warn!(%peer, "sync: {reason}");
            network.report_peer(peer, &reason);
        }
        Err(e) => tracing::error!("sync import task failed: {e}"),
    }
}
