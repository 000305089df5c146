//! The composed libp2p behaviour and the configuration of each part.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use libp2p::allow_block_list::{self, BlockedPeers};
use libp2p::gossipsub::{
    self, MessageAuthenticity, MessageId, PeerScoreParams, PeerScoreThresholds, TopicScoreParams,
    ValidationMode,
};
use libp2p::identity::Keypair;
use libp2p::kad::{self, store::MemoryStore, Mode, StoreInserts};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::NetworkBehaviour;
use libp2p::{connection_limits, identify, mdns, ping};

use crate::config::{NetworkConfig, MAX_TX_GOSSIP_BYTES, MAX_VOTE_GOSSIP_BYTES};
use crate::ip_guard::IpGuard;
use crate::protocol::{kad_protocol, sync_protocol, GossipTopic, Topics};
use crate::sync_codec::SyncCodec;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Score below which a peer gets no gossip from us.
pub const GOSSIP_THRESHOLD: f64 = -10.0;
/// Score below which we do not publish to a peer.
pub const PUBLISH_THRESHOLD: f64 = -50.0;
/// Score below which everything a peer sends on gossip is dropped unread.
pub const GRAYLIST_THRESHOLD: f64 = -80.0;

/// Identify's protocol family string.
const IDENTIFY_PROTOCOL_VERSION: &str = "/hm/1.0.0";

#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    // Bans and limits come first so that a denied connection never reaches the others.
    pub blocked: allow_block_list::Behaviour<BlockedPeers>,
    pub ip_guard: IpGuard,
    pub limits: connection_limits::Behaviour,
    pub identify: identify::Behaviour,
    pub ping: ping::Behaviour,
    pub kad: kad::Behaviour<MemoryStore>,
    pub mdns: Toggle<mdns::tokio::Behaviour>,
    pub gossipsub: gossipsub::Behaviour,
    pub sync: request_response::Behaviour<SyncCodec>,
}

impl Behaviour {
    pub(crate) fn new(
        key: &Keypair,
        config: &NetworkConfig,
        topics: &Topics,
        bad_sync_requests: Arc<AtomicU64>,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let local_peer_id = key.public().to_peer_id();
        let genesis = &config.genesis_hash;

        let limits = connection_limits::ConnectionLimits::default()
            .with_max_established_incoming(Some(config.max_inbound))
            .with_max_established_outgoing(Some(config.max_outbound))
            // One connection per peer: the limits then count peers.
            .with_max_established_per_peer(Some(1))
            .with_max_pending_incoming(Some(config.max_pending_incoming));

        let identify = identify::Behaviour::new(
            identify::Config::new(IDENTIFY_PROTOCOL_VERSION.to_string(), key.public())
                .with_agent_version(config.agent_version.clone())
                .with_push_listen_addr_updates(true),
        );

        let mut kad_config = kad::Config::new(kad_protocol(genesis));
        // We use Kademlia for peer discovery only: records from others are never stored.
        kad_config.set_record_filtering(StoreInserts::FilterBoth);
        kad_config.set_query_timeout(Duration::from_secs(30));
        if !config.enable_discovery {
            // With an empty routing table the node runs no queries (queries dial the peers
            // they learn about) but still answers those of others.
            kad_config.set_periodic_bootstrap_interval(None);
            kad_config.set_kbucket_inserts(kad::BucketInserts::Manual);
        }
        let mut kad =
            kad::Behaviour::with_config(local_peer_id, MemoryStore::new(local_peer_id), kad_config);
        // Server mode from the start: the auto mode waits for a confirmed external address,
        // which small and local networks never get, and then nobody could discover us.
        kad.set_mode(Some(Mode::Server));

        let mdns = if config.enable_mdns {
            Some(mdns::tokio::Behaviour::new(
                mdns::Config::default(),
                local_peer_id,
            )?)
        } else {
            None
        };

        let mut gossipsub = gossipsub::Behaviour::new(
            MessageAuthenticity::Signed(key.clone()),
            gossip_config(config, topics)?,
        )?;
        gossipsub.with_peer_score(score_params(topics), score_thresholds())?;
        for (_, topic) in topics.iter() {
            gossipsub.subscribe(topic)?;
        }

        let sync = request_response::Behaviour::with_codec(
            SyncCodec::default().counting_bad_requests(bad_sync_requests),
            [(sync_protocol(genesis), ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(config.request_timeout)
                .with_max_concurrent_streams(32),
        );

        Ok(Behaviour {
            blocked: allow_block_list::Behaviour::default(),
            ip_guard: IpGuard::new(config.max_inbound_per_ip),
            limits: connection_limits::Behaviour::new(limits),
            identify,
            ping: ping::Behaviour::new(ping::Config::new()),
            kad,
            mdns: Toggle::from(mdns),
            gossipsub,
            sync,
        })
    }
}

/// Content-addressed message ids: identical payloads are one message, whoever sends them.
pub(crate) fn message_id(data: &[u8]) -> MessageId {
    MessageId::from(blake3::hash(data).as_bytes().to_vec())
}

fn gossip_config(config: &NetworkConfig, topics: &Topics) -> Result<gossipsub::Config, String> {
    let mut builder = gossipsub::ConfigBuilder::default();
    builder
        .validation_mode(ValidationMode::Strict)
        .validate_messages()
        .message_id_fn(|message| message_id(&message.data))
        // The frame limit; per-topic limits below are tighter for small message kinds.
        .max_transmit_size(config.max_gossip_bytes)
        .max_transmit_size_for_topic(
            MAX_TX_GOSSIP_BYTES.min(config.max_gossip_bytes),
            topics.hash(GossipTopic::Transactions),
        )
        .max_transmit_size_for_topic(
            MAX_VOTE_GOSSIP_BYTES.min(config.max_gossip_bytes),
            topics.hash(GossipTopic::Votes),
        )
        .max_transmit_size_for_topic(config.max_gossip_bytes, topics.hash(GossipTopic::Proposals))
        .heartbeat_interval(config.gossip_heartbeat)
        .heartbeat_initial_delay(config.gossip_heartbeat)
        // Small validator networks: publish to every subscribed peer, not only the mesh.
        .flood_publish(true)
        .duplicate_cache_time(Duration::from_secs(120));
    builder.build().map_err(|e| e.to_string())
}

/// Peer scoring. The design point is P4: every message the application rejects costs its
/// propagation source `20 × count²`, and the count decays slowly (half-life about 2.3 min),
/// so three rejected messages drop a peer below the graylist threshold for about a minute
/// and repeated offences keep it there. Positive scores are small and capped so that good
/// history cannot buy room for invalid messages. P3 (mesh delivery rate) is off: votes and
/// proposals come in bursts, and a quiet but honest peer must not be penalised.
fn score_params(topics: &Topics) -> PeerScoreParams {
    let mut params = PeerScoreParams {
        topic_score_cap: 20.0,
        app_specific_weight: 1.0,
        ip_colocation_factor_weight: -5.0,
        ip_colocation_factor_threshold: 10.0,
        // Local testnets put every validator on one address.
        ip_colocation_factor_whitelist: HashSet::from([
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ]),
        behaviour_penalty_weight: -10.0,
        behaviour_penalty_threshold: 6.0,
        behaviour_penalty_decay: 0.9,
        decay_interval: Duration::from_secs(1),
        decay_to_zero: 0.01,
        retain_score: Duration::from_secs(3600),
        ..PeerScoreParams::default()
    };
    for (_, topic) in topics.iter() {
        params.topics.insert(topic.hash(), topic_score_params());
    }
    params
}

fn topic_score_params() -> TopicScoreParams {
    TopicScoreParams {
        topic_weight: 1.0,
        // P1: up to +3 for five minutes in the mesh.
        time_in_mesh_weight: 0.01,
        time_in_mesh_quantum: Duration::from_secs(1),
        time_in_mesh_cap: 300.0,
        // P2: up to +10 for being first to deliver valid messages.
        first_message_deliveries_weight: 0.5,
        first_message_deliveries_decay: 0.9,
        first_message_deliveries_cap: 20.0,
        // P3 / P3b off (see score_params).
        mesh_message_deliveries_weight: 0.0,
        mesh_failure_penalty_weight: 0.0,
        // P4: invalid messages.
        invalid_message_deliveries_weight: -20.0,
        invalid_message_deliveries_decay: 0.995,
        ..TopicScoreParams::default()
    }
}

fn score_thresholds() -> PeerScoreThresholds {
    PeerScoreThresholds {
        gossip_threshold: GOSSIP_THRESHOLD,
        publish_threshold: PUBLISH_THRESHOLD,
        graylist_threshold: GRAYLIST_THRESHOLD,
        // We do not use peer exchange; this keeps it unreachable for ordinary peers.
        accept_px_threshold: 100.0,
        opportunistic_graft_threshold: 5.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_primitives::H256;

    #[test]
    fn scoring_parameters_are_accepted_by_gossipsub() {
        let topics = Topics::new(&H256([4; 32]));
        score_params(&topics).validate().unwrap();
        score_thresholds().validate().unwrap();
    }

    #[test]
    fn three_rejections_graylist_even_a_peer_with_maximal_positive_score() {
        let p = topic_score_params();
        let max_positive = 20.0_f64; // topic_score_cap
        let penalty = |count: f64| p.invalid_message_deliveries_weight * count * count;
        assert!(penalty(3.0) + max_positive < GRAYLIST_THRESHOLD);
        // One mistake (e.g. a race) does not graylist.
        assert!(penalty(1.0) > GRAYLIST_THRESHOLD);
    }

    #[test]
    fn message_ids_address_content() {
        assert_eq!(message_id(b"abc"), message_id(b"abc"));
        assert_ne!(message_id(b"abc"), message_id(b"abd"));
    }
}
