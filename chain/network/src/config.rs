//! Network configuration, its defaults, and bootnode parsing.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use hm_primitives::H256;
use libp2p::multiaddr::Protocol;
use libp2p::Multiaddr;

use crate::error::NetworkError;

/// Default size cap of one proposal on gossip (a proposal carries a whole block).
pub const DEFAULT_MAX_GOSSIP_BYTES: usize = 4 * 1024 * 1024;
/// Size cap of one transaction on gossip: the largest extrinsic plus slack for framing.
pub const MAX_TX_GOSSIP_BYTES: usize = hm_primitives::MAX_EXTRINSIC_BYTES + 1024;
/// Size cap of one vote on gossip. A Falcon-1024 vote is about 1.5 KiB; this leaves room
/// for a vote that carries its signer's full public key.
pub const MAX_VOTE_GOSSIP_BYTES: usize = 64 * 1024;
/// Default number of connections peers opened to us (one per peer).
pub const DEFAULT_MAX_INBOUND: u32 = 32;
/// Default number of connections we open (bootnodes, discovered peers): slots inbound
/// connections cannot take, so a flood of dialers cannot eclipse the node.
pub const DEFAULT_MAX_OUTBOUND: u32 = 16;
/// Default cap on inbound connections from one IP address.
pub const DEFAULT_MAX_INBOUND_PER_IP: u32 = 4;
/// Default number of distinct peers banned from one IP address within a ban period that
/// gets the address itself banned. More than one, so that one bad node behind a shared
/// address (NAT) does not cut off the others.
pub const DEFAULT_IP_BAN_THRESHOLD: u32 = 3;
/// Default number of inbound connections still in their handshake.
pub const DEFAULT_MAX_PENDING_INCOMING: u32 = 16;
/// Default capacity of the event channel towards the node.
pub const DEFAULT_EVENT_CHANNEL_CAPACITY: usize = 8192;

/// Everything `start` needs. Build it with [`NetworkConfig::new`] and adjust fields.
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    /// TCP and UDP (QUIC) port; 0 lets the OS pick (a different one per transport).
    pub listen_port: u16,
    /// Address to listen on; `0.0.0.0` for a public node, `127.0.0.1` for tests.
    pub listen_ip: IpAddr,
    /// Whether to listen on QUIC (UDP) besides TCP.
    pub enable_quic: bool,
    /// Peers to dial at start; each must end in `/p2p/<peer id>`.
    pub bootnodes: Vec<Multiaddr>,
    /// Where the ed25519 node key lives (`<base>/network/secret_ed25519`).
    pub node_key_path: PathBuf,
    /// Scopes every topic and protocol name, so separate chains never mix.
    pub genesis_hash: H256,
    /// Local-network discovery by multicast DNS; only for dev/local chains.
    pub enable_mdns: bool,
    /// Kademlia random walks and dialing of discovered peers. When false the node only
    /// talks to its bootnodes and to peers that dial it (it still answers Kademlia queries).
    pub enable_discovery: bool,
    /// Established inbound connections allowed (one per peer).
    pub max_inbound: u32,
    /// Established outbound connections allowed (one per peer), kept apart from inbound.
    pub max_outbound: u32,
    /// Established inbound connections allowed from one IP address; `None` for no cap
    /// (test networks, where every node shares 127.0.0.1).
    pub max_inbound_per_ip: Option<u32>,
    /// How many distinct peers from one IP address must be banned through `report_peer`
    /// (within a ban period) before the address is banned too; `None` never bans an
    /// address (test networks, where banning 127.0.0.1 would cut the node off).
    pub ip_ban_threshold: Option<u32>,
    /// Inbound connections allowed to be in their handshake at once.
    pub max_pending_incoming: u32,
    /// Largest proposal message on gossip; larger ones are neither sent nor accepted.
    pub max_gossip_bytes: usize,
    /// Gossipsub heartbeat (mesh maintenance and gossip emission).
    pub gossip_heartbeat: Duration,
    /// How long a sync request may take before it fails with a timeout.
    pub request_timeout: Duration,
    /// How often connected peers are asked for their chain status.
    pub status_interval: Duration,
    /// How often the node looks for more peers while below `max_outbound`.
    pub discovery_interval: Duration,
    /// How long a peer reported through `report_peer`, or on another chain, stays banned;
    /// also how long an IP address stays banned.
    pub ban_duration: Duration,
    /// Capacity of the event channel; gossip beyond it is dropped, never blocks the swarm.
    pub event_channel_capacity: usize,
    /// Sent in identify, e.g. `hypermesh/0.1.0`.
    pub agent_version: String,
}

impl NetworkConfig {
    /// Defaults for a public node listening on all interfaces on an OS-chosen port.
    pub fn new(node_key_path: PathBuf, genesis_hash: H256) -> Self {
        NetworkConfig {
            listen_port: 0,
            listen_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            enable_quic: true,
            bootnodes: Vec::new(),
            node_key_path,
            genesis_hash,
            enable_mdns: false,
            enable_discovery: true,
            max_inbound: DEFAULT_MAX_INBOUND,
            max_outbound: DEFAULT_MAX_OUTBOUND,
            max_inbound_per_ip: Some(DEFAULT_MAX_INBOUND_PER_IP),
            ip_ban_threshold: Some(DEFAULT_IP_BAN_THRESHOLD),
            max_pending_incoming: DEFAULT_MAX_PENDING_INCOMING,
            max_gossip_bytes: DEFAULT_MAX_GOSSIP_BYTES,
            gossip_heartbeat: Duration::from_millis(700),
            request_timeout: Duration::from_secs(20),
            status_interval: Duration::from_secs(5),
            discovery_interval: Duration::from_secs(5),
            ban_duration: Duration::from_secs(300),
            event_channel_capacity: DEFAULT_EVENT_CHANNEL_CAPACITY,
            agent_version: concat!("hypermesh/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), NetworkError> {
        let invalid = |msg: &str| Err(NetworkError::InvalidConfig(msg.to_string()));
        if self.max_inbound == 0 && self.max_outbound == 0 {
            return invalid("max_inbound and max_outbound cannot both be 0");
        }
        if self.max_inbound_per_ip == Some(0) {
            return invalid("max_inbound_per_ip must be at least 1 (or no cap)");
        }
        if self.ip_ban_threshold == Some(0) {
            return invalid("ip_ban_threshold must be at least 1 (or never)");
        }
        if self.max_gossip_bytes < MAX_VOTE_GOSSIP_BYTES {
            return invalid("max_gossip_bytes must be at least 64 KiB");
        }
        if self.event_channel_capacity == 0 {
            return invalid("event_channel_capacity must be at least 1");
        }
        if self.gossip_heartbeat.is_zero()
            || self.request_timeout.is_zero()
            || self.status_interval.is_zero()
            || self.discovery_interval.is_zero()
        {
            return invalid("intervals and timeouts must be non-zero");
        }
        for addr in &self.bootnodes {
            peer_id_of(addr)?;
        }
        Ok(())
    }

    /// `/ip4/<ip>/tcp/<port>` (or ip6).
    pub(crate) fn tcp_listen_addr(&self) -> Multiaddr {
        ip_multiaddr(self.listen_ip).with(Protocol::Tcp(self.listen_port))
    }

    /// `/ip4/<ip>/udp/<port>/quic-v1` (or ip6).
    pub(crate) fn quic_listen_addr(&self) -> Multiaddr {
        ip_multiaddr(self.listen_ip)
            .with(Protocol::Udp(self.listen_port))
            .with(Protocol::QuicV1)
    }
}

fn ip_multiaddr(ip: IpAddr) -> Multiaddr {
    match ip {
        IpAddr::V4(v4) => Multiaddr::empty().with(Protocol::Ip4(v4)),
        IpAddr::V6(v6) => Multiaddr::empty().with(Protocol::Ip6(v6)),
    }
}

/// Parse a `--bootnodes` entry: a multiaddr that names its peer with `/p2p/<peer id>`.
pub fn parse_bootnode(s: &str) -> Result<Multiaddr, NetworkError> {
    let addr: Multiaddr = s
        .trim()
        .parse()
        .map_err(|e| NetworkError::InvalidBootnode {
            addr: s.to_string(),
            reason: format!("not a multiaddr: {e}"),
        })?;
    peer_id_of(&addr)?;
    Ok(addr)
}

/// The peer id in the trailing `/p2p/` component of a bootnode address.
pub(crate) fn peer_id_of(addr: &Multiaddr) -> Result<libp2p::PeerId, NetworkError> {
    match addr.iter().last() {
        Some(Protocol::P2p(peer)) => Ok(peer),
        _ => Err(NetworkError::InvalidBootnode {
            addr: addr.to_string(),
            reason: "missing the /p2p/<peer id> suffix (the node prints its full address \
                     with that suffix at start)"
                .to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: &str = "12D3KooWGSRk6U7y8QrrHFr5uWB3ga7CVkXNLKjuhB8R1R5DRm9y";

    #[test]
    fn bootnode_with_peer_id_parses() {
        let addr = parse_bootnode(&format!("/ip4/127.0.0.1/tcp/30333/p2p/{PEER}")).unwrap();
        assert_eq!(peer_id_of(&addr).unwrap().to_string(), PEER);
        parse_bootnode(&format!("/ip4/127.0.0.1/udp/30333/quic-v1/p2p/{PEER}")).unwrap();
    }

    #[test]
    fn bootnode_without_peer_id_is_refused_clearly() {
        let err = parse_bootnode("/ip4/127.0.0.1/tcp/30333").unwrap_err();
        assert!(err.to_string().contains("/p2p/"), "{err}");
    }

    #[test]
    fn garbage_bootnodes_are_refused() {
        for bad in [
            "",
            "hello",
            "/ip4/999.0.0.1/tcp/1",
            "/p2p/notapeerid",
            "/ip4/127.0.0.1/tcp/99999999",
        ] {
            assert!(parse_bootnode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn defaults_validate_and_bad_values_do_not() {
        let mut c = NetworkConfig::new(PathBuf::from("/nonexistent/key"), H256::ZERO);
        c.validate().unwrap();
        c.max_inbound = 0;
        c.validate().unwrap();
        c.max_outbound = 0;
        assert!(c.validate().is_err());
        let mut c = NetworkConfig::new(PathBuf::from("/nonexistent/key"), H256::ZERO);
        c.max_inbound_per_ip = Some(0);
        assert!(c.validate().is_err());
        c.max_inbound_per_ip = None;
        c.validate().unwrap();
        c.ip_ban_threshold = Some(0);
        assert!(c.validate().is_err());
        let mut c = NetworkConfig::new(PathBuf::from("/nonexistent/key"), H256::ZERO);
        c.bootnodes.push("/ip4/127.0.0.1/tcp/1".parse().unwrap());
        assert!(c.validate().is_err());
    }
}
