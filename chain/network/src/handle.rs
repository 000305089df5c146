//! The node's side of the network: a cheap, cloneable handle that talks to the swarm task
//! over a bounded channel, and the events the swarm task sends back.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use libp2p::gossipsub::MessageId;
use libp2p::{Multiaddr, PeerId};
use tokio::sync::{mpsc, oneshot};

use crate::error::RequestError;
use crate::protocol::GossipTopic;
use crate::sync::{ChainStatus, SyncRequest, SyncResponse};

/// The application's judgement of a gossip message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Valid: forward it to other peers.
    Accept,
    /// Provably invalid (bad signature, malformed, wrong chain): drop it and penalise the
    /// peer that sent it. Use only for messages no honest node would relay.
    Reject,
    /// Not useful now (stale, duplicate, pool full): drop it without penalty.
    Ignore,
}

/// What the network tells the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkEvent {
    /// A gossip message awaiting the node's verdict through `report_validation`.
    Gossip {
        topic: GossipTopic,
        data: Vec<u8>,
        id: MessageId,
        source: PeerId,
    },
    /// A peer of this chain is connected. `status` is `None` if it did not answer the
    /// status request in time; a later `PeerStatus` fills it in.
    PeerConnected {
        peer: PeerId,
        status: Option<ChainStatus>,
    },
    PeerDisconnected(PeerId),
    /// A connected peer's chain status changed.
    PeerStatus {
        peer: PeerId,
        status: ChainStatus,
    },
}

/// A connected peer as the network sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerInfo {
    pub peer_id: PeerId,
    /// The remote address of the connection.
    pub address: Multiaddr,
    /// Whether the peer dialed us.
    pub inbound: bool,
    pub status: Option<ChainStatus>,
    /// Gossipsub score (diagnostics only; below -80 the peer is graylisted).
    pub gossip_score: Option<f64>,
}

/// Counters for metrics and tests. Monotonic since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetworkStats {
    /// Gossip messages dropped because the node consumed events too slowly.
    pub gossip_events_dropped: u64,
    /// Commands (publish, verdicts, reports) dropped because the swarm task was saturated.
    pub commands_dropped: u64,
    /// Inbound connections refused by the connection limits or a ban.
    pub connections_denied: u64,
    /// Peers disconnected for being on another chain.
    pub genesis_mismatches: u64,
    /// Inbound sync requests that failed (malformed, oversized, timed out).
    pub bad_sync_requests: u64,
    /// Peers banned through `report_peer` or for a genesis mismatch.
    pub peers_banned: u64,
    /// IP addresses banned after several peers from them were reported.
    pub ips_banned: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub gossip_events_dropped: AtomicU64,
    pub commands_dropped: AtomicU64,
    pub connections_denied: AtomicU64,
    pub genesis_mismatches: AtomicU64,
    /// Shared with the sync codec, which sees malformed requests first.
    pub bad_sync_requests: Arc<AtomicU64>,
    pub peers_banned: AtomicU64,
    pub ips_banned: AtomicU64,
    /// Peers of this chain currently connected (those announced with `PeerConnected`).
    pub peer_count: AtomicUsize,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> NetworkStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        NetworkStats {
            gossip_events_dropped: get(&self.gossip_events_dropped),
            commands_dropped: get(&self.commands_dropped),
            connections_denied: get(&self.connections_denied),
            genesis_mismatches: get(&self.genesis_mismatches),
            bad_sync_requests: get(&self.bad_sync_requests),
            peers_banned: get(&self.peers_banned),
            ips_banned: get(&self.ips_banned),
        }
    }
}

pub(crate) enum Command {
    Publish {
        topic: GossipTopic,
        data: Vec<u8>,
    },
    Validation {
        id: MessageId,
        source: PeerId,
        verdict: Verdict,
    },
    ReportPeer {
        peer: PeerId,
        reason: String,
    },
    Request {
        peer: PeerId,
        request: SyncRequest,
        reply: oneshot::Sender<Result<SyncResponse, RequestError>>,
    },
    ListenAddrs(oneshot::Sender<Vec<Multiaddr>>),
    Peers(oneshot::Sender<Vec<PeerInfo>>),
    Dial(Multiaddr),
}

/// Cloneable handle to the running network. The swarm task stops when every handle is dropped.
#[derive(Clone)]
pub struct NetworkHandle {
    pub(crate) local_peer_id: PeerId,
    pub(crate) commands: mpsc::Sender<Command>,
    pub(crate) counters: Arc<Counters>,
}

impl NetworkHandle {
    pub fn local_peer_id(&self) -> PeerId {
        self.local_peer_id
    }

    /// The addresses the node listens on, without the `/p2p/` suffix.
    pub async fn listen_addrs(&self) -> Vec<Multiaddr> {
        self.ask(Command::ListenAddrs).await.unwrap_or_default()
    }

    /// Publish on a topic. Fire-and-forget: failures (no peers, too large, duplicate) are
    /// logged by the swarm task. Our own messages are not delivered back to us.
    pub fn publish(&self, topic: GossipTopic, data: Vec<u8>) {
        self.send_now(Command::Publish { topic, data });
    }

    /// The verdict on a `NetworkEvent::Gossip`. Must be given once per message; until then
    /// the message is not forwarded.
    pub fn report_validation(&self, id: MessageId, source: PeerId, verdict: Verdict) {
        self.send_now(Command::Validation {
            id,
            source,
            verdict,
        });
    }

    /// Misbehaviour outside gossip (e.g. a synced block that fails verification): the peer
    /// is disconnected and banned for `NetworkConfig::ban_duration`, and its gossip score is
    /// lowered. Once `NetworkConfig::ip_ban_threshold` peers from one IP address are banned,
    /// the address is banned as well. The reason is logged.
    pub fn report_peer(&self, peer: PeerId, reason: &str) {
        self.send_now(Command::ReportPeer {
            peer,
            reason: reason.to_string(),
        });
    }

    /// Send a sync request to a connected peer and wait for its response (bounded by
    /// `NetworkConfig::request_timeout`). Responses of the wrong kind are errors.
    pub async fn request(
        &self,
        peer: PeerId,
        request: SyncRequest,
    ) -> Result<SyncResponse, RequestError> {
        let (reply, rx) = oneshot::channel();
        self.commands
            .send(Command::Request {
                peer,
                request,
                reply,
            })
            .await
            .map_err(|_| RequestError::NetworkStopped)?;
        rx.await.unwrap_or(Err(RequestError::NetworkStopped))
    }

    /// Connected peers of this chain.
    pub async fn peers(&self) -> Vec<PeerInfo> {
        self.ask(Command::Peers).await.unwrap_or_default()
    }

    /// Number of connected peers of this chain; cheap (an atomic read).
    pub fn peer_count(&self) -> usize {
        self.counters.peer_count.load(Ordering::Relaxed)
    }

    pub fn stats(&self) -> NetworkStats {
        self.counters.snapshot()
    }

    /// Dial an address given by the operator (it should end in `/p2p/<peer id>`).
    pub fn dial(&self, addr: Multiaddr) {
        self.send_now(Command::Dial(addr));
    }

    fn send_now(&self, command: Command) {
        match self.commands.try_send(command) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                Counters::bump(&self.counters.commands_dropped);
                tracing::warn!("Network command queue full; command dropped");
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                tracing::debug!("Network stopped; command dropped");
            }
        }
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(make(tx)).await.ok()?;
        rx.await.ok()
    }
}
