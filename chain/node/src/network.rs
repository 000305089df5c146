//! The node's side of libp2p: gossip messages go to the pool or the BFT engine and their
//! verdicts go back to gossipsub (a Reject lowers the sender's score); the engine's
//! broadcasts and vote requests go out on the network.
use crate::cli::RunArgs;
use crate::tx_gossip::{encode_batch, judge_batch, PeerBudget, RelayBudgets};
use futures::future::{join_all, BoxFuture};
use hm_client_api::TransactionPoolApi;
use hm_consensus::{ConsensusNetwork, EngineHandle, GossipVerdict, PeerRef, VoteReply};
use hm_network::{
    GossipTopic, NetworkConfig, NetworkEvent, NetworkHandle, PeerId, SyncRequest, SyncResponse,
    Verdict, DEFAULT_MAX_INBOUND_PER_IP,
};
use hm_primitives::H256;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};

/// Proposals checked at once: each executes a whole block.
const CONCURRENT_PROPOSALS: usize = 4;
/// Votes and transaction batches checked at once: each verifies Falcon signatures.
const CONCURRENT_SMALL_MESSAGES: usize = 512;
/// Peers asked for votes when the engine misses some.
const VOTE_REQUEST_FANOUT: usize = 8;
/// How long a vote request may take before its answer no longer helps the round.
const VOTE_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// The engine's outbound side over gossipsub and the sync protocol.
pub(crate) struct GossipNetwork {
    pub network: NetworkHandle,
}

impl ConsensusNetwork for GossipNetwork {
    fn broadcast_proposal(&self, encoded: Vec<u8>) {
        self.network.publish(GossipTopic::Proposals, encoded);
    }

    fn broadcast_vote(&self, encoded: Vec<u8>) {
        self.network.publish(GossipTopic::Votes, encoded);
    }

    fn broadcast_transaction(&self, encoded: Vec<u8>) {
        self.network
            .publish(GossipTopic::Transactions, encode_batch(&[encoded]));
    }

    fn request_votes(
        &self,
        height: u64,
        round: u32,
        step: u8,
        block: Option<H256>,
    ) -> BoxFuture<'static, Vec<VoteReply>> {
        let network = self.network.clone();
        Box::pin(async move {
            let peers = network.peers().await;
            let asks = peers.into_iter().take(VOTE_REQUEST_FANOUT).map(|peer| {
                let network = network.clone();
                async move {
                    let request = SyncRequest::Votes {
                        height,
                        round,
                        step,
                        block_hash: block,
                    };
                    let answer = tokio::time::timeout(
                        VOTE_REQUEST_TIMEOUT,
                        network.request(peer.peer_id, request),
                    )
                    .await;
                    match answer {
                        Ok(Ok(SyncResponse::Votes(votes))) => Some(VoteReply {
                            peer: PeerRef(peer.peer_id.to_bytes()),
                            votes,
                        }),
                        _ => None,
                    }
                }
            });
            join_all(asks).await.into_iter().flatten().collect()
        })
    }

    fn report_peer(&self, peer: &PeerRef, reason: &str) {
        match PeerId::from_bytes(&peer.0) {
            Ok(peer) => self.network.report_peer(peer, reason),
            // Every PeerRef the engine holds came from `request_votes` above.
            Err(e) => tracing::error!("cannot report a peer the network did not name: {e}"),
        }
    }
}

/// Connection limits from the command line: `--in-peers`, `--out-peers`, `--max-peers`
/// and `--max-peers-per-ip`. The nodes of a test chain all share 127.0.0.1, so there it
/// has no cap per address by default, and an address is never banned (which would cut the
/// node off from every other).
pub(crate) fn apply_peer_limits(config: &mut NetworkConfig, args: &RunArgs, test_chain: bool) {
    let (inbound, outbound) = peer_slots(args.in_peers, args.out_peers, args.max_peers);
    config.max_inbound = inbound;
    config.max_outbound = outbound;
    config.max_inbound_per_ip = args
        .max_peers_per_ip
        .or((!test_chain).then_some(DEFAULT_MAX_INBOUND_PER_IP));
    if test_chain {
        config.ip_ban_threshold = None;
    }
}

/// (inbound, outbound) slots. `--max-peers` caps their sum, keeping outbound slots first:
/// those are the ones the node fills itself, so no dialer can crowd them out.
fn peer_slots(in_peers: u32, out_peers: u32, max_peers: Option<u32>) -> (u32, u32) {
    match max_peers {
        None => (in_peers, out_peers),
        Some(max) => {
            let outbound = out_peers.min(max);
            (in_peers.min(max.saturating_sub(outbound)), outbound)
        }
    }
}

fn engine_verdict(verdict: GossipVerdict, what: &str, source: &PeerId) -> Verdict {
    match verdict {
        GossipVerdict::Accept => Verdict::Accept,
        GossipVerdict::Ignore => Verdict::Ignore,
        GossipVerdict::Reject(reason) => {
            tracing::warn!(peer = %source, "🚫 rejected {what}: {reason}");
            Verdict::Reject
        }
    }
}

/// Judge every gossip message until the network stops. Each message is checked on its own
/// task, bounded per kind, so a slow block never delays votes; beyond the bound messages
/// are ignored (dropped without penalty), which is the back-pressure gossip allows.
pub(crate) fn spawn_gossip_handler(
    mut events: mpsc::Receiver<NetworkEvent>,
    network: NetworkHandle,
    pool: Arc<dyn TransactionPoolApi>,
    engine: Option<EngineHandle>,
) {
    let proposals = Arc::new(Semaphore::new(CONCURRENT_PROPOSALS));
    let small = Arc::new(Semaphore::new(CONCURRENT_SMALL_MESSAGES));
    let budgets = Arc::new(RelayBudgets::new());
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            match event {
                NetworkEvent::Gossip {
                    topic,
                    data,
                    id,
                    source,
                } => {
                    let limit = match topic {
                        GossipTopic::Proposals => &proposals,
                        _ => &small,
                    };
                    let Ok(permit) = limit.clone().try_acquire_owned() else {
                        network.report_validation(id, source, Verdict::Ignore);
                        continue;
                    };
                    let (network, pool, engine) = (network.clone(), pool.clone(), engine.clone());
                    let budget = budgets.of(source);
                    tokio::spawn(async move {
                        let verdict = judge(topic, data, &source, pool, engine, budget).await;
                        network.report_validation(id, source, verdict);
                        drop(permit);
                    });
                }
                NetworkEvent::PeerDisconnected(peer) => budgets.forget(&peer),
                // The network logs connections; sync asks peers for status itself.
                NetworkEvent::PeerConnected { .. } | NetworkEvent::PeerStatus { .. } => {}
            }
        }
    });
}

async fn judge(
    topic: GossipTopic,
    data: Vec<u8>,
    source: &PeerId,
    pool: Arc<dyn TransactionPoolApi>,
    engine: Option<EngineHandle>,
    budget: Arc<PeerBudget>,
) -> Verdict {
    match (topic, engine) {
        (GossipTopic::Transactions, _) => {
            let judged =
                tokio::task::spawn_blocking(move || judge_batch(pool.as_ref(), &data, &*budget));
            judged.await.unwrap_or(Verdict::Ignore)
        }
        (GossipTopic::Proposals, Some(engine)) => {
            engine_verdict(engine.on_proposal(data).await, "proposal", source)
        }
        (GossipTopic::Votes, Some(engine)) => {
            engine_verdict(engine.on_vote(data).await, "vote", source)
        }
        // A chain without the BFT engine has no consensus gossip to judge.
        (_, None) => Verdict::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::peer_slots;

    #[test]
    fn max_peers_caps_the_sum_keeping_outbound_slots_first() {
        assert_eq!(peer_slots(32, 16, None), (32, 16));
        assert_eq!(peer_slots(32, 16, Some(100)), (32, 16));
        assert_eq!(peer_slots(32, 16, Some(20)), (4, 16));
        // A node told to keep one peer dials it and takes nobody else.
        assert_eq!(peer_slots(32, 16, Some(1)), (0, 1));
        assert_eq!(peer_slots(32, 16, Some(0)), (0, 0));
    }
}
