//! Starting the network and the swarm task's main loop: commands from handles, swarm
//! events, periodic status refresh and discovery, and the bounded event channel.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::core::Transport as _;
use libp2p::gossipsub::{MessageAcceptance, PublishError};
use libp2p::request_response::{OutboundRequestId, ResponseChannel};
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::{noise, tcp, yamux, Multiaddr, PeerId, StreamProtocol, Swarm};
use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;

use crate::behaviour::Behaviour;
use crate::config::{peer_id_of, NetworkConfig};
use crate::error::{NetworkError, RequestError};
use crate::handle::{Command, Counters, NetworkEvent, NetworkHandle, PeerInfo, Verdict};
use crate::ip_guard::ip_of;
use crate::key::load_or_create_node_key;
use crate::loopback_only::DialPolicy;
use crate::protocol::{sync_protocol, Topics};
use crate::sync::{
    ChainStatus, Refused, ServeLimits, ServeQueue, SyncProvider, SyncRequest, SyncResponse,
};

/// Capacity of the handle-to-swarm command channel.
const COMMAND_CHANNEL_CAPACITY: usize = 8192;
/// Control events (connects, disconnects, statuses) waiting for room in the event channel.
const MAX_PENDING_CONTROL_EVENTS: usize = 4096;
/// How often deferred sync requests are looked at again (budgets refill meanwhile).
const SERVE_TICK: Duration = Duration::from_millis(100);
/// A connection nobody uses is closed after this long; discovery re-dials if needed.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(3600);
/// Gossip score penalty (application-specific, P5) per `report_peer`.
const REPORT_SCORE_PENALTY: f64 = -30.0;

/// Start the network on the current tokio runtime: load (or create) the node key, listen,
/// dial the bootnodes, and spawn the swarm task.
pub fn start(
    config: NetworkConfig,
    provider: Arc<dyn SyncProvider>,
) -> Result<(NetworkHandle, mpsc::Receiver<NetworkEvent>), NetworkError> {
    config.validate()?;
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| NetworkError::NoRuntime)?;
    let key = load_or_create_node_key(&config.node_key_path)?;
    let local_peer_id = key.public().to_peer_id();
    let topics = Topics::new(&config.genesis_hash);

    let counters = Arc::new(Counters::default());
    let bad_sync_requests = counters.bad_sync_requests.clone();
    // TCP (noise + yamux) and QUIC, as `with_tcp` and `with_quic` build them, each behind
    // the dial policy (a loopback node stays on the machine).
    let policy = DialPolicy::for_config(&config);
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_other_transport(|key| {
            // libp2p's builder takes a fallible constructor only with a boxed error.
            let noise = noise::Config::new(key)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            let tcp = tcp::tokio::Transport::new(tcp::Config::default().nodelay(true))
                .upgrade(libp2p::core::upgrade::Version::V1Lazy)
                .authenticate(noise)
                .multiplex(yamux::Config::default());
            Ok(policy.wrap(tcp))
        })
        .map_err(|e| NetworkError::Transport(e.to_string()))?
        .with_other_transport(|key| {
            policy.wrap(libp2p::quic::tokio::Transport::new(
                libp2p::quic::Config::new(key),
            ))
        })
        .map_err(|e| NetworkError::Transport(e.to_string()))?
        .with_behaviour(|key| Behaviour::new(key, &config, &topics, bad_sync_requests.clone()))
        .map_err(|e| NetworkError::Transport(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build();

    let mut listen = vec![config.tcp_listen_addr()];
    if config.enable_quic {
        listen.push(config.quic_listen_addr());
    }
    for addr in listen {
        swarm
            .listen_on(addr.clone())
            .map_err(|e| NetworkError::Listen {
                addr: addr.to_string(),
                reason: e.to_string(),
            })?;
    }

    let (command_tx, command_rx) = mpsc::channel(COMMAND_CHANNEL_CAPACITY);
    let (event_tx, event_rx) = mpsc::channel(config.event_channel_capacity);
    let (served_tx, served_rx) = mpsc::unbounded_channel();

    let mut service = Service {
        sync_protocol: sync_protocol(&config.genesis_hash),
        swarm,
        topics,
        provider,
        commands: command_rx,
        events: event_tx,
        pending_events: VecDeque::new(),
        served_tx,
        served_rx,
        serve_queue: ServeQueue::new(ServeLimits::with_max_wait(config.request_timeout / 2)),
        pending_requests: HashMap::new(),
        peers: HashMap::new(),
        bans: HashMap::new(),
        offenders: HashMap::new(),
        counters: counters.clone(),
        config,
    };
    service.dial_bootnodes();
    if service.config.enable_discovery && !service.config.bootnodes.is_empty() {
        let _ = service.swarm.behaviour_mut().kad.bootstrap();
    }
    runtime.spawn(service.run());

    tracing::info!(peer_id = %local_peer_id, "Network started");
    Ok((
        NetworkHandle {
            local_peer_id,
            commands: command_tx,
            counters,
        },
        event_rx,
    ))
}

/// A connected peer.
pub(crate) struct PeerEntry {
    pub address: Multiaddr,
    pub inbound: bool,
    pub status: Option<ChainStatus>,
    /// `PeerConnected` was sent (the peer passed the chain check or did not answer it).
    pub announced: bool,
    pub status_probe_pending: bool,
}

pub(crate) enum PendingRequest {
    Caller {
        request: SyncRequest,
        reply: oneshot::Sender<Result<SyncResponse, RequestError>>,
    },
    StatusProbe,
}

/// A sync response computed on a blocking thread, on its way back to the swarm.
pub(crate) struct Served {
    pub peer: PeerId,
    pub channel: ResponseChannel<SyncResponse>,
    /// `None` if the provider panicked.
    pub response: Option<SyncResponse>,
    /// Encoded size of `response`, charged to the peer's serving budget.
    pub bytes: usize,
}

/// An inbound sync request waiting for a serving slot and its peer's budget.
pub(crate) type QueuedServe = (SyncRequest, ResponseChannel<SyncResponse>);

pub(crate) struct Service {
    pub config: NetworkConfig,
    pub sync_protocol: StreamProtocol,
    pub swarm: Swarm<Behaviour>,
    pub topics: Topics,
    pub provider: Arc<dyn SyncProvider>,
    pub commands: mpsc::Receiver<Command>,
    pub events: mpsc::Sender<NetworkEvent>,
    /// Control events waiting for room in `events`; gossip is never queued here.
    pub pending_events: VecDeque<NetworkEvent>,
    pub served_tx: mpsc::UnboundedSender<Served>,
    pub served_rx: mpsc::UnboundedReceiver<Served>,
    pub serve_queue: ServeQueue<QueuedServe>,
    pub pending_requests: HashMap<OutboundRequestId, PendingRequest>,
    pub peers: HashMap<PeerId, PeerEntry>,
    /// Banned peers and when their ban ends.
    pub bans: HashMap<PeerId, Instant>,
    /// Peers banned through `report_peer`, by the address they came from, while banned.
    pub offenders: HashMap<IpAddr, HashSet<PeerId>>,
    pub counters: Arc<Counters>,
}

impl Service {
    async fn run(mut self) {
        let mut status_tick = tokio::time::interval(self.config.status_interval);
        status_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut discovery_tick = tokio::time::interval(self.config.discovery_interval);
        discovery_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut serve_tick = tokio::time::interval(SERVE_TICK);
        serve_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    Some(command) => self.on_command(command),
                    None => break,
                },
                Some(served) = self.served_rx.recv() => self.on_served(served),
                // An owned permit, so the select output does not borrow `self.events`.
                permit = self.events.clone().reserve_owned(), if !self.pending_events.is_empty() => {
                    match (permit, self.pending_events.pop_front()) {
                        (Ok(permit), Some(event)) => {
                            permit.send(event);
                        }
                        // The node dropped its receiver: nobody listens any more.
                        (Err(_), _) => self.pending_events.clear(),
                        (Ok(_), None) => {}
                    }
                }
                _ = status_tick.tick() => self.refresh_statuses(),
                _ = discovery_tick.tick() => self.on_discovery_tick(),
                _ = serve_tick.tick() => self.on_serve_tick(),
            }
        }
        tracing::info!("Network stopped: every handle was dropped");
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Publish { topic, data } => {
                let ident = self.topics.ident(topic).clone();
                match self.swarm.behaviour_mut().gossipsub.publish(ident, data) {
                    Ok(_) => {}
                    Err(PublishError::NoPeersSubscribedToTopic) => {
                        tracing::debug!(?topic, "Nobody to publish to")
                    }
                    Err(PublishError::Duplicate) => tracing::debug!(?topic, "Already published"),
                    Err(e) => tracing::warn!(?topic, "Publish failed: {e}"),
                }
            }
            Command::Validation {
                id,
                source,
                verdict,
            } => {
                let acceptance = match verdict {
                    Verdict::Accept => MessageAcceptance::Accept,
                    Verdict::Reject => MessageAcceptance::Reject,
                    Verdict::Ignore => MessageAcceptance::Ignore,
                };
                let gossipsub = &mut self.swarm.behaviour_mut().gossipsub;
                gossipsub.report_message_validation_result(&id, &source, acceptance);
                if verdict == Verdict::Reject {
                    let score = gossipsub.peer_score(&source).unwrap_or(0.0);
                    tracing::warn!(peer = %source, score, "Penalised peer for an invalid gossip message");
                }
            }
            Command::ReportPeer { peer, reason } => {
                let gossipsub = &mut self.swarm.behaviour_mut().gossipsub;
                let score = gossipsub.peer_score(&peer).unwrap_or(0.0);
                gossipsub.set_application_score(&peer, score.min(0.0) + REPORT_SCORE_PENALTY);
                let ip = self
                    .peers
                    .get(&peer)
                    .and_then(|entry| ip_of(&entry.address));
                self.ban(peer, &format!("reported: {reason}"));
                if let Some(ip) = ip {
                    self.count_offence(ip, peer);
                }
            }
            Command::Request {
                peer,
                request,
                reply,
            } => {
                if !self.peers.contains_key(&peer) {
                    let _ = reply.send(Err(RequestError::NotConnected));
                    return;
                }
                let id = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_request(&peer, request.clone());
                self.pending_requests
                    .insert(id, PendingRequest::Caller { request, reply });
            }
            Command::ListenAddrs(reply) => {
                let _ = reply.send(self.swarm.listeners().cloned().collect());
            }
            Command::Peers(reply) => {
                let gossipsub = &self.swarm.behaviour().gossipsub;
                let peers = self
                    .peers
                    .iter()
                    .filter(|(_, entry)| entry.announced)
                    .map(|(peer, entry)| PeerInfo {
                        peer_id: *peer,
                        address: entry.address.clone(),
                        inbound: entry.inbound,
                        status: entry.status.clone(),
                        gossip_score: gossipsub.peer_score(peer),
                    })
                    .collect();
                let _ = reply.send(peers);
            }
            Command::Dial(addr) => {
                if let Err(e) = self.swarm.dial(addr.clone()) {
                    tracing::warn!(%addr, "Dial failed: {e}");
                }
            }
        }
    }

    /// Queue a control event for the node; never blocks the swarm.
    pub(crate) fn emit(&mut self, event: NetworkEvent) {
        if self.events.is_closed() {
            return;
        }
        if self.pending_events.is_empty() {
            match self.events.try_send(event) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Closed(_)) => return,
                Err(mpsc::error::TrySendError::Full(event)) => self.pending_events.push_back(event),
            }
        } else {
            self.pending_events.push_back(event);
        }
        if self.pending_events.len() > MAX_PENDING_CONTROL_EVENTS {
            self.pending_events.pop_front();
            tracing::warn!("Network event backlog full; dropped the oldest control event");
        }
    }

    /// Hand a gossip message to the node, or drop it (with an Ignore verdict, so gossipsub
    /// forgets it without penalising anyone) if the node is not keeping up.
    pub(crate) fn deliver_gossip(
        &mut self,
        event: NetworkEvent,
        id: libp2p::gossipsub::MessageId,
        source: PeerId,
    ) {
        match self.events.try_send(event) {
            Ok(()) => return,
            Err(mpsc::error::TrySendError::Full(_)) => {
                let dropped = self
                    .counters
                    .gossip_events_dropped
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if dropped.is_power_of_two() || dropped == 0 {
                    tracing::warn!(
                        total_dropped = dropped + 1,
                        "Node is slow to consume gossip; dropping messages"
                    );
                }
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
        self.swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(&id, &source, MessageAcceptance::Ignore);
    }

    pub(crate) fn on_served(&mut self, served: Served) {
        self.serve_queue
            .finished(served.peer, served.bytes, Instant::now());
        match served.response {
            Some(response) => {
                // Err means the peer went away or the request timed out meanwhile.
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_response(served.channel, response);
            }
            None => tracing::error!(peer = %served.peer, "Sync provider panicked; request dropped"),
        }
        self.start_ready_serves();
    }

    /// Queue an inbound sync request behind its peer's budget and turn; a peer with a full
    /// queue has the request dropped (it sees it fail).
    pub(crate) fn serve_request(
        &mut self,
        peer: PeerId,
        request: SyncRequest,
        channel: ResponseChannel<SyncResponse>,
    ) {
        if !self.peers.contains_key(&peer) {
            return;
        }
        match self
            .serve_queue
            .offer(peer, (request, channel), Instant::now())
        {
            Ok(()) => self.start_ready_serves(),
            Err(Refused::QueueFull) => {
                tracing::debug!(%peer, "Too many queued sync requests from peer; dropping one")
            }
        }
    }

    /// Drop queued requests of departed peers and those that waited too long, then start
    /// what budgets now allow.
    fn on_serve_tick(&mut self) {
        let peers = &self.peers;
        let dropped = self
            .serve_queue
            .prune(Instant::now(), |peer| peers.contains_key(peer));
        if dropped > 0 {
            tracing::debug!(
                dropped,
                queued = self.serve_queue.queued(),
                serving = self.serve_queue.serving(),
                "Dropped sync requests that waited too long or whose peer left"
            );
        }
        self.start_ready_serves();
    }

    /// Answer, each on a blocking thread, the queued requests that have a slot and budget.
    fn start_ready_serves(&mut self) {
        while let Some((peer, (request, channel))) = self.serve_queue.next_ready(Instant::now()) {
            let provider = self.provider.clone();
            let served_tx = self.served_tx.clone();
            tokio::task::spawn_blocking(move || {
                let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    crate::sync::serve(provider.as_ref(), request)
                }))
                .ok();
                let bytes = response
                    .as_ref()
                    .map_or(0, parity_scale_codec::Encode::encoded_size);
                let _ = served_tx.send(Served {
                    peer,
                    channel,
                    response,
                    bytes,
                });
            });
        }
    }

    pub(crate) fn probe_status(&mut self, peer: PeerId) {
        let Some(entry) = self.peers.get_mut(&peer) else {
            return;
        };
        if entry.status_probe_pending {
            return;
        }
        entry.status_probe_pending = true;
        let id = self
            .swarm
            .behaviour_mut()
            .sync
            .send_request(&peer, SyncRequest::Status);
        self.pending_requests
            .insert(id, PendingRequest::StatusProbe);
    }

    fn refresh_statuses(&mut self) {
        let peers: Vec<PeerId> = self.peers.keys().copied().collect();
        for peer in peers {
            self.probe_status(peer);
        }
    }

    /// Disconnect `peer` and refuse it until the ban ends.
    pub(crate) fn ban(&mut self, peer: PeerId, reason: &str) {
        if peer == *self.swarm.local_peer_id() {
            return;
        }
        let until = Instant::now() + self.config.ban_duration;
        self.bans.insert(peer, until);
        let behaviour = self.swarm.behaviour_mut();
        behaviour.blocked.block_peer(peer);
        behaviour.kad.remove_peer(&peer);
        Counters::bump(&self.counters.peers_banned);
        tracing::warn!(
            %peer,
            ban_secs = self.config.ban_duration.as_secs(),
            "Banning peer: {reason}"
        );
    }

    pub(crate) fn is_banned(&self, peer: &PeerId) -> bool {
        self.bans.contains_key(peer)
    }

    /// Count `peer`'s ban against the address it came from; at `ip_ban_threshold`
    /// distinct peers the address is banned, so fresh PeerIds from it are refused too.
    fn count_offence(&mut self, ip: IpAddr, peer: PeerId) {
        let Some(threshold) = self.config.ip_ban_threshold else {
            return;
        };
        let offenders = self.offenders.entry(ip).or_default();
        offenders.insert(peer);
        let count = u32::try_from(offenders.len()).unwrap_or(u32::MAX);
        if count >= threshold {
            self.offenders.remove(&ip);
            self.ban_ip(ip, &format!("{count} peers from it were banned"));
        }
    }

    /// Refuse connections from `ip`, and close those it has, until the ban ends.
    pub(crate) fn ban_ip(&mut self, ip: IpAddr, reason: &str) {
        let until = Instant::now() + self.config.ban_duration;
        self.swarm.behaviour_mut().ip_guard.ban(ip, until);
        Counters::bump(&self.counters.ips_banned);
        tracing::warn!(
            %ip,
            ban_secs = self.config.ban_duration.as_secs(),
            "Banning address: {reason}"
        );
    }

    fn on_discovery_tick(&mut self) {
        let now = Instant::now();
        let expired: Vec<PeerId> = self
            .bans
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(peer, _)| *peer)
            .collect();
        for peer in expired {
            self.bans.remove(&peer);
            self.swarm.behaviour_mut().blocked.unblock_peer(peer);
            tracing::debug!(%peer, "Ban expired");
        }
        // An address's offences count only while the peers behind them stay banned.
        let bans = &self.bans;
        self.offenders.retain(|_, peers| {
            peers.retain(|peer| bans.contains_key(peer));
            !peers.is_empty()
        });
        for ip in self.swarm.behaviour_mut().ip_guard.expire_bans(now) {
            tracing::debug!(%ip, "Address ban expired");
        }
        if !self.has_free_slot() {
            return;
        }
        self.dial_bootnodes();
        if self.config.enable_discovery {
            // A random walk: the query itself contacts new peers, and every peer it adds
            // to the routing table is dialed (see on_kad_event).
            self.swarm
                .behaviour_mut()
                .kad
                .get_closest_peers(PeerId::random());
        }
    }

    /// Whether an outbound slot is free: inbound connections never take these.
    pub(crate) fn has_free_slot(&self) -> bool {
        let outbound = self.peers.values().filter(|entry| !entry.inbound).count();
        u32::try_from(outbound).is_ok_and(|n| n < self.config.max_outbound)
    }

    fn dial_bootnodes(&mut self) {
        for addr in self.config.bootnodes.clone() {
            let Ok(peer) = peer_id_of(&addr) else {
                continue;
            };
            if self.config.enable_discovery {
                self.swarm
                    .behaviour_mut()
                    .kad
                    .add_address(&peer, without_p2p(&addr));
            }
            self.dial_peer(peer, vec![addr]);
        }
    }

    /// Dial a peer at the given addresses and those the behaviours know for it (Kademlia,
    /// mDNS, identify), unless it is us, banned, connected or being dialed.
    pub(crate) fn dial_peer(&mut self, peer: PeerId, addresses: Vec<Multiaddr>) {
        if peer == *self.swarm.local_peer_id()
            || self.is_banned(&peer)
            || self.swarm.is_connected(&peer)
            || !self.has_free_slot()
        {
            return;
        }
        let opts = DialOpts::peer_id(peer)
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .addresses(addresses)
            .extend_addresses_through_behaviour()
            .build();
        if let Err(e) = self.swarm.dial(opts) {
            tracing::debug!(%peer, "Not dialing: {e}");
        }
    }
}

/// `addr` without its trailing `/p2p/<peer id>`.
pub(crate) fn without_p2p(addr: &Multiaddr) -> Multiaddr {
    addr.iter()
        .filter(|p| !matches!(p, libp2p::multiaddr::Protocol::P2p(_)))
        .collect()
}
